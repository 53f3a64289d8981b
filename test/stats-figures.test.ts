import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayEverything } from './helpers/relay.js';
import { createCalendarCache } from '../src/calendar/cache.js';
import { addDays, formatInstant, instantAt, localDateOf } from '../src/domain/local-time.js';
import { sql } from 'drizzle-orm';
import { connectPglite, type DbOrTx } from '../src/db/client.js';
import { periodDates } from '../src/domain/periods.js';
import type { Granularity } from '../src/domain/timeliness.js';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import type { JobContext } from '../src/jobs/context.js';
import { periodStatistics } from '../src/stats/direct.js';
import { refreshDays, refreshStats } from '../src/stats/maintenance.js';
import {
  coversEveryUnit,
  figuresNeededThrough,
  figuresState,
  freshSnapshot,
  servedStatistics,
  tooManyChangedSince,
} from '../src/stats/serving.js';
import { takeTodaySnapshot } from '../src/stats/today.js';
import { rows as selectRows } from '../src/db/sql.js';
import { addStepTallies, emptyStepTally, NO_OFFICER, type StepRunFacts } from '../src/domain/statistics.js';
import {
  bearer,
  createIsolatedDatabase,
  createTestContext,
  intakeBody,
  type TestContext,
} from './helpers/context.js';
import {
  expectPeriodNotEndedAnswers,
  factsOf,
  periodNotEndedScenario,
  periodsAround,
  prng,
  randomHistory,
  referenceGroups,
  subtreeOf,
} from './helpers/histories.js';
import { waitFor } from './helpers/wait.js';

/** The snapshot of today an answer at `now` would use: read with the figures' state, as answerStatistics reads it. */
async function freshTodaySnapshot(db: DbOrTx, now: Date, granularity: Granularity, maxAgeMs: number) {
  const today = localDateOf(now);
  const state = await figuresState(db, sql`true`, figuresNeededThrough(today, today), {
    newestSnapshot: true,
  });
  return freshSnapshot(state.newestSnapshot, now, granularity, maxAgeMs);
}

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

const treeDailyTables = [
  [
    'stats_tree_procedure_daily',
    'stats_daily',
    'procedure_code, channel',
    ['received', 'early', 'on_time', 'overdue', 'withdrawn', 'stopped', 'pending_overdue'],
  ],
  [
    'stats_tree_step_procedure_daily',
    'stats_step_procedure_daily',
    'procedure_code',
    ['early', 'on_time', 'overdue', 'open_overdue'],
  ],
] as const;

/** For each table of the tree's days, how many of its rows differ from every unit's figures of the day summed. */
async function treeDaysMismatches(): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const [table, daily, keys, counts] of treeDailyTables) {
    const [days] = await selectRows<{ n: number; cells: number }>(
      ctx.database.db,
      sql`
        select count(*) filter (where ${sql.raw(counts.map((c) => `r.${c} is distinct from c.${c}`).join(' or '))})::int
            as n, count(*)::int as cells
        from (
          select day, ${sql.raw(keys)}, ${sql.raw(counts.map((c) => `sum(${c}) as ${c}`).join(', '))}
          from ${sql.raw(daily)} group by day, ${sql.raw(keys)}
        ) c full join ${sql.raw(table)} r using (day, ${sql.raw(keys)})`,
    );
    expect(days!.cells, table).toBeGreaterThan(0);
    found[table] = days!.n;
  }
  return found;
}

const attributions = ['resolving', 'receiving'] as const;

