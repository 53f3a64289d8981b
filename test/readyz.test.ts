import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { buildApp } from '../src/app.js';
import { connectPostgres } from '../src/db/client.js';
import { createTestContext, testConfig, type TestContext } from './helpers/context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('health', () => {
  it('/healthz answers without touching anything', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when Postgres and Redis answer', async () => {
    const redis = new Redis(inject('redisUrl'));
    const app = await buildApp({
      config: ctx.config,
      db: ctx.database.db,
      checks: { postgres: ctx.database.ping, redis: async () => void (await redis.ping()) },
    });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
    await app.close();
    redis.disconnect();
  });

  it('/readyz is 503 naming Postgres when it is unreachable', async () => {
    // Nothing listens on port 1 of the loopback address.
    const unreachable = await connectPostgres('postgres://postgres@127.0.0.1:1/none', 1);
    const app = await buildApp({
      config: testConfig(),
      db: unreachable.db,
      checks: { postgres: unreachable.ping },
    });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', checks: { postgres: 'failed' } });
    await app.close();
    await unreachable.close();
  });

  it('/readyz is 503 naming Redis when it is unreachable', async () => {
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    const app = await buildApp({
      config: ctx.config,
      db: ctx.database.db,
      checks: { postgres: ctx.database.ping, redis: async () => void (await redis.ping()) },
    });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toEqual({ postgres: 'ok', redis: 'failed' });
    await app.close();
    redis.disconnect();
  });

  it('/metrics exposes process metrics and the HTTP duration histogram by route', async () => {
    await ctx.app.inject({ method: 'GET', url: '/healthz' });
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
  });
});

describe('PostgreSQL unreachable during a request', () => {
  it('answers 503 SERVICE_UNAVAILABLE, not 500', async () => {
    const unreachable = await connectPostgres('postgres://postgres@127.0.0.1:1/none', 1);
    const app = await buildApp({
      config: testConfig(),
      db: unreachable.db,
      checks: { postgres: unreachable.ping },
    });
    const res = await app.inject({
      method: 'GET',
      url: '/v1/units',
      headers: { authorization: 'Bearer mc_anything' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('SERVICE_UNAVAILABLE');
    await app.close();
    await unreachable.close();
  });
});
