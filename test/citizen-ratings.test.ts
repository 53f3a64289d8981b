import { PassThrough } from 'node:stream';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { dossierRatings, dossiers, outbox } from '../src/db/schema/index.js';
import { rows } from '../src/db/sql.js';
import { addDays, instantAt } from '../src/domain/local-time.js';
import { grouping, unitScope } from '../src/stats/rule.js';
import { satisfactionByGroup } from '../src/stats/satisfaction.js';
import {
  bearer,
  createEmbeddedContext,
  createKey,
  createOfficer,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  testConfig,
  type TestContext,
} from './helpers/context.js';

let now = new Date('2025-06-02T08:00:00+07:00');
let ctx: TestContext;
let province: string;
let communeA: string;
let communeB: string;
let clerkA: string;
let clerkB: string;
let procedure: string;

beforeAll(async () => {
  ctx = await createTestContext({}, { clock: () => now });
  province = (await createUnit(ctx, { name: 'Tỉnh thử đánh giá' })).code;
  communeA = (await createUnit(ctx, { parentCode: province, name: 'Xã A' })).code;
  communeB = (await createUnit(ctx, { parentCode: province, name: 'Xã B' })).code;
  clerkA = await createKey(ctx, 'clerk', communeA);
  clerkB = await createKey(ctx, 'clerk', communeB);
  procedure = (await createProcedure(ctx)).code;
});
afterAll(() => ctx.close());

type Level = 'very_satisfied' | 'satisfied' | 'dissatisfied';

async function act(key: string, code: string, action: string, payload: object = {}) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${code}/${action}`,
    headers: bearer(key),
    payload,
  });
  expect(res.statusCode, res.body).toBe(200);
}

/** A dossier received now by `key`'s unit (resolved by `resolvingUnitCode`), taken to `until`. */
async function dossier(
  key: string,
  until: 'received' | 'resolved' | 'returned',
  overrides: Record<string, unknown> = {},
): Promise<{ code: string; secret: string }> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(key),
    payload: intakeBody(procedure, overrides),
  });
  expect(res.statusCode, res.body).toBe(201);
  const code = res.json().code as string;
  if (until !== 'received') await act(key, code, 'resolve', { result: 'approved' });
  if (until === 'returned') await act(key, code, 'return', {});
  const receipt = await ctx.app.inject({
    method: 'GET',
    url: `/v1/dossiers/${code}/receipt`,
    headers: bearer(key),
  });
  return { code, secret: receipt.json().lookup.secret };
}

const rate = (code: string, body: object) =>
  ctx.app.inject({ method: 'POST', url: `/v1/public/dossiers/${code}/rating`, payload: body });
const paper = (key: string, code: string, body: object) =>
  ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${code}/rating`,
    headers: bearer(key),
    payload: body,
  });

async function ratingsOf(code: string) {
  return ctx.database.db
    .select({ r: dossierRatings })
    .from(dossierRatings)
    .innerJoin(dossiers, eq(dossiers.id, dossierRatings.dossierId))
    .where(eq(dossiers.code, code));
}

