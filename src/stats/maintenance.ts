/**
 * The statistics figures the worker maintains. For every closed local day (before today) and every receiving
 * unit, resolving unit, procedure and channel, `stats_daily` holds that day's flows and the pending-overdue
 * count at its end: the rule (./rule.ts) applied to each single day, computed set-based for a range of days (the
 * tests hold the figures equal to the direct statistics day by day and over every kind of period). Both units
 * key a cell, so either attribution is a sum of the same figures. Rollups by the two units and channel per day
 * and per month make province-wide totals cheap. A change marks its dossier's receiving and resolving units
 * dirty from the change's local day (late entries reach back); the refresh job recomputes the cells a dirty unit
 * is part of and closes each new day. The flows before each month (`stats_unit_cumulative`) are summed from the
 * monthly rollup, so that whole months and the carried-over column read two months' rows, and summed again by the
 * attributed unit alone (`stats_attributed_cumulative`: a unit's rows instead of every pair of units'). Answers
 * are served from the figures in ./serving.ts.
 *
 * The step figures (`stats_step_daily`) have the same cells, further keyed by the step run's officer and step:
 * the step runs ended each day by outcome, and those open and overdue at its end. Summed by units, officer and
 * step (`stats_step_officer_daily`, `_monthly`), by units alone (`stats_step_unit_daily`, `_monthly`), by units
 * and channel (`stats_step_channel_daily`, `_monthly`) and by units and procedure (`stats_step_procedure_daily`,
 * `_monthly`), they serve every answer; the step runs ended before each month by units
 * (`stats_step_unit_cumulative`) and by units, officer and step (`stats_step_officer_cumulative`) give whole
 * months as a difference. A handover, like every change, marks the dossier's two units dirty; the same refresh
 * recomputes them.
 *
 * Over the whole unit tree, by procedure: each day's flows and step figures (`stats_tree_procedure_daily`,
 * `stats_tree_step_procedure_daily`) and the flows and step runs ended before each month
 * (`stats_tree_procedure_cumulative`, `stats_tree_step_procedure_cumulative`), for the answers by procedure or
 * field of a scope holding every unit (the province). Unlike the tables above they are kept incrementally: a
 * refresh of every unit rewrites its days from the figures by units, a unit's refresh takes its old cells away
 * and adds its new ones, and each month's counts are the month before's plus that month's rows. So they are
 * rebuilt whole once per version (rebuildRollupsOnce, after what a worker of the version before wrote) and read
 * only once rebuilt (treeFiguresReadySql).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { rows } from '../db/sql.js';
import { addDays, dayNumberOf, daysInMonth, localDateOf, type LocalDate } from '../domain/local-time.js';
import { nextMonthOf } from '../domain/periods.js';
import { periodInstants } from '../domain/statistics.js';
import type { Granularity } from '../domain/timeliness.js';
import type { JobContext, OutboxEvent } from '../jobs/context.js';
import {
  dossierInvolves,
  finishedCounts,
  finishedIn,
  involves,
  notFinishedBefore,
  overdueBySegmentAt,
  receivedBefore,
  receivedIn,
  statutorySegments,
  stepEndedIn,
  stepFirstDue,
  stepOpenAt,
  stepOverdueAt,
} from './rule.js';
import { refreshServiceDays } from './service-figures.js';

const CLOSED_STATE = 'stats-closed-through';
/** Set once the rollups the latest migrations added were rebuilt (rebuildRollupsOnce). */
const ROLLUPS_STATE = 'stats-rollups-rebuilt-0038';

/**
 * Counts the transactions that wrote the figures (refreshDays, rebuildRollupsOnce), bumped in each of them: an
 * answer from the figures kept by an API process (./answer-cache.ts) is reused only while it is unchanged.
 */
const WRITTEN_STATE = 'stats-figures-written';

/** How many transactions wrote the figures (null before the first), as a scalar subquery. */
export const figuresWrittenSql = sql`(select value ->> 'n' from job_state where name = ${WRITTEN_STATE})`;

