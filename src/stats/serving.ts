/**
 * The statistics the API serves: a period answered from the figures the worker maintains (./maintenance.ts),
 * attributed to the resolving or the receiving unit (the figures are keyed by both, so either is a sum of them).
 * Today is read from the worker's snapshot of today's figures when the question carries one (./today.ts: the
 * answer is then as of its instant), else counted live up to the moment of the answer. A unit whose figures wait
 * for a recompute is counted from its dossiers (the tally of the dossiers it received or resolves is added to the
 * figures of the other cells). A period that has
 * ended takes its pending-overdue count from the figures of its last day. One that has not is judged at the
 * moment of the answer: the figures of yesterday's end, corrected by the dossiers changed since (today's changes)
 * and by those whose due passed since; with too many changes today, every open dossier is counted live. The
 * figures are used only when every day the period needs is closed; otherwise the whole answer is the direct
 * statistics (./direct.ts: same numbers, slower). The step figures are served the same way from their own
 * figures: the step runs ended by day (whole months from the monthly rollup), today's live, and the open-overdue
 * count of the period's last day, or of yesterday's end corrected by today's changes. An answer from the figures
 * reads all of these in one statement (preparedReads), after the one that reads the figures' state (and, when it
 * counts today live, the two that tell how many changed today and since the moment). An API process gives such an
 * answer again to the same question while the figures, the snapshot and the names it read are unchanged
 * (./answer-cache.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { preparedReads, preparedRows, type DbOrTx } from '../db/client.js';
import { addDays, formatInstant, localDateOf, type LocalDate } from '../domain/local-time.js';
import {
  addStepTallies,
  addTallies,
  answerInstants,
  emptyStepTally,
  emptyTally,
  ratesOf,
  type Attribution,
  type StepTally,
  type Tally,
} from '../domain/statistics.js';
import { nextMonthOf, wholeMonthsIn } from '../domain/periods.js';
import { overdueBefore, type Granularity } from '../domain/timeliness.js';
import { byKey, mergeSteps, periodStatistics, type GroupTally } from './direct.js';
import type { StatsAnswerCache } from './answer-cache.js';
import { closedThroughSql, figuresWrittenSql, treeFiguresReadySql } from './maintenance.js';
import { satisfactionByGroup, totalSatisfaction, withSatisfaction } from './satisfaction.js';
import {
  attributedDossiers,
  byStepRun,
  currentStepRun,
  finishedCounts,
  finishedIn,
  grouping,
  involves,
  notFinishedBefore,
  openStepOverdueNow,
  pendingOverdueAt,
  pendingOverdueNow,
  receivedBefore,
  receivedCounts,
  receivedIn,
  stepEndedIn,
  stepOpenAt,
  stepOverdueAt,
  stepRuns,
  stepRunsWhere,
  openStepDueBetween,
  pendingDueBetween,
  procedureJoin,
  unitScope,
  type GroupBy,
  type Grouping,
} from './rule.js';
import type { Stats } from './schemas.js';

const EARLIEST: LocalDate = '1990-01-01';

/** A group's flows: the figures' columns, with the received split by channel. */
interface Flows {
  key: string;
  label: string;
  received: number;
  early: number;
  on_time: number;
  overdue: number;
  withdrawn: number;
  stopped: number;
  online: number;
  direct: number;
  postal: number;
}

interface GroupCount {
  key: string;
  label: string;
  n: number;
}

/** The flows' sums, each row counted `times` (1, or -1 to take a row away). */
const flowSumsOf = (times: SQL) => sql`
  sum(${times} * f.received)::int as received, sum(${times} * f.early)::int as early,
  sum(${times} * f.on_time)::int as on_time, sum(${times} * f.overdue)::int as overdue,
  sum(${times} * f.withdrawn)::int as withdrawn, sum(${times} * f.stopped)::int as stopped,
  sum(${times} * f.received) filter (where f.channel = 'online')::int as online,
  sum(${times} * f.received) filter (where f.channel = 'direct')::int as direct,
  sum(${times} * f.received) filter (where f.channel = 'postal')::int as postal`;

const flowSums = flowSumsOf(sql`1`);

/**
 * [from, to] as the figures read it (wholeMonthsIn): the whole months inside it and conditions on `f.day` for the
 * days outside them. When `to` is the last closed day (`lastClosed`), its month so far counts as whole: the
 * month's figures hold no later day. A range of days is a condition of the unit's (unit, day) index, two ranges
 * joined by `or` are not (a commune's every day was read): each is a part of its own.
 */
function dayAndMonthParts(
  from: LocalDate,
  to: LocalDate,
  lastClosed = false,
): { days: SQL[]; months: { from: LocalDate; to: LocalDate } | null } {
  const { months, days } = wholeMonthsIn(from, to, lastClosed);
  return { days: days.map((d) => sql`f.day between ${d.from} and ${d.to}`), months };
}

/** Whether whole months [from, to] (dayAndMonthParts) are a single month. */
const oneMonth = (m: { from: LocalDate; to: LocalDate }): boolean => m.from.slice(0, 7) === m.to.slice(0, 7);

/**
 * Whole months [from, to] of a table of the counts before each month (stats_attributed_cumulative,
 * stats_unit_cumulative, stats_step_unit_cumulative, stats_step_officer_cumulative, and over the whole tree
 * stats_tree_procedure_cumulative and stats_tree_step_procedure_cumulative): the rows of the month after
 * them counted (`times` 1), those of the first taken away (`times` -1). One scan of both months, not a union of
 * two: the planner then reads a unit's rows through the table's unit index (a commune's 2 × 35 rows, 100 buffers)
 * where the union read both months whole (2 × 3,900 rows, 7,760 buffers) before joining the scope's units.
 */
const wholeMonths = (cumulative: SQL, months: { from: LocalDate; to: LocalDate }): SQL => {
  const after = nextMonthOf(months.to);
  return sql`(
    select case when c.month = ${after} then 1 else -1 end as times, c.* from ${cumulative} c
    where c.month in (${after}, ${months.from}))`;
};

/**
 * The flows before each month at the unit grain (the month, the attributed unit's column, the channel and the
 * flows), as the whole months and the carried-over dossiers read them: by the attributed unit alone
 * (stats_attributed_cumulative, a unit's rows instead of every pair of units') when no unit of the scope waits for
 * a recompute (`clean`), else by both units (stats_unit_cumulative), whose cells leaving a dirty unit out needs.
 */
function cumulativeFlows(attribution: Attribution, clean: boolean): { table: SQL; attributed: boolean } {
  if (!clean) return { table: sql`stats_unit_cumulative`, attributed: false };
  const unit = attribution === 'resolving' ? sql`resolving_unit_code` : sql`unit_code`;
  return {
    table: sql`(
      select month, unit_code as ${unit}, channel, received, early, on_time, overdue, withdrawn, stopped
      from stats_attributed_cumulative where attribution = ${attribution})`,
    attributed: true,
  };
}

type Cumulative = ReturnType<typeof cumulativeFlows>;

/**
 * The figures' flows over [from, to] (closed days only): the days outside whole months by day; the whole months
 * from the monthly rollup of the procedure grain, or at the unit grain as the difference of the flows before the
 * month after them and before the first (`cumulative`; a single month from the unit grain's monthly rollup
 * unless the cumulative figures are by the attributed unit, whose two months hold fewer rows). By procedure or
 * field over the whole tree (Scope.tree), the tree's: its days, and its whole months as the difference of its flows
 * before two months.
 */