describe('statistics served from the maintained figures', () => {
  let history: Awaited<ReturnType<typeof randomHistory>>;
  /**
   * The province, its centre (receiving for departments outside its subtree) and the two departments (one of
   * another province).
   */
  let scopes: Array<Awaited<ReturnType<typeof subtreeOf>>>;
  let receivers: string[];
  let scenario: Awaited<ReturnType<typeof periodNotEndedScenario>>;

  /** An action of the history's clerk on a dossier, which must succeed. */
  const act = async (code: string, action: string, payload: object) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${code}/${action}`,
      headers: bearer(history.clerk),
      payload,
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  /** Events recorded as they happen (the test's clock), as the service records them. */
  const recordedAtTheirTime = () =>
    ctx.database.db.execute(
      sql`update dossier_events set recorded_at = at where recorded_at > at + interval '1 hour'`,
    );

  /**
   * A snapshot of today taken now (the earlier ones deleted first when `whole`: it counts every dossier), and where
   * it answers otherwise than the live count at its instant, by every grouping; then the clock moves a second on.
   */
  async function snapshotAsLive(whole = true): Promise<string[]> {
    const db = ctx.database.db;
    const asOf = now;
    const today = localDateOf(asOf);
    if (whole) await db.execute(sql`delete from stats_today_snapshots`);
    await takeTodaySnapshot({ ...jobs, clock: () => asOf });
    const snapshot = await freshTodaySnapshot(db, asOf, 'day', 15_000);
    expect(snapshot?.takenAt.getTime()).toBe(asOf.getTime());
    const differences: string[] = [];
    for (const { from, to } of periodsAround(asOf)) {
      if (to < today) continue;
      for (const groupBy of ['none', 'unit', 'procedure', 'officer', 'step'] as const) {
        for (const attribution of attributions) {
          for (const scope of scopes) {
            const q = { unitPath: scope.path, attribution, from, to, groupBy, granularity: 'day' as const };
            const live = await servedStatistics(db, { ...q, now: asOf });
            const served = await servedStatistics(db, { ...q, now: asOf, snapshot: snapshot! });
            expect(served.source).toBe('figures');
            if (JSON.stringify(served.groups) !== JSON.stringify(live.groups))
              differences.push(`${scope.code} ${attribution} ${groupBy} ${from}..${to}`);
          }
        }
      }
    }
    now = new Date(now.getTime() + 1000);
    return differences;
  }

  it('equal the direct computation for every period and attribution, before and after late entries and day closes', async () => {
    history = await randomHistory(ctx, { get: () => now, set: (d) => (now = d) }, 424242, 220, {
      withSteps: true,
    });
    const { province, centre, departments, communes } = history;
    receivers = [...communes, centre];
    scopes = await Promise.all([province.code, centre, ...departments].map((code) => subtreeOf(ctx, code)));
    const random = prng(99);
    const today = localDateOf(now);
    const periods: Array<{ from: string; to: string }> = [];
    for (const reporting of ['civil', 'official'] as const) {
      for (const p of ['2025-01', '2025-02', '2025-Q1', '2025-H1', '2025'])
        periods.push(periodDates(p, reporting)!);
    }
    periods.push(
      { from: today, to: today },
      { from: addDays(today, -3), to: addDays(today, 2) },
      { from: addDays(today, 1), to: addDays(today, 30) },
    );
    for (let i = 0; i < 12; i++) {
      const from = addDays('2025-01-01', Math.floor(random() * 70));
      periods.push({ from, to: addDays(from, Math.floor(random() * 30)) });
    }

    const check = async (expectedSource: 'figures' | 'dossiers' | null) => {
      const sources = new Set<string>();
      // Every unit (code null) too.
      for (const [s, scope] of [...scopes, { code: null, path: null }].entries()) {
        // The province every way and over every period; every unit by procedure and field (from the figures
        // over the whole tree whenever no unit waits for a recompute) over every period; the others by unit and
        // in total, over fewer periods.
        const groupings =
          s === 0
            ? (['none', 'unit', 'procedure', 'field', 'channel', 'officer', 'step'] as const)
            : scope.code === null
              ? (['procedure', 'field'] as const)
              : (['none', 'unit'] as const);
        const all = s === 0 || scope.code === null;
        for (const [p, { from, to }] of (all ? periods : periods.slice(0, 8)).entries()) {
          for (const groupBy of groupings) {
            // By officer and step (the step figures are on every row of the others), over fewer periods.
            if ((groupBy === 'officer' || groupBy === 'step') && p % 3 !== 0) continue;
            for (const attribution of attributions) {
              const res = await ctx.app.inject({
                method: 'GET',
                url: `/v1/stats?${scope.code ? `unitCode=${scope.code}&` : ''}from=${from}&to=${to}&groupBy=${groupBy}&attribution=${attribution}`,
                headers: bearer(ctx.adminKey),
              });
              expect(res.statusCode, res.body).toBe(200);
              const body = res.json();
              sources.add(body.source);
              const direct = await periodStatistics(ctx.database.db, {
                unitPath: scope.path,
                attribution,
                from,
                to,
                groupBy,
                granularity: 'day',
                asOf: now,
              });
              const served = body.rows.map((r: Record<string, unknown>) => {
                // Satisfaction is counted apart (test/citizen-ratings.test.ts); nothing here is rated.
                const { key, rates: _rates, satisfaction: _satisfaction, ...t } = r;
                return [key, t];
              });
              expect(
                new Map(served),
                `${scope.code} ${attribution} ${body.source} ${groupBy} ${from}..${to}`,
              ).toEqual(new Map(direct.map((g) => [g.key, { label: g.label, ...g.tally, steps: g.steps }])));
            }
          }
        }
      }
      if (expectedSource) expect([...sources]).toEqual([expectedSource]);
    };

    // Before the worker ran, answers come from the dossiers.
    await check('dossiers');
    await relayEverything(jobs); // the history's own events, so that only later ones mark units
    await refreshAll();
    await check('figures');

    // A late entry (an open dossier of 3+ days, received by the centre for a department, resolved as of
    // yesterday or the day before): its receiving and resolving units are dirty until the worker recomputes
    // them; the answers stay right, whichever unit they count it for.
    const list = await ctx.app.inject({
      method: 'GET',
      url: `/v1/dossiers?unitCode=${centre}&status=received,processing&receivedTo=${addDays(localDateOf(now), -3)}&limit=200`,
      headers: bearer(ctx.adminKey),
    });
    const open = list
      .json()
      .items.find(
        (d: { unit: { code: string }; resolvingUnit: { code: string } }) =>
          d.unit.code !== d.resolvingUnit.code,
      );
    expect(open, 'an open dossier received for another unit').toBeDefined();
    const events = await ctx.app.inject({
      method: 'GET',
      url: `/v1/dossiers/${open.code}/events`,
      headers: bearer(ctx.adminKey),
    });
    const latest = Math.max(...events.json().items.map((e: { at: string }) => Date.parse(e.at)));
    const at = new Date(Math.max(now.getTime() - 40 * 3_600_000, latest + 60_000));
    expect(localDateOf(at) < localDateOf(now), 'the late entry lies before today').toBe(true);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${open.code}/resolve`,
      headers: bearer(history.clerk),
      payload: { result: 'approved', at: at.toISOString() },
    });
    expect(res.statusCode, res.body).toBe(200);
    await relayEverything(jobs); // the events mark the units dirty
    const dirty = (await ctx.database.db.execute(
      sql`select unit_code from stats_dirty where from_day < ${localDateOf(now)}`,
    )) as unknown as { rows: Array<{ unit_code: string }> };
    expect(dirty.rows.map((r) => r.unit_code).sort()).toEqual(
      [open.unit.code, open.resolvingUnit.code].sort(),
    );
    // The other cells still come from the figures, those of the two units from their dossiers: the same numbers.
    await check('figures');
    await refreshAll();
    await check('figures');
    // The tree's days, kept through the two units' recomputes by taking their cells away and adding them again,
    // still sum every unit's.
    expect(await treeDaysMismatches()).toEqual({
      stats_tree_procedure_daily: 0,
      stats_tree_step_procedure_daily: 0,
    });

    // A new day: yesterday is closed by the worker; until then the answer comes from the dossiers.
    now = new Date(now.getTime() + 24 * 3_600_000);
    await check(null);
    await refreshAll();
    await check('figures');

    // Weeks later, nothing new: a whole month after the first of the history (2025-02 above) is read as the
    // difference of the flows before the next month and before it.
    const later = addDays(`${addDays(`${localDateOf(now).slice(0, 8)}28`, 35).slice(0, 8)}01`, 1);
    now = new Date(`${later}T09:00:00+07:00`);
    await refreshAll();
    await check('figures');
  }, 400_000);

  it('hold, for every day and cell, exactly what the direct rule gives for that single day', async () => {
    // The history of the test above (about ten weeks, every kind of action), recomputed over ranges that
    // cross months and over single days, with both granularities of the outcome.
    const db = ctx.database.db;
    const rows = async <T>(q: ReturnType<typeof sql>) =>
      ((await db.execute(q)) as unknown as { rows: T[] }).rows;
    const [{ first } = { first: '' }] = await rows<{ first: string }>(
      sql`select (min(received_at) at time zone 'Asia/Ho_Chi_Minh')::date::text as first from dossiers`,
    );
    const last = addDays(localDateOf(now), -1);
    expect(first < last).toBe(true);
    const stored = async (day: string) =>
      new Map(
        (
          await rows<Record<string, string | number>>(sql`
            select unit_code || '|' || resolving_unit_code || '|' || procedure_code || '|' || channel as key,
              received, early, on_time, overdue, withdrawn, stopped, pending_overdue
            from stats_daily where day = ${day}`)
        ).map(({ key, ...r }) => [key, r]),
      );
    const direct = async (day: string, granularity: 'day' | 'instant') =>
      new Map(
        (
          await periodStatistics(db, {
            unitPath: null,
            // The cells of the figures are keyed by both units: either attribution reads the same cells.
            attribution: 'resolving',
            from: day,
            to: day,
            groupBy: 'cell',
            granularity,
            asOf: now,
          })
        )
          .map(({ key, tally: t }): [string, Record<string, number>] => [
            key,
            {
              received: t.received.new,
              early: t.resolved.early,
              on_time: t.resolved.onTime,
              overdue: t.resolved.overdue,
              withdrawn: t.withdrawn,
              stopped: t.stopped,
              pending_overdue: t.pending.overdue,
            },
          ])
          .filter(([, c]) => Object.values(c).some((v) => v > 0)),
      );
    const storedSteps = async (day: string) =>
      new Map(
        (
          await rows<Record<string, string | number>>(sql`
            select unit_code || '|' || resolving_unit_code || '|' || procedure_code || '|' || channel as key,
              sum(early)::int as early, sum(on_time)::int as "onTime", sum(overdue)::int as overdue,
              sum(open_overdue)::int as "openOverdue"
            from stats_step_daily where day = ${day} group by 1`)
        ).map(({ key, ...r }) => [key, r]),
      );
    const directSteps = async (day: string, granularity: 'day' | 'instant') =>
      new Map(
        (
          await periodStatistics(db, {
            unitPath: null,
            attribution: 'resolving',
            from: day,
            to: day,
            groupBy: 'cell',
            granularity,
            asOf: now,
          })
        )
          .filter((g) => Object.values(g.steps).some((v) => v > 0))
          .map((g) => [g.key, g.steps]),
      );
    let stepCells = 0;
    let overdueCells = 0;
    let crossCells = 0;
    for (const granularity of ['instant', 'day'] as const) {
      await refreshDays(db, first, last, null, granularity);
      for (let day = first; day <= last; day = addDays(day, 1)) {
        const expected = await direct(day, granularity);
        expect(await stored(day), `${granularity} ${day}`).toEqual(expected);
        // The step figures of the day, summed over officers and steps, by cell.
        const steps = await directSteps(day, granularity);
        expect(await storedSteps(day), `steps ${granularity} ${day}`).toEqual(steps);
        stepCells += [...steps.values()].filter((c) => c.openOverdue > 0).length;
        overdueCells += [...expected.values()].filter((c) => (c.pending_overdue ?? 0) > 0).length;
        crossCells += [...expected.keys()].filter((k) => k.split('|')[0] !== k.split('|')[1]).length;
      }
      // A single day alone gives the same rows.
      const middle = addDays(first, 20);
      await refreshDays(db, middle, middle, null, granularity);
      expect(await stored(middle)).toEqual(await direct(middle, granularity));
    }
    expect(overdueCells).toBeGreaterThan(0);
    expect(stepCells).toBeGreaterThan(0);
    // The coarser step figures (by units, officer and step; by units alone; by units and channel; by units and
    // procedure) sum the full grain, per day and per month.
    for (const [table, keys] of [
      ['stats_step_officer', 'unit_code, resolving_unit_code, officer_code, step_code'],
      ['stats_step_unit', 'unit_code, resolving_unit_code'],
      ['stats_step_channel', 'unit_code, resolving_unit_code, channel'],
      ['stats_step_procedure', 'unit_code, resolving_unit_code, procedure_code'],
    ] as const) {
      const [daily] = await rows<{ n: number; cells: number }>(sql`
        select count(*) filter (where r.early is distinct from c.e or r.on_time is distinct from c.t
            or r.overdue is distinct from c.o or r.open_overdue is distinct from c.p)::int as n,
          count(*)::int as cells
        from (
          select day, ${sql.raw(keys)}, sum(early) e, sum(on_time) t, sum(overdue) o, sum(open_overdue) p
          from stats_step_daily group by day, ${sql.raw(keys)}
        ) c full join ${sql.raw(`${table}_daily`)} r using (day, ${sql.raw(keys)})`);
      expect(daily!.n, `${table}_daily`).toBe(0);
      expect(daily!.cells).toBeGreaterThan(0);
      const [monthly] = await rows<{ n: number; cells: number }>(sql`
        select count(*) filter (where r.early is distinct from c.e or r.overdue is distinct from c.o)::int as n,
          count(*)::int as cells
        from (
          select date_trunc('month', day)::date as month, ${sql.raw(keys)}, sum(early) e, sum(overdue) o
          from stats_step_daily group by 1, ${sql.raw(keys)}
        ) c full join ${sql.raw(`${table}_monthly`)} r using (month, ${sql.raw(keys)})`);
      expect(monthly!.n, `${table}_monthly`).toBe(0);
      expect(monthly!.cells).toBeGreaterThan(0);
    }
    // The counts before each month sum every earlier month of their rollup, from the second month of the history
    // through the month after the last; over the whole tree, every unit's.
    const cumulativeTables = [
      [
        'stats_unit_cumulative',
        'stats_unit_monthly',
        'unit_code, resolving_unit_code, channel',
        'received, early, stopped',
      ],
      [
        'stats_step_unit_cumulative',
        'stats_step_unit_monthly',
        'unit_code, resolving_unit_code',
        'early, on_time, overdue',
      ],
      [
        'stats_step_officer_cumulative',
        'stats_step_officer_monthly',
        'unit_code, resolving_unit_code, officer_code, step_code',
        'early, on_time, overdue',
      ],
      [
        'stats_tree_procedure_cumulative',
        'stats_procedure_monthly',
        'procedure_code, channel',
        'received, early, on_time, overdue, withdrawn, stopped',
      ],
      [
        'stats_tree_step_procedure_cumulative',
        'stats_step_procedure_monthly',
        'procedure_code',
        'early, on_time, overdue',
      ],
    ] as const;
    const cumulativeMismatches = async () => {
      const found: Record<string, number> = {};
      for (const [table, monthly, keys, counts] of cumulativeTables) {
        const sums = counts
          .split(', ')
          .map((c) => `sum(f.${c}) as ${c}`)
          .join(', ');
        const differs = counts
          .split(', ')
          .map((c) => `r.${c} is distinct from c.${c}`)
          .join(' or ');
        const [cumulative] = await rows<{ n: number; cells: number }>(sql`
        select count(*) filter (where ${sql.raw(differs)})::int as n, count(*)::int as cells
        from (
          select m.month::date as month, ${sql.raw(keys.replace(/(\w+)/g, 'f.$1'))}, ${sql.raw(sums)}
          from generate_series(
            (select min(month) from ${sql.raw(monthly)}) + interval '1 month',
            (select max(month) from ${sql.raw(monthly)}) + interval '1 month', interval '1 month') m(month)
          join ${sql.raw(monthly)} f on f.month < m.month
          group by 1, ${sql.raw(keys.replace(/(\w+)/g, 'f.$1'))}
        ) c full join ${sql.raw(table)} r using (month, ${sql.raw(keys)})`);
        expect(cumulative!.cells, table).toBeGreaterThan(0);
        found[table] = cumulative!.n;
      }
      return { ...found, ...(await treeDaysMismatches()) };
    };
    const none = Object.fromEntries([...cumulativeTables, ...treeDailyTables].map(([table]) => [table, 0]));
    expect(await cumulativeMismatches()).toEqual(none);
    // The same counts by the attributed unit alone sum the cells of that unit, receiving or resolving: after the
    // refreshes above, after a single unit's recompute, and rebuilt once by the first refresh of this version
    // (a worker of the version before left them behind).
    const attributedMismatch = async () => {
      const counts = ['received', 'early', 'on_time', 'overdue', 'withdrawn', 'stopped'];
      const [r] = await rows<{ n: number; cells: number }>(sql`
        select count(*) filter (where ${sql.raw(counts.map((c) => `r.${c} is distinct from c.${c}`).join(' or '))})::int
            as n, count(*)::int as cells
        from (
          select month, 'receiving' as attribution, unit_code, channel,
            ${sql.raw(counts.map((c) => `sum(${c}) as ${c}`).join(', '))}
          from stats_unit_cumulative group by 1, 3, 4
          union all
          select month, 'resolving', resolving_unit_code, channel, ${sql.raw(counts.map((c) => `sum(${c})`).join(', '))}
          from stats_unit_cumulative group by 1, 3, 4
        ) c full join stats_attributed_cumulative r using (month, attribution, unit_code, channel)`);
      expect(r!.cells).toBeGreaterThan(0);
      return r!.n;
    };
    expect(await attributedMismatch()).toBe(0);
    const [receiver] = await rows<{ unit_code: string }>(
      sql`select unit_code from stats_unit_cumulative where unit_code <> resolving_unit_code limit 1`,
    );
    await refreshDays(db, first, last, receiver!.unit_code, 'day');
    expect(await attributedMismatch()).toBe(0);
    expect(await cumulativeMismatches()).toEqual(none);
    await db.execute(sql`delete from stats_attributed_cumulative where attribution = 'resolving'`);
    await db.execute(
      sql`delete from stats_tree_procedure_cumulative where month = (select max(month) from stats_tree_procedure_cumulative)`,
    );
    await db.execute(sql`update stats_tree_step_procedure_cumulative set early = early + 1`);
    await db.execute(
      sql`delete from stats_tree_procedure_daily where day = (select min(day) from stats_daily)`,
    );
    await db.execute(sql`update stats_tree_step_procedure_daily set open_overdue = open_overdue + 1`);
    await db.execute(sql`delete from job_state where name = 'stats-rollups-rebuilt-0038'`);
    expect(await attributedMismatch()).toBeGreaterThan(0);
    const broken = await cumulativeMismatches();
    expect(broken.stats_tree_procedure_cumulative).toBeGreaterThan(0);
    expect(broken.stats_tree_step_procedure_cumulative).toBeGreaterThan(0);
    expect(broken.stats_tree_procedure_daily).toBeGreaterThan(0);
    expect(broken.stats_tree_step_procedure_daily).toBeGreaterThan(0);
    // Until a worker of this version has rebuilt them, the answers over every unit by procedure read the figures
    // by units: the same as the direct statistics, the figures over the tree being wrong.
    const byProcedure = async () => {
      const q = {
        unitPath: null,
        attribution: 'resolving' as const,
        from: first,
        to: last,
        groupBy: 'procedure' as const,
        granularity: 'day' as const,
      };
      const served = await servedStatistics(db, { ...q, now, everyUnit: true });
      expect(served.source).toBe('figures');
      return served.groups;
    };
    const directByProcedure = await periodStatistics(db, {
      unitPath: null,
      attribution: 'resolving',
      from: first,
      to: last,
      groupBy: 'procedure',
      granularity: 'day',
      asOf: now,
    });
    expect(await byProcedure()).toEqual(directByProcedure);
    await refreshStats(jobs);
    expect(await attributedMismatch()).toBe(0);
    expect(await cumulativeMismatches()).toEqual(none);
    expect(await byProcedure()).toEqual(directByProcedure);
    // Cells of dossiers resolved elsewhere than they were received.
    expect(crossCells).toBeGreaterThan(0);
    // The rollups agree with the cells they sum.
    const [mismatch] = await rows<{ n: number }>(sql`
      select count(*)::int as n from (
        select day, unit_code, resolving_unit_code, channel, sum(received) r, sum(pending_overdue) p
        from stats_daily group by 1, 2, 3, 4
      ) c full join stats_unit_daily u using (day, unit_code, resolving_unit_code, channel)
      where u.received is distinct from c.r or u.pending_overdue is distinct from c.p`);
    expect(mismatch!.n).toBe(0);
  }, 120_000);

  it('judge a period not yet ended at the moment of the answer, as the reference does, with either granularity and attribution', async () => {
    // Answers given at instants inside the history: the figures of the days before, today's flows up to that
    // instant, and the pending dossiers judged then, whatever happened afterwards.
    const db = ctx.database.db;
    const all = await factsOf(ctx, [...receivers, ...history.departments]);
    const first = Math.min(...all.map((x) => x.facts.receivedAt?.getTime() ?? Infinity));
    const lastClosed = addDays(localDateOf(now), -1);
    const latest = now.getTime() - 86_400_000;
    const random = prng(5);
    const asOfs = Array.from({ length: 5 }, () => new Date(first + Math.floor(random() * (latest - first))));
    type Fact = (typeof all)[number];
    const groupings: Array<
      [
        'none' | 'unit' | 'officer' | 'step',
        (x: Fact, unit: string) => string,
        ((x: Fact, unit: string, s: StepRunFacts) => string)?,
      ]
    > = [
      ['none', () => 'all'],
      ['unit', (_, unit) => unit],
      ['officer', () => '', (_x, _u, s) => s.officerCode ?? NO_OFFICER],
      ['step', () => '', (_x, _u, s) => s.stepCode],
    ];
    let pendingOverdue = 0;
    const steps = emptyStepTally();
    // 'day' last: the granularity the other tests and the worker use.
    for (const granularity of ['instant', 'day'] as const) {
      await refreshDays(db, localDateOf(new Date(first)), lastClosed, null, granularity);
      for (const asOf of asOfs) {
        for (const { from, to } of periodsAround(asOf)) {
          for (const [groupBy, keyOf, byStep] of groupings) {
            for (const attribution of attributions) {
              for (const scope of scopes) {
                const label = `${scope.code} ${attribution} ${granularity} ${groupBy} ${from}..${to} at ${asOf.toISOString()}`;
                const expected = referenceGroups(
                  all,
                  { from, to, granularity, asOf, attribution },
                  scope.units,
                  keyOf,
                  byStep,
                );
                const q = { unitPath: scope.path, attribution, from, to, groupBy, granularity };
                const served = await servedStatistics(db, { ...q, now: asOf });
                expect(served.source, label).toBe('figures');
                const rowsOf = (groups: typeof served.groups) =>
                  new Map(groups.map((g) => [g.key, { ...g.tally, steps: g.steps }]));
                expect(rowsOf(served.groups), label).toEqual(expected);
                const direct = await periodStatistics(db, { ...q, asOf });
                expect(rowsOf(direct), label).toEqual(expected);
                pendingOverdue += expected.get('all')?.pending.overdue ?? 0;
                if (groupBy === 'officer') {
                  for (const row of expected.values()) Object.assign(steps, addStepTallies(steps, row.steps));
                }
              }
            }
          }
        }
      }
    }
    expect(pendingOverdue).toBeGreaterThan(0);
    // Not vacuous: step runs of every outcome, and open past their due.
    for (const n of Object.values(steps)) expect(n).toBeGreaterThan(0);
  }, 180_000);

  it('judge a period not yet ended by the history of every dossier open then, when more changed since than the newest events show', async () => {
    // More events recorded after the moment than the newest events read (1,000): the answer cannot tell from them
    // which dossiers changed since, so it judges every dossier open then by its history, to the same numbers.
    const db = ctx.database.db;
    const all = await factsOf(ctx, [...receivers, ...history.departments]);
    const first = Math.min(...all.map((x) => x.facts.receivedAt?.getTime() ?? Infinity));
    const asOf = new Date(first + Math.floor((now.getTime() - 86_400_000 - first) * 0.6));
    await refreshDays(db, localDateOf(new Date(first)), addDays(localDateOf(now), -1), null, 'day');
    const rolledBack = new Error('rolled back');
    let compared = 0;
    await db
      .transaction(async (tx) => {
        // Copies of the first event, recorded now: nothing the rule reads changes.
        await tx.execute(sql`
          insert into dossier_events (dossier_id, type, from_status, to_status, at, recorded_at, data)
          select e.dossier_id, e.type, e.from_status, e.to_status, e.at, now(), e.data
          from dossier_events e, generate_series(1, 1001)
          where e.id = (select min(id) from dossier_events)`);
        expect(await tooManyChangedSince(tx, asOf)).toBe(true);
        for (const { from, to } of periodsAround(asOf)) {
          if (to < localDateOf(asOf)) continue;
          for (const groupBy of ['none', 'unit'] as const) {
            for (const attribution of attributions) {
              for (const scope of scopes) {
                const keyOf = groupBy === 'none' ? () => 'all' : (_: unknown, unit: string) => unit;
                const q = { from, to, granularity: 'day' as const, attribution };
                const expected = referenceGroups(all, { ...q, asOf }, scope.units, keyOf);
                const served = await servedStatistics(tx, { ...q, unitPath: scope.path, groupBy, now: asOf });
                const label = `${scope.code} ${attribution} ${groupBy} ${from}..${to}`;
                expect(served.source, label).toBe('figures');
                expect(
                  new Map(served.groups.map((g) => [g.key, { ...g.tally, steps: g.steps }])),
                  label,
                ).toEqual(expected);
                compared++;
              }
            }
          }
        }
        throw rolledBack;
      })
      .catch((err: unknown) => {
        if (err !== rolledBack) throw err;
      });
    expect(compared).toBeGreaterThan(0);
  });

  it('answer a period not yet ended from a snapshot of today’s figures as the reference does at the snapshot’s instant', async () => {
    // The worker's snapshot taken at instants inside the history, then read by every grouping and attribution:
    // equal to the reference at the snapshot's instant, whatever happened after it.
    const db = ctx.database.db;
    const all = await factsOf(ctx, [...receivers, ...history.departments]);
    const first = Math.min(...all.map((x) => x.facts.receivedAt?.getTime() ?? Infinity));
    const latest = now.getTime() - 86_400_000;
    // An hour after the receipts of dossiers picked at random: days with flows before the snapshot.
    const random = prng(11);
    const receipts = all
      .map((x) => x.facts.receivedAt?.getTime() ?? Infinity)
      .filter((t) => t + 3_600_000 < latest);
    const asOfs = Array.from(
      { length: 4 },
      () => new Date(receipts[Math.floor(random() * receipts.length)]! + 3_600_000),
    );
    type Fact = (typeof all)[number];
    const groupings: Array<
      [
        'none' | 'unit' | 'procedure' | 'channel' | 'officer' | 'step',
        (x: Fact, unit: string) => string,
        ((x: Fact, unit: string, s: StepRunFacts) => string)?,
      ]
    > = [
      ['none', () => 'all'],
      ['unit', (_, unit) => unit],
      ['procedure', (x) => x.procedure],
      ['channel', (x) => x.facts.channel],
      ['officer', () => '', (_x, _u, s) => s.officerCode ?? NO_OFFICER],
      ['step', () => '', (_x, _u, s) => s.stepCode],
    ];
    await refreshDays(db, localDateOf(new Date(first)), addDays(localDateOf(now), -1), null, 'day');
    let cells = 0;
    let todayCounted = 0;
    for (const asOf of asOfs) {
      await db.execute(sql`delete from stats_today_snapshots`);
      cells += await takeTodaySnapshot({ ...jobs, clock: () => asOf });
      const snapshot = await freshTodaySnapshot(db, new Date(asOf.getTime() + 5000), 'day', 15_000);
      expect(snapshot?.takenAt.getTime()).toBe(asOf.getTime());
      // Not fresh: too old, on another day, or judged with another granularity.
      expect(await freshTodaySnapshot(db, new Date(asOf.getTime() + 15_001), 'day', 15_000)).toBeNull();
      expect(await freshTodaySnapshot(db, new Date(asOf.getTime() + 5000), 'instant', 15_000)).toBeNull();
      expect(
        await freshTodaySnapshot(db, new Date(asOf.getTime() + 86_400_000), 'day', 2 * 86_400_000),
      ).toBeNull();
      for (const { from, to } of periodsAround(asOf)) {
        if (to < localDateOf(asOf)) continue;
        for (const [groupBy, keyOf, byStep] of groupings) {
          for (const attribution of attributions) {
            for (const scope of scopes) {
              const label = `${scope.code} ${attribution} ${groupBy} ${from}..${to} at ${asOf.toISOString()}`;
              const expected = referenceGroups(
                all,
                { from, to, granularity: 'day', asOf, attribution },
                scope.units,
                keyOf,
                byStep,
              );
              const q = { unitPath: scope.path, attribution, from, to, groupBy, granularity: 'day' as const };
              const served = await servedStatistics(db, { ...q, now: asOf, snapshot: snapshot! });
              expect(served.source, label).toBe('figures');
              expect(
                new Map(served.groups.map((g) => [g.key, { ...g.tally, steps: g.steps }])),
                label,
              ).toEqual(expected);
              if (groupBy === 'none' && from <= localDateOf(asOf))
                todayCounted += all.filter(
                  (x) =>
                    x.facts.receivedAt &&
                    localDateOf(x.facts.receivedAt) === localDateOf(asOf) &&
                    x.facts.receivedAt <= asOf,
                ).length;
            }
          }
        }
      }
    }
    // Not vacuous: the snapshots held cells, and dossiers received on the snapshots' days before them.
    expect(cells).toBeGreaterThan(0);
    expect(todayCounted).toBeGreaterThan(0);
  }, 180_000);

  it('answered now, pending dossiers are read from their rows; an action dated a little ahead is still after the answer', async () => {
    const db = ctx.database.db;
    const { communes, departments, clerk } = history;
    // As if the history had been recorded as it happened: nothing recorded or dated after the clock's now, so
    // today's pending dossiers are judged from their rows (the path an answer given now takes).
    await db.execute(sql`update dossier_events set recorded_at = at where at <= ${now}::timestamptz`);
    const later = async () =>
      (
        await selectRows<{ n: number }>(
          db,
          sql`select count(*)::int as n from dossier_events where recorded_at > ${now}::timestamptz or at > ${now}::timestamptz`,
        )
      )[0]!.n;
    expect(await later()).toBe(0);
    const answerMatchesReference = async (label: string) => {
      const all = await factsOf(ctx, [...receivers, ...departments]);
      for (const { from, to } of periodsAround(now)) {
        for (const groupBy of ['none', 'unit'] as const) {
          for (const attribution of attributions) {
            for (const scope of scopes) {
              const keyOf = groupBy === 'none' ? () => 'all' : (_: unknown, unit: string) => unit;
              const q = { from, to, granularity: 'day' as const, attribution };
              const expected = referenceGroups(all, { ...q, asOf: now }, scope.units, keyOf);
              const served = await servedStatistics(db, { ...q, unitPath: scope.path, groupBy, now });
              expect(
                new Map(served.groups.map((g) => [g.key, { ...g.tally, steps: g.steps }])),
                `${label} ${scope.code} ${attribution} ${groupBy} ${from}..${to}`,
              ).toEqual(expected);
            }
          }
        }
      }
      return all;
    };
    const before = await answerMatchesReference('answered now');
    expect(before.some((x) => x.facts.finishedAt === null)).toBe(true);

    // An open, overdue dossier resolved with a time 30 s ahead of the clock: at the moment of the answer it is
    // still pending and overdue.
    const [open] = await selectRows<{ code: string }>(
      db,
      sql`
      select d.code from dossiers d where d.unit_code in (${sql.join(
        communes.map((c) => sql`${c}`),
        sql`, `,
      )}) and d.status in ('received', 'processing')
        and (d.due_at at time zone 'Asia/Ho_Chi_Minh')::date < (${now}::timestamptz at time zone 'Asia/Ho_Chi_Minh')::date
      order by d.id limit 1`,
    );
    expect(open, 'an open overdue dossier').toBeDefined();
    const ahead = new Date(now.getTime() + 30_000);
    const resolved = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${open!.code}/resolve`,
      headers: bearer(clerk),
      payload: { result: 'approved', at: ahead.toISOString() },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    await db.execute(
      sql`update dossier_events set recorded_at = ${now}::timestamptz where at > ${now}::timestamptz`,
    );
    // Another one resolved, recorded after the moment of the answer (as a clerk's action committing while the
    // statistics are read): judged by its history too, it is still pending and overdue at that moment.
    const [other] = await selectRows<{ code: string; id: number }>(
      db,
      sql`
      select d.code, d.id from dossiers d where d.status in ('received', 'processing')
        and (d.due_at at time zone 'Asia/Ho_Chi_Minh')::date < (${now}::timestamptz at time zone 'Asia/Ho_Chi_Minh')::date
      order by d.id limit 1`,
    );
    expect(other, 'a second open overdue dossier').toBeDefined();
    const recordedLater = new Date(now.getTime() + 10_000);
    const resolvedLater = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${other!.code}/resolve`,
      headers: bearer(clerk),
      payload: { result: 'approved', at: recordedLater.toISOString() },
    });
    expect(resolvedLater.statusCode, resolvedLater.body).toBe(200);
    await db.execute(
      sql`update dossier_events set recorded_at = at where dossier_id = ${other!.id} and at > ${now}::timestamptz`,
    );
    await relayEverything(jobs);
    await refreshAll();
    await answerMatchesReference('with an action dated ahead and one recorded after the answer');
    const [stored] = await selectRows<{ finished: Date }>(
      db,
      sql`select finished_at as finished from dossiers where code = ${open!.code}`,
    );
    expect(new Date(stored!.finished).getTime()).toBe(ahead.getTime());
  });

  it('a snapshot judges each dossier changed today by its history once, and again when a change reaches back before the day', async () => {
    const db = ctx.database.db;
    const { clerk } = history;
    const today = localDateOf(now);
    // Open dossiers received before today whose open step was open and overdue at yesterday's end.
    const overdue = await selectRows<{ id: number; code: string; due: Date; stepDue: Date; seq: number }>(
      db,
      sql`
      select d.id, d.code, d.due_at as due, s.due_at as "stepDue", s.seq
      from dossiers d join dossier_steps s on s.dossier_id = d.id
      where d.status in ('received', 'processing') and d.received_at < ${instantAt(today, 0)}::timestamptz
        and d.rescheduled_due_at is null
        and s.end_at is null and s.pauses = '[]'::jsonb and s.due_at < ${instantAt(addDays(today, -1), 0)}::timestamptz
        and extract(isodow from s.due_at at time zone 'Asia/Ho_Chi_Minh') < 6
      order by d.id limit 2`,
    );
    expect(overdue, 'two open dossiers with an open step overdue at yesterday’s end').toHaveLength(2);
    const [x, y] = overdue as [(typeof overdue)[number], (typeof overdue)[number]];
    const judgedOf = async (id: number) =>
      (
        await selectRows<{ pending: boolean; seqs: number[] }>(
          db,
          sql`select pending_overdue as pending, overdue_step_seqs as seqs from stats_today_judged
            where day = ${today} and dossier_id = ${id}`,
        )
      )[0];

    // Both changed today (a late reschedule, an apology): judged by their history at the next snapshot.
    for (const d of [x, y]) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/v1/dossiers/${d.code}/reschedule`,
        headers: bearer(clerk),
        payload: {
          newDueAt: new Date(Math.max(new Date(d.due).getTime(), now.getTime()) + 86_400_000).toISOString(),
          reason: 'Hồ sơ cần thêm thời gian thẩm định.',
        },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    await recordedAtTheirTime();
    expect(await snapshotAsLive()).toEqual([]);
    expect(await judgedOf(x.id)).toEqual({ pending: true, seqs: [x.seq] });
    expect(await judgedOf(y.id)).toEqual({ pending: true, seqs: [y.seq] });

    // Judged once: the next snapshot reads the judgements kept (here made wrong on purpose), not their history.
    await db.execute(sql`update stats_today_judged set pending_overdue = false, overdue_step_seqs = '{}'
      where dossier_id in (${x.id}, ${y.id})`);
    expect((await snapshotAsLive()).length).toBeGreaterThan(0);
    expect(await judgedOf(x.id)).toEqual({ pending: false, seqs: [] });

    // A calendar change that moves x's open step's due (its due date made a day off): x is judged again.
    const dayOff = localDateOf(new Date(x.stepDue));
    const put = await ctx.app.inject({
      method: 'PUT',
      url: `/v1/calendar/days/${dayOff}`,
      headers: bearer(ctx.adminKey),
      payload: { kind: 'day_off', name: 'Nghỉ bù thử', source: 'test' },
    });
    expect(put.statusCode, put.body).toBe(200);
    try {
      await recordedAtTheirTime();
      const [changed] = await selectRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from dossier_events where dossier_id = ${x.id} and type = 'due_changed'`,
      );
      expect(changed!.n).toBe(1);
      await snapshotAsLive();
      expect(await judgedOf(x.id)).toEqual({ pending: true, seqs: [x.seq] });
      expect(await judgedOf(y.id)).toEqual({ pending: false, seqs: [] });
    } finally {
      await ctx.app.inject({
        method: 'DELETE',
        url: `/v1/calendar/days/${dayOff}`,
        headers: bearer(ctx.adminKey),
      });
      await recordedAtTheirTime();
    }

    // An event of today dated on an earlier day (a late entry): y is judged again, and the snapshot is the live count.
    await db.execute(sql`update dossier_events set at = ${instantAt(addDays(today, -1), 9 * 60)}::timestamptz
      where id = (select max(id) from dossier_events where dossier_id = ${y.id})`);
    expect(await snapshotAsLive()).toEqual([]);
    expect(await judgedOf(y.id)).toEqual({ pending: true, seqs: [y.seq] });

    // Another day's snapshot keeps no judgement of this one.
    const tomorrow = new Date(now.getTime() + 86_400_000);
    await takeTodaySnapshot({ ...jobs, clock: () => tomorrow });
    const days = await selectRows<{ day: string }>(
      db,
      sql`select distinct day::text as day from stats_today_judged`,
    );
    expect(days.map((d) => d.day)).not.toContain(today);
    await db.execute(sql`delete from stats_today_snapshots`);
  });

  it('a slot’s next snapshot counts again only the dossiers changed since its last: late commits and receipts dated ahead included', async () => {
    const db = ctx.database.db;
    const { clerk } = history;
    const intake = async (overrides: object = {}) => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(clerk),
        payload: intakeBody(open[0]!.procedure, { unitCode: open[0]!.unit, ...overrides }),
      });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { code: string }).code;
    };
    const share = async (slot: number, code: string) =>
      (
        await selectRows<{ channel: string; received: number; stopped: number }>(
          db,
          sql`select channel, received, stopped from stats_today_shares
            where slot = ${slot} and dossier_id = (select id from dossiers where code = ${code})`,
        )
      )[0];
    const open = await selectRows<{ id: number; code: string; procedure: string; unit: string }>(
      db,
      sql`select id, code, procedure_code as procedure, unit_code as unit from dossiers
        where status = 'processing' and current_step_seq is not null order by id limit 3`,
    );
    expect(open, 'three dossiers being processed').toHaveLength(3);
    const [a, b, c] = open as [(typeof open)[number], (typeof open)[number], (typeof open)[number]];

    // Each slot's first snapshot counts every dossier; the next of each counts the changes since.
    expect(await snapshotAsLive()).toEqual([]);
    expect(await snapshotAsLive(false)).toEqual([]);
    const received = await intake();
    await act(a.code, 'resolve', { result: 'approved' });
    await act(b.code, 'hand-over', {});
    await recordedAtTheirTime();
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await share(0, received)).toMatchObject({ received: 1, stopped: 0 });

    // Received 30 s ahead, seen by slot 1's snapshot before it was reached: slot 1's next snapshot counts it with
    // nothing of it committed since.
    const ahead = await intake({ receivedAt: new Date(now.getTime() + 30_000).toISOString() });
    await recordedAtTheirTime();
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await share(1, ahead)).toBeUndefined();
    now = new Date(now.getTime() + 40_000);
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await share(1, ahead)).toMatchObject({ received: 1, stopped: 0 });

    // An action whose transaction began before a snapshot and committed after it, dated before that snapshot's
    // instant (its outbox insert waits for a lock here): the slot's next snapshot finds it by its transaction,
    // which the slot's last did not see.
    const blocker = new pg.Client({ connectionString: isolated.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table outbox in share mode');
      const stopping = act(c.code, 'stop', { reason: 'Dừng xử lý.' });
      const waiting = async () =>
        (
          await blocker.query<{ n: number }>(
            `select count(*)::int as n from pg_locks where relation = 'outbox'::regclass and not granted`,
          )
        ).rows[0]!.n;
      while ((await waiting()) === 0) await new Promise((r) => setTimeout(r, 20));
      expect(await snapshotAsLive(false)).toEqual([]);
      expect(await share(0, c.code)).toBeUndefined();
      await blocker.query('commit');
      await stopping;
    } finally {
      await blocker.end();
    }
    await recordedAtTheirTime();
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await share(0, c.code)).toMatchObject({ received: 0, stopped: 1 });

    // The same of a transaction that had written (and so held a transaction id) when a snapshot was taken after
    // a later one committed (the snapshots' own: slot 0's last then lists it as running): the dossier received
    // above moved to another channel.
    const late = new pg.Client({ connectionString: isolated.url });
    await late.connect();
    try {
      await late.query('begin');
      await late.query(`update dossiers set channel = 'online' where code = $1`, [received]);
      await late.query(
        `insert into outbox (type, dossier_id, unit_code, payload, occurred_at)
         select 'dossier.updated', id, unit_code, '{}', now() from dossiers where code = $1`,
        [received],
      );
      expect(await snapshotAsLive(false)).toEqual([]);
      expect(await snapshotAsLive(false)).toEqual([]);
      const [running] = await selectRows<{ listed: boolean }>(
        db,
        // Among the transactions running then, which include those of any other database of the cluster.
        sql`select exists (select 1 from stats_today_snapshots s, pg_snapshot_xip(s.seen) x
          where s.slot = 0 and x = ${(await late.query<{ x: string }>('select pg_current_xact_id()::text as x')).rows[0]!.x}::xid8) as listed`,
      );
      expect(running).toEqual({ listed: true });
      expect(await share(0, received)).toMatchObject({ channel: 'direct' });
      await late.query('commit');
    } finally {
      await late.end();
    }
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await share(0, received)).toMatchObject({ channel: 'online', received: 1 });

    // Only those: a cell made wrong on purpose stays wrong in its slot's next snapshot, until a whole count.
    await db.execute(sql`update stats_today set received = received + 100
      where slot = 1 and (unit_code, procedure_code) = (${a.unit}, ${a.procedure})`);
    expect((await snapshotAsLive(false)).length).toBeGreaterThan(0);
    // A worker of an earlier version (during an upgrade) writes a slot's cells whole and its instant, not its shares:
    // that slot's next snapshot counts every dossier, and the wrong cell is gone.
    await db.execute(
      sql`update stats_today_snapshots set taken_at = taken_at + interval '1 millisecond' where slot = 1`,
    );
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await snapshotAsLive(false)).toEqual([]);
    await db.execute(sql`delete from stats_today_snapshots`);
  });

  it('a snapshot keeps each dossier’s part of the open counts in its share, counted again only when it changes', async () => {
    const db = ctx.database.db;
    // Three pending dossiers not changed today, made due yesterday (their own and their open step's
    // due) by hand, without an outbox row: the snapshots are then marked as counted by no one, as after any
    // change made in SQL, and count every dossier again.
    const yesterdayNoon = instantAt(addDays(localDateOf(now), -1), 12 * 60);
    const due = await selectRows<{ id: number; code: string }>(
      db,
      sql`update dossiers set due_at = ${yesterdayNoon}, current_step_due_at = ${yesterdayNoon}
        where id in (
          select id from dossiers d
          where status in ('received', 'processing') and current_step_seq is not null and paused_at is null
            and not exists (select 1 from dossier_events e where e.dossier_id = d.id and e.recorded_at >= ${instantAt(localDateOf(now), 0)})
          order by id limit 3)
        returning id, code`,
    );
    expect(due, 'three pending dossiers, unchanged today').toHaveLength(3);
    const [a, b, c] = due as [(typeof due)[number], (typeof due)[number], (typeof due)[number]];
    await db.execute(sql`update stats_today_snapshots set shares_at = null`);
    const shares = async (slot: number, id: number) => {
      const [flow] = await selectRows<{ n: number }>(
        db,
        sql`select coalesce(sum(pending_overdue), 0)::int as n from stats_today_shares
          where slot = ${slot} and dossier_id = ${id}`,
      );
      const [step] = await selectRows<{ n: number }>(
        db,
        sql`select coalesce(sum(open_overdue), 0)::int as n from stats_step_today_shares
          where slot = ${slot} and dossier_id = ${id}`,
      );
      return { pending: flow!.n, open: step!.n };
    };
    const sharedEverywhere = async () =>
      (
        await selectRows<{ n: number }>(
          db,
          sql`select count(*)::int as n from stats_today_snapshots where open_shared_at = taken_at`,
        )
      )[0]!.n;
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await sharedEverywhere()).toBe(2);
    for (const slot of [0, 1])
      for (const d of due) expect(await shares(slot, d.id)).toEqual({ pending: 1, open: 1 });

    // Changed: one handed over (its overdue step run ends, the next is not due), one resolved. Each slot's next
    // snapshot counts them again and leaves the third as it was.
    await act(a.code, 'hand-over', {});
    await act(b.code, 'resolve', { result: 'approved' });
    await recordedAtTheirTime();
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await snapshotAsLive(false)).toEqual([]);
    // Changed today, a dossier's share is its count now less yesterday's figures' (as its history judged them).
    const judged = async (id: number) => {
      const [row] = await selectRows<{ pending: boolean; open: number }>(
        db,
        sql`select pending_overdue as pending, cardinality(overdue_step_seqs)::int as open
          from stats_today_judged where dossier_id = ${id}`,
      );
      expect(row, 'judged as yesterday ended').toBeDefined();
      return { pending: row!.pending ? 1 : 0, open: row!.open };
    };
    const [ja, jb] = [await judged(a.id), await judged(b.id)];
    // (0 - n, not -n: a count of none is 0, which -0 does not equal.)
    for (const slot of [0, 1]) {
      expect(await shares(slot, a.id)).toEqual({ pending: 1 - ja.pending, open: 0 - ja.open });
      expect(await shares(slot, b.id)).toEqual({ pending: 0 - jb.pending, open: 0 - jb.open });
      expect(await shares(slot, c.id)).toEqual({ pending: 1, open: 1 });
    }

    // Only what changed: the third's share made wrong on purpose stays wrong in its slot's next snapshot. A slot
    // whose last snapshot counted the open counts whole (an earlier version's worker, or a day of too many
    // changes) has its next count every dossier, and the wrong share is gone.
    // The newest slot: the next snapshot writes the other one.
    const [{ slot }] = (await selectRows<{ slot: number }>(
      db,
      sql`select slot from stats_today_snapshots order by taken_at desc limit 1`,
    )) as [{ slot: number }];
    await db.execute(
      sql`update stats_today_shares set pending_overdue = 5 where slot = ${slot} and dossier_id = ${c.id}`,
    );
    await db.execute(sql`update stats_today set pending_overdue = pending_overdue + 4 where slot = ${slot}
      and (unit_code, resolving_unit_code, procedure_code, channel) = (select unit_code, resolving_unit_code,
        procedure_code, channel from stats_today_shares where slot = ${slot} and dossier_id = ${c.id})`);
    expect(await snapshotAsLive(false)).toEqual([]);
    expect((await snapshotAsLive(false)).length).toBeGreaterThan(0);
    expect(await shares(slot, c.id)).toEqual({ pending: 5, open: 1 });
    await db.execute(sql`update stats_today_snapshots set open_shared_at = null where slot = ${slot}`);
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await snapshotAsLive(false)).toEqual([]);
    expect(await shares(slot, c.id)).toEqual({ pending: 1, open: 1 });
    await db.execute(sql`delete from stats_today_snapshots`);
  });

  it('this month’s figures call dossiers due next week not yet due, in JSON, CSV and xlsx', async () => {
    scenario = await periodNotEndedScenario(ctx, { get: () => now, set: (d) => (now = d) });
    await relayEverything(jobs);
    await refreshAll();
    await expectPeriodNotEndedAnswers(ctx, scenario, 'figures');
  });

  it('answer the current month over HTTP as of the newest snapshot of today while it is fresh, and live otherwise', async () => {
    const db = ctx.database.db;
    const { clerk, report } = scenario;
    const get = async (query = `period=${localDateOf(now).slice(0, 7)}`) => {
      const res = await ctx.app.inject({
        method: 'GET',
        url: `/v1/stats?unitCode=${report}&${query}`,
        headers: bearer(clerk),
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { asOf: string; source: string; totals: { received: { new: number } } };
    };
    const [procedure] = await selectRows<{ code: string }>(
      db,
      sql`select procedure_code as code from dossiers where unit_code = ${report} limit 1`,
    );
    const procedureCode = procedure!.code;
    const intake = async () => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(clerk),
        payload: intakeBody(procedureCode, { unitCode: report }),
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    const at = (d: Date) => formatInstant(d);
    await db.execute(sql`delete from stats_today_snapshots`);
    const live = await get();
    expect(live.asOf).toBe(at(now));
    expect(live.totals.received.new).toBe(2);

    // A snapshot, then an intake 4 s later: the answer is the snapshot's, as of its instant.
    const takenAt = now;
    await takeTodaySnapshot({ ...jobs, clock: () => takenAt });
    now = new Date(takenAt.getTime() + 4000);
    await intake();
    const fromSnapshot = await get();
    expect(fromSnapshot).toMatchObject({ asOf: at(takenAt), source: 'figures' });
    expect(fromSnapshot.totals.received.new).toBe(2);
    // By officer too (its rows and its totals from one read of the figures' state), and as the snapshot's instant.
    const byOfficer = await get(`period=${localDateOf(now).slice(0, 7)}&groupBy=officer`);
    expect(byOfficer).toMatchObject({ asOf: at(takenAt), source: 'figures' });
    expect(byOfficer.totals.received.new).toBe(2);
    // A period that has ended is not answered from today's snapshot: as of now.
    const yesterday = addDays(localDateOf(now), -1);
    expect((await get(`from=${yesterday}&to=${yesterday}`)).asOf).toBe(at(now));

    // The next snapshot counts it.
    now = new Date(takenAt.getTime() + 5000);
    await takeTodaySnapshot({ ...jobs, clock: () => now });
    const next = await get();
    expect(next.asOf).toBe(at(now));
    expect(next.totals.received.new).toBe(3);
    // Two slots, written in turn.
    await takeTodaySnapshot({ ...jobs, clock: () => new Date(now.getTime() + 1000) });
    const kept = await selectRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from stats_today_snapshots`,
    );
    expect(kept[0]!.n).toBe(2);

    // Older than three intervals (STATS_TODAY_INTERVAL_MS, 15 s by default): counted at the moment of the answer.
    now = new Date(now.getTime() + 1000 + 3 * ctx.config.STATS_TODAY_INTERVAL_MS + 1);
    await intake();
    const stale = await get();
    expect(stale.asOf).toBe(at(now));
    expect(stale.totals.received.new).toBe(4);
  });

  it('an API process gives an answer again while what it reads is unchanged, and reads it anew when the figures, today’s snapshot or a name change', async () => {
    const db = ctx.database.db;
    const { clerk, report, late } = scenario;
    // A second API process on the same database: names changed through the first reach its answers at once.
    const other = await createTestContext({ DATABASE_URL: isolated.url }, { clock: () => now });
    try {
      await waitFor('the other process to hear cache signals', () => other.app.cacheSignals?.listening());
      type Answer = {
        asOf: string;
        source: string;
        rows: Array<{ key: string; label: string }>;
        totals: { received: { total: number }; resolved: { total: number } };
      };
      const get = async (query: string, from: TestContext = ctx) => {
        const res = await from.app.inject({
          method: 'GET',
          url: `/v1/stats?${query}`,
          headers: bearer(clerk),
        });
        expect(res.statusCode, res.body).toBe(200);
        return res.json() as Answer;
      };
      const labelOf = (answer: Answer, key: string) => answer.rows.find((r) => r.key === key)?.label;
      const rename = (code: string, name: string) =>
        db.execute(sql`update units set name = ${name} where code = ${code}`);
      const [{ name: lateName }] = (await selectRows<{ name: string }>(
        db,
        sql`select name from units where code = ${late}`,
      )) as [{ name: string }];

      // How this process gave its answers (/metrics: stats_answers_total by source).
      const given = async () => {
        const text = (await ctx.app.inject({ method: 'GET', url: '/metrics' })).body;
        const count = (source: string) =>
          Number(new RegExp(`^stats_answers_total\\{source="${source}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
        return { kept: count('kept'), read: count('read'), live: count('live') };
      };
      const before = await given();

      // May has ended: answered from the figures alone, so kept; given again as of the moment of each request.
      const may = `unitCode=${late}&period=2025-05&groupBy=unit`;
      const first = await get(may);
      expect(first).toMatchObject({ source: 'figures', asOf: formatInstant(now) });
      expect(first.totals.received.total).toBe(2);
      expect(labelOf(first, late)).toBe(lateName);
      // A name changed straight in the database (no cache signal) does not reach the kept answer.
      await rename(late, 'Đổi thẳng trong cơ sở dữ liệu');
      now = new Date(now.getTime() + 1000);
      const again = await get(may);
      expect(again).toEqual({ ...first, asOf: formatInstant(now) });
      // A unit of the scope waiting for a recompute of May: its cells are counted from its dossiers, read anew.
      await db.execute(sql`insert into stats_dirty (unit_code, from_day) values (${late}, '2025-05-20')`);
      const dirty = await get(may);
      expect(labelOf(dirty, late)).toBe('Đổi thẳng trong cơ sở dữ liệu');
      expect(dirty.totals).toEqual(first.totals);
      // Recomputed: the figures were written again, so the answer is read anew (the kept one, of the same
      // question and the same day closed, would be the name before).
      await refreshAll();
      const recomputed = await get(may);
      expect(recomputed.source).toBe('figures');
      expect(labelOf(recomputed, late)).toBe('Đổi thẳng trong cơ sở dữ liệu');
      expect(recomputed.totals).toEqual(first.totals);

      // This month, as of today's snapshot: kept until the next snapshot.
      const june = `unitCode=${report}&period=2025-06&groupBy=unit`;
      await takeTodaySnapshot({ ...jobs, clock: () => now });
      const takenAt = formatInstant(now);
      const month = await get(june);
      expect(month).toMatchObject({ source: 'figures', asOf: takenAt });
      await rename(report, 'Tên mới của đơn vị');
      now = new Date(now.getTime() + 1000);
      expect(await get(june)).toEqual(month);
      await takeTodaySnapshot({ ...jobs, clock: () => now });
      const next = await get(june);
      expect(next.asOf).toBe(formatInstant(now));
      expect(labelOf(next, report)).toBe('Tên mới của đơn vị');
      expect(next.totals).toEqual(month.totals);
      const after = await given();
      expect({
        kept: after.kept - before.kept,
        read: after.read - before.read,
        live: after.live - before.live,
      }).toEqual({ kept: 2, read: 4, live: 1 });

      // Names changed through the API: read anew at once in this process and in the other.
      const renameThroughApi = async (path: string, name: string, query: string, key: string) => {
        const res = await ctx.app.inject({
          method: 'PATCH',
          url: path,
          headers: bearer(ctx.adminKey),
          payload: { name },
        });
        expect(res.statusCode, res.body).toBe(200);
        expect(labelOf(await get(query), key)).toBe(name);
        const shown = async () => labelOf(await get(query, other), key) === name;
        await waitFor(`the other process to show ${name}`, shown, 1_000, 20);
      };
      expect(labelOf(await get(may, other), late)).toBe('Đổi thẳng trong cơ sở dữ liệu');
      await renameThroughApi(`/v1/units/${late}`, 'UBND xã Đổi Tên', may, late);
      const byProcedure = `unitCode=${late}&period=2025-05&groupBy=procedure`;
      const procedures = await get(byProcedure);
      const procedure = procedures.rows[0]!.key;
      expect(labelOf(await get(byProcedure, other), procedure)).toBe(procedures.rows[0]!.label);
      await renameThroughApi(`/v1/procedures/${procedure}`, 'Thủ tục đổi tên', byProcedure, procedure);
    } finally {
      await other.close();
    }
  });
});