/** Counts one more transaction that wrote the figures; committed with the figures it wrote, never before them. */
async function markFiguresWritten(tx: DbOrTx) {
  await tx.execute(sql`
    insert into job_state (name, value) values (${WRITTEN_STATE}, '{"n": 1}'::jsonb)
    on conflict (name) do update
      set value = jsonb_build_object('n', (job_state.value ->> 'n')::bigint + 1), updated_at = now()`);
}

/** Whether the figures over the whole tree were rebuilt by a worker of this version, as a scalar subquery. */
export const treeFiguresReadySql = sql`exists (select 1 from job_state where name = ${ROLLUPS_STATE})`;

/** The flows the cumulative tables by units sum (stats_unit_cumulative, stats_attributed_cumulative). */
const FLOWS = ['received', 'early', 'on_time', 'overdue', 'withdrawn', 'stopped'];

/** Key of the advisory lock that keeps two refreshes of the figures (refreshDays) from running at once. */
const REFRESH_LOCK = 7_216_304;

/**
 * Event handler: a dossier change marks its receiving unit (the event's) and its resolving unit dirty from the
 * change's local day: the figures' cells of that dossier are those of the two units.
 */
export async function markStatsDirty(db: DbOrTx, event: OutboxEvent): Promise<void> {
  if (!event.unitCode) return;
  const day = localDateOf(new Date(event.occurredAt));
  await db.execute(sql`
    insert into stats_dirty (unit_code, from_day)
    select ${event.unitCode}, ${day}::date
    union
    select resolving_unit_code, ${day}::date from dossiers where id = ${event.dossierId}
    on conflict (unit_code) do update set from_day = least(stats_dirty.from_day, excluded.from_day), marked_at = now()`);
}

/** The last local day of `day`'s month. */
function monthEndOf(day: LocalDate): LocalDate {
  return `${day.slice(0, 8)}${String(daysInMonth(Number(day.slice(0, 4)), Number(day.slice(5, 7)))).padStart(2, '0')}`;
}

/** The monthly rollups, each summed from its daily table. */
const monthlyRollups = [
  {
    table: sql`stats_unit_monthly`,
    daily: sql`stats_unit_daily`,
    keys: sql`unit_code, resolving_unit_code, channel`,
  },
  {
    table: sql`stats_procedure_monthly`,
    daily: sql`stats_daily`,
    keys: sql`unit_code, resolving_unit_code, procedure_code, channel`,
  },
];

/**
 * Recomputes the figures of the days [from, to] (at most a few months: one statement, one transaction), for
 * the cells of one unit (those it received or resolves) or (null) all of them, with their rollups. The flows are the dossiers received and
 * finished that day; a dossier is pending and overdue at the end of day D when it was received before D ended,
 * not finished by then, not paused at D's last instant, and the statutory due in force at that instant falls
 * before the overdue-before threshold of that instant. Only the days each dossier could be overdue are
 * visited: from its first possible due to the end of its statutory segment, its finish or the range.
 */
