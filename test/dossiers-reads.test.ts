import { sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOf } from '../src/db/client.js';
import * as schema from '../src/db/schema/index.js';
import { escapeLike, rows } from '../src/db/sql.js';
import { addDays, instantAt, localDateOf } from '../src/domain/local-time.js';
import { listDossiers, type ListFilters } from '../src/dossiers/list.js';
import type { Principal } from '../src/auth/plugin.js';
import { searchKey } from '../src/domain/applicant.js';
import { dossierActions } from '../src/domain/lifecycle.js';
import {
  dossierPageOf,
  dossierPageViews,
  dossierViewsByIds,
  getDossierInScope,
  getDossierView,
} from '../src/dossiers/lookups.js';
import { UnitTreeCache } from '../src/units/tree-cache.js';
import { JSON_PIECE_CHARS, jsonBody } from '../src/http/serializer.js';
import {
  bearer,
  createKey,
  createEmbeddedContext,
  createProcedure,
  createTestContext,
  createIsolatedDatabase,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

let now = new Date('2025-06-02T08:00:00+07:00');
let ctx: TestContext;
let communeA: string;
let communeB: string;
let clerkA: string;
let clerkB: string;
let procedure: string;

let province: { code: string };

beforeAll(async () => {
  ctx = await createTestContext({}, { clock: () => now, poolSize: 8 });
  province = await createUnit(ctx);
  communeA = (await createUnit(ctx, { parentCode: province.code })).code;
  communeB = (await createUnit(ctx, { parentCode: province.code })).code;
  clerkA = await createKey(ctx, 'clerk', communeA);
  clerkB = await createKey(ctx, 'clerk', communeB);
  procedure = (await createProcedure(ctx, { fee: 8000 })).code;
});
afterAll(() => ctx.close());

const get = (url: string, key: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(key) });

async function receive(key: string, overrides: Record<string, unknown> = {}) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(key),
    payload: intakeBody(procedure, overrides),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { code: string; version: number };
}

/** An action on a dossier at the applicant's request (withdraw, request-supplement), which must succeed. */
async function actOnRequest(key: string, code: string, action: string) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${code}/${action}`,
    headers: bearer(key),
    payload: { reason: 'Người nộp đề nghị.' },
  });
  expect(res.statusCode, res.body).toBe(200);
}

type Page = { items: Array<{ code: string }>; nextCursor: string | null };
const codes = async (url: string, key: string) =>
  ((await get(url, key)).json() as Page).items.map((d) => d.code);

/** Every page of a list from its first, following `nextCursor`; `betweenPages` runs after each page. */
async function pagedCodes(url: string, key: string, betweenPages?: () => Promise<unknown>) {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = (await get(`${url}${cursor ? `&cursor=${cursor}` : ''}`, key)).json();
    seen.push(...page.items.map((d) => d.code));
    cursor = page.nextCursor;
    await betweenPages?.();
  } while (cursor);
  return seen;
}

describe('scope isolation on every dossier route', () => {
  it('a clerk of commune B gets 404 on commune A’s dossier everywhere, and never sees it listed', async () => {
    const d = await receive(clerkA);
    for (const path of ['', '/events', '/receipt']) {
      const res = await get(`/v1/dossiers/${d.code}${path}`, clerkB);
      expect(res.statusCode, path).toBe(404);
      expect(res.json().code).toBe('DOSSIER_NOT_FOUND');
    }
    for (const action of dossierActions) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/v1/dossiers/${d.code}/${action}`,
        headers: bearer(clerkB),
        payload: {
          reason: 'x',
          result: 'approved',
          newDueAt: '2025-07-01T17:00:00+07:00',
          electronicResult: true,
        },
      });
      expect(res.statusCode, action).toBe(404);
    }
    expect(await codes('/v1/dossiers?limit=200', clerkB)).not.toContain(d.code);
    expect((await get(`/v1/dossiers?unitCode=${communeA}`, clerkB)).statusCode).toBe(404);
    // A clerk cannot receive into a unit outside its scope either.
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerkB),
      payload: intakeBody(procedure, { unitCode: communeA }),
    });
    expect(res.statusCode).toBe(404);
  });

  it('after a handover the handling unit sees the dossier too', async () => {
    const d = await receive(clerkA);
    expect((await get(`/v1/dossiers/${d.code}`, clerkB)).statusCode).toBe(404);
    await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${d.code}/assign`,
      headers: bearer(clerkA),
      payload: { handlingUnitCode: communeB },
    });
    expect((await get(`/v1/dossiers/${d.code}`, clerkB)).statusCode).toBe(200);
    expect(await codes(`/v1/dossiers?limit=200`, clerkB)).toContain(d.code);
  });

  it('a dossier a centre receives for a department outside its subtree is in both units’ scopes, no other', async () => {
    // The department lies under another root: only the dossier's resolving unit brings it into its keys' scope.
    const centre = (await createUnit(ctx, { parentCode: province.code })).code;
    const otherRoot = (await createUnit(ctx)).code;
    const department = (await createUnit(ctx, { parentCode: otherRoot })).code;
    const sibling = (await createUnit(ctx, { parentCode: otherRoot })).code;
    const clerkCentre = await createKey(ctx, 'clerk', centre);
    const [clerkDepartment, viewerDepartment, viewerRoot] = [
      await createKey(ctx, 'clerk', department),
      await createKey(ctx, 'viewer', department),
      await createKey(ctx, 'viewer', otherRoot),
    ];
    const clerkSibling = await createKey(ctx, 'clerk', sibling);
    const d = await receive(clerkCentre, { unitCode: centre, resolvingUnitCode: department });
    const [row] = await ctx.database.db
      .execute(sql`select id from dossiers where code = ${d.code}`)
      .then((r) => (r as unknown as { rows: Array<{ id: string }> }).rows);
    const [alert] = (
      (await ctx.database.db.execute(sql`
        insert into alerts (dossier_id, kind, target, due_at) values (${row!.id}, 'overdue', 'statutory', now())
        returning id`)) as unknown as { rows: Array<{ id: string }> }
    ).rows;

    for (const key of [clerkCentre, clerkDepartment, viewerDepartment, viewerRoot]) {
      for (const path of ['', '/events', '/receipt']) {
        expect((await get(`/v1/dossiers/${d.code}${path}`, key)).statusCode, path).toBe(200);
      }
      expect(await codes('/v1/dossiers?limit=200', key)).toContain(d.code);
      const alerts = (await get('/v1/alerts?limit=200', key))
        .json()
        .items.map((a: { id: number }) => String(a.id));
      expect(alerts).toContain(String(alert!.id));
    }
    // The unit filter keeps a dossier received or resolved in the subtree (here: resolved).
    for (const unit of [department, otherRoot]) {
      expect(await codes(`/v1/dossiers?unitCode=${unit}&limit=200`, viewerRoot)).toEqual([d.code]);
      expect(
        await codes(
          `/v1/dossiers?unitCode=${unit}&receivedFrom=2025-06-02&receivedTo=2025-06-02`,
          viewerRoot,
        ),
      ).toEqual([d.code]);
      expect(await codes(`/v1/dossiers?unitCode=${unit}&status=received`, viewerRoot)).toEqual([d.code]);
    }
    expect(await codes(`/v1/dossiers?unitCode=${centre}&limit=200`, clerkCentre)).toContain(d.code);
    expect(await codes(`/v1/dossiers?unitCode=${sibling}`, viewerRoot)).toEqual([]);
    // The department's clerk acts on it.
    const act = (key: string, action: string, payload: object) =>
      ctx.app.inject({
        method: 'POST',
        url: `/v1/dossiers/${d.code}/${action}`,
        headers: bearer(key),
        payload,
      });
    expect((await act(clerkDepartment, 'assign', { note: 'Phân công chuyên viên' })).statusCode).toBe(200);
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: `/v1/alerts/${alert!.id}/ack`,
          headers: bearer(clerkDepartment),
        })
      ).statusCode,
    ).toBe(200);

    // A sibling of the department sees nothing of it.
    for (const path of ['', '/events', '/receipt']) {
      const res = await get(`/v1/dossiers/${d.code}${path}`, clerkSibling);
      expect(res.statusCode, path).toBe(404);
      expect(res.json().code).toBe('DOSSIER_NOT_FOUND');
    }
    expect((await act(clerkSibling, 'resolve', { result: 'approved' })).statusCode).toBe(404);
    expect(await codes('/v1/dossiers?limit=200', clerkSibling)).not.toContain(d.code);
    expect((await get('/v1/alerts?limit=200', clerkSibling)).json().items).toEqual([]);
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: `/v1/alerts/${alert!.id}/ack`,
          headers: bearer(clerkSibling),
        })
      ).statusCode,
    ).toBe(404);
    // The department's clerk may not receive into the centre: the resolving unit gives no intake rights.
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerkDepartment),
      payload: intakeBody(procedure, { unitCode: centre, resolvingUnitCode: department }),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('UNIT_NOT_FOUND');
  });

  it('viewers read with personal data masked; sync keys see it whole; neither may act', async () => {
    const d = await receive(clerkA, {
      applicant: {
        type: 'citizen',
        fullName: 'Lê Thị Hoa',
        idNumber: '001199004567',
        phone: '0987654321',
        email: 'hoa@example.vn',
        address: 'Số 1',
      },
    });
    const viewer = await createKey(ctx, 'viewer', communeA);
    const sync = await createKey(ctx, 'sync', communeA);
    const masked = (await get(`/v1/dossiers/${d.code}`, viewer)).json().applicant;
    expect(masked).toEqual({
      type: 'citizen',
      fullName: 'Lê T** H**',
      idNumber: '********4567',
      phone: '******4321',
      email: 'h***@example.vn',
      address: '***',
    });
    const listed = (await get(`/v1/dossiers?unitCode=${communeA}&limit=200`, viewer)).json().items;
    expect(listed.find((x: { code: string }) => x.code === d.code).applicant).toEqual(masked);
    expect((await get(`/v1/dossiers/${d.code}/receipt`, viewer)).json().applicant.idNumber).toBe(
      '********4567',
    );
    expect((await get(`/v1/dossiers/${d.code}`, sync)).json().applicant.idNumber).toBe('001199004567');
    for (const key of [viewer, sync]) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/v1/dossiers/${d.code}/assign`,
        headers: bearer(key),
        payload: {},
      });
      expect(res.statusCode).toBe(403);
      expect(
        (
          await ctx.app.inject({
            method: 'POST',
            url: '/v1/dossiers',
            headers: bearer(key),
            payload: intakeBody(procedure),
          })
        ).statusCode,
      ).toBe(403);
    }
  });
});

