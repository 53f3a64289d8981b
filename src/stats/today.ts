/**
 * Today's figures, taken by the worker every few seconds (STATS_TODAY_INTERVAL_MS): the flows of today up to the
 * snapshot's instant, the pending-overdue counts at it and the step runs ended today and open past their due at
 * it, by the figures' cells (both units, procedure, channel; for the step runs also officer and step) and summed by
 * units and channel (what the answers by nothing, unit or channel read: a few hundred rows a province). They are
 * what ./serving.ts counts live for a period not yet ended, counted once for every cell instead of once per
 * answer; an answer for the current month or year given from a fresh snapshot is the figures of the closed days
 * plus these rows, as of the snapshot's instant (its `asOf`).
 *
 * The pending-overdue counts are, as serving.ts counts them, changes to yesterday's figures (the dossiers changed
 * today judged at the snapshot less as yesterday's end judged them, and those whose due passed since), or whole
 * counts on a day with too many changes (`since_yesterday` false). How yesterday's end left each dossier changed
 * today is judged by its history once a day and kept (stats_today_judged, judgeYesterday), not again at every
 * snapshot. A snapshot is written into the slot the newest does not hold (two slots, written in turn), so an answer
 * reading the newest finds it whole unless it takes longer than an interval; only the cells that differ from what
 * the slot held are written. The job vacuums the tables it wrote, so that they stay small wherever autovacuum is
 * slow.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rows } from '../db/sql.js';
import type { Tx } from '../db/client.js';
import { reachesBack } from '../db/schema/dossier-events.js';
import type { Granularity } from '../domain/timeliness.js';
import { localDateOf } from '../domain/local-time.js';
import { answerInstants } from '../domain/statistics.js';
import type { JobContext } from '../jobs/context.js';
import type { Grouping } from './rule.js';
import {
  changedTodayCtes,
  fewChangedAfter,
  liveFlowsQuery,
  livePendingOverdueQuery,
  liveStepsQuery,
  tooManyChangedSince,
  yesterdayJudgements,
  type Scope,
} from './serving.js';

/** How many of the worker's intervals old a snapshot may be for an answer to use it (else today is counted live). */
export const SNAPSHOT_INTERVALS_FRESH = 3;

/** Key of the advisory lock that keeps two workers from writing a snapshot at once. */
const SNAPSHOT_LOCK = 7_305_001;

/** Every dossier of every unit, read as the live counts read them (no unit joined; no figures read). */
const everything: Scope = { where: sql`true`, dossiers: sql`dossiers`, tree: false };

// The cells as arrays of their key columns, in the order of the tables' columns.
const flowCell = {
  key: sql`array[f.unit_code, f.resolving_unit_code, f.procedure_code, f.channel]`,
  label: sql`''`,
  joins: sql``,
  byProcedure: false,
} satisfies Grouping;

const stepCell = {
  key: sql`array[f.unit_code, f.resolving_unit_code, f.procedure_code, f.channel, s.officer_code, s.step_code]`,
  label: sql`s.step_name`,
  joins: sql``,
  byProcedure: false,
} satisfies Grouping;

const FLOW_COLUMNS = ['received', 'early', 'on_time', 'overdue', 'withdrawn', 'stopped', 'pending_overdue'];
const STEP_COLUMNS = ['early', 'on_time', 'overdue', 'open_overdue'];

/** The columns' sums, and a condition that one of them is not zero (a cell that counts something). */
const sums = (columns: string[]) => sql.raw(columns.map((c) => `sum(${c}) as ${c}`).join(', '));
const countsSomething = (columns: string[]) => sql.raw(columns.map((c) => `sum(${c}) <> 0`).join(' or '));

/**
 * A family of snapshot tables: the cells' (`cells`, keyed by `key` and the slot) and the same summed by units and
 * channel (`units`), with their `counts` and, for the cells, the columns written beside them (`labels`).
 */
interface CellTables {
  cells: string;
  units: string;
  key: string[];
  labels: string[];
  counts: string[];
}

const UNIT_KEY = ['unit_code', 'resolving_unit_code', 'channel'];

const FLOW_TABLES: CellTables = {
  cells: 'stats_today',
  units: 'stats_unit_today',
  key: ['unit_code', 'resolving_unit_code', 'procedure_code', 'channel'],
  labels: [],
  counts: FLOW_COLUMNS,
};