describe('satisfaction ratings: the rules', () => {
  it('a citizen rates a returned dossier once with the lookup credentials → 201, recorded as the citizen’s', async () => {
    const d = await dossier(clerkA, 'returned');
    const res = await rate(d.code, { check: d.secret, level: 'very_satisfied', comment: 'Rất nhanh' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({
      dossierCode: d.code,
      level: 'very_satisfied',
      comment: 'Rất nhanh',
      source: 'citizen',
      ratedAt: '2025-06-02T08:00:00+07:00',
      officerCode: null,
    });
    const [stored] = await ratingsOf(d.code);
    expect(stored!.r).toMatchObject({
      source: 'citizen',
      unitCode: communeA,
      resolvingUnitCode: communeA,
      actorKeyId: null,
    });
  });

  it('the 4-digit fallback opens the rating too', async () => {
    const d = await dossier(clerkA, 'returned');
    expect((await rate(d.code, { check: '5678', level: 'satisfied' })).statusCode).toBe(201);
  });

  it('a second rating, by the citizen or from paper, is 409 DOSSIER_ALREADY_RATED and changes nothing', async () => {
    const d = await dossier(clerkA, 'returned');
    expect((await rate(d.code, { check: d.secret, level: 'satisfied' })).statusCode).toBe(201);
    const again = await rate(d.code, { check: d.secret, level: 'dissatisfied' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('DOSSIER_ALREADY_RATED');
    const fromPaper = await paper(clerkA, d.code, { level: 'dissatisfied' });
    expect(fromPaper.statusCode).toBe(409);
    expect(fromPaper.json().code).toBe('DOSSIER_ALREADY_RATED');
    const stored = await ratingsOf(d.code);
    expect(stored.map((s) => s.r.level)).toEqual(['satisfied']);
  });

  it('before the return a rating is 409 DOSSIER_NOT_RETURNED, by the citizen or from paper', async () => {
    for (const until of ['received', 'resolved'] as const) {
      const d = await dossier(clerkA, until);
      const citizen = await rate(d.code, { check: d.secret, level: 'satisfied' });
      expect(citizen.statusCode).toBe(409);
      expect(citizen.json().code).toBe('DOSSIER_NOT_RETURNED');
      expect(citizen.json().detail).toContain(until === 'received' ? 'đã tiếp nhận' : 'đã có kết quả');
      const fromPaper = await paper(clerkA, d.code, { level: 'satisfied' });
      expect(fromPaper.statusCode).toBe(409);
      expect(fromPaper.json().code).toBe('DOSSIER_NOT_RETURNED');
      expect(await ratingsOf(d.code)).toEqual([]);
    }
  });

  it('a wrong check answers exactly as an unknown code (404) and records nothing', async () => {
    const d = await dossier(clerkA, 'returned');
    const wrong = await rate(d.code, { check: '0000', level: 'dissatisfied' });
    expect(wrong.statusCode).toBe(404);
    const lookup = await ctx.app.inject({ method: 'GET', url: `/v1/public/dossiers/${d.code}?check=0000` });
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(wrong.json())).toEqual(strip(lookup.json()));
    expect(await ratingsOf(d.code)).toEqual([]);
  });

  it('bad input (an unknown level, no check) is 400 with nothing stored', async () => {
    const d = await dossier(clerkA, 'returned');
    for (const body of [
      { check: d.secret, level: 'excellent' },
      { level: 'satisfied' },
      { check: d.secret, level: 'satisfied', comment: '' },
    ]) {
      const res = await rate(d.code, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect((await paper(clerkA, d.code, { level: 'excellent' })).statusCode).toBe(400);
    expect(await ratingsOf(d.code)).toEqual([]);
  });

  it('a clerk records a paper rating in scope: source paper, with the key and the acting officer', async () => {
    const officer = await createOfficer(ctx, communeA);
    const d = await dossier(clerkA, 'returned');
    const res = await paper(clerkA, d.code, {
      level: 'dissatisfied',
      comment: 'Phải chờ lâu',
      officerCode: officer.code,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ source: 'paper', level: 'dissatisfied', officerCode: officer.code });
    const [stored] = await ratingsOf(d.code);
    expect(stored!.r.officerCode).toBe(officer.code);
    expect(stored!.r.actorKeyId).not.toBeNull();
  });

  it('paper ratings: clerks only (viewer 403), inside the scope (another commune 404), no key 401', async () => {
    const d = await dossier(clerkA, 'returned');
    const viewer = await createKey(ctx, 'viewer', communeA);
    expect((await paper(viewer, d.code, { level: 'satisfied' })).statusCode).toBe(403);
    const outside = await paper(clerkB, d.code, { level: 'satisfied' });
    expect(outside.statusCode).toBe(404);
    expect(outside.json().code).toBe('DOSSIER_NOT_FOUND');
    const none = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${d.code}/rating`,
      payload: { level: 'satisfied' },
    });
    expect(none.statusCode).toBe(401);
    expect(await ratingsOf(d.code)).toEqual([]);
  });

  it('a rating announces dossier.rated to the outbox, without the comment', async () => {
    const d = await dossier(clerkA, 'returned');
    await rate(d.code, { check: d.secret, level: 'satisfied', comment: 'Góp ý riêng tư 4821' });
    const [row] = await ctx.database.db
      .select({ o: outbox })
      .from(outbox)
      .innerJoin(dossiers, eq(dossiers.id, outbox.dossierId))
      .where(and(eq(dossiers.code, d.code), eq(outbox.type, 'dossier.rated')));
    expect(row!.o.payload).toMatchObject({
      dossier: { code: d.code, status: 'returned' },
      rating: { level: 'satisfied', source: 'citizen' },
    });
    expect(JSON.stringify(row!.o.payload)).not.toContain('4821');
  });

  it('the comment and the check are never logged', async () => {
    const d = await dossier(clerkA, 'returned');
    const stream = new PassThrough();
    let lines = '';
    stream.on('data', (chunk: Buffer) => (lines += chunk.toString()));
    const app = await buildApp({
      config: testConfig({ LOG_LEVEL: 'trace' }),
      db: ctx.database.db,
      checks: { postgres: ctx.database.ping },
      logStream: stream,
      clock: () => now,
    });
    await app.ready();
    await app.inject({ method: 'GET', url: `/v1/public/dossiers/${d.code}?check=${d.secret}` });
    const res = await app.inject({
      method: 'POST',
      url: `/v1/public/dossiers/${d.code}/rating`,
      payload: { check: d.secret, level: 'satisfied', comment: 'Chị Lan ở số 12 phố Huế' },
    });
    expect(res.statusCode).toBe(201);
    await app.close();
    expect(lines).toContain('request completed');
    expect(lines).not.toContain('phố Huế');
    expect(lines).not.toContain(d.secret);
  });
});

describe('satisfaction in the statistics, against an oracle', () => {
  /** Commune X of the first test: its ratings are resolved there and by its neighbour Y. */
  let communeXPath = '';

  it('counts per resolving (or receiving) unit and period, by the rated instant, in JSON, CSV and xlsx', async () => {
    const statsUnit = (await createUnit(ctx, { name: 'Tỉnh thống kê hài lòng' })).code;
    const x = (await createUnit(ctx, { parentCode: statsUnit, name: 'Xã X' })).code;
    const y = (await createUnit(ctx, { parentCode: statsUnit, name: 'Xã Y' })).code;
    communeXPath = (
      await rows<{ path: string }>(ctx.database.db, sql`select path from units where code = ${x}`)
    )[0]!.path;
    const clerkX = await createKey(ctx, 'clerk', x);
    const clerkY = await createKey(ctx, 'clerk', y);
    const received = new Date('2025-06-02T08:00:00+07:00');
    // [receiving clerk, resolving unit, rated at, level, by paper]
    const plan: Array<[string, string, string, Level, boolean]> = [
      [clerkX, x, '2025-06-10T09:00:00+07:00', 'very_satisfied', false],
      [clerkX, x, '2025-06-30T23:30:00+07:00', 'dissatisfied', true],
      // Local 1 July, UTC still 30 June: July's.
      [clerkX, x, '2025-07-01T00:10:00+07:00', 'satisfied', false],
      [clerkX, y, '2025-06-15T10:00:00+07:00', 'satisfied', false],
      [clerkX, y, '2025-07-20T10:00:00+07:00', 'very_satisfied', true],
      [clerkY, y, '2025-07-21T10:00:00+07:00', 'dissatisfied', false],
      [clerkY, y, '2025-08-05T10:00:00+07:00', 'very_satisfied', false],
      [clerkY, y, '2025-10-01T10:00:00+07:00', 'satisfied', false],
    ];
    const ratings: Array<{ receiving: string; resolving: string; at: Date; level: Level }> = [];
    for (const [clerk, resolving, at, level, byPaper] of plan) {
      now = received;
      const d = await dossier(clerk, 'returned', { resolvingUnitCode: resolving });
      now = new Date(at);
      const res = byPaper
        ? await paper(clerk, d.code, { level })
        : await rate(d.code, { check: d.secret, level });
      expect(res.statusCode, res.body).toBe(201);
      ratings.push({ receiving: clerk === clerkX ? x : y, resolving, at: now, level });
    }
    // A dossier returned but never rated counts nowhere.
    now = received;
    await dossier(clerkY, 'returned');
    now = new Date('2025-12-01T09:00:00+07:00');

    const localDay = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    const oracle = (from: string, to: string, unitOf: (r: (typeof ratings)[number]) => string) => {
      const out = new Map<
        string,
        { rated: number; verySatisfied: number; satisfied: number; dissatisfied: number }
      >();
      for (const r of ratings) {
        const day = localDay(r.at);
        if (day < from || day > to) continue;
        const key = unitOf(r);
        const s = out.get(key) ?? { rated: 0, verySatisfied: 0, satisfied: 0, dissatisfied: 0 };
        s.rated++;
        if (r.level === 'very_satisfied') s.verySatisfied++;
        if (r.level === 'satisfied') s.satisfied++;
        if (r.level === 'dissatisfied') s.dissatisfied++;
        out.set(key, s);
      }
      return out;
    };
    const periods: Array<[string, string, string]> = [
      ['period=2025-06', '2025-06-01', '2025-06-30'],
      ['period=2025-07', '2025-07-01', '2025-07-31'],
      ['period=2025-Q3', '2025-07-01', '2025-09-30'],
      ['period=2025', '2025-01-01', '2025-12-31'],
      ['period=2025-07&reporting=official', '2025-06-15', '2025-07-14'],
      ['from=2025-06-30&to=2025-07-01', '2025-06-30', '2025-07-01'],
    ];
    let checked = 0;
    for (const [query, from, to] of periods) {
      for (const attribution of ['resolving', 'receiving'] as const) {
        const unitOf = (r: (typeof ratings)[number]) =>
          attribution === 'resolving' ? r.resolving : r.receiving;
        const res = await ctx.app.inject({
          method: 'GET',
          url: `/v1/stats?unitCode=${statsUnit}&${query}&groupBy=unit&attribution=${attribution}`,
          headers: bearer(ctx.adminKey),
        });
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        const expected = oracle(from, to, unitOf);
        const served = new Map(
          (body.rows as Array<{ key: string; satisfaction: { rated: number } }>)
            .filter((r) => r.satisfaction.rated > 0)
            .map((r) => [r.key, r.satisfaction]),
        );
        expect(served, `${query} ${attribution}`).toEqual(expected);
        const total = [...expected.values()].reduce((n, s) => n + s.rated, 0);
        expect(body.totals.satisfaction.rated, `${query} ${attribution}`).toBe(total);
        // One scope: the commune alone.
        const one = await ctx.app.inject({
          method: 'GET',
          url: `/v1/stats?unitCode=${y}&${query}&attribution=${attribution}`,
          headers: bearer(clerkY),
        });
        expect(one.json().totals.satisfaction, `${query} ${attribution} ${y}`).toEqual(
          expected.get(y) ?? { rated: 0, verySatisfied: 0, satisfied: 0, dissatisfied: 0 },
        );
        checked++;
      }
    }
    expect(checked).toBe(12);

    // Not after the moment of the answer: a period not yet ended counts the ratings given so far.
    now = new Date('2025-07-20T12:00:00+07:00');
    const soFar = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${statsUnit}&period=2025-07`,
      headers: bearer(ctx.adminKey),
    });
    expect(soFar.json().totals.satisfaction).toEqual({
      rated: 2,
      verySatisfied: 1,
      satisfied: 1,
      dissatisfied: 0,
    });
    now = new Date('2025-12-01T09:00:00+07:00');

    const csv = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${statsUnit}&period=2025-07&format=csv`,
      headers: bearer(ctx.adminKey),
    });
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain(',rated,verySatisfied,satisfied,dissatisfied,attribution,asOf');
    expect(lines.at(-1)).toMatch(/,3,1,1,1,resolving,/);

    const ExcelJS = (await import('exceljs')).default;
    const xlsx = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${statsUnit}&period=2025-07&groupBy=unit&format=xlsx`,
      headers: bearer(ctx.adminKey),
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Hài lòng')!;
    const cells = (r: number) => (sheet.getRow(r).values as unknown[]).slice(1);
    expect(cells(5)).toEqual([
      'STT',
      'Lĩnh vực / nhóm',
      'Số lượt đánh giá',
      'Rất hài lòng',
      'Hài lòng',
      'Không hài lòng',
    ]);
    // Rows in the order of the unit codes, numbered.
    const byName = [cells(6), cells(7)].sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(byName.map((c) => c.slice(1))).toEqual([
      ['Xã X', 1, 0, 1, 0],
      ['Xã Y', 2, 1, 0, 1],
    ]);
    expect([cells(6)[0], cells(7)[0]]).toEqual([1, 2]);
    expect(cells(8)).toEqual(['', 'Tổng cộng', 3, 1, 1, 1]);
  });

  it('whole months and other days from the counts the trigger keeps, less the instants after asOf: as counted one by one', async () => {
    // Every rating of this file so far, and the oracle: the ratings counted one by one, as the figures replace.
    const db = ctx.database.db;
    // Each rating counted once by each attribution, by month and by day, and once by procedure: read in one
    // statement (one snapshot), whatever other files rate meanwhile.
    const sumOf = (table: string, attribution?: string) =>
      sql`(select coalesce(sum(rated), 0)::int from ${sql.raw(table)}
        ${attribution ? sql`where attribution = ${attribution}` : sql``})`;
    const [kept] = await rows<Record<string, number>>(
      db,
      sql`select (select count(*)::int from dossier_ratings) as n,
            ${sumOf('stats_rating_attributed_monthly', 'receiving')} as monthly_receiving,
            ${sumOf('stats_rating_attributed_monthly', 'resolving')} as monthly_resolving,
            ${sumOf('stats_rating_attributed_daily', 'receiving')} as daily_receiving,
            ${sumOf('stats_rating_attributed_daily', 'resolving')} as daily_resolving,
            ${sumOf('stats_rating_procedure_monthly')} as by_procedure,
            ${sumOf('stats_tree_rating_procedure_monthly')} as over_the_tree`,
    );
    const n = kept!.n!;
    expect(n).toBeGreaterThan(8);
    expect(kept).toEqual({
      n,
      monthly_receiving: n,
      monthly_resolving: n,
      daily_receiving: n,
      daily_resolving: n,
      by_procedure: n,
      over_the_tree: n,
    });
    const oneByOne = async (tx: typeof db, q: Parameters<typeof satisfactionByGroup>[1]) => {
      const g = grouping(q.groupBy, q.attribution);
      const found = await rows<{
        key: string;
        label: string;
        rated: number;
        very: number;
        sat: number;
        dis: number;
      }>(
        tx,
        sql`select ${g.key} as key, ${g.label} as label, count(*)::int as rated,
              (count(*) filter (where f.level = 'very_satisfied'))::int as very,
              (count(*) filter (where f.level = 'satisfied'))::int as sat,
              (count(*) filter (where f.level = 'dissatisfied'))::int as dis
            from dossier_ratings f ${g.joins}
            where ${unitScope(q.unitPath)} and f.rated_at >= ${instantAt(q.from, 0)}
              and f.rated_at < ${instantAt(addDays(q.to, 1), 0)} and f.rated_at <= ${q.asOf}
            group by 1, 2`,
      );
      return new Map(
        found.map((r) => [
          r.key,
          {
            label: r.label,
            satisfaction: { rated: r.rated, verySatisfied: r.very, satisfied: r.sat, dissatisfied: r.dis },
          },
        ]),
      );
    };
    const ratedAt = await rows<{ at: Date }>(
      db,
      sql`select rated_at as at from dossier_ratings order by rated_at`,
    );
    const instants = ratedAt.map((r) => new Date(r.at));
    const periods: Array<[string, string]> = [
      ['2025-01-01', '2025-12-31'],
      ['2025-06-01', '2025-06-30'],
      ['2025-06-15', '2025-07-14'],
      ['2025-06-10', '2025-09-05'],
      ['2025-06-30', '2025-07-01'],
      ['2025-07-01', '2025-10-31'],
    ];
    // asOf: after every rating, and just before, at and after a rating given inside a whole month.
    const middle = instants[Math.floor(instants.length / 2)]!;
    const asOfs = [
      new Date('2026-01-01T00:00:00+07:00'),
      new Date(middle.getTime() - 1),
      middle,
      new Date(middle.getTime() + 60_000),
    ];
    let compared = 0;
    let nonEmpty = 0;
    // Every unit (by procedure or field from the counts over the whole tree, and from those by units), a province,
    // and a commune whose ratings are partly resolved by its neighbour (so that the two attributions count
    // different ratings in it); both sides read in one snapshot, whatever other files rate.
    const scopes = [
      { unitPath: null, everyUnit: true },
      { unitPath: null, everyUnit: false },
      { unitPath: `${province}/`, everyUnit: false },
      { unitPath: communeXPath, everyUnit: false },
    ];
    await db.transaction(
      async (tx) => {
        for (const [from, to] of periods) {
          for (const asOf of asOfs) {
            for (const groupBy of ['none', 'unit', 'procedure', 'field', 'channel'] as const) {
              for (const attribution of ['resolving', 'receiving'] as const) {
                for (const { unitPath, everyUnit } of scopes) {
                  const q = { unitPath, attribution, from, to, groupBy, asOf, everyUnit };
                  const label = `${from}..${to} at ${asOf.toISOString()} ${groupBy} ${attribution} ${unitPath} ${everyUnit}`;
                  const expected = await oneByOne(tx, q);
                  expect(await satisfactionByGroup(tx, q), label).toEqual(expected);
                  compared++;
                  if (expected.size > 0) nonEmpty++;
                }
              }
            }
          }
        }
      },
      { isolationLevel: 'repeatable read' },
    );
    expect(compared).toBe(6 * 4 * 5 * 2 * 4);
    expect(nonEmpty).toBeGreaterThan(compared / 2);
  });

  it('counted again from the ratings (the upgrade, a bulk load): exactly what the trigger counted', async () => {
    const db = ctx.database.db;
    // As the upgrade does: new ratings (other files') wait for the lock, then the trigger counts them.
    await db.transaction(async (tx) => {
      await tx.execute(sql`lock table dossier_ratings in share mode`);
      const counts = async () =>
        Promise.all(
          [
            'stats_rating_attributed_monthly',
            'stats_rating_attributed_daily',
            'stats_rating_procedure_monthly',
            'stats_tree_rating_procedure_monthly',
          ].map((table) =>
            rows<Record<string, unknown>>(tx, sql`select * from ${sql.raw(table)} order by 1, 2, 3, 4, 5`),
          ),
        );
      const kept = await counts();
      expect(kept.map((table) => table.length > 2)).toEqual([true, true, true, true]);
      await tx.execute(sql`select stats_rating_recount()`);
      expect(await counts()).toEqual(kept);
    });
  });

  it('are counted by the trigger and served alike on PGlite, the embedded default', async () => {
    const local = await createEmbeddedContext({ clock: () => now });
    const { app } = local;
    const embedded = local.database;
    try {
      const unit = (await createUnit(local)).code;
      const clerk = await createKey(local, 'clerk', unit);
      const code = (await createProcedure(local)).code;
      now = new Date('2025-06-02T08:00:00+07:00');
      const intake = await app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(clerk),
        payload: intakeBody(code),
      });
      expect(intake.statusCode, intake.body).toBe(201);
      const dossierCode = intake.json().code as string;
      for (const [action, payload] of [
        ['resolve', { result: 'approved' }],
        ['return', {}],
      ] as const) {
        const res = await app.inject({
          method: 'POST',
          url: `/v1/dossiers/${dossierCode}/${action}`,
          headers: bearer(clerk),
          payload,
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      now = new Date('2025-06-20T10:00:00+07:00');
      const rated = await app.inject({
        method: 'POST',
        url: `/v1/dossiers/${dossierCode}/rating`,
        headers: bearer(clerk),
        payload: { level: 'satisfied' },
      });
      expect(rated.statusCode, rated.body).toBe(201);
      expect(
        await rows(
          embedded.db,
          sql`select month::text as month, attribution, rated, satisfied from stats_rating_attributed_monthly
              order by attribution`,
        ),
      ).toEqual([
        { month: '2025-06-01', attribution: 'receiving', rated: 1, satisfied: 1 },
        { month: '2025-06-01', attribution: 'resolving', rated: 1, satisfied: 1 },
      ]);
      expect(
        await rows(
          embedded.db,
          sql`select day::text as day, attribution, rated from stats_rating_attributed_daily order by attribution`,
        ),
      ).toEqual([
        { day: '2025-06-20', attribution: 'receiving', rated: 1 },
        { day: '2025-06-20', attribution: 'resolving', rated: 1 },
      ]);
      const stats = await app.inject({
        method: 'GET',
        url: `/v1/stats?unitCode=${unit}&period=2025`,
        headers: bearer(clerk),
      });
      expect(stats.json().totals.satisfaction).toEqual({
        rated: 1,
        verySatisfied: 0,
        satisfied: 1,
        dissatisfied: 0,
      });
    } finally {
      await local.close();
    }
  });
});
