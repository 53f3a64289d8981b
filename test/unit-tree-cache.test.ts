// The unit tree an API process keeps for the dossier list's subtrees: read once per time limit, read again at
// once for a unit it does not hold, dropped by clear(); and the list as a clerk sees it when units are created
// or moved through the API or straight in the database.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createKey,
  createProcedure,
  createIsolatedDatabase,
  createTestContext,
  createUnit,
  intakeBody,
  uniqueUnitCode,
  type TestContext,
} from './helpers/context.js';
import { waitFor } from './helpers/wait.js';
import { subtreeCodes, UnitTreeCache } from '../src/units/tree-cache.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.close();
});

/** A unit written straight into the database, as a load or a migration would: nobody announces it. */
async function insertUnit(code: string, parent: { code: string; path: string } | null) {
  const path = `${parent?.path ?? ''}${code}/`;
  const name = 'Đơn vị nạp thẳng';
  await ctx.database.db.execute(
    sql`insert into units (code, name, parent_code, path) values (${code}, ${name}, ${parent?.code ?? null}, ${path})`,
  );
  return { code, name, path };
}

/** The codes of a dossier list's page. */
async function codes(url: string, key: string): Promise<string[]> {
  const res = await ctx.app.inject({ method: 'GET', url, headers: bearer(key) });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: Array<{ code: string }> }).items.map((d) => d.code);
}

/** A dossier taken in by a clerk of `unitCode`: its code, and the clerk's key. */
async function intake(unitCode: string, procedureCode: string) {
  const clerk = await createKey(ctx, 'clerk', unitCode);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(clerk),
    payload: intakeBody(procedureCode),
  });
  expect(res.statusCode, res.body).toBe(201);
  return { code: (res.json() as { code: string }).code, clerk };
}

describe('UnitTreeCache', () => {
  it('reuses the tree within its time limit, and reads it again after', async () => {
    let now = 1_000;
    const cache = new UnitTreeCache(ctx.database.db, 2_000, () => now);
    const root = await insertUnit(uniqueUnitCode(), null);
    const first = await cache.get();
    expect(first.byCode.get(root.code)).toEqual(root);

    const child = await insertUnit(uniqueUnitCode(), root);
    now += 1_999;
    expect(await cache.get()).toBe(first);
    expect(subtreeCodes(first, root.path)).toEqual([root.code]);
    now += 1;
    const second = await cache.get();
    expect(second).not.toBe(first);
    expect(subtreeCodes(second, root.path).sort()).toEqual([root.code, child.code].sort());
  });

  it('reads the tree again at once for a unit it lacks that exists, not for a code no unit has', async () => {
    const cache = new UnitTreeCache(ctx.database.db, 60_000, () => 1_000);
    const first = await cache.get();
    expect(await cache.holding('KHONGCO')).toBe(first);
    const unit = await insertUnit(uniqueUnitCode(), null);
    expect(await cache.get()).toBe(first);
    const again = await cache.holding(unit.code);
    expect(again).not.toBe(first);
    expect(again.byCode.get(unit.code)).toEqual(unit);
    expect(await cache.get()).toBe(again);

    cache.clear();
    expect(await cache.get()).not.toBe(again);
  });

  it('shares one read between concurrent requests, and keeps no read begun before clear()', async () => {
    const cache = new UnitTreeCache(ctx.database.db, 60_000);
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(a).toBe(b);

    cache.clear();
    const begun = cache.get();
    cache.clear(); // e.g. a unit moved while the tree was being read
    const old = await begun;
    const next = await cache.get();
    expect(next).not.toBe(old);
    expect(await cache.get()).toBe(next);
  });

  it('finds a subtree by path prefix, the root included', () => {
    const all = [
      { code: 'T', name: 'Tỉnh', path: 'T/' },
      { code: 'H', name: 'Huyện', path: 'T/H/' },
      { code: 'X', name: 'Xã', path: 'T/H/X/' },
      { code: 'T2', name: 'Tỉnh khác', path: 'T2/' },
    ];
    const tree = { all, byCode: new Map(all.map((u) => [u.code, u])) };
    expect(subtreeCodes(tree, 'T/')).toEqual(['T', 'H', 'X']);
    expect(subtreeCodes(tree, 'T/H/')).toEqual(['H', 'X']);
    expect(subtreeCodes(tree, 'T2/')).toEqual(['T2']);
  });
});