describe('the figures over the whole tree', () => {
  it('are rebuilt through the month after the last closed day, whatever months hold no figures', async () => {
    const embedded = await connectPglite('memory://');
    try {
      await embedded.migrate();
      const db = embedded.db;
      // Dossiers received and step runs ended in March only; the days closed through May 10.
      await db.execute(sql`insert into stats_procedure_monthly (month, unit_code, resolving_unit_code,
          procedure_code, channel, received, early, on_time, overdue, withdrawn, stopped, pending_overdue)
        values ('2025-03-01', 'A', 'A', 'P', 'online', 4, 1, 1, 1, 0, 0, 0)`);
      await db.execute(sql`insert into stats_step_procedure_monthly (month, unit_code, resolving_unit_code,
          procedure_code, early, on_time, overdue, open_overdue)
        values ('2025-03-01', 'A', 'A', 'P', 2, 1, 0, 0)`);
      await db.execute(
        sql`insert into job_state (name, value) values ('stats-closed-through', '{"day": "2025-05-10"}'::jsonb)`,
      );
      const months = async () => ({
        flows: await selectRows<{ month: string; received: number }>(
          db,
          sql`select month::text, received from stats_tree_procedure_cumulative order by month`,
        ),
        steps: await selectRows<{ month: string; early: number }>(
          db,
          sql`select month::text, early from stats_tree_step_procedure_cumulative order by month`,
        ),
      });
      const expected = (list: string[]) => ({
        flows: list.map((month) => ({ month, received: 4 })),
        steps: list.map((month) => ({ month, early: 2 })),
      });
      // The first refresh of this version rebuilds them: April, May and June (after May, the last closed
      // day's month), though no figures fall after March.
      await refreshStats({ ...jobs, db, clock: () => new Date('2025-05-11T09:00:00+07:00') });
      expect(await months()).toEqual(expected(['2025-04-01', '2025-05-01', '2025-06-01']));
      // The next days' refreshes build on them.
      await refreshStats({ ...jobs, db, clock: () => new Date('2025-06-02T09:00:00+07:00') });
      expect(await months()).toEqual(expected(['2025-04-01', '2025-05-01', '2025-06-01', '2025-07-01']));
    } finally {
      await embedded.close();
    }
  });

  it('serve a subtree only when it holds every unit: its root is the only one', async () => {
    const embedded = await connectPglite('memory://');
    try {
      await embedded.migrate();
      const db = embedded.db;
      await db.execute(sql`insert into units (code, name, parent_code, path)
        values ('T', 'Tỉnh', null, 'T/'), ('H', 'Huyện', 'T', 'T/H/'), ('X', 'Xã', 'H', 'T/H/X/')`);
      expect(await coversEveryUnit(db, null)).toBe(true);
      expect(await coversEveryUnit(db, 'T/')).toBe(true);
      expect(await coversEveryUnit(db, 'T/H/')).toBe(false);
      await db.execute(
        sql`insert into units (code, name, parent_code, path) values ('K', 'Tỉnh khác', null, 'K/')`,
      );
      expect(await coversEveryUnit(db, 'T/')).toBe(false);
      expect(await coversEveryUnit(db, null)).toBe(true);
    } finally {
      await embedded.close();
    }
  });
});

