import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '../src/db/schema/index.js';
import { hashSecret } from '../src/auth/keys.js';
import { bearer, createKey, createTestContext, createUnit, type TestContext } from './helpers/context.js';

let ctx: TestContext;
let province: { code: string };
let communeA: { code: string };
let communeB: { code: string };

beforeAll(async () => {
  ctx = await createTestContext();
  province = await createUnit(ctx, { name: 'Tỉnh' });
  communeA = await createUnit(ctx, { parentCode: province.code, name: 'Xã A' });
  communeB = await createUnit(ctx, { parentCode: province.code, name: 'Xã B' });
});
afterAll(() => ctx.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, key?: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: key ? bearer(key) : {}, ...(payload ? { payload } : {}) });

describe('authentication', () => {
  it('401 without a key, with a malformed header and with an unknown key', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer mc_nope' }]) {
      const res = await ctx.app.inject({ method: 'GET', url: '/v1/units', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('UNAUTHORIZED');
    }
  });

  it('a revoked key gets 401 at once', async () => {
    const created = await call('POST', '/v1/api-keys', ctx.adminKey, {
      name: 'tạm',
      role: 'viewer',
      unitCode: communeA.code,
    });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json();
    expect((await call('GET', `/v1/units/${communeA.code}`, key)).statusCode).toBe(200);
    expect((await call('DELETE', `/v1/api-keys/${id}`, ctx.adminKey)).statusCode).toBe(204);
    expect((await call('GET', `/v1/units/${communeA.code}`, key)).statusCode).toBe(401);
    expect((await call('DELETE', `/v1/api-keys/${id}`, ctx.adminKey)).statusCode).toBe(204);
    // Listed by an admin of that commune: the run's other keys, hundreds, would push it past one page.
    const communeAdmin = await createKey(ctx, 'admin', communeA.code);
    const listed = await call('GET', '/v1/api-keys?limit=200', communeAdmin);
    expect(listed.json().items.find((k: { id: string }) => k.id === id).revokedAt).not.toBeNull();
  });

  it('stores only a hash of the secret, shows the secret once, and records lastUsedAt', async () => {
    const created = await call('POST', '/v1/api-keys', ctx.adminKey, {
      name: 'sync tỉnh',
      role: 'sync',
      unitCode: province.code,
    });
    const { id, key, prefix } = created.json();
    expect(key).toMatch(/^mc_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);
    const [row] = await ctx.database.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row!.secretHash).toBe(hashSecret(key));
    expect(row!.lastUsedAt).toBeNull();
    await call('GET', '/v1/units', key);
    await new Promise((r) => setTimeout(r, 100));
    const [used] = await ctx.database.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    expect(used!.lastUsedAt).not.toBeNull();
    // Other test files' keys share the database: the list is read page by page until the key.
    let item: Record<string, unknown> | undefined;
    for (let cursor: string | null = ''; !item && cursor !== null;) {
      const page = (
        await call('GET', `/v1/api-keys?limit=200${cursor ? `&cursor=${cursor}` : ''}`, ctx.adminKey)
      ).json() as { items: Array<Record<string, unknown>>; nextCursor: string | null };
      item = page.items.find((k) => k.id === id);
      cursor = page.nextCursor;
    }
    expect(item).toMatchObject({ id, role: 'sync', unitCode: province.code, prefix });
    expect(item!.key).toBeUndefined();
  });
});

describe('scope over HTTP', () => {
  it('a clerk of commune A gets 404 on commune B, exactly as if it did not exist', async () => {
    const clerkA = await createKey(ctx, 'clerk', communeA.code);
    expect((await call('GET', `/v1/units/${communeA.code}`, clerkA)).statusCode).toBe(200);
    const outside = await call('GET', `/v1/units/${communeB.code}`, clerkA);
    const missing = await call('GET', '/v1/units/999.99.99.Z99', clerkA);
    expect(outside.statusCode).toBe(404);
    expect(outside.json().code).toBe(missing.json().code);
    const list = await call('GET', '/v1/units?limit=200', clerkA);
    expect(list.json().items.map((u: { code: string }) => u.code)).toEqual([communeA.code]);
  });

  it('a province key sees the whole subtree', async () => {
    const viewer = await createKey(ctx, 'viewer', province.code);
    const list = await call('GET', '/v1/units?limit=200', viewer);
    expect(
      list
        .json()
        .items.map((u: { code: string }) => u.code)
        .sort(),
    ).toEqual([province.code, communeA.code, communeB.code].sort());
  });

  it('a viewer gets 403 on writes; so do clerk and sync keys on admin operations', async () => {
    for (const role of ['viewer', 'clerk', 'sync'] as const) {
      const key = await createKey(ctx, role, province.code);
      const res = await call('POST', '/v1/units', key, {
        code: '000.00.01.H99',
        name: 'x',
        parentCode: province.code,
      });
      expect(res.statusCode, role).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
      expect((await call('PATCH', `/v1/units/${communeA.code}`, key, { name: 'y' })).statusCode).toBe(403);
      expect((await call('POST', '/v1/api-keys', key, { name: 'x', role: 'viewer' })).statusCode).toBe(403);
      expect((await call('GET', '/v1/api-keys', key)).statusCode).toBe(403);
    }
  });

  it('a scoped admin creates keys only inside its scope and sees only those keys', async () => {
    const adminA = await createKey(ctx, 'admin', communeA.code);
    const own = await call('POST', '/v1/api-keys', adminA, { name: 'clerk A', role: 'clerk' });
    expect(own.statusCode).toBe(201);
    expect(own.json().unitCode).toBe(communeA.code);
    expect(
      (await call('POST', '/v1/api-keys', adminA, { name: 'x', role: 'clerk', unitCode: communeB.code }))
        .statusCode,
    ).toBe(404);
    expect(
      (await call('POST', '/v1/api-keys', adminA, { name: 'x', role: 'admin', unitCode: null })).statusCode,
    ).toBe(403);
    const bKey = await call('POST', '/v1/api-keys', ctx.adminKey, {
      name: 'clerk B',
      role: 'clerk',
      unitCode: communeB.code,
    });
    expect((await call('DELETE', `/v1/api-keys/${bKey.json().id}`, adminA)).statusCode).toBe(404);
    const listed = await call('GET', '/v1/api-keys?limit=200', adminA);
    const units = new Set(listed.json().items.map((k: { unitCode: string }) => k.unitCode));
    expect([...units]).toEqual([communeA.code]);
  });
});