describe('reads', () => {
  it('the receipt carries the Form 01 data', async () => {
    const d = await receive(clerkA, { components: [{ name: 'Tờ khai', copies: 2 }] });
    const receipt = (await get(`/v1/dossiers/${d.code}/receipt`, clerkA)).json();
    expect(receipt).toMatchObject({
      form: '01',
      dossierCode: d.code,
      unit: { code: communeA },
      procedure: { code: procedure },
      components: [{ name: 'Tờ khai', copies: 2 }],
      receivedAt: '2025-06-02T08:00:00+07:00',
      dueAt: '2025-06-04T08:00:00+07:00',
      fee: 8000,
      lookupCode: d.code,
    });
    expect(receipt.applicant.fullName).toBe('Nguyễn Văn An');
  });

  it('by code and by ids: the compiled read on the pool gives what drizzle gives, field by field', async () => {
    const act = (code: string, action: string, payload: object) =>
      ctx.app.inject({
        method: 'POST',
        url: `/v1/dossiers/${code}/${action}`,
        headers: bearer(clerkA),
        payload,
      });
    const online = await receive(clerkA, { channel: 'online', summary: 'Xin cấp bản sao' });
    const paused = await receive(clerkA, { components: [{ name: 'Đơn', copies: 1 }] });
    expect((await act(paused.code, 'request-supplement', { reason: 'thiếu bản sao' })).statusCode).toBe(200);
    const resolved = await receive(clerkA);
    expect((await act(resolved.code, 'resolve', { result: 'approved' })).statusCode).toBe(200);
    const principal = { keyId: 'test', role: 'admin' as const, unitCode: null, scopePath: null };
    const db = ctx.database.db;
    for (const { code } of [online, paused, resolved]) {
      const compiled = await getDossierInScope(db, principal, code);
      const viaDrizzle = await db.transaction((tx) => getDossierInScope(tx, principal, code));
      expect(compiled).toStrictEqual(viaDrizzle);
      expect(compiled.d.createdAt).toBeInstanceOf(Date);
    }
    await expect(getDossierInScope(db, principal, 'NONE-250101-0001')).rejects.toMatchObject({
      code: 'DOSSIER_NOT_FOUND',
    });
    // By ids: one id by its own statement, several by the array's, each compiled and through drizzle alike.
    const views = await Promise.all(
      [online, paused, resolved].map((d) => getDossierInScope(db, principal, d.code)),
    );
    const ids = views.map((v) => v.d.id).sort((a, b) => b - a);
    const several = await dossierViewsByIds(db, ids);
    expect(several.map((v) => v.d.id)).toEqual(ids);
    expect(await db.transaction((tx) => dossierViewsByIds(tx, ids))).toStrictEqual(several);
    for (const view of several) {
      expect(await dossierViewsByIds(db, [view.d.id])).toStrictEqual([view]);
      expect(await db.transaction((tx) => dossierViewsByIds(tx, [view.d.id]))).toStrictEqual([view]);
      expect(await getDossierView(db, view.d.id)).toStrictEqual(view);
    }
    expect(await dossierViewsByIds(db, [-1])).toEqual([]);
    // A page's views, their units from the unit tree: the same views, compiled and through drizzle alike.
    const tree = new UnitTreeCache(db);
    expect(await dossierPageViews(db, tree, ids)).toStrictEqual(several);
    expect(await db.transaction((tx) => dossierPageViews(tx, tree, ids))).toStrictEqual(several);
    expect(await dossierPageViews(db, tree, [])).toEqual([]);
  });

  it("a page's views name each dossier's units as the unit tree holds them, else read their units with joins", async () => {
    const db = ctx.database.db;
    const stale = new UnitTreeCache(db, 60_000);
    await stale.get();
    // A commune created after that tree was read, whose clerk receives a dossier and hands one to commune B.
    const late = (await createUnit(ctx, { parentCode: province.code, name: 'Xã mới lập' })).code;
    const lateClerk = await createKey(ctx, 'clerk', late);
    const first = await receive(lateClerk, { resolvingUnitCode: communeA });
    const second = await receive(lateClerk);
    const handedOver = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${second.code}/hand-over`,
      headers: bearer(lateClerk),
      payload: { toUnitCode: communeB, expectedVersion: second.version },
    });
    expect(handedOver.statusCode, handedOver.body).toBe(200);
    const principal = { keyId: 'test', role: 'admin' as const, unitCode: null, scopePath: null };
    const ids = (await Promise.all([first, second].map((d) => getDossierInScope(db, principal, d.code))))
      .map((v) => v.d.id)
      .sort((a, b) => b - a);
    const joined = await dossierViewsByIds(db, ids);
    expect(joined.map((v) => [v.unitName, v.handlingPath.endsWith(`${communeB}/`), v.resolvingName])).toEqual(
      [
        ['Xã mới lập', true, 'Xã mới lập'],
        ['Xã mới lập', false, 'Đơn vị thử'],
      ],
    );
    // The tree that lacks the new commune: the page is read with its joins.
    expect(await dossierPageViews(db, stale, ids)).toStrictEqual(joined);
    // So is a list's page read with its ids in one statement.
    const pageOf = sql`select id from dossiers where id = any(${sql.param(ids)}::bigint[]) order by id desc`;
    expect(await dossierPageOf(db, stale, pageOf)).toStrictEqual(joined);
    expect(await db.transaction((tx) => dossierPageOf(tx, stale, pageOf))).toStrictEqual(joined);
    // A tree that holds it: the same views, the units from the tree.
    const fresh = new UnitTreeCache(db, 60_000);
    expect(await dossierPageViews(db, fresh, ids)).toStrictEqual(joined);
    expect(await dossierPageOf(db, fresh, pageOf)).toStrictEqual(joined);
    expect(await db.transaction((tx) => dossierPageOf(tx, fresh, pageOf))).toStrictEqual(joined);
    // A page of one, and an empty one.
    const one = sql`select id from dossiers where id = ${ids[1]!}`;
    expect(await dossierPageOf(db, fresh, one)).toStrictEqual(joined.slice(1));
    expect(await dossierPageOf(db, fresh, sql`select id from dossiers where false`)).toEqual([]);
    // Renamed since: the page names it as the tree holds it until the tree is read again (the API clears its tree
    // on every change, in every process).
    const renamed = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/units/${late}`,
      headers: bearer(ctx.adminKey),
      payload: { name: 'Xã Hòa Bình' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await dossierPageViews(db, fresh, ids)).map((v) => v.unitName)).toEqual([
      'Xã mới lập',
      'Xã mới lập',
    ]);
    fresh.clear();
    expect((await dossierPageViews(db, fresh, ids)).map((v) => v.unitName)).toEqual([
      'Xã Hòa Bình',
      'Xã Hòa Bình',
    ]);
    expect(await dossierPageViews(db, fresh, ids)).toStrictEqual(await dossierViewsByIds(db, ids));
    // A tree that cannot be read (its primary down while a replica serves the list): read with the joins.
    const unreadable = new UnitTreeCache({} as typeof db);
    expect(await dossierPageViews(db, unreadable, ids)).toStrictEqual(await dossierViewsByIds(db, ids));
    expect(await dossierPageOf(db, unreadable, pageOf)).toStrictEqual(await dossierViewsByIds(db, ids));
  });

  it("a page's views on PGlite, the embedded default, read through drizzle: as the joined read gives them", async () => {
    const local = await createEmbeddedContext({ clock: () => now });
    try {
      const embedded = local.database.db;
      const unit = (await createUnit(local, { name: 'Xã Nhúng' })).code;
      const clerk = await createKey(local, 'clerk', unit);
      const code = (await createProcedure(local)).code;
      for (let i = 0; i < 3; i++) {
        const intake = await local.app.inject({
          method: 'POST',
          url: '/v1/dossiers',
          headers: bearer(clerk),
          payload: intakeBody(code),
        });
        expect(intake.statusCode, intake.body).toBe(201);
      }
      const page = await local.app.inject({
        method: 'GET',
        url: '/v1/dossiers?limit=2',
        headers: bearer(clerk),
      });
      expect(page.statusCode, page.body).toBe(200);
      const items = (page.json() as { items: Array<{ unit: { code: string; name: string } }> }).items;
      expect(items.map((d) => d.unit)).toEqual([
        { code: unit, name: 'Xã Nhúng' },
        { code: unit, name: 'Xã Nhúng' },
      ]);
      const ids = (
        await rows<{ id: number }>(embedded, sql`select id::int as id from dossiers order by id desc`)
      ).map((r) => r.id);
      const tree = new UnitTreeCache(embedded);
      expect(await dossierPageViews(embedded, tree, ids)).toStrictEqual(
        await dossierViewsByIds(embedded, ids),
      );
      // A list's page, its ids read in the same statement.
      const pageOf = sql`select id from dossiers where id < ${ids[0]!} order by id desc`;
      expect(await dossierPageOf(embedded, tree, pageOf)).toStrictEqual(
        await dossierViewsByIds(embedded, ids.slice(1)),
      );
    } finally {
      await local.close();
    }
  });

  it('filters: status, channel, received dates, due before, exact identifier, name without diacritics', async () => {
    const unit = (await createUnit(ctx)).code;
    const clerk = await createKey(ctx, 'clerk', unit);
    now = new Date('2025-06-04T08:00:00+07:00');
    const old = await receive(clerk, {
      receivedAt: '2025-06-02T10:00:00+07:00',
      applicant: { type: 'citizen', fullName: 'Đỗ Minh Đức', idNumber: '001099000001' },
    });
    const fresh = await receive(clerk, {
      applicant: { type: 'organization', fullName: 'Công ty TNHH Ánh Dương', idNumber: '0101234567' },
    });
    const online = await receive(clerk, {
      channel: 'online',
      applicant: { type: 'citizen', fullName: 'Phạm Thu Trang' },
    });
    const base = `/v1/dossiers?unitCode=${unit}`;
    expect(await codes(base, clerk)).toEqual([online.code, fresh.code, old.code]);
    expect(await codes(`${base}&status=submitted`, clerk)).toEqual([online.code]);
    expect(await codes(`${base}&status=received,submitted&channel=direct`, clerk)).toEqual([
      fresh.code,
      old.code,
    ]);
    expect(await codes(`${base}&receivedFrom=2025-06-03`, clerk)).toEqual([fresh.code]);
    expect(await codes(`${base}&receivedTo=2025-06-02`, clerk)).toEqual([old.code]);
    expect(await codes(`${base}&dueBefore=2025-06-05T00:00:00%2B07:00`, clerk)).toEqual([old.code]);
    expect(await codes(`${base}&idNumber=0101234567`, clerk)).toEqual([fresh.code]);
    expect(await codes(`${base}&q=do%20minh%20duc`, clerk)).toEqual([old.code]);
    expect(await codes(`${base}&q=ANH%20DUONG`, clerk)).toEqual([fresh.code]);
    expect(await codes(`${base}&procedureCode=${procedure}&channel=online`, clerk)).toEqual([online.code]);
    expect(await codes(`${base}&procedureCode=${procedure}&status=received`, clerk)).toEqual([
      fresh.code,
      old.code,
    ]);
    now = new Date('2025-06-02T08:00:00+07:00');
  });

  it('timeliness filter matches the live flag of each dossier', async () => {
    const unit = (await createUnit(ctx)).code;
    const clerk = await createKey(ctx, 'clerk', unit);
    now = new Date('2025-06-04T16:00:00+07:00');
    const overdue = await receive(clerk, { receivedAt: '2025-06-02T08:00:00+07:00' }); // due 06-04 08:00... same day
    const onTrack = await receive(clerk);
    const paused = await receive(clerk);
    await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${paused.code}/request-supplement`,
      headers: bearer(clerk),
      payload: { reason: 'x' },
    });
    const base = `/v1/dossiers?unitCode=${unit}`;
    now = new Date('2025-06-05T08:00:00+07:00');
    for (const flag of ['on_track', 'due_soon', 'overdue', 'paused']) {
      const listed = await codes(`${base}&timeliness=${flag}`, clerk);
      for (const code of listed)
        expect((await get(`/v1/dossiers/${code}`, clerk)).json().timeliness).toBe(flag);
    }
    expect(await codes(`${base}&timeliness=overdue`, clerk)).toEqual([overdue.code]);
    expect(await codes(`${base}&timeliness=paused`, clerk)).toEqual([paused.code]);
    expect(await codes(`${base}&timeliness=on_track`, clerk)).toEqual([onTrack.code]);
    now = new Date('2025-06-02T08:00:00+07:00');
  });

  it("the whole tree's overdue list: every unit's overdue dossiers, newest first, page by page, none finished or paused", async () => {
    const own = (await createProcedure(ctx)).code;
    const intake = async (key: string) => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(key),
        payload: intakeBody(own),
      });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { code: string }).code;
    };
    now = new Date('2025-06-02T08:00:00+07:00');
    const first = await intake(clerkA);
    const second = await intake(clerkB);
    const withdrawn = await intake(clerkA);
    const paused = await intake(clerkA);
    const third = await intake(clerkA);
    await actOnRequest(clerkA, withdrawn, 'withdraw');
    await actOnRequest(clerkA, paused, 'request-supplement');
    now = new Date('2025-06-10T08:00:00+07:00');
    const onTrack = await intake(clerkB);
    // A key over the whole tree: no unit restriction, so the list reads the open dossiers' due index.
    const everywhere = await createKey(ctx, 'viewer', null);
    const url = `/v1/dossiers?procedureCode=${own}&timeliness=overdue&limit=2`;
    const page1 = (await get(url, everywhere)).json() as Page;
    expect(page1.items.map((d) => d.code)).toEqual([third, second]);
    const page2 = (await get(`${url}&cursor=${page1.nextCursor}`, everywhere)).json() as Page;
    expect(page2.items.map((d) => d.code)).toEqual([first]);
    expect(page2.nextCursor).toBeNull();
    expect(await codes(`/v1/dossiers?procedureCode=${own}&timeliness=on_track`, everywhere)).toEqual([
      onTrack,
    ]);
    // With nothing else to filter, the list walks the pending dossiers newest first (open overdue newest first);
    // with a filter that keeps every row beside it, it sorts the overdue ones (open overdue sorted): the same
    // pages, each dossier once, newest first, with this test's own in their order.
    const walked = await pagedCodes('/v1/dossiers?timeliness=overdue&limit=3', everywhere);
    expect(walked).toEqual(
      await pagedCodes(
        '/v1/dossiers?timeliness=overdue&dueBefore=2100-01-01T00:00:00%2B07:00&limit=3',
        everywhere,
      ),
    );
    expect(new Set(walked).size).toBe(walked.length);
    const ours = [first, second, withdrawn, paused, third, onTrack];
    expect(walked.filter((code) => ours.includes(code))).toEqual([third, second, first]);
    now = new Date('2025-06-02T08:00:00+07:00');
  });

  it("a unit's newest dossiers: received, handled after a transfer or resolved there, page by page, each once; by status and channel as the received period's read", async () => {
    // A parent with two children, and a unit outside them; the list with a unit and no other filter reads each
    // unit's three parts along their own indexes (list-strategies.ts, unit newest in three parts).
    const parent = (await createUnit(ctx, { parentCode: province.code })).code;
    const [one, two] = [
      (await createUnit(ctx, { parentCode: parent })).code,
      (await createUnit(ctx, { parentCode: parent })).code,
    ];
    const outside = (await createUnit(ctx, { parentCode: province.code })).code;
    const [clerkOne, clerkTwo, clerkOutside] = [
      await createKey(ctx, 'clerk', one),
      await createKey(ctx, 'clerk', two),
      await createKey(ctx, 'clerk', outside),
    ];
    const transfer = async (key: string, code: string, to: string) => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/v1/dossiers/${code}/assign`,
        headers: bearer(key),
        payload: { handlingUnitCode: to },
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    const received: Record<string, string[]> = {};
    const mark = (code: string, ...units: string[]) => {
      for (const unit of units) (received[unit] ??= []).unshift(code);
      return code;
    };
    for (let round = 0; round < 3; round++) {
      mark((await receive(clerkOne)).code, one, parent);
      const fromOutside = (await receive(clerkOutside)).code;
      await transfer(clerkOutside, fromOutside, one);
      mark(fromOutside, one, parent, outside);
      // Moved inside the parent: the parent has it once.
      const moved = (await receive(clerkTwo)).code;
      await transfer(clerkTwo, moved, one);
      mark(moved, one, two, parent);
      const resolvedInTwo = (await receive(clerkOutside, { resolvingUnitCode: two })).code;
      mark(resolvedInTwo, two, parent, outside);
      // Resolved by two and then handled there: two's handled part, not its resolved one.
      const handledWhereResolved = (await receive(clerkOutside, { resolvingUnitCode: two })).code;
      await transfer(clerkOutside, handledWhereResolved, two);
      mark(handledWhereResolved, two, parent, outside);
      // Resolved by two, handled by one: two's resolved part, one's handled part, the parent's handled part once.
      const handledBySibling = (await receive(clerkOutside, { resolvingUnitCode: two })).code;
      await transfer(clerkOutside, handledBySibling, one);
      mark(handledBySibling, one, two, parent, outside);
      mark((await receive(clerkOutside)).code, outside);
    }
    // A dossier withdrawn and one paused for a supplement: in the unit's list, in none of the pending ones.
    for (const action of ['withdraw', 'request-supplement']) {
      await actOnRequest(clerkOne, mark((await receive(clerkOne)).code, one, parent), action);
    }
    const everywhere = await createKey(ctx, 'viewer', null);
    for (const unit of [one, two, parent, outside]) {
      expect(await pagedCodes(`/v1/dossiers?unitCode=${unit}&limit=2`, everywhere), unit).toEqual(
        received[unit],
      );
      // The same rows, and by status, as the units' received period read otherwise (unit received in three
      // parts, here over every day there is).
      const always = 'receivedFrom=2000-01-01';
      expect(await codes(`/v1/dossiers?unitCode=${unit}&${always}&limit=200`, everywhere)).toEqual(
        received[unit],
      );
      for (const status of ['received', 'processing', 'received,processing']) {
        const some = `unitCode=${unit}&status=${status}&limit=200`;
        const expected = await codes(`/v1/dossiers?${some}&${always}`, everywhere);
        // Pending statuses alone: read in their own three parts (unit pending in three parts), page by page too.
        expect(await codes(`/v1/dossiers?${some}`, everywhere), `${unit} ${status}`).toEqual(expected);
        expect(
          await pagedCodes(`/v1/dossiers?unitCode=${unit}&status=${status}&limit=2`, everywhere),
        ).toEqual(expected);
        expect(await codes(`/v1/dossiers?${some}&channel=direct`, everywhere)).toEqual(expected);
        expect(await codes(`/v1/dossiers?${some}&channel=online`, everywhere)).toEqual([]);
      }
    }
    // Both pending statuses occur in the parent's list, and two others, so the status filters above kept some and
    // dropped some.
    const statuses = (await get(`/v1/dossiers?unitCode=${parent}&limit=200`, everywhere))
      .json()
      .items.map((d: { status: string }) => d.status);
    expect(new Set(statuses)).toEqual(
      new Set(['received', 'processing', 'withdrawn', 'awaiting_supplement']),
    );
    // A clerk's own scope is the same list without unitCode.
    expect(await codes('/v1/dossiers?limit=200', clerkTwo)).toEqual(received[two]);
  });

  it('keyset pages stay correct while dossiers are being received', async () => {
    const unit = (await createUnit(ctx)).code;
    const clerk = await createKey(ctx, 'clerk', unit);
    const initial: string[] = [];
    for (let i = 0; i < 7; i++) initial.unshift((await receive(clerk)).code);
    // New arrivals land before the cursor after each page.
    const seen = await pagedCodes(`/v1/dossiers?unitCode=${unit}&limit=3`, clerk, () =>
      Promise.all([receive(clerk), receive(clerk)]),
    );
    expect(seen).toEqual(initial);
  });
});