describe('the dossier list with the unit tree kept in the process', () => {
  it('lists a unit created or moved through the API under its new parent at once', async () => {
    const procedure = await createProcedure(ctx);
    const district = await createUnit(ctx);
    const elsewhere = await createUnit(ctx);
    const districtClerk = await createKey(ctx, 'clerk', district.code);
    expect(await codes(`/v1/dossiers?unitCode=${district.code}`, ctx.adminKey)).toEqual([]);

    const commune = await createUnit(ctx, { parentCode: district.code });
    const { code } = await intake(commune.code, procedure.code);
    expect(await codes(`/v1/dossiers?unitCode=${district.code}`, ctx.adminKey)).toEqual([code]);
    expect(await codes(`/v1/dossiers`, districtClerk)).toEqual([code]);

    const moved = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/units/${commune.code}`,
      headers: bearer(ctx.adminKey),
      payload: { parentCode: elsewhere.code },
    });
    expect(moved.statusCode).toBe(200);
    expect(await codes(`/v1/dossiers?unitCode=${district.code}`, ctx.adminKey)).toEqual([]);
    expect(await codes(`/v1/dossiers`, districtClerk)).toEqual([]);
    expect(await codes(`/v1/dossiers?unitCode=${elsewhere.code}`, ctx.adminKey)).toEqual([code]);
  });

  it('finds a unit written straight into the database a moment ago, and still refuses one that does not exist', async () => {
    // The process's tree is read first (a unit's list reads it), then the unit appears behind its back. Both
    // units are written straight in: a unit created through the API would be announced, and the announcement
    // arriving after the first read would drop the tree anyway.
    const known = await insertUnit(uniqueUnitCode(), null);
    expect(await codes(`/v1/dossiers?unitCode=${known.code}`, ctx.adminKey)).toEqual([]);
    const unit = await insertUnit(uniqueUnitCode(), null);
    expect(await codes(`/v1/dossiers?unitCode=${unit.code}`, ctx.adminKey)).toEqual([]);
    const missing = await ctx.app.inject({
      method: 'GET',
      url: `/v1/dossiers?unitCode=${uniqueUnitCode()}`,
      headers: bearer(ctx.adminKey),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'UNIT_NOT_FOUND' });
  });
});

describe('a key of a unit written straight into the database a moment ago', () => {
  it('lists its dossiers without a unit filter', async () => {
    const known = await insertUnit(uniqueUnitCode(), null);
    expect(await codes(`/v1/dossiers?unitCode=${known.code}`, ctx.adminKey)).toEqual([]);
    const unit = await insertUnit(uniqueUnitCode(), null);
    const procedure = await createProcedure(ctx);
    const { code, clerk } = await intake(unit.code, procedure.code);
    expect(await codes('/v1/dossiers', clerk)).toEqual([code]);
  });
});

describe('the unit tree kept by every process', () => {
  it('is dropped in another process when a unit is created, renamed or moved through the API', async () => {
    // A database of its own: no other test's units announce anything there.
    const isolated = await createIsolatedDatabase();
    const writer = await createTestContext({ DATABASE_URL: isolated.url });
    const observer = await createTestContext({ DATABASE_URL: isolated.url }, { unitTreeTtlMs: 600_000 });
    try {
      await waitFor(
        'both to listen',
        () => writer.app.cacheSignals?.listening() && observer.app.cacheSignals?.listening(),
      );
      const tree = () => observer.unitTree!.get();
      const parent = await createUnit(writer, { name: 'Xã cũ' });
      const other = await createUnit(writer);
      // The observer's tree holds no unit it was not told of, whatever its time limit.
      await tree();
      const patch = (payload: object) =>
        writer.app.inject({
          method: 'PATCH',
          url: `/v1/units/${parent.code}`,
          headers: bearer(writer.adminKey),
          payload,
        });
      const child = await createUnit(writer, { parentCode: parent.code });
      await waitFor('the creation heard', async () => (await tree()).byCode.has(child.code), 1_000, 10);
      expect((await patch({ name: 'Xã mới' })).statusCode).toBe(200);
      await waitFor(
        'the rename heard',
        async () => (await tree()).byCode.get(parent.code)?.name === 'Xã mới',
        1_000,
        10,
      );
      expect((await patch({ parentCode: other.code })).statusCode).toBe(200);
      await waitFor(
        'the move heard',
        async () =>
          (await tree()).byCode.get(child.code)?.path === `${other.code}/${parent.code}/${child.code}/`,
        1_000,
        10,
      );
    } finally {
      await writer.close();
      await observer.close();
      await isolated.drop();
    }
  });

  it('gives the statistics a unit written straight into the database a moment ago', async () => {
    const known = await insertUnit(uniqueUnitCode(), null);
    for (const base of ['/v1/stats', '/v1/stats/service-index']) {
      // The tree is read first, then the unit appears behind its back.
      const primed = await ctx.app.inject({
        method: 'GET',
        url: `${base}?unitCode=${known.code}&period=2026`,
        headers: bearer(ctx.adminKey),
      });
      expect(primed.statusCode).toBe(200);
      const unit = await insertUnit(uniqueUnitCode(), null);
      const res = await ctx.app.inject({
        method: 'GET',
        url: `${base}?unitCode=${unit.code}&period=2026`,
        headers: bearer(ctx.adminKey),
      });
      expect(res.statusCode, res.body).toBe(200);
    }
  });
});