function figureFlows(
  scope: Scope,
  g: Grouping,
  cumulative: Cumulative,
  from: LocalDate,
  to: LocalDate,
  lastClosed = false,
): SQL | null {
  if (from > to) return null;
  const daily = flowsDaily(scope, g);
  const { days, months } = dayAndMonthParts(from, to, lastClosed);
  // One month by both units from its monthly rows (a third of the rows two months of that cumulative table hold).
  const monthsPart = (m: { from: LocalDate; to: LocalDate }) =>
    scope.tree
      ? sql`select ${g.key} as key, ${g.label} as label, ${flowSumsOf(sql`f.times`)}
          from ${wholeMonths(sql`stats_tree_procedure_cumulative`, m)} f ${procedureJoin} group by 1, 2`
      : g.byProcedure || (oneMonth(m) && !cumulative.attributed)
        ? sql`select ${g.key} as key, ${g.label} as label, ${flowSums}
          from ${g.byProcedure ? sql`stats_procedure_monthly` : sql`stats_unit_monthly`} f ${g.joins}
          where ${scope.where} and f.month between ${m.from} and ${m.to} group by 1, 2`
        : sql`select ${g.key} as key, ${g.label} as label, ${flowSumsOf(sql`f.times`)}
          from ${wholeMonths(cumulative.table, m)} f ${g.joins}
          where ${scope.where} group by 1, 2`;
  // A part for each range of days: a range is a condition of the unit's (unit, day) index, two ranges joined by
  // `or` are not (a commune's every day was read).
  const parts = [
    ...days.map(
      (
        range,
      ) => sql`select ${g.key} as key, ${g.label} as label, ${flowSums} from ${daily.table} f ${daily.joins}
        where ${daily.where} and ${range} group by 1, 2`,
    ),
    ...(months ? [monthsPart(months)] : []),
  ];
  return sql`
      select key, label, sum(received)::int as received, sum(early)::int as early, sum(on_time)::int as on_time,
        sum(overdue)::int as overdue, sum(withdrawn)::int as withdrawn, sum(stopped)::int as stopped,
        sum(online)::int as online, sum(direct)::int as direct, sum(postal)::int as postal
      from (${sql.join(parts, sql` union all `)}) parts group by 1, 2`;
}

/**
 * The dossiers carried into a period opening on `open` (every day before it closed): those carried into its
 * month (received before it less finished before it, `cumulative`, the unit grain; by procedure or field over the
 * whole tree, the tree's) and the flows of the month's days before `open`. By procedure or field in a part of the
 * tree, every earlier month's flows of the procedure grain, summed.
 */
function figureCarried(scope: Scope, g: Grouping, cumulative: Cumulative, open: LocalDate): SQL | null {
  if (g.byProcedure && !scope.tree) {
    const flows = figureFlows(scope, g, cumulative, EARLIEST, addDays(open, -1));
    return (
      flows &&
      sql`select key, label, received - early - on_time - overdue - withdrawn - stopped as n from (${flows}) flows`
    );
  }
  const month = `${open.slice(0, 8)}01`;
  const carriedIn = (table: SQL, joins: SQL, where: SQL) => sql`
        select ${g.key} as key, ${g.label} as label,
          sum(f.received - f.early - f.on_time - f.overdue - f.withdrawn - f.stopped)::int as n
        from ${table} f ${joins}
        where ${where} group by 1, 2`;
  const intoMonth = scope.tree
    ? carriedIn(sql`stats_tree_procedure_cumulative`, procedureJoin, sql`f.month = ${month}`)
    : carriedIn(cumulative.table, g.joins, sql`${scope.where} and f.month = ${month}`);
  // A period opening on its month's first day has no earlier day of the month to read.
  if (open === month) return intoMonth;
  const daily = flowsDaily(scope, g);
  return sql`
      select key, label, sum(n)::int as n from (
        ${intoMonth}
        union all
        ${carriedIn(daily.table, daily.joins, sql`${daily.where} and f.day >= ${month} and f.day < ${open}`)}
      ) parts group by 1, 2`;
}

/**
 * What an answer from the figures counts: the rows `f` (figures or dossiers) `where` holds (the attributed unit,
 * joined as `u`, in the scope; the cells waiting for a recompute left out), and the dossiers as read for the
 * attribution (attributedDossiers). `tree`: grouped by procedure or field, the scope holds every unit, none waits
 * for a recompute and the figures over the whole tree were rebuilt by this version's worker, so they serve it (no
 * unit to join nor to filter by).
 */
export interface Scope {
  where: SQL;
  dossiers: SQL;
  tree: boolean;
}

/**
 * A daily table of figures as a part reads it: `byUnits` in the scope (joined as the grouping says), or over the
 * whole tree `tree` (Scope.tree: by procedure, only the procedure joined, nothing to filter).
 */
function dailyFigures(
  scope: Scope,
  g: Grouping,
  byUnits: SQL,
  tree: SQL,
): { table: SQL; joins: SQL; where: SQL } {
  return scope.tree
    ? { table: tree, joins: procedureJoin, where: sql`true` }
    : { table: byUnits, joins: g.joins, where: scope.where };
}

/** The daily flows a part reads: by units (and procedure, when the groups need it), or over the whole tree. */
const flowsDaily = (scope: Scope, g: Grouping) =>
  dailyFigures(
    scope,
    g,
    g.byProcedure ? sql`stats_daily` : sql`stats_unit_daily`,
    sql`stats_tree_procedure_daily`,
  );

/** The daily step figures a part reads: the grouping's table (StepTables), or over the whole tree. */
const stepsDaily = (scope: Scope, g: Grouping, tables: StepTables) =>
  dailyFigures(scope, g, tables.daily, sql`stats_tree_step_procedure_daily`);

/**
 * The dossiers as a read by id takes them, whatever the attribution: the table itself (the resolving unit of one
 * resolved where it was received is its receiving unit, so the attributed unit is a column of every row), read
 * once by primary key where attributedDossiers' two parts would each look up every id.
 */
const dossiersById = sql`dossiers`;

/**
 * Today's flows up to the moment of the answer (nothing after it counts), live from the dossiers received or
 * finished today, read from the table itself through the receipt and finish indexes (each page once).
 */
export function liveFlowsQuery(scope: Scope, g: Grouping, today: LocalDate, asOf: Date): SQL {
  const { open: start, cut } = answerInstants(today, today, asOf);
  const f = sql`f`;
  const received = receivedIn(f, start, cut);
  const finished = sql`(${finishedIn(f, start, cut)} and ${receivedBefore(f, cut)})`;
  return sql`
      select ${g.key} as key, ${g.label} as label, ${receivedCounts(f, received)}, ${finishedCounts(f, finished)}
      from ${dossiersById} f ${g.joins}
      where ${scope.where} and (${received} or ${finished})
      group by 1, 2`;
}

/**
 * Pending and overdue at the moment of the answer (a period not yet ended is judged then), in one statement so
 * that every part sees one snapshot. Each dossier's row holds its state now; for a dossier with nothing recorded
 * after a moment nor dated after it, that is its state at the moment.
 *
 * From yesterday's end (`sinceYesterday`: its figures are added by the caller): the dossiers changed since
 * yesterday ended (`today`, a day's changes) are taken out as yesterday's figures counted them (judged by their
 * history at yesterday's last instant) and counted as they are at the moment of the answer; of the others, those
 * whose due passed the overdue threshold since yesterday's are added (from their rows, through the pending-due
 * index: a day of dues).
 *
 * Otherwise every dossier open at the moment is counted: from its row (pendingOverdueNow, through the same
 * index), or by its history when changed since the moment (the clerks' actions of the last milliseconds,
 * `changedSince`). When more changed than the newest events show (`tooMany`, tooManyChangedSince at the moment),
 * every dossier open then is judged by its history.
 *
 * With `judged` (the snapshot of today, ./today.ts: yesterdayJudgements of every dossier changed today, kept for
 * the day), the dossiers judged one by one are its dossiers, and how yesterday's end left them is read from it,
 * not judged again by their history (changedTodayCtes).
 */
