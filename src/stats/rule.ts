/**
 * The II.06a rule in SQL: named fragments that every statistics query composes (the direct statistics in
 * ./direct.ts, the figures the worker maintains in ./maintenance.ts, the live parts of an answer in
 * ./serving.ts). The reference is src/domain/statistics.ts; the tests hold every query equal to it.
 *
 * A fragment takes the alias of a dossier row (`d`: e.g. sql`f`) and the instants it is judged at, as values
 * (Date) or SQL expressions (timestamptz).
 */
import { sql, type SQL } from 'drizzle-orm';
import { inSubtree } from '../db/sql.js';
import { NO_OFFICER, type Attribution } from '../domain/statistics.js';
import { overdueBefore, type Granularity } from '../domain/timeliness.js';

type Instant = Date | SQL;

/** Received before `at` (a dossier never received has no received_at and never counts). */
export const receivedBefore = (d: SQL, at: Instant): SQL => sql`${d}.received_at < ${at}`;

/** Received in [`from`, `until`). */
export const receivedIn = (d: SQL, from: Instant, until: Instant): SQL =>
  sql`(${d}.received_at >= ${from} and ${d}.received_at < ${until})`;

/** Not finished (resolved, returned, withdrawn or stopped) before `at`: still open at `at`. */
export const notFinishedBefore = (d: SQL, at: Instant): SQL =>
  sql`(${d}.finished_at is null or ${d}.finished_at >= ${at})`;

/** Finished in [`from`, `until`). */
export const finishedIn = (d: SQL, from: Instant, until: Instant): SQL =>
  sql`(${d}.finished_at >= ${from} and ${d}.finished_at < ${until})`;

/** Carried over into a period opening at `open`: received before it and still open at it. */
export const carriedOver = (d: SQL, open: Instant): SQL =>
  sql`(${receivedBefore(d, open)} and ${notFinishedBefore(d, open)})`;

/**
 * The received columns `received`, `online`, `direct`, `postal` (by channel), counting the rows where `where`
 * holds.
 */
export function receivedCounts(d: SQL, where: SQL): SQL {
  const channel = (name: 'online' | 'direct' | 'postal') =>
    sql`count(*) filter (where ${where} and ${d}.channel = ${sql.raw(`'${name}'`)})::int as ${sql.raw(name)}`;
  return sql`count(*) filter (where ${where})::int as received, ${channel('online')}, ${channel('direct')}, ${channel('postal')}`;
}

/**
 * The finished columns `early`, `on_time`, `overdue` (a resolved or returned dossier by its recorded outcome;
 * none recorded counts as overdue), `withdrawn` and `stopped` (any other finish), counting the finished rows
 * where `where` holds (all of them without it).
 */
export function finishedCounts(d: SQL, where?: SQL): SQL {
  const w = where ? sql`${where} and ` : sql``;
  const resolved = sql`${d}.status in ('resolved', 'returned')`;
  return sql`
    count(*) filter (where ${w}${resolved} and ${d}.outcome = 'early')::int as early,
    count(*) filter (where ${w}${resolved} and ${d}.outcome = 'on_time')::int as on_time,
    count(*) filter (where ${w}${resolved} and (${d}.outcome is null or ${d}.outcome = 'overdue'))::int as overdue,
    count(*) filter (where ${w}${d}.status = 'withdrawn')::int as withdrawn,
    count(*) filter (where ${w}${d}.status not in ('resolved', 'returned', 'withdrawn'))::int as stopped`;
}

/**
 * The "overdue before" threshold of a dossier pending at the instant `at` (an SQL timestamptz): its due makes it
 * overdue when it lies before the midnight beginning `at`'s local date (granularity 'day') or before `at`
 * ('instant'). The SQL twin of overdueBefore in src/domain/timeliness.ts.
 */
export function overdueBeforeSql(at: SQL, granularity: Granularity): SQL {
  return granularity === 'day'
    ? sql`(date_trunc('day', (${at}) at time zone 'Asia/Ho_Chi_Minh') at time zone 'Asia/Ho_Chi_Minh')`
    : at;
}

/** Whether a dossier is paused at `at`: one of its pause cycles holds that instant (its clock is stopped). */
export function pausedAt(dossierId: SQL, at: Instant): SQL {
  return sql`exists (
      select 1 from dossier_pauses dp
      where dp.dossier_id = ${dossierId} and dp.paused_at <= ${at} and (dp.resumed_at is null or dp.resumed_at > ${at}))`;
}

/**
 * The statutory due history as segments (alias chosen by the caller): each change's `due_at` is in force from
 * `seg_start` (its effective_at) until `seg_end` (the next change's, null for the last), for the dossiers
 * `dossierIds` (a subquery of ids).
 */
