// The public routes' budget per client IP, one across API processes (two apps sharing Redis, as two processes do).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

const LIMIT = 3;
// Both apps share this clock: 10:15:30 local, half a minute before the next window.
const now = new Date('2025-05-06T10:15:30+07:00');
const prefix = `motcua-test-public-limit-${process.pid}-${Date.now()}`;

async function connectedRedis(): Promise<Redis> {
  const redis = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}

describe('the public lookup budget per client IP, shared by API processes through Redis', () => {
  const redis: Redis[] = [];
  let a: TestContext;
  let b: TestContext;
  beforeAll(async () => {
    redis.push(await connectedRedis(), await connectedRedis());
    const overrides = {
      PUBLIC_RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_PER_MINUTE: '1000',
      REDIS_PREFIX: prefix,
    };
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

  it('counts every guess from one IP once across both processes; past the budget either answers 429 with Retry-After', async () => {
    const unit = (await createUnit(a)).code;
    const clerk = await createKey(a, 'clerk', unit);
    const procedure = (await createProcedure(a)).code;
    const intake = await a.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerk),
      payload: intakeBody(procedure),
    });
    const code = intake.json().code as string;
    const guess = (ctx: TestContext, check: string, remoteAddress = '203.0.113.7') =>
      ctx.app.inject({ method: 'GET', url: `/v1/public/dossiers/${code}?check=${check}`, remoteAddress });

    const answered = [await guess(a, '1111'), await guess(b, '5678'), await guess(a, '2222')];
    expect(answered.map((r) => r.statusCode)).toEqual([404, 200, 404]);
    expect(answered.map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
    for (const ctx of [b, a]) {
      const limited = await guess(ctx, '5678');
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(30);
    }
    expect(await redis[0]!.keys(`${prefix}:public-rate-limit:*`)).not.toHaveLength(0);

    // Another client has its own budget; the API keys' budget is apart from the public one.
    expect((await guess(b, '5678', '198.51.100.9')).statusCode).toBe(200);
    const keyed = await a.app.inject({
      method: 'GET',
      url: `/v1/dossiers/${code}`,
      headers: bearer(clerk),
      remoteAddress: '203.0.113.7',
    });
    expect(keyed.statusCode).toBe(200);
    expect(keyed.headers['ratelimit-limit']).toBe('1000');
  });
});

describe('the public budget behind load balancers (TRUST_PROXY)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(
      { PUBLIC_RATE_LIMIT_PER_MINUTE: '2', RATE_LIMIT_PER_MINUTE: '1000', TRUST_PROXY: '10.0.0.0/8' },
      { clock: () => now },
    );
  });
  afterAll(() => ctx?.close());

  const lookup = (remoteAddress: string, forwardedFor?: string) =>
    ctx.app.inject({
      method: 'GET',
      url: '/v1/public/dossiers/000.00.00.H56-250506-0001?check=AAAAAAAA',
      remoteAddress,
      ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
    });

  it('counts each citizen the trusted proxy names, not the proxy; a forwarded-for from anyone else is ignored', async () => {
    // Two citizens behind the same balancer: a budget each.
    for (const citizen of ['203.0.113.10', '203.0.113.11']) {
      const answers = [await lookup('10.0.0.5', citizen), await lookup('10.0.0.5', citizen)];
      expect(answers.map((r) => r.statusCode)).toEqual([404, 404]);
      expect((await lookup('10.0.0.5', citizen)).statusCode).toBe(429);
    }
    // A client outside the trusted blocks cannot pick its budget by forging the header.
    const forged = [
      await lookup('198.51.100.20', '203.0.113.12'),
      await lookup('198.51.100.20', '203.0.113.13'),
      await lookup('198.51.100.20', '203.0.113.14'),
    ];
    expect(forged.map((r) => r.statusCode)).toEqual([404, 404, 429]);
  });
});