export function livePendingOverdueQuery(
  scope: Scope,
  g: Grouping,
  asOf: Date,
  granularity: Granularity,
  sinceYesterday: boolean,
  tooMany: boolean,
  judged?: SQL,
): SQL {
  const today = localDateOf(asOf);
  const { open: dayStart, cut, at } = answerInstants(today, today, asOf);
  const f = sql`f`;
  const byHistory = sql`${receivedBefore(f, cut)} and ${notFinishedBefore(f, cut)} and ${pendingOverdueAt(sql`f.id`, at, granularity)}`;
  const count = (where: SQL, n: SQL = sql`count(*)::int`, dossiers: SQL = scope.dossiers) => sql`
      select ${g.key} as key, ${g.label} as label, ${n} as n
      from ${dossiers} f ${g.joins}
      where ${scope.where} and ${where}
      group by 1, 2`;
  // The changed dossiers are read by their ids (an array, so the primary key is used), the others skip them.
  const changed = sql`select dossier_id from changed`;
  if (sinceYesterday) {
    const yesterdayEnd = new Date(dayStart.getTime() - 1);
    const changedToday = sql`select dossier_id from today`;
    const now = tooMany
      ? sql`(${byHistory})`
      : sql`(case when f.id in (${changed}) then ${byHistory} else ${pendingOverdueNow(f, at, granularity)} end)`;
    const then = pendingOverdueAtDayStart(f, dayStart, granularity);
    const dueSince = pendingDueBetween(
      f,
      overdueBefore(yesterdayEnd, granularity),
      overdueBefore(at, granularity),
    );
    const changedNowAndThen = judged
      ? sql`${count(sql`f.id = any(array(${changedToday}))`, sql`count(*) filter (where ${now})::int`, dossiersById)}
          union all
          ${count(
            sql`true`,
            sql`(-count(*))::int`,
            sql`(select d.* from ${judged} j join dossiers d on d.id = j.dossier_id where j.pending_overdue)`,
          )}`
      : count(
          sql`f.id = any(array(${changedToday}))`,
          sql`(count(*) filter (where ${now}) - count(*) filter (where ${then}))::int`,
          dossiersById,
        );
    return sql`
        with ${changedTodayCtes(at, tooMany, judged)}
        select key, label, sum(n)::int as n from (
          ${count(sql`${dueSince} and f.id not in (${changedToday})`)}
          union all
          ${changedNowAndThen}
        ) parts group by 1, 2`;
  }
  if (tooMany) return count(byHistory);
  return sql`
      with changed as (${changedSince(at)})
      select key, label, sum(n)::int as n from (
        ${count(sql`${pendingOverdueNow(f, at, granularity)} and f.id not in (${changed})`)}
        union all
        ${count(sql`f.id = any(array(${changed})) and ${byHistory}`, sql`count(*)::int`, dossiersById)}
      ) parts group by 1, 2`;
}

/**
 * Whether a dossier `f` was pending and overdue at yesterday's end, the day beginning at `dayStart` (by its
 * history): how yesterday's figures counted it.
 */
const pendingOverdueAtDayStart = (f: SQL, dayStart: Date, granularity: Granularity): SQL =>
  sql`(${receivedBefore(f, dayStart)} and ${notFinishedBefore(f, dayStart)}
      and ${pendingOverdueAt(sql`${f}.id`, new Date(dayStart.getTime() - 1), granularity)})`;

/**
 * The common table expressions `changed` (the dossiers changed since the moment `at`, changedSince) and `today`
 * (those judged one by one against yesterday's figures, judgedToday) of the live counts of the day of `at`.
 *
 * With `judged` (the snapshot's judgements of the day, ./today.ts), `today` is its dossiers: every one judgedToday
 * gives at `at` (the snapshot judges those first) and those it gave at the day's earlier snapshots. The day's
 * changes only grow, so the dossiers judgedToday no longer gives are ones received today since (or changed after
 * an earlier snapshot's moment and received today). Judging them one by one changes no count: yesterday's end
 * left them unreceived (nothing to take out) and their dues lie after yesterday's thresholds, so counted now from
 * their rows they give what the dues passed since give the others.
 */
export function changedTodayCtes(at: Date, tooMany: boolean, judged?: SQL): SQL {
  const today = localDateOf(at);
  const dayStart = answerInstants(today, today).open;
  const yesterdayEnd = new Date(dayStart.getTime() - 1);
  const judgedOneByOne = judged
    ? sql`select dossier_id from ${judged} j`
    : judgedToday(yesterdayEnd, dayStart, tooMany);
  return sql`changed as (${changedSince(at)}), today as (${judgedOneByOne})`;
}

/**
 * At most this many of today's changes are taken out of yesterday's figures and counted anew (sinceYesterday);
 * with more, a day's bulk import say, the current period counts every open dossier at the moment instead.
 */
const TODAY_CHANGES = 50_000;

