import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockMinute } from '../src/http/rate-limit.js';
import { bearer, createKey, createTestContext, createUnit, type TestContext } from './helpers/context.js';

const LIMIT = 3;
// The app's clock, moved by the tests: 10:15:45 local, 15 s before the next window.
let now = new Date('2025-05-06T10:15:45+07:00');

let ctx: TestContext;
let unit: { code: string };
beforeAll(async () => {
  ctx = await createTestContext({ RATE_LIMIT_PER_MINUTE: String(LIMIT) }, { clock: () => now });
  // The helpers' own requests with the admin key happen in an earlier window.
  unit = await createUnit(ctx);
  now = new Date(now.getTime() + 60_000);
});
afterAll(() => ctx.close());

const get = (headers: Record<string, string>, url = `/v1/units/${unit.code}`) =>
  ctx.app.inject({ method: 'GET', url, headers });

describe('per-key rate limiting', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a key spends its budget, until the next minute', async () => {
    const key = await createKey(ctx, 'viewer', unit.code);
    for (let i = 1; i <= LIMIT; i++) {
      const res = await get(bearer(key));
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(res.headers['ratelimit-remaining']).toBe(String(LIMIT - i));
      expect(res.headers['ratelimit-reset']).toBe('15');
    }
    const limited = await get({ ...bearer(key), 'accept-language': 'vi' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.headers['retry-after']).toBe('15');
    expect(limited.headers['x-request-id']).toBeTruthy();
    expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(limited.json().detail).toBe('Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại sau 15 giây.');
    // Every route counts, also one that fails for another reason.
    expect((await get(bearer(key), '/v1/units/999.99.99.Z99')).statusCode).toBe(429);

    // Another key of the same caller has its own budget.
    const other = await createKey(ctx, 'viewer', unit.code);
    expect((await get(bearer(other))).statusCode).toBe(200);

    now = new Date(now.getTime() + 10_000);
    const later = await get(bearer(key));
    expect(later.statusCode).toBe(429);
    expect(later.headers['retry-after']).toBe('5');

    now = new Date(now.getTime() + 5_000); // the next minute
    const again = await get(bearer(key));
    expect(again.statusCode).toBe(200);
    expect(again.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
    expect(again.headers['ratelimit-reset']).toBe('60');
    now = new Date(now.getTime() + 45_000);
  });

  it('counts requests without a valid key by client IP; a valid key is not held back by them', async () => {
    const valid = await createKey(ctx, 'clerk', unit.code);
    const badKeys: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer mc_guess1' },
      { authorization: 'Bearer mc_guess2' },
    ];
    for (const headers of badKeys) expect((await get(headers)).statusCode).toBe(401);
    const limited = await get({ authorization: 'Bearer mc_guess3' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(bearer(valid))).statusCode).toBe(200);
    now = new Date(now.getTime() + 60_000);
    expect((await get({})).statusCode).toBe(401);
  });

  it('leaves the public routes alone', async () => {
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('documents 429 on every /v1 operation', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operations = Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([, ops]) => Object.values(ops));
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) expect(Object.keys(op.responses)).toContain('429');
  });
});

describe('RATE_LIMIT_PER_MINUTE=0', () => {
  it('turns the limit off', async () => {
    const off = await createTestContext({ RATE_LIMIT_PER_MINUTE: '0' });
    try {
      for (let i = 0; i < 10; i++) {
        const res = await off.app.inject({ method: 'GET', url: '/v1/units', headers: bearer(off.adminKey) });
        expect(res.statusCode).toBe(200);
        expect(res.headers['ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await off.close();
    }
  });
});

describe('clockMinute', () => {
  it('numbers the clock minutes and counts the milliseconds left in each', () => {
    const t = Date.parse('2025-05-06T03:00:59.500Z');
    const first = clockMinute(t);
    expect(first.msLeft).toBe(500);
    expect(clockMinute(t + 499).window).toBe(first.window);
    expect(clockMinute(t + 500)).toEqual({ window: first.window + 1, msLeft: 60_000 });
  });
});
