// The unit tree an API process keeps for the dossier list's subtrees: read once per time limit, read again at
// once for a unit it does not hold, dropped by clear(); and the list as a clerk sees it when units are created
// or moved through the API or straight in the database.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  uniqueUnitCode,
  type TestContext,
} from './helpers/context.js';
import { waitFor } from './helpers/wait.js';
import { CACHE_SIGNAL_CHANNEL } from '../src/db/cache-signals.js';
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

describe('UnitTreeCache', () => {
  it('reuses the tree within its time limit, and reads it again after', async () => {
    let now = 1_000;
    const cache = new UnitTreeCache(2_000, () => now);
    const root = await insertUnit(uniqueUnitCode(), null);
    const first = await cache.get(ctx.database.db);
    expect(first.byCode.get(root.code)).toEqual(root);

    const child = await insertUnit(uniqueUnitCode(), root);
    now += 1_999;
    expect(await cache.get(ctx.database.db)).toBe(first);
    expect(subtreeCodes(first, root.path)).toEqual([root.code]);
    now += 1;
    const second = await cache.get(ctx.database.db);
    expect(second).not.toBe(first);
    expect(subtreeCodes(second, root.path).sort()).toEqual([root.code, child.code].sort());
  });

  it('reads the tree again at once for a code it does not hold, and drops it on clear()', async () => {
    const now = 1_000;
    const cache = new UnitTreeCache(60_000, () => now);
    const first = await cache.get(ctx.database.db);
    const unit = await insertUnit(uniqueUnitCode(), null);
    expect((await cache.get(ctx.database.db)).byCode.has(unit.code)).toBe(false);
    expect((await cache.holding(ctx.database.db, unit.code)).byCode.get(unit.code)).toEqual(unit);
    // A code the database does not have either: read, still missing, answered as read.
    expect((await cache.holding(ctx.database.db, 'KHONGCO')).byCode.has('KHONGCO')).toBe(false);

    const kept = await cache.get(ctx.database.db);
    expect(kept).not.toBe(first);
    cache.clear();
    expect(await cache.get(ctx.database.db)).not.toBe(kept);
  });

  it('shares one read between concurrent requests, and keeps no read begun before clear()', async () => {
    const cache = new UnitTreeCache(60_000);
    const [a, b] = await Promise.all([cache.get(ctx.database.db), cache.get(ctx.database.db)]);
    expect(a).toBe(b);

    cache.clear();
    const before = cache.get(ctx.database.db);
    cache.clear(); // e.g. a unit moved while the tree was being read
    const after = await cache.get(ctx.database.db);
    expect(after).not.toBe(await before);
    expect(await cache.get(ctx.database.db)).toBe(after);
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
  const codes = async (url: string, key: string) => {
    const res = await ctx.app.inject({ method: 'GET', url, headers: bearer(key) });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: Array<{ code: string }> }).items.map((d) => d.code);
  };
  const intake = async (unitCode: string, procedureCode: string) => {
    const clerk = await createKey(ctx, 'clerk', unitCode);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerk),
      payload: intakeBody(procedureCode),
    });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { code: string }).code;
  };

  it('lists a unit created or moved through the API under its new parent at once', async () => {
    const procedure = await createProcedure(ctx);
    const district = await createUnit(ctx);
    const elsewhere = await createUnit(ctx);
    const districtClerk = await createKey(ctx, 'clerk', district.code);
    expect(await codes(`/v1/dossiers?unitCode=${district.code}`, ctx.adminKey)).toEqual([]);

    const commune = await createUnit(ctx, { parentCode: district.code });
    const code = await intake(commune.code, procedure.code);
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
    // The process's tree is read first, then the unit appears behind its back.
    expect(await codes(`/v1/dossiers?limit=1`, ctx.adminKey)).toBeDefined();
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

describe('the unit tree kept by every process', () => {
  it('is announced stale when a unit is created, renamed or moved through the API', async () => {
    const listener = new pg.Client({ connectionString: ctx.config.DATABASE_URL });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (m) => heard.push(m.payload ?? ''));
    await listener.query(`listen ${CACHE_SIGNAL_CHANNEL}`);
    try {
      const units = (n: number) => heard.filter((p) => p === 'units').length >= n;
      const parent = await createUnit(ctx);
      await waitFor('the creation announced', () => units(1));
      const patch = (payload: object) =>
        ctx.app.inject({
          method: 'PATCH',
          url: `/v1/units/${parent.code}`,
          headers: bearer(ctx.adminKey),
          payload,
        });
      expect((await patch({ name: 'Tên mới' })).statusCode).toBe(200);
      await waitFor('the rename announced', () => units(2));
      const other = await createUnit(ctx);
      await waitFor('the second creation announced', () => units(3));
      expect((await patch({ parentCode: other.code })).statusCode).toBe(200);
      await waitFor('the move announced', () => units(4));
    } finally {
      await listener.end();
    }
  });

  it('gives the statistics a unit written straight into the database a moment ago', async () => {
    expect(
      (await ctx.app.inject({ method: 'GET', url: '/v1/stats?period=2026', headers: bearer(ctx.adminKey) }))
        .statusCode,
    ).toBe(200);
    const unit = await insertUnit(uniqueUnitCode(), null);
    for (const url of [
      `/v1/stats?unitCode=${unit.code}&period=2026`,
      `/v1/stats/service-index?unitCode=${unit.code}&period=2026`,
    ]) {
      const res = await ctx.app.inject({ method: 'GET', url, headers: bearer(ctx.adminKey) });
      expect(res.statusCode, res.body).toBe(200);
    }
  });
});
