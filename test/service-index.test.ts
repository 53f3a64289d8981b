import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayEverything } from './helpers/relay.js';
import { sql } from 'drizzle-orm';
import { createCalendarCache } from '../src/calendar/cache.js';
import { addDays, localDateOf } from '../src/domain/local-time.js';
import { periodDates } from '../src/domain/periods.js';
import {
  emptyServiceCounts,
  referenceSatisfaction,
  referenceServiceCounts,
  serviceIndexOf,
  type SatisfactionCounts,
  type ServiceCounts,
} from '../src/domain/service-index.js';
import { addTallies, emptyTally, type Tally } from '../src/domain/statistics.js';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import type { JobContext } from '../src/jobs/context.js';
import { refreshStats } from '../src/stats/maintenance.js';
import { rows as selectRows } from '../src/db/sql.js';
import {
  bearer,
  createIsolatedDatabase,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';
import { factsOf, prng, randomHistory, referenceGroups, subtreeOf } from './helpers/histories.js';

// The figures are global state, so this file has a database of its own.
let now = new Date('2025-01-02T08:00:00+07:00');
let ctx: TestContext;
let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let jobs: JobContext;

beforeAll(async () => {
  isolated = await createIsolatedDatabase();
  ctx = await createTestContext({ DATABASE_URL: isolated.url }, { clock: () => now, poolSize: 6 });
  jobs = {
    db: ctx.database.db,
    config: ctx.config,
    calendars: createCalendarCache(DEFAULT_WORKING_HOURS),
    clock: () => now,
    log: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
  };
});
afterAll(async () => {
  await ctx.close();
  await isolated.drop();
});

async function refreshAll() {
  while ((await refreshStats(jobs)) > 0);
}
const relayAll = async () => {
  await relayEverything(jobs);
};

type Facts = Awaited<ReturnType<typeof factsOf>>;

/**
 * The reference answer: per resolving unit of `units`, the ratios of the reference II.06a tally and the
 * reference service counts (src/domain), and their totals.
 */
function referenceAnswer(all: Facts, units: Set<string>, from: string, to: string, asOf: Date) {
  const tallies = referenceGroups(
    all,
    { from, to, granularity: 'day', asOf, attribution: 'resolving' },
    units,
    (_, unit) => unit,
  );
  const counts = new Map<string, ServiceCounts>();
  const ratings = new Map<string, SatisfactionCounts>();
  for (const x of all) {
    if (!units.has(x.resolvingUnitCode)) continue;
    const r = referenceSatisfaction(x.ratings, from, to, asOf);
    if (r.rated > 0) {
      const sum = ratings.get(x.resolvingUnitCode) ?? { rated: 0, verySatisfied: 0, satisfied: 0 };
      ratings.set(x.resolvingUnitCode, {
        rated: sum.rated + r.rated,
        verySatisfied: sum.verySatisfied + r.verySatisfied,
        satisfied: sum.satisfied + r.satisfied,
      });
    }
    const c = referenceServiceCounts([x.service], from, to, asOf);
    if (c.digitised + c.paid === 0) continue;
    const sum = counts.get(x.resolvingUnitCode) ?? emptyServiceCounts();
    counts.set(x.resolvingUnitCode, {
      digitised: sum.digitised + c.digitised,
      paid: sum.paid + c.paid,
      paidOnline: sum.paidOnline + c.paidOnline,
    });
  }
  const keys = [...new Set([...tallies.keys(), ...counts.keys(), ...ratings.keys()])].sort();
  const none = (): SatisfactionCounts => ({ rated: 0, verySatisfied: 0, satisfied: 0 });
  let t: Tally = emptyTally();
  let c = emptyServiceCounts();
  const s = none();
  const rows = keys.map((key) => {
    const tally = tallies.get(key) ?? emptyTally();
    const count = counts.get(key) ?? emptyServiceCounts();
    const rated = ratings.get(key) ?? none();
    s.rated += rated.rated;
    s.verySatisfied += rated.verySatisfied;
    s.satisfied += rated.satisfied;
    t = addTallies(t, tally);
    c = {
      digitised: c.digitised + count.digitised,
      paid: c.paid + count.paid,
      paidOnline: c.paidOnline + count.paidOnline,
    };
    return { unitCode: key, ...serviceIndexOf(tally, count, rated) };
  });
  return { rows, totals: serviceIndexOf(t, c, s), counts: c, tally: t, ratings: s };
}

describe('the service index (Decision 766) equals the reference rule over random histories', () => {
  it('per resolving unit and in total, from the dossiers and from the figures, before and after late facts and day closes', async () => {
    const history = await randomHistory(ctx, { get: () => now, set: (d) => (now = d) }, 7660766, 240, {
      serviceFacts: true,
    });
    const { province, centre, departments, communes } = history;
    expect(history.done).toBeGreaterThan(100);
    const scopes = await Promise.all(
      [province.code, centre, ...departments].map((code) => subtreeOf(ctx, code)),
    );
    const random = prng(766);
    const today = localDateOf(now);
    const periods: Array<{ from: string; to: string }> = [];
    for (const reporting of ['civil', 'official'] as const) {
      for (const p of ['2025-01', '2025-02', '2025-Q1', '2025']) periods.push(periodDates(p, reporting)!);
    }
    periods.push(
      { from: today, to: today },
      { from: addDays(today, -3), to: addDays(today, 2) },
      { from: addDays(today, 1), to: addDays(today, 30) },
    );
    for (let i = 0; i < 8; i++) {
      const from = addDays('2025-01-01', Math.floor(random() * 70));
      periods.push({ from, to: addDays(from, Math.floor(random() * 30)) });
    }

    const seen = { counts: emptyServiceCounts(), tally: emptyTally(), rated: 0, dissatisfied: 0 };
    const check = async (expectedSource: 'figures' | 'dossiers' | null) => {
      const all = await factsOf(ctx, [...communes, centre, ...departments]);
      const sources = new Set<string>();
      for (const [s, scope] of scopes.entries()) {
        for (const { from, to } of s === 0 ? periods : periods.slice(0, 6)) {
          const res = await ctx.app.inject({
            method: 'GET',
            url: `/v1/stats/service-index?unitCode=${scope.code}&from=${from}&to=${to}`,
            headers: bearer(ctx.adminKey),
          });
          expect(res.statusCode, res.body).toBe(200);
          const body = res.json();
          sources.add(body.source);
          const expected = referenceAnswer(all, scope.units, from, to, now);
          const served = body.rows.map(({ unitName: _n, ...r }: { unitName: string }) => r);
          expect(served, `${scope.code} ${body.source} ${from}..${to}`).toEqual(expected.rows);
          expect(body.totals).toEqual(expected.totals);
          if (s === 0) {
            seen.counts = {
              digitised: seen.counts.digitised + expected.counts.digitised,
              paid: seen.counts.paid + expected.counts.paid,
              paidOnline: seen.counts.paidOnline + expected.counts.paidOnline,
            };
            seen.tally = addTallies(seen.tally, expected.tally);
            seen.rated += expected.ratings.rated;
            seen.dissatisfied +=
              expected.ratings.rated - expected.ratings.verySatisfied - expected.ratings.satisfied;
          }
        }
      }
      if (expectedSource) expect([...sources]).toEqual([expectedSource]);
    };

    // Before the worker ran, answers come from the dossiers.
    await check('dossiers');
    await relayAll();
    await refreshAll();
    await check('figures');
    // The histories reach every count, so the equalities are not vacuous.
    expect(seen.counts.digitised).toBeGreaterThan(0);
    expect(seen.counts.paidOnline).toBeGreaterThan(0);
    expect(seen.counts.paid).toBeGreaterThan(seen.counts.paidOnline);
    expect(seen.tally.pending.notYetDue).toBeGreaterThan(0);
    expect(seen.tally.resolved.overdue).toBeGreaterThan(0);
    expect(seen.dissatisfied).toBeGreaterThan(0);
    expect(seen.rated).toBeGreaterThan(seen.dissatisfied);

    // Facts recorded today about dossiers received days ago change the counts of earlier days: a component
    // digitised later (counted on its received day) and a second payment (moved from the first one's day). Their
    // units are dirty until the worker recomputes them; the answers stay right meanwhile.
    const list = await ctx.app.inject({
      method: 'GET',
      url: `/v1/dossiers?unitCode=${province.code}&status=received,processing&receivedTo=${addDays(today, -3)}&limit=200`,
      headers: bearer(ctx.adminKey),
    });
    const old = list.json().items.find((d: { hasDigitisedComponents: boolean }) => !d.hasDigitisedComponents);
    expect(old, 'an open dossier received days ago, nothing digitised').toBeDefined();
    const digitise = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${old.code}/record-digitisation`,
      headers: bearer(history.clerk),
      payload: { digitisedComponents: [0] },
    });
    expect(digitise.statusCode, digitise.body).toBe(200);
    const paidBefore = await selectRows<{ code: string }>(
      ctx.database.db,
      sql`select code from dossiers where paid_at < ${new Date(now.getTime() - 2 * 86_400_000)}
            and status in ('received', 'processing') and unit_code = any(${sql.param([...communes, centre])}::text[]) limit 1`,
    );
    expect(paidBefore.length, 'an open dossier paid days ago').toBe(1);
    for (const [action, body] of [
      ['request-payment', {}],
      ['confirm-payment', { method: 'online' }],
    ] as const) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/v1/dossiers/${paidBefore[0]!.code}/${action}`,
        headers: bearer(history.clerk),
        payload: body,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    await relayAll();
    const dirty = (await ctx.database.db.execute(
      sql`select unit_code from stats_dirty where from_day < ${today}`,
    )) as unknown as { rows: Array<{ unit_code: string }> };
    expect(dirty.rows.length).toBeGreaterThan(0);
    await check('figures');
    await refreshAll();
    await check('figures');

    // A new day: yesterday is closed by the worker; until then the answer comes from the dossiers.
    now = new Date(now.getTime() + 24 * 3_600_000);
    await check(null);
    await refreshAll();
    await check('figures');
  }, 300_000);
});

describe('GET /v1/stats/service-index', () => {
  it('the ratios with their counts; progress points = ratio × 20, labelled an estimate; a ratio over 0 is null', async () => {
    now = new Date('2025-03-03T08:00:00+07:00');
    const unit = await createUnit(ctx);
    const clerk = await createKey(ctx, 'clerk', unit.code);
    const viewer = await createKey(ctx, 'viewer', unit.code);
    const p = await createProcedure(ctx, { duration: { value: 5, unit: 'working_days' } });
    const intake = async (overrides: Record<string, unknown>) => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(clerk),
        payload: intakeBody(p.code, { unitCode: unit.code, ...overrides }),
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().code as string;
    };
    const act = async (code: string, action: string, body: object = {}) => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/v1/dossiers/${code}/${action}`,
        headers: bearer(clerk),
        payload: body,
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    // Four received in March: one online (accepted), one digitised at intake, one digitised later; one resolved
    // early, returned and rated very satisfied, one paid online and one paid at the counter; one still pending
    // (not yet due at the end of March).
    const online = await intake({ channel: 'online' });
    await act(online, 'accept');
    await act(online, 'resolve', { result: 'approved' });
    await act(online, 'return');
    const rated = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${online}/rating`,
      headers: bearer(clerk),
      payload: { level: 'very_satisfied' },
    });
    expect(rated.statusCode, rated.body).toBe(201);
    const scanned = await intake({ components: [{ name: 'Tờ khai', copies: 1, digitised: true }] });
    await act(scanned, 'request-payment', { amount: 50_000 });
    await act(scanned, 'confirm-payment', { method: 'online' });
    const later = await intake({ components: [{ name: 'Tờ khai', copies: 1 }] });
    await act(later, 'record-digitisation', { digitisedComponents: [0] });
    await act(later, 'request-payment');
    await act(later, 'confirm-payment');
    now = new Date('2025-03-31T08:00:00+07:00');
    await intake({});
    now = new Date('2025-04-20T08:00:00+07:00');

    const res = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats/service-index?unitCode=${unit.code}&period=2025-03`,
      headers: bearer(viewer),
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      unitCode: unit.code,
      from: '2025-03-01',
      to: '2025-03-31',
      reporting: 'civil',
    });
    // At the end of March: one resolved early, the one received on the 31st not yet due, the two paid ones (due
    // on 10/3) overdue: 2 / 4.
    const totals = {
      progress: { ratio: 0.5, numerator: 2, denominator: 4, points: { value: 10, estimate: true } },
      onlineShare: { ratio: 0.25, numerator: 1, denominator: 4 },
      onlinePaymentShare: { ratio: 0.5, numerator: 1, denominator: 2 },
      digitisedShare: { ratio: 0.5, numerator: 2, denominator: 4 },
      satisfaction: { ratio: 1, numerator: 1, denominator: 1 },
    };
    expect(body.totals).toEqual(totals);
    expect(body.rows).toEqual([{ unitCode: unit.code, unitName: unit.name, ...totals }]);

    // April 1–15: the three still open are carried over, all overdue by the 15th; nothing new, nothing paid: those
    // ratios are null.
    const april = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats/service-index?unitCode=${unit.code}&from=2025-04-01&to=2025-04-15`,
      headers: bearer(viewer),
    });
    expect(april.json().totals).toMatchObject({
      progress: { ratio: 0, numerator: 0, denominator: 3, points: { value: 0, estimate: true } },
      onlineShare: { ratio: null, numerator: 0, denominator: 0 },
      onlinePaymentShare: { ratio: null, denominator: 0 },
      digitisedShare: { ratio: null, denominator: 0 },
      satisfaction: { ratio: null, denominator: 0 },
    });
  });

  it('bad input → 400; a unit outside the scope → 404', async () => {
    const unit = await createUnit(ctx);
    const other = await createUnit(ctx);
    const viewer = await createKey(ctx, 'viewer', unit.code);
    for (const query of [
      '',
      'period=2025-13',
      'from=2025-02-01&to=2025-01-01',
      'period=2025&from=2025-01-01',
    ]) {
      const res = await ctx.app.inject({
        method: 'GET',
        url: `/v1/stats/service-index?unitCode=${unit.code}&${query}`,
        headers: bearer(viewer),
      });
      expect(res.statusCode, query).toBe(400);
    }
    const outside = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats/service-index?unitCode=${other.code}&period=2025`,
      headers: bearer(viewer),
    });
    expect(outside.statusCode).toBe(404);
  });
});