describe('name search (q)', () => {
  /** The pages of a list, following the cursor (at most `max` of them). */
  async function pages(url: string, key: string, max = Infinity) {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < max && (n === 0 || cursor); n++) {
      const res = await get(`${url}${cursor ? `&cursor=${cursor}` : ''}`, key);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as Page;
      seen.push(...page.items.map((d) => d.code));
      cursor = page.nextCursor;
    }
    return seen;
  }

  it('finds any part of the name, whatever the case and diacritics, "đ" as "d", wildcards literally', async () => {
    const unit = (await createUnit(ctx)).code;
    const clerk = await createKey(ctx, 'clerk', unit);
    const named = async (fullName: string) =>
      (await receive(clerk, { applicant: { type: 'citizen', fullName } })).code;
    const duc = await named('Nguyễn Văn Đức');
    const anh = await named('NGUYỄN THỊ ÁNH');
    const khang = await named('Trần Nguyên Khang');
    const company = await named('Công ty TNHH 100% vốn Hạ_Long');
    const q = (text: string) => codes(`/v1/dossiers?unitCode=${unit}&q=${encodeURIComponent(text)}`, clerk);
    expect(await q('nguyen')).toEqual([khang, anh, duc]);
    expect(await q('Nguyễn văn ĐỨC')).toEqual([duc]);
    expect(await q('duc')).toEqual([duc]);
    expect(await q('  thị   ánh ')).toEqual([anh]);
    // Inside a word, and across words from inside one.
    expect(await q('uyen')).toEqual([khang, anh, duc]);
    expect(await q('n van d')).toEqual([duc]);
    expect(await q('an nguy')).toEqual([khang]);
    expect(await q('guyên kh')).toEqual([khang]);
    expect(await q('van duc khang')).toEqual([]);
    expect(await q('100%')).toEqual([company]);
    expect(await q('%')).toEqual([company]);
    expect(await q('a_l')).toEqual([company]);
    expect(await q('a%')).toEqual([]);
    expect(await q('\u0301')).toEqual([company, khang, anh, duc]); // only a combining accent: any name
    expect(await codes(`/v1/dossiers?unitCode=${unit}&q=nguyen&status=submitted`, clerk)).toEqual([]);
  });

  it('finds a new name while it waits in the name keys’ pending lists, kept to 128 kB, and once merged', async () => {
    const indexes = (
      (await ctx.database.db.execute(
        sql`select relname, reloptions from pg_class
          where relname in ('dossiers_applicant_name_keys_idx', 'dossiers_unit_name_keys_idx')`,
      )) as unknown as { rows: Array<{ relname: string; reloptions: string[] | null }> }
    ).rows;
    expect(indexes).toHaveLength(2);
    for (const index of indexes) expect(index.reloptions).toContain('gin_pending_list_limit=128');
    const unit = (await createUnit(ctx)).code;
    const clerk = await createKey(ctx, 'clerk', unit);
    const code = (await receive(clerk, { applicant: { type: 'citizen', fullName: 'Hoàng Thị Chờ Gộp' } }))
      .code;
    const q = () => codes(`/v1/dossiers?unitCode=${unit}&q=${encodeURIComponent('cho gop')}`, clerk);
    expect(await q()).toEqual([code]);
    await ctx.database.db.execute(
      sql`select gin_clean_pending_list('dossiers_applicant_name_keys_idx'::regclass),
        gin_clean_pending_list('dossiers_unit_name_keys_idx'::regclass)`,
    );
    expect(await q()).toEqual([code]);
  });

  it('pages of a search are the matches, newest first, each once', async () => {
    const unit = (await createUnit(ctx)).code;
    const clerk = await createKey(ctx, 'clerk', unit);
    const matches: string[] = [];
    for (let i = 0; i < 8; i++) {
      const fullName = i % 3 === 1 ? `Lê Văn Tám ${i}` : `Phạm Minh Tuấn ${i}`;
      const code = (await receive(clerk, { applicant: { type: 'citizen', fullName } })).code;
      if (i % 3 !== 1) matches.unshift(code);
    }
    expect(await pages(`/v1/dossiers?unitCode=${unit}&q=minh%20tuan&limit=2`, clerk)).toEqual(matches);
    expect(await pages(`/v1/dossiers?unitCode=${unit}&q=PHAM&limit=5`, clerk)).toEqual(matches);
  });

  it('among older dossiers, in any block of ids: exactly the dossiers a substring scan finds', async () => {
    // Dossiers written directly with ids far apart (blocks of the name keys, more of them than a first read
    // covers) below a newest one, so that the search reads past its first window: along the ids, through the
    // name keys in several reads, along one unit's own index (unit b: one dossier in the window), or through
    // unit b's own name keys (its rare names). Some of the older ones were handled or resolved by unit b,
    // received by a. Compared with `like` on every page.
    const province = (await createUnit(ctx)).code;
    const [a, b] = [
      (await createUnit(ctx, { parentCode: province })).code,
      (await createUnit(ctx, { parentCode: province })).code,
    ];
    const clerk = await createKey(ctx, 'clerk', province);
    const families = ['Nguyễn', 'Trần', 'Lê', 'Lưu', 'Đỗ'];
    const middles = ['Văn', 'Thị', 'Minh', 'Đình Thu'];
    const givens = ['An', 'Anh', 'Đức', 'Khang', 'Tâm', 'Hà'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const rows: Array<{ id: number; unit: string; handling: string; resolving: string; name: string }> = [];
    const base = 3_000_000 + next(1000);
    const person = () => `${families[next(5)]} ${middles[next(4)]} ${givens[next(6)]}`;
    const at = (id: number, unit: string, handling = unit, resolving = handling) =>
      rows.push({ id, unit, handling, resolving, name: person() });
    // Older ones, sparse over 23 blocks: a fifth received by unit b, some others handled or resolved by it;
    // then a dense run of the newest, three of them in unit b.
    for (let i = 0; i < 300; i++) {
      const kind = next(10);
      if (kind < 2) at(base + i * 5_003, b);
      else if (kind === 2) at(base + i * 5_003, a, b);
      else if (kind === 3) at(base + i * 5_003, a, a, b);
      else at(base + i * 5_003, a);
    }
    rows.push({
      id: base + 300 * 5_003,
      unit: a,
      handling: a,
      resolving: a,
      name: 'Hộ kinh doanh 100% Hạ_Long',
    });
    for (let i = 0; i < 2_500; i++) at(base + 1_600_000 + i, i === 700 || i === 1_900 ? b : a);
    // The first window's lowest row (whose id bounds the reads after it) in unit b, with a name many queries find.
    Object.assign(rows.at(-1_000)!, { unit: b, handling: b, resolving: b, name: 'Nguyễn Văn An' });
    const prefix = `S${process.pid % 1000}${next(1000)}`;
    await ctx.database.db.execute(sql`
      insert into dossiers (id, code, unit_code, handling_unit_code, resolving_unit_code, procedure_code, channel,
        status, applicant_type, applicant_name, applicant_name_search, duration_value, duration_unit, supplement_policy)
      overriding system value
      select r.id, ${prefix} || '-' || r.id, r.unit, r.handling, r.resolving, ${procedure}, 'direct', 'returned', 'citizen', r.name,
             r.search, 2, 'working_days', 'restart'
        from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ ...r, search: searchKey(r.name) })))}::jsonb)
          as r(id bigint, unit text, handling text, resolving text, name text, search text)`);
    try {
      const expected = async (key: string, unit?: string) => {
        const units = sql.param(unit ? [unit] : [a, b]);
        const result = (await ctx.database.db.execute(sql`
          select code from dossiers
           where (unit_code = any(${units}::text[]) or handling_unit_code = any(${units}::text[])
                  or resolving_unit_code = any(${units}::text[]))
             and applicant_name_search like ${`%${escapeLike(key)}%`} order by id desc`)) as unknown as {
          rows: Array<{ code: string }>;
        };
        return result.rows.map((r) => r.code);
      };
      const words = rows.map((r) => searchKey(r.name));
      const queries = [
        'nguyen',
        'van',
        'an',
        'anh',
        'nguyen van an',
        'dinh thu ha',
        'luu thi tam',
        'n van',
        'yen thi',
        'h thu k',
        'uc',
        'a',
        '100%',
        '_',
        'thi nguyen',
        'zzz',
      ];
      for (let i = 0; i < 12; i++) {
        const text = words[next(words.length)]!;
        const from = next(text.length - 2);
        queries.push(text.slice(from, from + 2 + next(8)).trim() || text);
      }
      for (const text of queries) {
        for (const unit of [undefined, b]) {
          const url = `/v1/dossiers?q=${encodeURIComponent(text)}&limit=9${unit ? `&unitCode=${unit}` : ''}`;
          expect(await pages(url, clerk, 4), `${text} ${unit ?? ''}`).toEqual(
            (await expected(searchKey(text), unit)).slice(0, 36),
          );
        }
      }
    } finally {
      await ctx.database.db.execute(sql`delete from dossiers where code like ${prefix + '-%'}`);
    }
  }, 60_000);
});