/** Whether fewer than TODAY_CHANGES events were recorded after `since` (read from the recorded-at index). */
export async function fewChangedAfter(db: DbOrTx, since: Date): Promise<boolean> {
  const [row] = await preparedRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from (
      select 1 from dossier_events where recorded_at > ${since}::timestamptz limit ${sql.raw(String(TODAY_CHANGES))}) e`,
  );
  return (row?.n ?? 0) < TODAY_CHANGES;
}

/**
 * The dossiers changed after `since` (every change appends an event): those with an event recorded after it
 * (the recorded-at index), and those with one dated after it ahead of its recording (the dated-ahead index).
 */
function changedAfter(since: Date): SQL {
  return sql`
    select dossier_id from dossier_events where recorded_at > ${since}::timestamptz
    union
    select dossier_id from dossier_events where at > recorded_at and at > ${since}::timestamptz`;
}

/**
 * The dossiers an answer given at the moment (`changed`: those changed after it, changedSince) judges one by one
 * against yesterday's figures: those changed after yesterday's end that were received before today (yesterday's
 * figures may count them), and those changed after the moment. Every other dossier's row holds its state at the
 * moment, and either held it at yesterday's end or was not received then (its dues lie after yesterday's
 * thresholds): a day's intakes are read from the receipt index, not one by one. With more changed after the
 * moment than `changed` shows (`all`), every dossier changed since yesterday's end.
 */
function judgedToday(yesterdayEnd: Date, dayStart: Date, all: boolean): SQL {
  if (all) return changedAfter(yesterdayEnd);
  return sql`
    select dossier_id from (${changedAfter(yesterdayEnd)}) since
    except
    select id from dossiers where received_at >= ${dayStart}
    union
    select dossier_id from changed`;
}

/**
 * How many of the newest events changedSince reads: a dossier changed after the answer's moment has an event
 * among them unless more than this many were recorded since (tooManyChangedSince).
 */
const NEWEST_EVENTS = 1000;

const newestEvents = sql`select dossier_id, recorded_at from dossier_events order by id desc limit ${sql.raw(String(NEWEST_EVENTS))}`;

/**
 * The dossiers changed after `at` (every change appends an event): those with one of the newest events recorded
 * after it (read from the end of the primary key), and those with an event dated after it ahead of its
 * recording (an action may be dated a little into the future; they have an index of their own).
 */
function changedSince(at: Date): SQL {
  return sql`
    select dossier_id from (${newestEvents}) newest where recorded_at > ${at}::timestamptz
    union
    select dossier_id from dossier_events where at > recorded_at and at > ${at}::timestamptz`;
}

/**
 * Whether every one of the newest events was recorded after `at` (older ones may be too: changedSince is short);
 * the live counts at `at` then judge every open dossier by its history.
 */
export async function tooManyChangedSince(db: DbOrTx, at: Date): Promise<boolean> {
  const [row] = await preparedRows<{ all_after: boolean }>(
    db,
    sql`select count(*) = ${NEWEST_EVENTS} and min(recorded_at) > ${at}::timestamptz as all_after from (${newestEvents}) newest`,
  );
  return row?.all_after ?? false;
}

/**
 * Today's flows and pending-overdue counts from a snapshot of today's figures (./today.ts), in the scope: what
 * liveFlowsQuery and livePendingOverdueQuery count at the snapshot's instant.
 */
function snapshotFlows(scope: SQL, g: Grouping, snapshot: TodaySnapshot): SQL {
  const table = g.byProcedure ? sql`stats_today` : sql`stats_unit_today`;
  return sql`
      select ${g.key} as key, ${g.label} as label, ${flowSums}, sum(f.pending_overdue)::int as pending_overdue
      from ${table} f ${g.joins}
      where ${scope} and f.slot = ${snapshot.slot}
      group by 1, 2`;
}

/** The pending-overdue count at the end of `day`, from its figures. */
function figurePendingOverdue(scope: Scope, g: Grouping, day: LocalDate): SQL {
  const daily = flowsDaily(scope, g);
  return sql`
      select ${g.key} as key, ${g.label} as label, sum(f.pending_overdue)::int as n
      from ${daily.table} f ${daily.joins}
      where ${daily.where} and f.day = ${day} and f.pending_overdue > 0
      group by 1, 2`;
}

/**
 * Whether the figures cover every closed day the period needs (`closed`), and the units in the scope whose
 * figures wait for a recompute of a day the period needs (`dirty`). A change marks both units of its dossier,
 * so whichever the answer attributes to, a stale cell in the scope has a dirty unit in the scope. `lastClosed`:
 * the last day the period needs is the last closed day, so its month's figures hold no later day. With
 * `newestSnapshot`, the newest snapshot of the figures of a day is read in the same statement (of today or not,
 * fresh or not: see freshSnapshot).
 */
export async function figuresState(
  db: DbOrTx,
  units: SQL,
  needThrough: LocalDate,
  options: { newestSnapshot?: boolean } = {},
): Promise<FiguresState> {
  // One round trip: the dirty units are few (a day's late entries), read whether or not the figures are closed.
  const [row] = await preparedRows<
    {
      closed: LocalDate | null;
      dirty: string[];
      tree_ready: boolean;
      written: string | null;
    } & Partial<SnapshotRow>
  >(
    db,
    sql`select ${closedThroughSql} as closed, array(
      select f.unit_code from stats_dirty f join units u on u.code = f.unit_code
      where ${units} and f.from_day <= ${needThrough}) as dirty, ${treeFiguresReadySql} as tree_ready,
      ${figuresWrittenSql} as written
      ${options.newestSnapshot ? newestSnapshotColumns : sql``}`,
  );
  const newestSnapshot = options.newestSnapshot ? snapshotOf(row) : null;
  const closed = row?.closed ?? null;
  const written = `${closed}/${row?.written ?? 0}`;
  if (closed === null || closed < needThrough)
    return { closed: false, dirty: [], lastClosed: false, treeReady: false, written, newestSnapshot };
  return {
    closed: true,
    dirty: row!.dirty,
    lastClosed: closed === needThrough,
    treeReady: row!.tree_ready,
    written,
    newestSnapshot,
  };
}

/** The last day whose figures a period ending `to` needs, asked on `today`: its end, or yesterday if later. */
export function figuresNeededThrough(to: LocalDate, today: LocalDate): LocalDate {
  return to < today ? to : addDays(today, -1);
}

export interface FiguresState {
  closed: boolean;
  dirty: string[];
  lastClosed: boolean;
  /** The figures over the whole tree were rebuilt by a worker of this version (treeFiguresReadySql). */
  treeReady: boolean;
  /** The last closed day and how many transactions wrote the figures: what they hold, as far as an answer kept goes. */
  written: string;
  /** The newest snapshot the worker took; null when there is none or it was not asked for. */
  newestSnapshot: NewestSnapshot | null;
}

/** A snapshot of today's figures (./today.ts) an answer can use: the instant it counts up to, and how it counts the pending. */
interface TodaySnapshot {
  slot: number;
  takenAt: Date;
  sinceYesterday: boolean;
}

/** A snapshot as read, before an answer judges whether it may use it. */
interface NewestSnapshot extends TodaySnapshot {
  granularity: string;
}

interface SnapshotRow {
  slot: number | null;
  taken_at: Date | string | null;
  since_yesterday: boolean | null;
  granularity: string | null;
}

/** The newest snapshot's columns, added to a select without a FROM (one row whether or not there is one). */
const newestSnapshotColumns = sql`, s.slot, s.taken_at, s.since_yesterday, s.granularity
  from (select 1) as one left join (
    select slot, taken_at, since_yesterday, granularity from stats_today_snapshots order by taken_at desc limit 1
  ) s on true`;

function snapshotOf(row: Partial<SnapshotRow> | undefined): NewestSnapshot | null {
  if (row?.slot == null || row.taken_at == null) return null;
  return {
    slot: row.slot,
    takenAt: new Date(row.taken_at),
    sinceYesterday: row.since_yesterday!,
    granularity: row.granularity!,
  };
}

/**
 * The snapshot an answer given at `now` may use: taken today at or before `now`, at most `maxAgeMs` earlier, with the
 * same outcome granularity. Null when there is none (no worker, a worker behind, or a day just begun): the answer
 * then counts today live.
 */
export function freshSnapshot(
  newest: NewestSnapshot | null,
  now: Date,
  granularity: Granularity,
  maxAgeMs: number,
): TodaySnapshot | null {
  if (!newest) return null;
  const age = now.getTime() - newest.takenAt.getTime();
  const fresh =
    age >= 0 &&
    age <= maxAgeMs &&
    localDateOf(newest.takenAt) === localDateOf(now) &&
    newest.granularity === granularity;
  return fresh ? { slot: newest.slot, takenAt: newest.takenAt, sinceYesterday: newest.sinceYesterday } : null;
}

/** What a statistics answer asks of a period: the attribution, the dates, the grouping, the rule's settings. */
interface PeriodQuestion {
  attribution: Attribution;
  from: LocalDate;
  to: LocalDate;
  groupBy: GroupBy;
  granularity: Granularity;
  now: Date;
  /**
   * A snapshot of today's figures (./today.ts) taken at `now`, whose rows the answer reads for today instead of
   * counting today's dossiers: only for a period not ended at `now`.
   */
  snapshot?: TodaySnapshot;
  /** The scope holds every unit (coversEveryUnit): the figures over the whole tree may serve it. */
  everyUnit?: boolean;
}

/**
 * The statistics of a period, from the figures when every day it needs is closed (`source` 'figures'; today,
 * and the cells of the units whose figures wait for a recompute, counted from the dossiers and added: the two
 * parts are disjoint sets of cells), else straight from the dossiers ('dossiers'). `state`: the figures' state
 * for the scope and the period (figuresState), when the caller has read it already.
 */
export async function servedStatistics(
  db: DbOrTx,
  q: PeriodQuestion & { unitPath: string | null },
  state?: FiguresState,
): Promise<{ groups: GroupTally[]; source: 'figures' | 'dossiers' }> {
  const today = localDateOf(q.now);
  const units = unitScope(q.unitPath);
  const needThrough = figuresNeededThrough(q.to, today);
  const { closed, dirty, lastClosed, treeReady } = state ?? (await figuresState(db, units, needThrough));
  if (!closed) return { groups: await periodStatistics(db, { ...q, asOf: q.now }), source: 'dossiers' };
  const scope: Scope = {
    where: dirty.length ? sql`${units} and not ${involves(sql`f`, dirty)}` : units,
    dossiers: attributedDossiers(q.attribution, q.unitPath),
    tree:
      (q.everyUnit ?? false) &&
      treeReady &&
      dirty.length === 0 &&
      grouping(q.groupBy, q.attribution).byProcedure,
  };
  const cumulative = cumulativeFlows(q.attribution, dirty.length === 0);
  const clean = await fromFigures(db, scope, cumulative, q, today, needThrough, lastClosed);
  if (!dirty.length) return { groups: clean, source: 'figures' };
  // The cells of the units waiting for a recompute, counted from their dossiers and added to the others'.
  const recomputing = await periodStatistics(db, { ...q, asOf: q.now, involving: dirty });
  return { groups: mergeGroups(clean, recomputing), source: 'figures' };
}

export type StatisticsAnswer = z.infer<typeof Stats>;

/** Whether a unit's subtree (null: every unit) holds every unit: the province's, when it is the only root. */
export async function coversEveryUnit(db: DbOrTx, unitPath: string | null): Promise<boolean> {
  if (unitPath === null) return true;
  const [row] = await preparedRows<{ every: boolean }>(
    db,
    sql`select not exists (select 1 from units u where not ${unitScope(unitPath)}) as every`,
  );
  return row?.every ?? false;
}

/** A row's counts in the order of the answer's schema (StatsRow), which the route writes as they are built. */
const countsOf = (t: Tally, steps: StepTally) => ({ ...t, steps, rates: ratesOf(t) });

/** A statistics question as the API asks it. */
export interface StatisticsQuestion {
  unit: { code: string; path: string } | null;
  from: LocalDate;
  to: LocalDate;
  reporting: StatisticsAnswer['reporting'];
  attribution: Attribution;
  groupBy: GroupBy;
  granularity: Granularity;
  now: Date;
  /** How old a snapshot of today's figures may be to serve the answer; without it today is counted live. */
  snapshotMaxAgeMs?: number;
  /**
   * The answers this process keeps (./answer-cache.ts), and the generation of the names and paths they show;
   * without it every answer is read anew.
   */
  kept?: { answers: StatsAnswerCache; names: string };
}

/**
 * The answer for a unit's subtree (null: every unit) and a period, asked at `now`. A period not ended then is
 * answered as of the newest snapshot of today's figures when one at most `snapshotMaxAgeMs` old is there (read
 * with the figures' state, in one statement), else as of `now` with today counted live. Each group's columns and
 * rates, and the totals. With `kept`, an answer read from the figures and the snapshot alone (nothing counted live)
 * is given again while nothing it read has changed (answerKey); an ended period's, as of `now`.
 */
export async function answerStatistics(db: DbOrTx, q: StatisticsQuestion): Promise<StatisticsAnswer> {
  const unitPath = q.unit?.path ?? null;
  const today = localDateOf(q.now);
  const wantsSnapshot = q.snapshotMaxAgeMs !== undefined && q.to >= today;
  // Only the answers by procedure or field have figures over the whole tree to read.
  const [state, everyUnit] = await Promise.all([
    figuresState(db, unitScope(unitPath), figuresNeededThrough(q.to, today), {
      newestSnapshot: wantsSnapshot,
    }),
    grouping(q.groupBy, q.attribution).byProcedure ? coversEveryUnit(db, unitPath) : false,
  ]);
  // Read only when wanted (else null): then judged fresh or not.
  const snapshot = freshSnapshot(state.newestSnapshot, q.now, q.granularity, q.snapshotMaxAgeMs ?? 0);
  const ended = q.to < today;
  // Kept only when read from the figures and today's snapshot alone: an ended period's answer is as of `now`.
  const key =
    q.kept && state.closed && state.dirty.length === 0 && (ended || snapshot)
      ? answerKey(q, today, everyUnit, state, snapshot, q.kept.names)
      : null;
  const found = key ? q.kept!.answers.get(key) : undefined;
  if (q.kept) q.kept.answers.given[found ? 'kept' : key ? 'read' : 'live']++;
  if (found) return ended ? { ...found, asOf: formatInstant(q.now) } : found;
  const answer = await answerFromState(db, q, state, snapshot, everyUnit);
  if (key) q.kept!.answers.set(key, answer);
  return answer;
}

/** What names a kept answer (StatsAnswerCache): everything its reads depend on, `names` the names' generation. */
function answerKey(
  q: StatisticsQuestion,
  today: LocalDate,
  everyUnit: boolean,
  state: FiguresState,
  snapshot: TodaySnapshot | null,
  names: string,
): string {
  const asOfSnapshot = snapshot ? [snapshot.slot, snapshot.takenAt.getTime(), snapshot.sinceYesterday] : null;
  return JSON.stringify([
    q.unit?.code ?? null,
    q.unit?.path ?? null,
    q.from,
    q.to,
    q.reporting,
    q.attribution,
    q.groupBy,
    q.granularity,
    today,
    everyUnit,
    state.written, // with q.to and today, also whether the last day the answer needs is the last closed
    state.treeReady,
    asOfSnapshot,
    names,
  ]);
}

/** The answer to `q` read with the figures' state and today's snapshot (null: today counted live) found for it. */
async function answerFromState(
  db: DbOrTx,
  q: StatisticsQuestion,
  state: FiguresState,
  snapshot: TodaySnapshot | null,
  everyUnit: boolean,
): Promise<StatisticsAnswer> {
  const unitPath = q.unit?.path ?? null;
  // A fresh snapshot was taken today, so the last day the figures need is the same at its instant as at `now`.
  const asOf = snapshot?.takenAt ?? q.now;
  const question = {
    unitPath,
    attribution: q.attribution,
    from: q.from,
    to: q.to,
    granularity: q.granularity,
    now: asOf,
    everyUnit,
    ...(snapshot ? { snapshot } : {}),
  };
  // Grouped by officer or step, the rows carry only the step figures: the totals' II.06a columns and ratings are
  // the scope's.
  const byStep = byStepRun(q.groupBy);
  const rated = { ...q, asOf, unitPath };
  const [{ groups, source }, whole, ratings, scopeRatings] = await Promise.all([
    servedStatistics(db, { ...question, groupBy: q.groupBy }, state),
    byStep ? servedStatistics(db, { ...question, groupBy: 'none' }, state) : null,
    satisfactionByGroup(db, { ...rated, everyUnit }),
    byStep ? satisfactionByGroup(db, { ...rated, groupBy: 'none' }) : null,
  ]);
  const totals = (whole?.groups ?? groups).reduce((sum, g) => addTallies(sum, g.tally), emptyTally());
  const stepTotals = groups.reduce((sum, g) => addStepTallies(sum, g.steps), emptyStepTally());
  const emptyRow = () => countsOf(emptyTally(), emptyStepTally());
  const rowsWith = withSatisfaction(
    groups.map((g) => ({ key: g.key, label: g.label, ...countsOf(g.tally, g.steps) })),
    ratings,
    emptyRow,
  );
  const satisfaction = totalSatisfaction(
    scopeRatings ? withSatisfaction([], scopeRatings, emptyRow) : rowsWith,
  );
  return {
    unitCode: q.unit?.code ?? null,
    from: q.from,
    to: q.to,
    reporting: q.reporting,
    attribution: q.attribution,
    groupBy: q.groupBy,
    asOf: formatInstant(asOf),
    source,
    rows: rowsWith,
    totals: { ...countsOf(totals, stepTotals), satisfaction },
  };
}

/** Two answers over disjoint sets of cells, group by group. */
function mergeGroups(a: GroupTally[], b: GroupTally[]): GroupTally[] {
  const merged = new Map(a.map((g) => [g.key, g]));
  for (const g of b) {
    const other = merged.get(g.key);
    merged.set(
      g.key,
      other
        ? { ...other, tally: addTallies(other.tally, g.tally), steps: addStepTallies(other.steps, g.steps) }
        : g,
    );
  }
  return [...merged.values()].sort(byKey);
}

/**
 * The statistics of the scope from the figures (every day through `needThrough` closed), leaving out its stale
 * cells: the figures' reads, today's and the step figures' in one statement (preparedReads).
 */
async function fromFigures(
  db: DbOrTx,
  scope: Scope,
  cumulative: Cumulative,
  q: PeriodQuestion,
  today: LocalDate,
  needThrough: LocalDate,
  lastClosed: boolean,
): Promise<GroupTally[]> {
  const yesterday = addDays(today, -1);
  // A period that has ended is judged at its end (the figures of its last day), one that has not at `now`: from
  // the figures of yesterday's end and today's changes, unless today holds too many of them.
  const sinceYesterday =
    q.to >= today &&
    (q.snapshot
      ? q.snapshot.sinceYesterday
      : await fewChangedAfter(db, new Date(answerInstants(today, today).open.getTime() - 1)));
  const ended = q.to < today;
  // Today counted live (no snapshot): whether more changed since the moment than the newest events show.
  const tooMany =
    !ended && !q.snapshot && (await tooManyChangedSince(db, answerInstants(today, today, q.now).at));
  const judge = { ended, sinceYesterday, lastClosed, tooMany };
  if (byStepRun(q.groupBy))
    return mergeSteps(
      [],
      stepGroups(await preparedReads<StepReads>(db, stepReads(scope, q, today, needThrough, judge))),
    );
  const g = grouping(q.groupBy, q.attribution);
  // Carried into the period's first day, or into today for a period that begins later (today's flows added below).
  const open = q.from < today ? q.from : today;
  const read = await preparedReads<
    StepReads & TodayReads & { carried: GroupCount; flows: Flows; figureOverdue: GroupCount }
  >(db, {
    ...stepReads(scope, q, today, needThrough, judge),
    ...todayReads(scope, g, q, today, judge),
    carried: figureCarried(scope, g, cumulative, open),
    flows: figureFlows(scope, g, cumulative, q.from, needThrough, lastClosed),
    figureOverdue: ended || sinceYesterday ? figurePendingOverdue(scope, g, ended ? q.to : yesterday) : null,
  });
  const { carried, flows } = read;
  const live = [...read.todayFlows, ...read.todaySnapshot];
  const pendingOverdue = [
    ...read.figureOverdue,
    ...read.todayOverdue,
    ...read.todaySnapshot.map((c) => ({ key: c.key, label: c.label, n: c.pending_overdue })),
  ];
  const groups = new Map<string, { label: string; t: Tally }>();
  const at = (key: string, label: string) => {
    let entry = groups.get(key);
    if (!entry) groups.set(key, (entry = { label, t: emptyTally() }));
    return entry.t;
  };
  const finished = (c: Flows) => c.early + c.on_time + c.overdue + c.withdrawn + c.stopped;
  for (const c of carried) at(c.key, c.label).received.carriedOver += c.n;
  const inPeriod = q.from <= today ? [...flows, ...live] : [];
  if (q.from > today)
    for (const c of live) at(c.key, c.label).received.carriedOver += c.received - finished(c);
  for (const c of inPeriod) {
    const t = at(c.key, c.label);
    t.received.new += c.received;
    t.received.online += c.online;
    t.received.direct += c.direct;
    t.received.postal += c.postal;
    t.resolved.early += c.early;
    t.resolved.onTime += c.on_time;
    t.resolved.overdue += c.overdue;
    t.withdrawn += c.withdrawn;
    t.stopped += c.stopped;
  }
  for (const p of pendingOverdue) at(p.key, p.label).pending.overdue += p.n;
  const result: GroupTally[] = [];
  for (const [key, { label, t }] of groups) {
    t.received.total = t.received.carriedOver + t.received.new;
    t.resolved.total = t.resolved.early + t.resolved.onTime + t.resolved.overdue;
    t.pending.total = t.received.total - t.resolved.total - t.withdrawn - t.stopped;
    t.pending.notYetDue = t.pending.total - t.pending.overdue;
    if (t.received.total > 0) result.push({ key, label, tally: t, steps: emptyStepTally() });
  }
  return mergeSteps(result, stepGroups(read));
}

/** Today's reads of a period not ended: the snapshot's cells, or the flows and pending-overdue counted live. */
interface TodayReads {
  todaySnapshot: Flows & { pending_overdue: number };
  todayFlows: Flows;
  todayOverdue: GroupCount;
}

/** How a period is judged: ended, or from yesterday's figures and today's changes, and how today is counted. */
interface Judge {
  ended: boolean;
  sinceYesterday: boolean;
  lastClosed: boolean;
  /** Counted live, more changed since the moment than the newest events show (tooManyChangedSince). */
  tooMany: boolean;
}

/**
 * Today's flows up to the moment of the answer and the pending-overdue counts at it (changes to yesterday's
 * figures when `sinceYesterday`), for a period not ended: from the snapshot of today's figures the question
 * carries, else counted live from the dossiers.
 */
function todayReads(
  scope: Scope,
  g: Grouping,
  q: PeriodQuestion,
  today: LocalDate,
  judge: Judge,
): { [K in keyof TodayReads]: SQL | null } {
  const none = { todaySnapshot: null, todayFlows: null, todayOverdue: null };
  if (judge.ended) return none;
  if (q.snapshot) return { ...none, todaySnapshot: snapshotFlows(scope.where, g, q.snapshot) };
  return {
    ...none,
    todayFlows: liveFlowsQuery(scope, g, today, q.now),
    todayOverdue: livePendingOverdueQuery(
      scope,
      g,
      q.now,
      q.granularity,
      judge.sinceYesterday,
      judge.tooMany,
    ),
  };
}

/** A group's step figures as the figures and the live reads give them. */
interface StepCounts {
  key: string;
  label: string;
  early: number;
  on_time: number;
  overdue: number;
  open_overdue: number;
}

/** The ended step runs' sums, each row counted `times` (1, or -1 to take a row away). */
const stepSumsOf = (times: SQL) => sql`sum(${times} * f.early)::int as early,
  sum(${times} * f.on_time)::int as on_time, sum(${times} * f.overdue)::int as overdue, 0 as open_overdue`;

const stepSums = stepSumsOf(sql`1`);

/**
 * A grouping's step figures: by day, by month, and (by units alone, and by units, officer and step) the step runs
 * ended before each month, whose difference gives whole months; today's from the snapshot (./today.ts), by units
 * and channel or at the full grain.
 */
interface StepTables {
  daily: SQL;
  monthly: SQL;
  today: SQL;
  cumulative?: SQL;
}

/**
 * The step figures' tables for a grouping, the coarsest that has its key: by units alone for the totals and the
 * units (a province's in about a thousand rows a month), by units, officer and step for those two, by units and
 * channel for the channels, by units and procedure for the procedure and its field.
 */
function stepTables(groupBy: GroupBy): StepTables {
  switch (groupBy) {
    case 'none':
    case 'unit':
      return {
        daily: sql`stats_step_unit_daily`,
        monthly: sql`stats_step_unit_monthly`,
        cumulative: sql`stats_step_unit_cumulative`,
        today: sql`stats_step_unit_today`,
      };
    case 'officer':
    case 'step':
      return {
        daily: sql`stats_step_officer_daily`,
        monthly: sql`stats_step_officer_monthly`,
        cumulative: sql`stats_step_officer_cumulative`,
        today: sql`stats_step_today`,
      };
    case 'channel':
      return {
        daily: sql`stats_step_channel_daily`,
        monthly: sql`stats_step_channel_monthly`,
        today: sql`stats_step_unit_today`,
      };
    case 'procedure':
    case 'field':
      return {
        daily: sql`stats_step_procedure_daily`,
        monthly: sql`stats_step_procedure_monthly`,
        today: sql`stats_step_today`,
      };
  }
}

/**
 * The step runs ended over [from, to] (closed days only): whole months from the monthly rollup (or as the
 * difference of two months' cumulative rows: by units, officer and step; over the whole tree by procedure,
 * Scope.tree), the rest by day (over the whole tree, the tree's days).
 */
function stepFigureFlows(
  scope: Scope,
  g: Grouping,
  tables: StepTables,
  from: LocalDate,
  to: LocalDate,
  lastClosed: boolean,
): SQL | null {
  if (from > to) return null;
  const { days, months } = dayAndMonthParts(from, to, lastClosed);
  const daily = stepsDaily(scope, g, tables);
  // A part for each range of days (the caller sums a key's rows), as in figureFlows.
  const parts = [
    ...days.map(
      (range) => sql`select ${g.key} as key, min(${g.label}) as label, ${stepSums}
        from ${daily.table} f ${daily.joins} where ${daily.where} and ${range} group by 1`,
    ),
    ...(months
      ? [
          scope.tree
            ? sql`select ${g.key} as key, min(${g.label}) as label, ${stepSumsOf(sql`f.times`)}
              from ${wholeMonths(sql`stats_tree_step_procedure_cumulative`, months)} f ${procedureJoin} group by 1`
            : tables.cumulative && !oneMonth(months)
              ? sql`select ${g.key} as key, min(${g.label}) as label, ${stepSumsOf(sql`f.times`)}
              from ${wholeMonths(tables.cumulative, months)} f ${g.joins}
              where ${scope.where} group by 1`
              : sql`select ${g.key} as key, min(${g.label}) as label, ${stepSums} from ${tables.monthly} f ${g.joins}
              where ${scope.where} and f.month between ${months.from} and ${months.to} group by 1`,
        ]
      : []),
  ];
  return sql.join(parts, sql` union all `);
}

/**
 * Today's step runs from a snapshot of today's figures (./today.ts), in the scope: those ended today up to its
 * instant (when the period holds today: `holdsToday`) and the open-overdue counts at it, as liveStepsQuery counts
 * them, from the grouping's `table` (StepTables.today).
 */
function snapshotSteps(
  scope: SQL,
  g: Grouping,
  table: SQL,
  snapshot: TodaySnapshot,
  holdsToday: boolean,
): SQL {
  const runs = holdsToday
    ? sql`sum(f.early)::int as early, sum(f.on_time)::int as on_time, sum(f.overdue)::int as overdue`
    : sql`0 as early, 0 as on_time, 0 as overdue`;
  return sql`
      select ${g.key} as key, min(${g.label}) as label, ${runs}, sum(f.open_overdue)::int as open_overdue
      from ${table} f ${g.joins}
      where ${scope} and f.slot = ${snapshot.slot}
      group by 1`;
}

/** The step runs open and overdue at the end of `day`, from its figures. */
function stepFigureOpenOverdue(scope: Scope, g: Grouping, tables: StepTables, day: LocalDate): SQL {
  const daily = stepsDaily(scope, g, tables);
  return sql`
      select ${g.key} as key, min(${g.label}) as label, 0 as early, 0 as on_time, 0 as overdue,
        sum(f.open_overdue)::int as open_overdue
      from ${daily.table} f ${daily.joins}
      where ${daily.where} and f.day = ${day} and f.open_overdue > 0
      group by 1`;
}

/**
 * Live from the step runs of the scope's dossiers: those ended in [`open`, `cut`), and those open and overdue at
 * the moment of the answer, judged as livePendingOverdueQuery judges the dossiers (`tooMany` as there). From
 * yesterday's end (`sinceYesterday`: its figures are added by the caller): the step runs of the dossiers changed
 * since are taken out as yesterday's figures counted them (by their history) and counted as they are now; of the
 * other dossiers, those whose open step's due passed the threshold since yesterday's are added (from their rows,
 * through the open-step-due index). Otherwise every open step run is counted: from its dossier's row (its open
 * step's due, holder and pause), or by its history when the dossier changed since the moment; with more changed
 * than the newest events show, every step run open then by its history. Without `ended`, only the open ones (the
 * snapshot of today keeps the ended ones by step run: ./today.ts).
 */
export function liveStepsQuery(
  scope: Scope,
  g: Grouping,
  open: Date,
  cut: Date,
  granularity: Granularity,
  sinceYesterday: boolean,
  tooMany: boolean,
  judged?: SQL,
  ended = true,
): SQL {
  const s = sql`s`;
  const f = sql`f`;
  const at = new Date(cut.getTime() - 1);
  const overdueAt = (end: Date) => stepOpenOverdueBefore(s, end, granularity);
  // The scope's dossiers are reached from the step runs (their ids, read by primary key), never the other way.
  const fromRuns = (runs: SQL, ids: SQL, where: SQL, counts: SQL) => sql`
      select ${g.key} as key, min(${g.label}) as label, ${counts}
      from ${dossiersById} f join ${runs} s on s.dossier_id = f.id ${g.joins}
      where ${scope.where} and f.id = any(array(${ids})) and ${where}
      group by 1`;
  const endedPart = ended ? [liveStepsEndedQuery(scope, g, open, cut)] : [];
  const openOverdueCount = (n: SQL = sql`count(*)::int`) =>
    sql`0 as early, 0 as on_time, 0 as overdue, ${n} as open_overdue`;
  const byRow = (where: SQL, dossiers: SQL = scope.dossiers) => sql`
      select ${g.key} as key, min(${g.label}) as label, ${openOverdueCount()}
      from ${dossiers} f cross join lateral ${currentStepRun(f)} s ${g.joins}
      where ${scope.where} and ${where}
      group by 1`;
  const changed = sql`select dossier_id from changed`;
  if (sinceYesterday) {
    const dayStart = answerInstants(localDateOf(at), localDateOf(at)).open;
    const yesterdayEnd = new Date(dayStart.getTime() - 1);
    const changedToday = sql`select dossier_id from today`;
    const dueSince = openStepDueBetween(
      f,
      overdueBefore(yesterdayEnd, granularity),
      overdueBefore(at, granularity),
    );
    const parts = [
      ...endedPart,
      // Today's changed dossiers, now: by their history if changed since the moment, else by their row.
      fromRuns(stepRuns, tooMany ? changedToday : changed, overdueAt(cut), openOverdueCount()),
      ...(tooMany
        ? []
        : [
            byRow(
              sql`f.id = any(array(${changedToday})) and f.id not in (${changed}) and ${openStepOverdueNow(f, at, granularity)}`,
              dossiersById,
            ),
          ]),
      // The others, overdue since yesterday's end.
      byRow(sql`${dueSince} and f.id not in (${changedToday})`),
      // Today's changed dossiers as yesterday's figures counted them, taken out.
      judged
        ? sql`
          select ${g.key} as key, min(${g.label}) as label, ${openOverdueCount(sql`(-count(*))::int`)}
          from ${judged} j cross join unnest(j.overdue_step_seqs) q(seq)
            join ${stepRuns} s on s.dossier_id = j.dossier_id and s.seq = q.seq
            join ${dossiersById} f on f.id = j.dossier_id ${g.joins}
          where ${scope.where} and j.overdue_step_seqs <> '{}'
          group by 1`
        : fromRuns(stepRuns, changedToday, overdueAt(dayStart), openOverdueCount(sql`(-count(*))::int`)),
    ];
    return sql`
        with ${changedTodayCtes(at, tooMany, judged)}
        ${sql.join(parts, sql` union all `)}`;
  }
  if (tooMany) {
    const openThen = sql`select r.dossier_id from dossier_steps r
      where r.start_at < ${cut} and (r.end_at is null or r.end_at >= ${cut})`;
    return sql.join(
      [...endedPart, fromRuns(stepRuns, openThen, overdueAt(cut), openOverdueCount())],
      sql` union all `,
    );
  }
  const parts = [
    ...endedPart,
    fromRuns(stepRuns, changed, overdueAt(cut), openOverdueCount()),
    byRow(sql`${openStepOverdueNow(f, at, granularity)} and f.id not in (${changed})`),
  ];
  return sql`
      with changed as (${changedSince(at)})
      ${sql.join(parts, sql` union all `)}`;
}

/**
 * The step runs of the scope's dossiers ended in [`open`, `cut`), by their outcome (none recorded counts as
 * overdue): each run read through the end index, or through its dossier's (the condition `runs` on
 * dossier_steps' own columns narrows them first: the snapshot of today reads a few dossiers' runs), and joined to
 * its dossier by primary key (read from the dossiers by id, each dossier's step runs would be read a second time).
 */
export function liveStepsEndedQuery(
  scope: Scope,
  g: Grouping,
  open: Date,
  cut: Date,
  runs: SQL = sql`true`,
): SQL {
  const s = sql`s`;
  return sql`
      select ${g.key} as key, min(${g.label}) as label,
        count(*) filter (where s.outcome = 'early')::int as early,
        count(*) filter (where s.outcome = 'on_time')::int as on_time,
        count(*) filter (where s.outcome is null or s.outcome = 'overdue')::int as overdue, 0 as open_overdue
      from ${stepRunsWhere(sql`${runs} and end_at >= ${open} and end_at < ${cut}`)} s
        join ${dossiersById} f on f.id = s.dossier_id ${g.joins}
      where ${scope.where} and ${stepEndedIn(s, open, cut)}
      group by 1`;
}

/**
 * Whether a step run `s` is open at the instant before `cut` and overdue then (the open-overdue count of a day
 * ending at `cut`).
 */
const stepOpenOverdueBefore = (s: SQL, cut: Date, granularity: Granularity): SQL =>
  sql`${stepOpenAt(s, cut)} and ${stepOverdueAt(s, sql`${new Date(cut.getTime() - 1)}::timestamptz`, granularity)}`;

/**
 * How yesterday's end (the day beginning at `dayStart`) left a dossier `f`, by its history, as yesterday's figures
 * counted it: whether it was pending and overdue, and the seq of each of its step runs open and overdue then (the
 * snapshot of today keeps these for the day: ./today.ts).
 */
export function yesterdayJudgements(
  f: SQL,
  dayStart: Date,
  granularity: Granularity,
): { pendingOverdue: SQL; overdueStepSeqs: SQL } {
  const s = sql`s`;
  return {
    pendingOverdue: pendingOverdueAtDayStart(f, dayStart, granularity),
    overdueStepSeqs: sql`array(select s.seq from dossier_steps s
      where s.dossier_id = ${f}.id and ${stepOpenOverdueBefore(s, dayStart, granularity)} order by s.seq)`,
  };
}

/** The step figures' reads: the step runs ended in the period's closed days, today's, and the open-overdue. */
interface StepReads {
  stepsEnded: StepCounts;
  stepsToday: StepCounts;
  stepsOpenOverdue: StepCounts;
}

/**
 * The step figures of the scope from the figures (every day through `needThrough` closed), leaving out its stale
 * cells: the step runs ended in the period's closed days and today (live), and those open and overdue at the end
 * of the period (its last day's figures) or at the moment of the answer (live). Read by preparedReads, summed by
 * stepGroups.
 */
function stepReads(
  scope: Scope,
  q: PeriodQuestion,
  today: LocalDate,
  needThrough: LocalDate,
  judge: Judge,
): { [K in keyof StepReads]: SQL | null } {
  const figures = grouping(q.groupBy, q.attribution, sql`f`);
  const tables = stepTables(q.groupBy);
  const live = grouping(q.groupBy, q.attribution);
  const { open, cut } = answerInstants(today, today, q.now);
  return {
    stepsEnded: stepFigureFlows(scope, figures, tables, q.from, needThrough, judge.lastClosed),
    stepsToday: judge.ended
      ? null
      : q.snapshot
        ? snapshotSteps(scope.where, figures, tables.today, q.snapshot, q.from <= today)
        : liveStepsQuery(
            scope,
            live,
            q.from <= today ? open : cut,
            cut,
            q.granularity,
            judge.sinceYesterday,
            judge.tooMany,
          ),
    stepsOpenOverdue:
      judge.ended || judge.sinceYesterday
        ? stepFigureOpenOverdue(scope, figures, tables, judge.ended ? q.to : addDays(today, -1))
        : null,
  };
}

/** The step figures' reads (stepReads) summed by group; groups that count nothing left out. */
function stepGroups(read: { [K in keyof StepReads]: StepCounts[] }): Array<{
  key: string;
  label: string;
  steps: StepTally;
}> {
  const groups = new Map<string, { key: string; label: string; steps: StepTally }>();
  for (const c of [...read.stepsEnded, ...read.stepsToday, ...read.stepsOpenOverdue]) {
    const one = { early: c.early, onTime: c.on_time, overdue: c.overdue, openOverdue: c.open_overdue };
    const g = groups.get(c.key);
    groups.set(c.key, {
      key: c.key,
      label: g?.label ?? c.label,
      steps: addStepTallies(g?.steps ?? emptyStepTally(), one),
    });
  }
  return [...groups.values()].filter(
    (g) => g.steps.early + g.steps.onTime + g.steps.overdue + g.steps.openOverdue > 0,
  );
}