export async function refreshDays(
  db: DbOrTx,
  from: LocalDate,
  to: LocalDate,
  unitCode: string | null,
  granularity: Granularity,
) {
  const { start, end } = periodInstants(from, to);
  const last = dayNumberOf(to) - dayNumberOf(from);
  // The cells of the unit (the figures' rows) and the dossiers they count.
  const only = (row: SQL) => (unitCode ? sql`and ${involves(row, [unitCode])}` : sql``);
  const onlyDossiers = (d: SQL) => (unitCode ? sql`and ${dossierInvolves(d, [unitCode])}` : sql``);
  // Day n of the range begins at start + n days (Vietnam keeps one UTC offset all year).
  const t0 = sql`${start}::timestamptz`;
  const dayOf = (at: SQL) => sql`floor(extract(epoch from ${at} - ${t0}) / 86400)::int`;
  const dayEnd = (n: SQL) => sql`${t0} + (${n} + 1) * interval '1 day'`;
  const lastInstant = (n: SQL) => sql`${dayEnd(n)} - interval '1 millisecond'`;
  const n = sql`g.n`;
  const d = sql`d`;
  const c = sql`c`;
  const s = sql`s`;
  await db.transaction(async (tx) => {
    // One refresh at a time (two workers, or a close and a recompute; the second waits for the first): two
    // refreshes whose months overlap would each insert the attributed rollup's rows (every unit's) the other
    // deleted, and two of units sharing cells the cells.
    await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK})`);
    const stats = sql`stats_daily`;
    const range = sql`day between ${from} and ${to}`;
    if (unitCode) await shiftTreeDays(tx, treeFlows, range, unitCode, -1);
    await tx.execute(sql`delete from ${stats} where day between ${from} and ${to} ${only(stats)}`);
    await tx.execute(sql`
      insert into stats_daily (day, unit_code, resolving_unit_code, procedure_code, channel, received, early, on_time,
        overdue, withdrawn, stopped, pending_overdue)
      with received as (
        select ${dayOf(sql`d.received_at`)} as n, d.unit_code, d.resolving_unit_code, d.procedure_code, d.channel,
          count(*)::int as received
        from dossiers d
        where ${receivedIn(d, start, end)} ${onlyDossiers(d)}
        group by 1, 2, 3, 4, 5
      ), finished as (
        select ${dayOf(sql`d.finished_at`)} as n, d.unit_code, d.resolving_unit_code, d.procedure_code, d.channel,
          ${finishedCounts(d)}
        from dossiers d
        where ${finishedIn(d, start, end)} ${onlyDossiers(d)}
          and ${receivedBefore(d, dayEnd(dayOf(sql`d.finished_at`)))}
        group by 1, 2, 3, 4, 5
      ), candidates as (
        select d.id, d.unit_code, d.resolving_unit_code, d.procedure_code, d.channel, d.received_at, d.finished_at
        from dossiers d
        where ${receivedBefore(d, end)} and d.finished_at >= ${dayEnd(sql`0`)} ${onlyDossiers(d)}
        union all
        select d.id, d.unit_code, d.resolving_unit_code, d.procedure_code, d.channel, d.received_at, d.finished_at
        from dossiers d
        where ${receivedBefore(d, end)} and d.finished_at is null ${onlyDossiers(d)}
      ), segments as (${statutorySegments(sql`select id from candidates`)}
      ), pending_overdue as (
        select ${n} as n, c.unit_code, c.resolving_unit_code, c.procedure_code, c.channel,
          count(*)::int as pending_overdue
        from candidates c
        join segments s on s.dossier_id = c.id and s.due_at < ${end}
        cross join lateral generate_series(
          greatest(0, ${dayOf(sql`c.received_at`)}, ${dayOf(sql`s.seg_start`)}, ${dayOf(sql`s.due_at`)}),
          least(${last}, coalesce(${dayOf(sql`c.finished_at`)}, ${last}), coalesce(${dayOf(sql`s.seg_end`)}, ${last}))
        ) g(n)
        where ${receivedBefore(c, dayEnd(n))}
          and ${notFinishedBefore(c, dayEnd(n))}
          and ${overdueBySegmentAt(sql`c.id`, s, lastInstant(n), granularity)}
        group by 1, 2, 3, 4, 5
      )
      select ${from}::date + n, unit_code, resolving_unit_code, procedure_code, channel, sum(received), sum(early),
        sum(on_time), sum(overdue), sum(withdrawn), sum(stopped), sum(pending_overdue)
      from (
        select n, unit_code, resolving_unit_code, procedure_code, channel, received, 0 as early, 0 as on_time,
          0 as overdue, 0 as withdrawn, 0 as stopped, 0 as pending_overdue from received
        union all
        select n, unit_code, resolving_unit_code, procedure_code, channel, 0, early, on_time, overdue, withdrawn,
          stopped, 0 from finished
        union all
        select n, unit_code, resolving_unit_code, procedure_code, channel, 0, 0, 0, 0, 0, 0, pending_overdue
        from pending_overdue
      ) cells
      group by n, unit_code, resolving_unit_code, procedure_code, channel`);
    await refreshTreeDays(tx, treeFlows, range, unitCode);

    const sums = sql`sum(received), sum(early), sum(on_time), sum(overdue), sum(withdrawn), sum(stopped), sum(pending_overdue)`;
    const columns = sql`received, early, on_time, overdue, withdrawn, stopped, pending_overdue`;
    const unitDaily = sql`stats_unit_daily`;
    await tx.execute(sql`delete from ${unitDaily} where day between ${from} and ${to} ${only(unitDaily)}`);
    await tx.execute(sql`
      insert into stats_unit_daily (day, unit_code, resolving_unit_code, channel, ${columns})
      select day, unit_code, resolving_unit_code, channel, ${sums} from ${stats}
      where day between ${from} and ${to} ${only(stats)}
      group by day, unit_code, resolving_unit_code, channel`);
    const firstMonth = `${from.slice(0, 8)}01`;
    const lastMonthEnd = monthEndOf(to);
    for (const { table, daily, keys } of monthlyRollups) {
      await tx.execute(sql`delete from ${table} where month between ${firstMonth} and ${to} ${only(table)}`);
      await tx.execute(sql`
        insert into ${table} (month, ${keys}, ${columns})
        select date_trunc('month', day)::date, ${keys}, ${sums} from ${daily}
        where day between ${firstMonth} and ${lastMonthEnd} ${only(daily)}
        group by 1, ${keys}`);
    }
    // The flows before each month after the first one recomputed, through the month after `to`'s (the current
    // month's, once its previous month has closed): every earlier month of the rollup, summed.
    const nextMonth = addDays(lastMonthEnd, 1);
    const rewriteCumulative = async (
      cumulative: SQL,
      monthly: SQL,
      keys: SQL,
      counts: string[],
      named = false,
    ) => {
      const columns = sql.raw([...(named ? ['step_name'] : []), ...counts].join(', '));
      const sums = sql.raw(
        [...(named ? ['min(f.step_name)'] : []), ...counts.map((c) => `sum(f.${c})`)].join(', '),
      );
      await tx.execute(
        sql`delete from ${cumulative} where month > ${firstMonth} and month <= ${nextMonth} ${only(cumulative)}`,
      );
      await tx.execute(sql`
        insert into ${cumulative} (month, ${keys}, ${columns})
        select m.month::date, ${keys}, ${sums}
        from generate_series(${firstMonth}::date + interval '1 month', ${nextMonth}::date, interval '1 month') m(month)
        join ${monthly} f on f.month < m.month ${only(sql`f`)}
        group by 1, ${keys}`);
    };
    await rewriteCumulative(
      sql`stats_unit_cumulative`,
      sql`stats_unit_monthly`,
      sql`unit_code, resolving_unit_code, channel`,
      FLOWS,
    );
    // The same by the attributed unit alone, for every unit (a unit's cells change the rows of the units it
    // shares them with): the months just rewritten.
    await rewriteAttributed(tx, sql`month > ${firstMonth} and month <= ${nextMonth}`);
    await rewriteTreeMonths(tx, treeFlows, firstMonth, nextMonth);
    await refreshServiceDays(tx, from, to, unitCode);

    // The step figures: the step runs ended each day, and those open and overdue at its end (only the days
    // from the step's earliest due to its end or the range's).
    const stepDaily = sql`stats_step_daily`;
    const stepKeys = sql`unit_code, resolving_unit_code, procedure_code, channel, officer_code, step_code`;
    const stepRun = sql`d.unit_code, d.resolving_unit_code, d.procedure_code, d.channel,
      coalesce(s.to_officer_code, '-') as officer_code, s.step_code, s.step_name`;
    await tx.execute(sql`delete from ${stepDaily} where day between ${from} and ${to} ${only(stepDaily)}`);
    await tx.execute(sql`
      insert into stats_step_daily (day, ${stepKeys}, step_name, early, on_time, overdue, open_overdue)
      with ended as (
        select ${dayOf(sql`s.end_at`)} as n, ${stepRun}, (s.outcome = 'early')::int as early,
          (s.outcome = 'on_time')::int as on_time, (s.outcome is null or s.outcome = 'overdue')::int as overdue,
          0 as open_overdue
        from dossier_steps s join dossiers d on d.id = s.dossier_id
        where ${stepEndedIn(sql`s`, start, end)} ${onlyDossiers(d)}
      ), candidates as (
        select ${stepRun}, s.start_at, s.due_at, s.end_at, s.pauses
        from dossier_steps s join dossiers d on d.id = s.dossier_id
        where s.start_at < ${end} and s.end_at >= ${dayEnd(sql`0`)} ${onlyDossiers(d)}
        union all
        select ${stepRun}, s.start_at, s.due_at, s.end_at, s.pauses
        from dossier_steps s join dossiers d on d.id = s.dossier_id
        where s.start_at < ${end} and s.end_at is null ${onlyDossiers(d)}
      ), open_overdue as (
        select ${n} as n, c.unit_code, c.resolving_unit_code, c.procedure_code, c.channel, c.officer_code,
          c.step_code, c.step_name, 0 as early, 0 as on_time, 0 as overdue, 1 as open_overdue
        from candidates c
        cross join lateral generate_series(
          greatest(0, ${dayOf(sql`c.start_at`)}, ${dayOf(stepFirstDue(c))}),
          least(${last}, coalesce(${dayOf(sql`c.end_at`)}, ${last}))
        ) g(n)
        where ${stepOpenAt(c, dayEnd(n))} and ${stepOverdueAt(c, lastInstant(n), granularity)}
      )
      select ${from}::date + n, ${stepKeys}, min(step_name), sum(early), sum(on_time), sum(overdue),
        sum(open_overdue)
      from (select * from ended union all select * from open_overdue) runs
      group by n, ${stepKeys}`);
    // Coarser step figures, each summed from the full grain: by units, officer and step; by units alone; by
    // units and channel; by units and procedure.
    const counts = sql`early, on_time, overdue, open_overdue`;
    const countSums = sql`sum(early), sum(on_time), sum(overdue), sum(open_overdue)`;
    const rollups = [
      {
        daily: sql`stats_step_officer_daily`,
        monthly: sql`stats_step_officer_monthly`,
        keys: sql`unit_code, resolving_unit_code, officer_code, step_code`,
        named: true,
      },
      {
        daily: sql`stats_step_unit_daily`,
        monthly: sql`stats_step_unit_monthly`,
        keys: sql`unit_code, resolving_unit_code`,
        named: false,
      },
      {
        daily: sql`stats_step_channel_daily`,
        monthly: sql`stats_step_channel_monthly`,
        keys: sql`unit_code, resolving_unit_code, channel`,
        named: false,
      },
      {
        daily: sql`stats_step_procedure_daily`,
        monthly: sql`stats_step_procedure_monthly`,
        keys: sql`unit_code, resolving_unit_code, procedure_code`,
        named: false,
      },
    ];
    const columnsOf = (keys: SQL, named: boolean) =>
      named ? sql`${keys}, step_name, ${counts}` : sql`${keys}, ${counts}`;
    const sumsOf = (named: boolean) => (named ? sql`min(step_name), ${countSums}` : countSums);
    if (unitCode) await shiftTreeDays(tx, treeSteps, range, unitCode, -1);
    for (const { daily, keys, named } of rollups) {
      await tx.execute(sql`delete from ${daily} where day between ${from} and ${to} ${only(daily)}`);
      await tx.execute(sql`
        insert into ${daily} (day, ${columnsOf(keys, named)})
        select day, ${keys}, ${sumsOf(named)} from ${stepDaily}
        where day between ${from} and ${to} ${only(stepDaily)}
        group by day, ${keys}`);
    }
    for (const { daily, monthly, keys, named } of rollups) {
      await tx.execute(
        sql`delete from ${monthly} where month between ${firstMonth} and ${to} ${only(monthly)}`,
      );
      await tx.execute(sql`
        insert into ${monthly} (month, ${columnsOf(keys, named)})
        select date_trunc('month', day)::date, ${keys}, ${sumsOf(named)} from ${daily}
        where day between ${firstMonth} and ${lastMonthEnd} ${only(daily)}
        group by 1, ${keys}`);
    }
    // The step runs ended before each month, by units and by units, officer and step, as the dossiers' flows
    // above.
    await rewriteCumulative(
      sql`stats_step_unit_cumulative`,
      sql`stats_step_unit_monthly`,
      sql`unit_code, resolving_unit_code`,
      ['early', 'on_time', 'overdue'],
    );
    await rewriteCumulative(
      sql`stats_step_officer_cumulative`,
      sql`stats_step_officer_monthly`,
      sql`unit_code, resolving_unit_code, officer_code, step_code`,
      ['early', 'on_time', 'overdue'],
      true,
    );
    await refreshTreeDays(tx, treeSteps, range, unitCode);
    await rewriteTreeMonths(tx, treeSteps, firstMonth, nextMonth);
    await markFiguresWritten(tx);
  });
}

/**
 * The figures over the whole unit tree, by procedure (`keys`): each day's (`daily`, summing `unitsDaily`, the
 * figures by units of the same grain, over `dailyCounts`), and the counts before each month (`table`, summing
 * `monthly`, the monthly rollup by units, over the flows `counts`).
 */
interface TreeFigures {
  daily: SQL;
  unitsDaily: SQL;
  dailyCounts: string[];
  table: SQL;
  monthly: SQL;
  keys: SQL;
  counts: string[];
}

const treeFlows: TreeFigures = {
  daily: sql`stats_tree_procedure_daily`,
  unitsDaily: sql`stats_daily`,
  dailyCounts: [...FLOWS, 'pending_overdue'],
  table: sql`stats_tree_procedure_cumulative`,
  monthly: sql`stats_procedure_monthly`,
  keys: sql`procedure_code, channel`,
  counts: FLOWS,
};

const treeSteps: TreeFigures = {
  daily: sql`stats_tree_step_procedure_daily`,
  unitsDaily: sql`stats_step_procedure_daily`,
  dailyCounts: ['early', 'on_time', 'overdue', 'open_overdue'],
  table: sql`stats_tree_step_procedure_cumulative`,
  monthly: sql`stats_step_procedure_monthly`,
  keys: sql`procedure_code`,
  counts: ['early', 'on_time', 'overdue'],
};

/** The tree's days of `t` whose day meets `days`, summed from the figures by units. */
async function writeTreeDays(db: DbOrTx, t: TreeFigures, days: SQL) {
  const columns = sql.raw(t.dailyCounts.join(', '));
  const sums = sql.raw(t.dailyCounts.map((c) => `sum(${c})`).join(', '));
  await db.execute(sql`delete from ${t.daily} where ${days}`);
  await db.execute(sql`
    insert into ${t.daily} (day, ${t.keys}, ${columns})
    select day, ${t.keys}, ${sums} from ${t.unitsDaily} where ${days} group by day, ${t.keys}`);
}

/**
 * Adds the counts of a unit's cells in the figures by units (`times` 1), or takes them away (-1), to the tree's
 * days that meet `days`: a unit's refresh takes its old cells away before rewriting them and adds the new ones
 * after (refreshTreeDays), reading that unit's rows instead of every unit's.
 */
async function shiftTreeDays(db: DbOrTx, t: TreeFigures, days: SQL, unitCode: string, times: 1 | -1) {
  const columns = sql.raw(t.dailyCounts.join(', '));
  const sums = sql.raw(t.dailyCounts.map((c) => `${times} * sum(f.${c})`).join(', '));
  const added = sql.raw(t.dailyCounts.map((c) => `${c} = t.${c} + excluded.${c}`).join(', '));
  await db.execute(sql`
    insert into ${t.daily} as t (day, ${t.keys}, ${columns})
    select day, ${t.keys}, ${sums} from ${t.unitsDaily} f where ${days} and ${involves(sql`f`, [unitCode])}
    group by day, ${t.keys}
    on conflict (day, ${t.keys}) do update set ${added}`);
}

/**
 * The tree's days that meet `days` brought up to date once the figures by units of those days are: a unit's new
 * cells added (its old ones were taken away before, shiftTreeDays) and the days' rows left counting nothing
 * dropped, or (every unit's cells, `unitCode` null) rewritten.
 */
async function refreshTreeDays(db: DbOrTx, t: TreeFigures, days: SQL, unitCode: string | null) {
  if (!unitCode) return writeTreeDays(db, t, days);
  await shiftTreeDays(db, t, days, unitCode, 1);
  await db.execute(sql`
    delete from ${t.daily} where ${days} and ${sql.raw(t.dailyCounts.map((c) => `${c} = 0`).join(' and '))}`);
}

/**
 * Rewrites the tree's counts before each month after `firstMonth` through `nextMonth`: those before `firstMonth`
 * (no earlier month changed) and every unit's monthly rows from `firstMonth` on, summed. A unit's refresh rewrites
 * them too (the tree holds its cells).
 */
async function rewriteTreeMonths(db: DbOrTx, t: TreeFigures, firstMonth: LocalDate, nextMonth: LocalDate) {
  const columns = sql.raw(t.counts.join(', '));
  const sums = sql.raw(t.counts.map((c) => `sum(f.${c})`).join(', '));
  await db.execute(sql`delete from ${t.table} where month > ${firstMonth} and month <= ${nextMonth}`);
  await db.execute(sql`
    insert into ${t.table} (month, ${t.keys}, ${columns})
    select m.month::date, ${t.keys}, ${sums}
    from generate_series(${firstMonth}::date + interval '1 month', ${nextMonth}::date, interval '1 month') m(month)
    join (
      select month, ${t.keys}, ${columns} from ${t.table} where month = ${firstMonth}
      union all
      select month, ${t.keys}, ${columns} from ${t.monthly} where month >= ${firstMonth} and month < ${nextMonth}
    ) f on f.month < m.month
    group by 1, ${t.keys}`);
}

/**
 * Rebuilds the tree's figures whole: every day, and the counts before each month from the second month of the
 * monthly rollup through the month after the last closed day's, a month at a time as the refreshes write them
 * (months without figures included: the next refresh builds on the last).
 */
async function rebuildTree(db: DbOrTx, t: TreeFigures) {
  await writeTreeDays(db, t, sql`true`);
  await db.execute(sql`delete from ${t.table}`);
  const [span] = await rows<{ first: LocalDate | null; last: LocalDate | null }>(
    db,
    sql`select min(month)::text as first,
      greatest(max(month), date_trunc('month', ${closedThroughSql}::date))::date::text as last
    from ${t.monthly}`,
  );
  if (!span?.first || !span.last) return;
  for (let month = span.first; month <= span.last; month = nextMonthOf(month)) {
    await rewriteTreeMonths(db, t, month, nextMonthOf(month));
  }
}

/** Rewrites the rows of stats_attributed_cumulative whose month meets `months` from stats_unit_cumulative. */
async function rewriteAttributed(db: DbOrTx, months: SQL) {
  const sums = sql.raw(FLOWS.map((c) => `sum(${c})`).join(', '));
  const attributed = (unit: SQL, attribution: string) => sql`
    select month, ${attribution}::text, ${unit}, channel, ${sums} from stats_unit_cumulative where ${months}
    group by month, ${unit}, channel`;
  await db.execute(sql`delete from stats_attributed_cumulative where ${months}`);
  await db.execute(sql`
    insert into stats_attributed_cumulative (month, attribution, unit_code, channel, ${sql.raw(FLOWS.join(', '))})
    ${attributed(sql`unit_code`, 'receiving')}
    union all
    ${attributed(sql`resolving_unit_code`, 'resolving')}`);
}

/**
 * Once, on this version's first refresh: stats_attributed_cumulative and the tree's counts rebuilt whole. Their
 * migrations filled them, but a worker of the version before, still running after a migration (the upgrade
 * restarts the workers last), changed the figures without them.
 */
async function rebuildRollupsOnce(db: DbOrTx) {
  const done = sql`select 1 from job_state where name = ${ROLLUPS_STATE}`;
  if ((await rows(db, done)).length) return;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK})`);
    if ((await rows(tx, done)).length) return;
    await rewriteAttributed(tx, sql`true`);
    await rebuildTree(tx, treeFlows);
    await rebuildTree(tx, treeSteps);
    await markFiguresWritten(tx);
    await tx.execute(sql`
      insert into job_state (name, value) values (${ROLLUPS_STATE}, ${JSON.stringify({ rebuilt: true })}::jsonb)`);
  });
}