export function statutorySegments(dossierIds: SQL): SQL {
  return sql`
    select dd.dossier_id, dd.due_at, dd.effective_at as seg_start,
      lead(dd.effective_at) over (partition by dd.dossier_id order by dd.effective_at, dd.id) as seg_end
    from dossier_deadlines dd
    where dd.kind = 'statutory' and dd.dossier_id in (${dossierIds})`;
}

/** Whether segment `s` (of statutorySegments) is the due in force at `at`. */
export const segmentInForceAt = (s: SQL, at: Instant): SQL =>
  sql`(${s}.seg_start <= ${at} and (${s}.seg_end is null or ${s}.seg_end > ${at}))`;

/**
 * Whether a dossier pending at `at` is overdue then by segment `s` of its statutory due history: `s` is the due
 * in force at `at`, that due lies before the threshold of overdueBeforeSql, and the dossier is not paused then.
 */
export function overdueBySegmentAt(dossierId: SQL, s: SQL, at: SQL, granularity: Granularity): SQL {
  return sql`(${segmentInForceAt(s, at)} and ${s}.due_at < ${overdueBeforeSql(at, granularity)}
    and not ${pausedAt(dossierId, at)})`;
}

/** The statutory due in force at `at`: the history row with the latest effective_at ≤ `at` (null: none). */
export function statutoryDueAt(dossierId: SQL, at: Instant): SQL {
  return sql`(
      select dd.due_at from dossier_deadlines dd
      where dd.dossier_id = ${dossierId} and dd.kind = 'statutory' and dd.effective_at <= ${at}
      order by dd.effective_at desc, dd.id desc limit 1)`;
}

/**
 * Whether a dossier pending at `at` is overdue then: not paused at `at`, and the statutory due in force at `at`
 * lies before the threshold of overdueBeforeSql.
 */
export function pendingOverdueAt(dossierId: SQL, at: Date, granularity: Granularity): SQL {
  return sql`(not ${pausedAt(dossierId, at)}
    and coalesce(${statutoryDueAt(dossierId, at)} < ${overdueBeforeSql(sql`${at}::timestamptz`, granularity)}, false))`;
}

/**
 * The same judgement read from a dossier row's current state, true when nothing was recorded after `at`: pending
 * means not finished and received or processing (a paused dossier is in neither), and the row's due is the
 * statutory due in force. The threshold is a value (overdueBefore), so the planner sees how many dossiers it
 * selects; the pending-due index covers every column the statistics read of these rows.
 */
export function pendingOverdueNow(d: SQL, at: Date, granularity: Granularity): SQL {
  return sql`(${d}.finished_at is null and ${d}.status in ('received', 'processing')
    and ${d}.due_at < ${overdueBefore(at, granularity)}::timestamptz)`;
}

/** The statistics of units under the unit at `unitPath` (null: all units), over units joined as `u`. */
export const unitScope = (unitPath: string | null): SQL =>
  unitPath === null ? sql`true` : inSubtree(sql`u.path`, unitPath);

/**
 * The column of a dossier or figure row `f` holding the unit it is counted for (src/domain/statistics.ts,
 * attributedUnit): the resolving unit, or the receiving unit.
 */
export const attributedUnit = (attribution: Attribution): SQL =>
  attribution === 'resolving' ? sql`f.resolving_unit_code` : sql`f.unit_code`;

/**
 * The dossiers a statistics query reads (to alias `f`, joined to the attributed unit as `u` after it, and
 * restricted to unitScope(unitPath) there too), with every column the rule and the groupings read. Attributed to
 * the receiving unit, the table itself. Attributed to the resolving unit, the rows of the units under `unitPath`
 * in two parts, each joined to its units inside: those resolved where they were received, reached through the
 * receiving unit's indexes exactly as the receiving attribution reaches them, and the few resolved elsewhere,
 * through the partial indexes on the resolving unit. The query's own conditions on `f` reach into both parts;
 * a join on the resolving unit alone would have no index to use.
 */
export function attributedDossiers(attribution: Attribution, unitPath: string | null): SQL {
  if (attribution === 'receiving') return sql`dossiers`;
  const part = (unit: SQL, resolvedThere: SQL) => sql`
    select d.id, d.unit_code, ${unit} as resolving_unit_code, d.procedure_code, d.channel, d.status, d.received_at,
      d.finished_at, d.outcome, d.due_at, d.paused_at, d.holder_officer_code, d.current_step_seq,
      d.current_step_code, d.current_step_name, d.current_step_due_at
    from dossiers d join units u on u.code = ${unit}
    where ${resolvedThere} and ${unitScope(unitPath)}`;
  return sql`(${part(sql`d.unit_code`, sql`not d.resolved_elsewhere`)}
    union all ${part(sql`d.resolving_unit_code`, sql`d.resolved_elsewhere`)})`;
}

/**
 * Whether a dossier or figure row `f` involves one of `unitCodes` (received or resolved there): the cells a
 * recompute of those units rewrites (./maintenance.ts).
 */