describe('calendar changes recompute open dossiers', () => {
  it('a new holiday moves the due of open dossiers with an event; finished ones never change', async () => {
    const unit = (await createUnit(ctx)).code;
    const clerk = await createKey(ctx, 'clerk', unit);
    const p = (await createProcedure(ctx, { duration: { value: 5, unit: 'working_days' } })).code;
    now = new Date('2097-06-03T08:00:00+07:00');
    const post = (body: Record<string, unknown>) =>
      ctx.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(clerk),
        payload: intakeBody(p, body),
      });
    const open = (await post({})).json();
    const finished = (await post({})).json();
    await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${finished.code}/resolve`,
      headers: bearer(clerk),
      payload: { result: 'approved' },
    });
    expect(open.dueAt).toBe('2097-06-10T08:00:00+07:00');
    const put = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/calendar/days/2097-06-05',
      headers: bearer(ctx.adminKey),
      payload: { kind: 'day_off', name: 'Nghỉ thử', source: 'test' },
    });
    expect(put.statusCode).toBe(200);
    const after = (await get(`/v1/dossiers/${open.code}`, clerk)).json();
    expect(after).toMatchObject({ dueAt: '2097-06-11T08:00:00+07:00', version: 2 });
    const events = (await get(`/v1/dossiers/${open.code}/events`, clerk)).json().items;
    expect(events.at(-1)).toMatchObject({
      type: 'due_changed',
      data: { reason: 'calendar_change', date: '2097-06-05' },
    });
    expect((await get(`/v1/dossiers/${finished.code}`, clerk)).json()).toMatchObject({
      dueAt: '2097-06-10T08:00:00+07:00',
      version: 2,
    });
    await ctx.app.inject({
      method: 'DELETE',
      url: '/v1/calendar/days/2097-06-05',
      headers: bearer(ctx.adminKey),
    });
    expect((await get(`/v1/dossiers/${open.code}`, clerk)).json()).toMatchObject({
      dueAt: '2097-06-10T08:00:00+07:00',
      version: 3,
    });
    now = new Date('2025-06-02T08:00:00+07:00');
  });
});

describe('a province key in a database that holds one province', () => {
  it('lists what the unit filter would keep, with and without filters, while commune keys stay inside', async () => {
    // The province's subtree is every unit there is, so its list runs without the unit filter.
    const isolated = await createIsolatedDatabase();
    const own = await createTestContext({ DATABASE_URL: isolated.url }, { clock: () => now });
    try {
      const province = (await createUnit(own)).code;
      const [a, b] = [
        (await createUnit(own, { parentCode: province })).code,
        (await createUnit(own, { parentCode: province })).code,
      ];
      const [provinceKey, keyA] = [await createKey(own, 'clerk', province), await createKey(own, 'clerk', a)];
      const procedureCode = (await createProcedure(own)).code;
      const intakeAt = async (unitCode: string, fullName: string) => {
        const res = await own.app.inject({
          method: 'POST',
          url: '/v1/dossiers',
          headers: bearer(provinceKey),
          payload: intakeBody(procedureCode, {
            unitCode,
            applicant: { type: 'citizen', fullName, idNumber: '001099012345' },
          }),
        });
        expect(res.statusCode, res.body).toBe(201);
        return res.json().code as string;
      };
      const inA = [await intakeAt(a, 'Trần Thị Bình'), await intakeAt(a, 'Lê Văn Cường')];
      const inB = [await intakeAt(b, 'Trần Văn Dũng')];
      const list = async (query: string, key = provinceKey) => {
        const res = await own.app.inject({
          method: 'GET',
          url: `/v1/dossiers?${query}`,
          headers: bearer(key),
        });
        expect(res.statusCode, res.body).toBe(200);
        return (res.json() as Page).items.map((d) => d.code);
      };
      const newestFirst = (xs: string[]) => [...xs].reverse();
      expect(await list('')).toEqual(newestFirst([...inA, ...inB]));
      expect(await list(`unitCode=${province}`)).toEqual(newestFirst([...inA, ...inB]));
      expect(await list('q=tran')).toEqual(newestFirst([inA[0]!, inB[0]!]));
      expect(await list('receivedFrom=2025-06-01&receivedTo=2025-06-30&status=received')).toEqual(
        newestFirst([...inA, ...inB]),
      );
      expect(await list(`unitCode=${a}`)).toEqual(newestFirst(inA));
      expect(await list('', keyA)).toEqual(newestFirst(inA));
      expect(await list('q=tran', keyA)).toEqual([inA[0]]);

      // A received period alone is read day by day (each local day's newest ids, merged): the same pages as
      // the range. Receipts out of id order (late entries), on local midnights (17:00 UTC) and across months.
      let seed = 11;
      const next = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % n;
      };
      const district = (await createUnit(own, { parentCode: province })).code;
      const communes = [
        a,
        b,
        (await createUnit(own, { parentCode: district })).code,
        (await createUnit(own, { parentCode: district })).code,
      ];
      const start = Date.parse('2025-05-20T17:00:00Z'); // 2025-05-21 00:00 in Vietnam
      const rows = Array.from({ length: 400 }, (_, i) => {
        const day = Math.floor(i / 10) + (next(4) === 0 ? -next(3) : 0); // a quarter entered late
        const edge = next(8) === 0 ? [0, -1000, 86_399_000][next(3)]! : next(86_400) * 1000;
        const unit = communes[i % 4]!;
        // A fifth handed over, to each other commune in turn (so also between the district's two).
        const handling = i % 5 === 0 ? communes[(i + 1 + (Math.floor(i / 5) % 3)) % 4]! : unit;
        // A seventh received for another commune, which resolves it (some of them handed over as well).
        const resolving = i % 7 === 0 ? communes[(i + 2 + (Math.floor(i / 7) % 3)) % 4]! : unit;
        return {
          id: 10_000 + i * 3,
          unit,
          handling,
          resolving,
          at: new Date(start + day * 86_400_000 + edge).toISOString(),
        };
      });
      await own.database.db.execute(sql`
        insert into dossiers (id, code, unit_code, handling_unit_code, resolving_unit_code, procedure_code, channel,
          status, applicant_type, applicant_name, applicant_name_search, duration_value, duration_unit,
          supplement_policy, received_at)
        overriding system value
        select r.id, 'R-' || r.id, r.unit, r.handling, r.resolving, ${procedureCode}, 'direct', 'returned', 'citizen',
               'A', 'a', 2, 'working_days', 'restart', r.at
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            as r(id bigint, unit text, handling text, resolving text, at timestamptz)`);
      const pages = async (query: string, key = provinceKey) => {
        const all: string[] = [];
        let cursor: string | null = null;
        do {
          const res = await own.app.inject({
            method: 'GET',
            url: `/v1/dossiers?${query}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
            headers: bearer(key),
          });
          expect(res.statusCode, res.body).toBe(200);
          const page = res.json() as Page;
          all.push(...page.items.map((d) => d.code));
          cursor = page.nextCursor;
        } while (cursor);
        return all;
      };
      for (const [from, to] of [
        ['2025-05-21', '2025-05-21'],
        ['2025-05-25', '2025-06-03'],
        ['2025-05-31', '2025-06-01'],
        ['2025-06-10', '2025-07-15'],
        ['2025-04-01', '2025-05-20'],
        ['2025-06-02', '2025-06-01'],
      ] as const) {
        const expected = async (...units: string[]) => {
          const result = (await own.database.db.execute(sql`
            select code from dossiers
            where received_at >= ${`${from}T00:00:00+07:00`}::timestamptz
              and received_at < (${to}::date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh'
              and (${units.length === 0} or unit_code = any(${sql.param(units)}::text[])
                   or handling_unit_code = any(${sql.param(units)}::text[])
                   or resolving_unit_code = any(${sql.param(units)}::text[]))
            order by id desc`)) as unknown as { rows: Array<{ code: string }> };
          return result.rows.map((r) => r.code);
        };
        const period = `receivedFrom=${from}&receivedTo=${to}`;
        expect(await pages(period), `${from}..${to}`).toEqual(await expected());
        // A commune's period (received there, handled there after a transfer, or resolved there): read in
        // three parts.
        expect(await pages(period, keyA), `A ${from}..${to}`).toEqual(await expected(a));
        expect(await pages(`${period}&unitCode=${b}`), `B ${from}..${to}`).toEqual(await expected(b));
        // Handed over or resolved between two communes of the district: once, not once a part.
        expect(await pages(`${period}&unitCode=${district}`), `district ${from}..${to}`).toEqual(
          await expected(district, communes[2]!, communes[3]!),
        );
      }
    } finally {
      await own.close();
      await isolated.drop();
    }
  });
});

