import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createKey,
  createTestContext,
  createUnit,
  uniqueUnitCode,
  type TestContext,
} from './helpers/context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const post = (key: string, payload: object) =>
  ctx.app.inject({ method: 'POST', url: '/v1/units', headers: bearer(key), payload });
const patch = (key: string, code: string, payload: object) =>
  ctx.app.inject({ method: 'PATCH', url: `/v1/units/${code}`, headers: bearer(key), payload });
const get = (key: string, code: string) =>
  ctx.app.inject({ method: 'GET', url: `/v1/units/${code}`, headers: bearer(key) });

describe('unit tree', () => {
  it('creates a root and a child, and reads them back', async () => {
    const province = await createUnit(ctx, { name: 'Tỉnh thử' });
    const commune = await createUnit(ctx, { parentCode: province.code, name: 'Xã thử' });
    const res = await get(ctx.adminKey, commune.code);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      code: commune.code,
      parentCode: province.code,
      name: 'Xã thử',
      active: true,
    });
    expect(res.json().createdAt).toMatch(/\+07:00$/);
  });

  it('accepts national-identifier codes and rejects others', async () => {
    expect((await post(ctx.adminKey, { code: uniqueUnitCode('H56'), name: 'ok' })).statusCode).toBe(201);
    for (const code of ['000.17.22.h56', '000..17', '.000', '000.17-22', 'A'.repeat(36), '000 17']) {
      const res = await post(ctx.adminKey, { code, name: 'bad' });
      expect(res.statusCode, code).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().errors[0].path).toBe('body.code');
    }
  });

  it('has no fixed levels: a chain of any depth is allowed', async () => {
    let parent: string | null = null;
    for (let depth = 0; depth < 6; depth++) parent = (await createUnit(ctx, { parentCode: parent })).code;
    expect((await get(ctx.adminKey, parent!)).statusCode).toBe(200);
  });

  it('rejects a duplicate code with 409 and an unknown parent with 404', async () => {
    const unit = await createUnit(ctx);
    const dup = await post(ctx.adminKey, { code: unit.code, name: 'again' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('UNIT_ALREADY_EXISTS');
    const orphan = await post(ctx.adminKey, {
      code: uniqueUnitCode(),
      name: 'x',
      parentCode: uniqueUnitCode(),
    });
    expect(orphan.statusCode).toBe(404);
    expect(orphan.json().code).toBe('UNIT_NOT_FOUND');
  });

  it('refuses to move a unit under its own descendant', async () => {
    const a = await createUnit(ctx);
    const b = await createUnit(ctx, { parentCode: a.code });
    const c = await createUnit(ctx, { parentCode: b.code });
    const res = await patch(ctx.adminKey, a.code, { parentCode: c.code });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('UNIT_PARENT_INVALID');
    expect((await patch(ctx.adminKey, a.code, { parentCode: a.code })).statusCode).toBe(422);
  });

  it('moves a subtree, and scope follows the move', async () => {
    const left = await createUnit(ctx);
    const right = await createUnit(ctx);
    const mid = await createUnit(ctx, { parentCode: left.code });
    const leaf = await createUnit(ctx, { parentCode: mid.code });
    const rightClerk = await createKey(ctx, 'viewer', right.code);
    expect((await get(rightClerk, leaf.code)).statusCode).toBe(404);
    const moved = await patch(ctx.adminKey, mid.code, { parentCode: right.code });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().parentCode).toBe(right.code);
    expect((await get(rightClerk, leaf.code)).statusCode).toBe(200);
  });

  it('can deactivate a unit and list by active flag', async () => {
    const root = await createUnit(ctx);
    const child = await createUnit(ctx, { parentCode: root.code });
    const res = await patch(ctx.adminKey, child.code, { active: false, name: 'Xã đã sáp nhập' });
    expect(res.json()).toMatchObject({ active: false, name: 'Xã đã sáp nhập' });
    const list = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units?parentCode=${root.code}&active=false`,
      headers: bearer(ctx.adminKey),
    });
    expect(list.json().items.map((u: { code: string }) => u.code)).toEqual([child.code]);
  });

  it('pages the list with an opaque cursor and rejects a forged one', async () => {
    const root = await createUnit(ctx);
    const children = [];
    for (let i = 0; i < 5; i++) children.push((await createUnit(ctx, { parentCode: root.code })).code);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { json(): { items: Array<{ code: string }>; nextCursor: string | null } } =
        await ctx.app.inject({
          method: 'GET',
          url: `/v1/units?parentCode=${root.code}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          headers: bearer(ctx.adminKey),
        });
      const body = res.json();
      seen.push(...body.items.map((u) => u.code));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...children].sort());
    const bad = await ctx.app.inject({
      method: 'GET',
      url: '/v1/units?cursor=nonsense',
      headers: bearer(ctx.adminKey),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('lets a scoped admin add units only inside its subtree, and no roots', async () => {
    const province = await createUnit(ctx);
    const other = await createUnit(ctx);
    const admin = await createKey(ctx, 'admin', province.code);
    expect(
      (await post(admin, { code: uniqueUnitCode(), name: 'x', parentCode: province.code })).statusCode,
    ).toBe(201);
    expect(
      (await post(admin, { code: uniqueUnitCode(), name: 'x', parentCode: other.code })).statusCode,
    ).toBe(404);
    const root = await post(admin, { code: uniqueUnitCode(), name: 'x' });
    expect(root.statusCode).toBe(403);
    expect((await patch(admin, province.code, { parentCode: other.code })).statusCode).toBe(403);
  });
});