export const involves = (f: SQL, unitCodes: string[]): SQL =>
  sql`(${f}.unit_code = any(${sql.param(unitCodes)}::text[]) or ${f}.resolving_unit_code = any(${sql.param(unitCodes)}::text[]))`;

/**
 * The same of a dossier row `d`, each half with an index to read it by (the second, the partial indexes of the
 * dossiers resolved elsewhere than they were received).
 */
export const dossierInvolves = (d: SQL, unitCodes: string[]): SQL =>
  sql`(${d}.unit_code = any(${sql.param(unitCodes)}::text[])
    or (${d}.resolved_elsewhere and ${d}.resolving_unit_code = any(${sql.param(unitCodes)}::text[])))`;

// ---------------------------------------------------------------------------------------------------------
// Step runs (src/domain/statistics.ts, stepTallyOf): a fragment takes the alias of a step row `s` (dossier_steps,
// or anything with its start_at, due_at, end_at, outcome and pauses).

/** Ended in [`from`, `until`). */
export const stepEndedIn = (s: SQL, from: Instant, until: Instant): SQL =>
  sql`(${s}.end_at >= ${from} and ${s}.end_at < ${until})`;

/** Open at the instant before `cut`: started before it, not ended before it. */
export const stepOpenAt = (s: SQL, cut: Instant): SQL =>
  sql`(${s}.start_at < ${cut} and (${s}.end_at is null or ${s}.end_at >= ${cut}))`;

/** Whether one of the step run's pauses holds `at`. */
export const stepPausedAt = (s: SQL, at: SQL): SQL => sql`exists (
      select 1 from jsonb_array_elements(${s}.pauses) sp
      where (sp->>'from')::timestamptz <= ${at} and (sp->>'to' is null or (sp->>'to')::timestamptz > ${at}))`;

/**
 * The step run's due in force at `at`: its due before the first pause that began after `at` (a resume moved it
 * since), else its due now. The SQL twin of stepDueAt.
 */
export const stepDueAt = (s: SQL, at: SQL): SQL => sql`coalesce((
      select (sp.v->>'dueBefore')::timestamptz from jsonb_array_elements(${s}.pauses) with ordinality sp(v, i)
      where (sp.v->>'from')::timestamptz > ${at} order by sp.i limit 1), ${s}.due_at)`;

/**
 * Whether a step run open at `at` (an SQL timestamptz) is overdue then: not paused, and its due in force then
 * before the threshold of overdueBeforeSql.
 */
export const stepOverdueAt = (s: SQL, at: SQL, granularity: Granularity): SQL =>
  sql`(not ${stepPausedAt(s, at)} and ${stepDueAt(s, at)} < ${overdueBeforeSql(at, granularity)})`;

/** The earliest due a step run ever had (the due before its first pause, else its due now). */
export const stepFirstDue = (s: SQL): SQL =>
  sql`coalesce((${s}.pauses->0->>'dueBefore')::timestamptz, ${s}.due_at)`;

/**
 * The step columns `step_early`, `step_on_time`, `step_overdue` (ended in [open, cut) by their outcome; none
 * recorded counts as overdue) and `step_open_overdue` (open at `at` = cut − 1 ms and overdue then).
 */
export function stepCounts(s: SQL, open: Date, cut: Date, at: Date, granularity: Granularity): SQL {
  const ended = stepEndedIn(s, open, cut);
  const t = sql`${at}::timestamptz`;
  return sql`
    count(*) filter (where ${ended} and ${s}.outcome = 'early')::int as step_early,
    count(*) filter (where ${ended} and ${s}.outcome = 'on_time')::int as step_on_time,
    count(*) filter (where ${ended} and (${s}.outcome is null or ${s}.outcome = 'overdue'))::int as step_overdue,
    count(*) filter (where ${stepOpenAt(s, cut)} and ${stepOverdueAt(s, t, granularity)})::int as step_open_overdue`;
}

/**
 * The open step run of a dossier `f` as its row holds it now (alias `s`, for the groupings): its seq, holder,
 * step and due; with the dossier's pause, what "open and overdue now" reads of a dossier not changed since
 * (openStepOverdueNow).
 */
export const currentStepRun = (f: SQL): SQL => sql`(
  select ${f}.current_step_seq as seq, coalesce(${f}.holder_officer_code, ${NO_OFFICER}) as officer_code,
    ${f}.current_step_code as step_code, ${f}.current_step_name as step_name)`;

/**
 * Whether the open step run of a dossier `f` is overdue at `at`, read from the dossier's row: right for a dossier
 * with nothing recorded after `at` nor dated after it (its row is its state then), through the open-step-due
 * index. Not while the dossier is paused (no step clock runs).
 */
