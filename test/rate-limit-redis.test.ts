import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { bearer, createKey, createTestContext, createUnit, type TestContext } from './helpers/context.js';

const LIMIT = 3;
// Both apps share this clock: 10:15:30 local, half a minute before the next window.
const now = new Date('2025-05-06T10:15:30+07:00');
const prefix = `motcua-test-rate-limit-${process.pid}-${Date.now()}`;

async function connectedRedis(): Promise<Redis> {
  const redis = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('rate limiting through Redis', () => {
  const redis: Redis[] = [];
  let a: TestContext;
  let b: TestContext;
  beforeAll(async () => {
    redis.push(await connectedRedis(), await connectedRedis());
    const overrides = { RATE_LIMIT_PER_MINUTE: String(LIMIT), REDIS_PREFIX: prefix };
    a = await createTestContext(overrides, { clock: () => now, redis: redis[0] });
    b = await createTestContext(overrides, { clock: () => now, redis: redis[1] });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const keys = await redis[0]!.keys(`${prefix}:*`);
    if (keys.length > 0) await redis[0]!.del(...keys);
    for (const client of redis) client.disconnect();
  });

  it('gives a key one budget across API processes: each request counts once, past it either answers 429', async () => {
    const unit = await createUnit(a);
    const key = await createKey(a, 'viewer', unit.code);
    const get = (ctx: TestContext) =>
      ctx.app.inject({ method: 'GET', url: `/v1/units/${unit.code}`, headers: bearer(key) });

    const served = [await get(a), await get(b), await get(a)];
    expect(served.map((res) => res.statusCode)).toEqual([200, 200, 200]);
    expect(served.map((res) => res.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
    for (const res of served) {
      expect(res.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(res.headers['ratelimit-reset'])).toBeLessThanOrEqual(30);
    }

    for (const ctx of [b, a]) {
      const limited = await get(ctx);
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    }
    const counters = await redis[0]!.keys(`${prefix}:rate-limit:*`);
    expect(counters.length).toBeGreaterThan(0);
  });
});

describe('rate limiting with Redis unreachable', () => {
  it('serves every request uncounted rather than failing', async () => {
    const ctx = await createTestContext({
      RATE_LIMIT_PER_MINUTE: '1',
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await ctx.app.inject({ method: 'GET', url: '/v1/units', headers: bearer(ctx.adminKey) });
        expect(res.statusCode).toBe(200);
      }
      expect((await ctx.app.inject({ method: 'GET', url: '/v1/units' })).statusCode).toBe(401);
    } finally {
      await ctx.close();
    }
  });
});