const STEP_TABLES: CellTables = {
  cells: 'stats_step_today',
  units: 'stats_step_unit_today',
  key: ['unit_code', 'resolving_unit_code', 'procedure_code', 'channel', 'officer_code', 'step_code'],
  labels: ['step_name'],
  counts: STEP_COLUMNS,
};

/** The snapshot tables, which the job vacuums. */
const TABLES = [FLOW_TABLES, STEP_TABLES].flatMap((t) => [sql.raw(t.cells), sql.raw(t.units)]);

/**
 * Makes `table`'s rows of the slot those of the common table `source` (key columns, then `values`), writing only
 * what differs from what the slot holds (the snapshot two intervals old: most cells unchanged): the slot's rows
 * whose key the source lacks are deleted, the others inserted or updated where a value differs. The rows that
 * differ are found first, whole rows compared in one set operation (EXCEPT ALL, hashed in the work_mem
 * writeSnapshot sets): an upsert of every cell would look each one up and lock it, unchanged or not. Three common
 * tables of a statement.
 */
function replaceSlotRows(
  name: string,
  table: string,
  slot: number,
  source: string,
  key: string[],
  values: string[],
): SQL {
  const target = sql.raw(table);
  const from = sql.raw(source);
  const columns = sql.raw([...key, ...values].join(', '));
  const keyList = sql.raw(key.join(', '));
  const differing = sql.raw(`${name}_differs`);
  return sql`
    ${sql.raw(`${name}_gone`)} as (
      delete from ${target} where slot = ${slot} and (${keyList}) not in (select ${keyList} from ${from})),
    ${differing} as (
      select ${columns} from ${from}
      except all
      select ${columns} from ${target} where slot = ${slot}),
    ${sql.raw(`${name}_put`)} as (
      insert into ${target} (slot, ${columns})
      select ${slot}, ${columns} from ${differing}
      on conflict (slot, ${keyList}) do update
        set ${sql.raw(values.map((c) => `${c} = excluded.${c}`).join(', '))})`;
}

/**
 * Writes the slot's cells of a family of tables (`cells`: the rows of its cell table, counted) and their sums by
 * units and channel, in one statement; returns the number of cells.
 */
async function writeCells(tx: Tx, slot: number, cells: SQL, t: CellTables): Promise<number> {
  const [written] = await rows<{ n: number }>(
    tx,
    sql`
    with cells as materialized (${cells}),
    units as materialized (
      select ${sql.raw(UNIT_KEY.join(', '))}, ${sums(t.counts)} from cells group by ${sql.raw(UNIT_KEY.join(', '))}),
    ${replaceSlotRows('cell', t.cells, slot, 'cells', t.key, [...t.labels, ...t.counts])},
    ${replaceSlotRows('unit', t.units, slot, 'units', UNIT_KEY, t.counts)}
    select count(*)::int as n from cells`,
  );
  return written?.n ?? 0;
}

/**
 * Scheduled job: takes a snapshot of today's figures at the clock's instant, in one transaction that reads one
 * state of the database, into the slot the newest snapshot does not hold; then vacuums the tables it wrote. A
 * second worker's run while one writes does nothing. Returns the number of cells the snapshot holds.
 */
export async function takeTodaySnapshot(ctx: JobContext): Promise<number> {
  const written = await writeSnapshot(ctx);
  if (written !== null)
    await ctx.db.execute(
      sql`vacuum ${sql.join([...TABLES, sql`stats_today_snapshots`, sql`stats_today_judged`], sql`, `)}`,
    );
  return written ?? 0;
}