describe('a long page over HTTP', () => {
  it('arrives whole, its Content-Length its bytes, when its JSON is written in pieces', async () => {
    const commune = (await createUnit(ctx, { parentCode: province.code })).code;
    const clerk = await createKey(ctx, 'clerk', commune);
    const applicant = { ...intakeBody(procedure).applicant, fullName: 'Nguyễn Thị Hồng Nhung' };
    for (let i = 0; i < 40; i++) await receive(clerk, { applicant });
    const res = await get('/v1/dossiers?limit=200', clerk);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.rawPayload.length).toBeGreaterThan(2 * JSON_PIECE_CHARS);
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    const page = res.json() as { items: Array<{ applicant: { fullName: string } }> };
    expect(Buffer.isBuffer(jsonBody(page)), 'a page jsonBody writes in pieces').toBe(true);
    expect(page.items).toHaveLength(40);
    expect(page.items.every((d) => d.applicant.fullName === 'Nguyễn Thị Hồng Nhung')).toBe(true);
  });
});

describe('list pages planned once per connection', () => {
  it("a few units' newest dossiers, their pending ones and a received period day by day keep one plan for every value, and read the dossiers they name", async () => {
    for (let i = 0; i < 3; i++) await receive(clerkA);
    await receive(clerkB);
    const client = await poolOf(ctx.database.db)!.connect();
    try {
      const db = drizzle(client, { schema });
      const tree = new UnitTreeCache(ctx.database.db);
      const everywhere: Principal = { keyId: 'test', role: 'admin', unitCode: null, scopePath: null };
      const live = { calendar: null as never, now, granularity: 'day' as const, dueSoonMinutes: 0 };
      const list = async (f: ListFilters) =>
        (await listDossiers(db, tree, everywhere, f, live)).map((v) => v.d.id);
      const ids = (found: Array<{ id: number | string }>) => found.map((r) => Number(r.id));
      const [newest] = await rows<{ id: number }>(db, sql`select max(id)::int as id from dossiers`);
      const day = localDateOf(now);
      // Seven runs of each form (without a cursor, then with one), the unit, period and limit changing.
      for (let i = 0; i < 14; i++) {
        const unit = i % 2 ? communeA : communeB;
        const afterId = i < 7 ? undefined : newest!.id;
        const limit = 1 + (i % 5);
        const below = afterId === undefined ? sql`` : sql`and id < ${afterId}`;
        // The page read, against the rows `where` keeps, newest first below the cursor.
        const expectPage = async (page: number[], where: SQL) => {
          expect(page.length).toBeGreaterThan(0);
          expect(page).toEqual(
            ids(
              await rows(
                db,
                sql`select id from dossiers where ${where} ${below} order by id desc limit ${limit}`,
              ),
            ),
          );
        };
        const inUnit = sql`(unit_code = ${unit} or handling_unit_code = ${unit}
          or resolved_elsewhere and resolving_unit_code = ${unit})`;
        await expectPage(await list({ unitCode: unit, afterId, limit }), inUnit);
        await expectPage(
          await list({ unitCode: unit, status: 'received,processing', afterId, limit }),
          sql`${inUnit} and status in ('received', 'processing')`,
        );
        const [from, to] = [addDays(day, -i), addDays(day, i % 3)];
        await expectPage(
          await list({ receivedFrom: from, receivedTo: to, afterId, limit }),
          sql`received_at >= ${instantAt(from, 0)} and received_at < ${instantAt(addDays(to, 1), 0)}`,
        );
      }
      const kept = await rows<{ statement: string; custom_plans: number; generic_plans: number }>(
        db,
        sql`select statement, custom_plans::int as custom_plans, generic_plans::int as generic_plans
          from pg_prepared_statements where statement like '%unnest((select%' or statement like '%generate_series%'`,
      );
      // One statement for each form (with and without a cursor): five plans for the values, then the generic plan
      // kept for every later run (the connection may have run a form in earlier tests too).
      expect(kept.length).toBe(6);
      for (const k of kept) {
        expect(k.custom_plans, k.statement).toBe(5);
        expect(k.generic_plans, k.statement).toBeGreaterThanOrEqual(2);
      }
    } finally {
      client.release();
    }
  });
});