/** The last day whose figures are closed (null before the first run), as a scalar subquery. */
export const closedThroughSql = sql`(select value ->> 'day' from job_state where name = ${CLOSED_STATE})`;

/** The last day whose figures are closed (null before the first run). */
export async function closedThrough(db: DbOrTx): Promise<LocalDate | null> {
  const [row] = await rows<{ day: LocalDate | null }>(db, sql`select ${closedThroughSql} as day`);
  return row?.day ?? null;
}

async function saveClosedThrough(db: DbOrTx, day: LocalDate) {
  await db.execute(sql`
    insert into job_state (name, value) values (${CLOSED_STATE}, ${JSON.stringify({ day })}::jsonb)
    on conflict (name) do update set value = excluded.value, updated_at = now()`);
}

/**
 * Scheduled job: closes the days that ended since the last run, oldest first, a month (at most) per statement
 * and for about `maxMs` per run, so a first run over a long history proceeds in steps and a stopping worker
 * never waits long; then recomputes the dirty units' days up to the last closed day. Returns the number of
 * days computed. Safe with two workers: each step recomputes from the dossiers and writes whole days.
 */
export async function refreshStats(ctx: JobContext, maxMs = 10_000): Promise<number> {
  const started = Date.now();
  const timeLeft = () => Date.now() - started < maxMs;
  const granularity = ctx.config.OUTCOME_GRANULARITY;
  const yesterday = addDays(localDateOf(ctx.clock()), -1);
  const upTo = (from: LocalDate, limit: LocalDate) => {
    const monthEnd = monthEndOf(from);
    return monthEnd < limit ? monthEnd : limit;
  };
  await rebuildRollupsOnce(ctx.db);
  let closed = await closedThrough(ctx.db);
  if (closed === null) {
    const [first] = await rows<{ day: string | null }>(
      ctx.db,
      sql`select (min(received_at) at time zone 'Asia/Ho_Chi_Minh')::date::text as day from dossiers`,
    );
    closed = first?.day ? addDays(first.day, -1) : yesterday;
  }
  let work = 0;
  while (closed < yesterday && timeLeft()) {
    const from = addDays(closed, 1);
    const to = upTo(from, yesterday);
    await refreshDays(ctx.db, from, to, null, granularity);
    work += dayNumberOf(to) - dayNumberOf(from) + 1;
    closed = to;
    await saveClosedThrough(ctx.db, closed);
  }
  if (work === 0) await saveClosedThrough(ctx.db, closed);

  const dirty = await rows<{ unit_code: string; from_day: string; marked_at: string }>(
    ctx.db,
    sql`select unit_code, from_day::text, marked_at::text from stats_dirty where from_day <= ${closed} order by from_day limit 50`,
  );
  for (const d of dirty) {
    if (!timeLeft()) break;
    for (let from = d.from_day; from <= closed;) {
      const to = upTo(from, closed);
      await refreshDays(ctx.db, from, to, d.unit_code, granularity);
      work += dayNumberOf(to) - dayNumberOf(from) + 1;
      from = addDays(to, 1);
    }
    // Only if nobody marked it again meanwhile.
    await ctx.db.execute(
      sql`delete from stats_dirty where unit_code = ${d.unit_code} and marked_at = ${d.marked_at}::timestamptz`,
    );
  }
  return work;
}