async function writeSnapshot(ctx: JobContext): Promise<number | null> {
  const granularity = ctx.config.OUTCOME_GRANULARITY;
  return ctx.db.transaction(
    async (tx) => {
      const [lock] = await rows<{ ok: boolean }>(
        tx,
        sql`select pg_try_advisory_xact_lock(${SNAPSHOT_LOCK}) as ok`,
      );
      if (!lock?.ok) return null;
      // The cells each statement writes are matched against the slot's in memory (a hashed NOT IN for the keys, a
      // hashed EXCEPT ALL for the rows): room for a province's tens of thousands of cells, which PostgreSQL's
      // default would refuse.
      await tx.execute(sql`set local work_mem = '64MB'`);
      const [newest] = await rows<{ slot: number }>(
        tx,
        sql`select slot from stats_today_snapshots order by taken_at desc limit 1`,
      );
      const slot = newest ? 1 - newest.slot : 0;
      const at = ctx.clock();
      const today = localDateOf(at);
      const { open, cut } = answerInstants(today, today, at);
      const sinceYesterday = await fewChangedAfter(tx, new Date(open.getTime() - 1));
      const tooMany = await tooManyChangedSince(tx, new Date(cut.getTime() - 1));
      const judged = sinceYesterday ? await judgeYesterday(tx, at, open, granularity, tooMany) : undefined;
      const flows = liveFlowsQuery(everything, flowCell, today, at);
      const overdue = livePendingOverdueQuery(
        everything,
        flowCell,
        at,
        granularity,
        sinceYesterday,
        tooMany,
        judged,
      );
      const steps = liveStepsQuery(
        everything,
        stepCell,
        open,
        cut,
        granularity,
        sinceYesterday,
        tooMany,
        judged,
      );
      // Counted and written in the database: the cells never travel to this process.
      const flowCells = sql`
        select key[1] as unit_code, key[2] as resolving_unit_code, key[3] as procedure_code, key[4] as channel,
          ${sums(FLOW_COLUMNS)}
        from (
          select key, received, early, on_time, overdue, withdrawn, stopped, 0 as pending_overdue from (${flows}) a
          union all
          select key, 0, 0, 0, 0, 0, 0, n from (${overdue}) b
        ) cells
        group by key having ${countsSomething(FLOW_COLUMNS)}`;
      const stepCells = sql`
        select key[1] as unit_code, key[2] as resolving_unit_code, key[3] as procedure_code, key[4] as channel,
          key[5] as officer_code, key[6] as step_code, min(label) as step_name, ${sums(STEP_COLUMNS)}
        from (${steps}) cells
        group by key having ${countsSomething(STEP_COLUMNS)}`;
      const flowsWritten = await writeCells(tx, slot, flowCells, FLOW_TABLES);
      const stepsWritten = await writeCells(tx, slot, stepCells, STEP_TABLES);
      await tx.execute(sql`
        insert into stats_today_snapshots (slot, taken_at, since_yesterday, granularity)
        values (${slot}, ${at}, ${sinceYesterday}, ${granularity})
        on conflict (slot) do update set taken_at = excluded.taken_at, since_yesterday = excluded.since_yesterday,
          granularity = excluded.granularity`);
      return flowsWritten + stepsWritten;
    },
    { isolationLevel: 'repeatable read' },
  );
}

/**
 * How yesterday's end left each dossier changed today (yesterdayJudgements), kept in stats_today_judged for the day
 * of `at` (beginning at `dayStart`): the dossiers in today's changes not judged yet are judged by their history,
 * and so again is each one with an event of today that reaches back before the day (reachesBack: a late entry dated
 * on an earlier day, or a calendar change that moved a due), which may have changed how yesterday ended for it.
 * Other days' and other granularities' judgements are deleted. Returns the day's judgements, for the snapshot's
 * reads.
 */
async function judgeYesterday(
  tx: Tx,
  at: Date,
  dayStart: Date,
  granularity: Granularity,
  tooMany: boolean,
): Promise<SQL> {
  const day = localDateOf(at);
  const judged = sql`(select * from stats_today_judged where day = ${day} and granularity = ${granularity})`;
  const { pendingOverdue, overdueStepSeqs } = yesterdayJudgements(sql`f`, dayStart, granularity);
  await tx.execute(sql`delete from stats_today_judged where day <> ${day} or granularity <> ${granularity}`);
  await tx.execute(sql`
    with ${changedTodayCtes(at, tooMany)},
    again as (
      select dossier_id from dossier_events
      where recorded_at >= ${dayStart} and ${reachesBack(sql`type`, sql`at`, sql`recorded_at`)}),
    unjudged as (
      select dossier_id from today
      except
      (select dossier_id from ${judged} j except select dossier_id from again))
    insert into stats_today_judged (day, granularity, dossier_id, pending_overdue, overdue_step_seqs)
    select ${day}, ${granularity}, f.id, ${pendingOverdue}, ${overdueStepSeqs}
    from dossiers f where f.id = any(array(select dossier_id from unjudged))
    on conflict (day, granularity, dossier_id) do update
      set pending_overdue = excluded.pending_overdue, overdue_step_seqs = excluded.overdue_step_seqs
      where (stats_today_judged.pending_overdue, stats_today_judged.overdue_step_seqs)
        is distinct from (excluded.pending_overdue, excluded.overdue_step_seqs)`);
  return judged;
}