export function openStepOverdueNow(f: SQL, at: Date, granularity: Granularity): SQL {
  return sql`(${f}.finished_at is null and ${f}.current_step_due_at is not null and ${f}.paused_at is null
    and ${f}.current_step_due_at < ${overdueBefore(at, granularity)}::timestamptz)`;
}

/**
 * Whether the open step run of a dossier `f`, read from its row, has its due in [`from`, `until`) and runs (not
 * paused): for a dossier not changed since before `from`, whether it became overdue between two instants whose
 * thresholds (overdueBefore) are `from` and `until`.
 */
export function openStepDueBetween(f: SQL, from: Date, until: Date): SQL {
  return sql`(${f}.finished_at is null and ${f}.current_step_due_at is not null and ${f}.paused_at is null
    and ${f}.current_step_due_at >= ${from}::timestamptz and ${f}.current_step_due_at < ${until}::timestamptz)`;
}

/**
 * The same of a dossier row `f` itself: pending (as pendingOverdueNow reads it) with its due in [`from`, `until`),
 * through the pending-due index.
 */
export function pendingDueBetween(f: SQL, from: Date, until: Date): SQL {
  return sql`(${f}.finished_at is null and ${f}.status in ('received', 'processing')
    and ${f}.due_at >= ${from}::timestamptz and ${f}.due_at < ${until}::timestamptz)`;
}

/**
 * The step runs of the dossiers `f` as the step queries read them (alias `s`): the officer holding each (the
 * NO_OFFICER key when nobody was named) as `officer_code`.
 */
export const stepRuns = stepRunsWhere(sql`true`);

/** The same, only the step runs where `where` holds (over dossier_steps' own columns). */
export function stepRunsWhere(where: SQL): SQL {
  return sql`(
  select dossier_id, seq, coalesce(to_officer_code, ${NO_OFFICER}) as officer_code, step_code, step_name, start_at,
    due_at, end_at, outcome, pauses
  from dossier_steps where ${where})`;
}

export type GroupBy = 'none' | 'unit' | 'procedure' | 'field' | 'channel' | 'officer' | 'step';

/** The groupings by a step run's holder or its step: their rows carry only the step figures. */
export const byStepRun = (groupBy: GroupBy | 'cell'): boolean => groupBy === 'officer' || groupBy === 'step';

/**
 * How an answer is grouped, over rows aliased `f` (dossiers or figures: both carry unit_code,
 * resolving_unit_code, procedure_code and channel) with the attributed unit joined as `u` and, when the
 * grouping needs them, procedures as `p` (`joins`). 'cell' = receiving unit|resolving unit|procedure|channel:
 * the grain of the figures. `byProcedure`: the groups need the procedure grain of the figures (the unit grain
 * suffices otherwise). The groupings by officer and step read the step run `s` (the step figures: `f` itself),
 * with its officer_code (never null), step_code and step_name; the officer joined as `o`.
 */
export interface Grouping {
  key: SQL;
  label: SQL;
  joins: SQL;
  byProcedure: boolean;
}

/** The label of the step runs nobody was named to hold. */
export const NO_OFFICER_LABEL = 'Chưa giao cán bộ';

/** The procedure of a figure or dossier row `f`, joined as `p` (its name and field label the groups by procedure). */
export const procedureJoin = sql`join procedures p on p.code = f.procedure_code`;

export function grouping(groupBy: GroupBy | 'cell', attribution: Attribution, s: SQL = sql`s`): Grouping {
  const unit = attributedUnit(attribution);
  const units = sql`join units u on u.code = ${unit}`;
  const byUnit = { joins: units, byProcedure: false };
  const byProcedure = {
    joins: sql`${units} ${procedureJoin}`,
    byProcedure: true,
  };
  switch (groupBy) {
    case 'cell':
      return {
        key: sql`f.unit_code || '|' || f.resolving_unit_code || '|' || f.procedure_code || '|' || f.channel`,
        label: sql`''`,
        ...byUnit,
      };
    case 'none':
      return { key: sql`'all'`, label: sql`'all'`, ...byUnit };
    case 'unit':
      return { key: unit, label: sql`u.name`, ...byUnit };
    case 'channel':
      return { key: sql`f.channel`, label: sql`f.channel`, ...byUnit };
    case 'procedure':
      return { key: sql`f.procedure_code`, label: sql`p.name`, ...byProcedure };
    case 'field':
      return { key: sql`p.field_code`, label: sql`p.field_name`, ...byProcedure };
    case 'officer':
      return {
        key: sql`${s}.officer_code`,
        label: sql`coalesce(o.full_name, ${NO_OFFICER_LABEL})`,
        joins: sql`${units} left join officers o on o.code = ${s}.officer_code`,
        byProcedure: false,
      };
    case 'step':
      return { key: sql`${s}.step_code`, label: sql`${s}.step_name`, ...byUnit };
  }
}