describe('the snapshot of today’s figures in embedded mode', () => {
  it('is taken and read on PGlite as on PostgreSQL', async () => {
    const embedded = await connectPglite('memory://');
    try {
      await embedded.migrate();
      const at = new Date('2025-06-02T10:00:00+07:00');
      const job = { ...jobs, db: embedded.db, clock: () => at };
      expect(await takeTodaySnapshot(job)).toBe(0);
      await takeTodaySnapshot({ ...job, clock: () => new Date(at.getTime() + 5000) });
      const snapshot = await freshTodaySnapshot(embedded.db, new Date(at.getTime() + 6000), 'day', 15_000);
      expect(snapshot).toMatchObject({ slot: 1, sinceYesterday: true });
      expect(snapshot!.takenAt.getTime()).toBe(at.getTime() + 5000);
      // Slot 0's next counts again the dossiers of the transactions its last did not see (here none exists).
      await embedded.db.execute(sql`insert into outbox (type, dossier_id, unit_code, payload, occurred_at)
        values ('dossier.received', 1, 'X', '{}', ${at})`);
      expect(await takeTodaySnapshot({ ...job, clock: () => new Date(at.getTime() + 10_000) })).toBe(0);
      const [seen] = await selectRows<{ slot: number; seen: string | null }>(
        embedded.db,
        sql`select slot, seen::text as seen from stats_today_snapshots order by taken_at desc limit 1`,
      );
      expect(seen).toMatchObject({ slot: 0, seen: expect.stringMatching(/^\d+:\d+:/) });
    } finally {
      await embedded.close();
    }
  });
});
