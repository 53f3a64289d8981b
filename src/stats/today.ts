/**
 * Today's figures, taken by the worker every few seconds (STATS_TODAY_INTERVAL_MS): the flows of today up to the
 * snapshot's instant, the pending-overdue counts at it and the step runs ended today and open past their due at
 * it, by the figures' cells (both units, procedure, channel; for the step runs also officer and step) and summed by
 * units and channel (what the answers by nothing, unit or channel read: a few hundred rows a province). They are
 * what ./serving.ts counts live for a period not yet ended, counted once for every cell instead of once per
 * answer; an answer for the current month or year given from a fresh snapshot is the figures of the closed days
 * plus these rows, as of the snapshot's instant (its `asOf`).
 *
 * A snapshot is written into the slot the newest does not hold (two slots, written in turn), so an answer reading
 * the newest finds it whole unless it takes longer than an interval. Each slot keeps each dossier's share of its
 * flows and each step run's share of its ended step runs, counted as the live counts count them, and which
 * transactions its snapshot saw. The slot's next snapshot counts again only the shares of the dossiers that may
 * have changed since (dossiersToRecount: an outbox row of a transaction the last did not see, as every change
 * writes one; a receipt, finish or step end it has passed since), and adds the difference to the cells; the
 * slot's first snapshot of a day counts every dossier. A change made to the dossiers without its outbox row (by
 * hand, in SQL) is counted by the first snapshots of the next day, or at once after the snapshots are marked as
 * counted by no one (shares_at null).
 *
 * The pending-overdue and open-overdue counts are counted whole at each snapshot. As serving.ts counts them, they
 * are changes to yesterday's figures (the dossiers changed today judged at the snapshot less as yesterday's end
 * judged them, and those whose due passed since), or whole counts on a day with too many changes
 * (`since_yesterday` false). How yesterday's end left each dossier changed today is judged by its history once a
 * day and kept (stats_today_judged, judgeYesterday), not again at every snapshot. The job vacuums the tables it
 * writes (those the answers read after every snapshot, the others every few minutes), so that they stay small and
 * their indexes serve the answers alone wherever autovacuum is slow.
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
  liveStepsEndedQuery,
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

/**
 * A family of snapshot tables: the cells' (`cells`, keyed by `key` and the slot) and the same summed by units and
 * channel (`units`), with their `counts` and, for the cells, the columns written beside them (`labels`); the
 * shares of the cells' counts but the last (`shares`, keyed by the slot and `shareKey`), and the last (`open`),
 * counted whole at each snapshot unless the shares keep it (keepsOpenShares).
 */
interface CellTables {
  cells: string;
  units: string;
  key: string[];
  labels: string[];
  counts: string[];
  shares: string;
  shareKey: string[];
  open: string;
}

const UNIT_KEY = ['unit_code', 'resolving_unit_code', 'channel'];

const FLOW_TABLES: CellTables = {
  cells: 'stats_today',
  units: 'stats_unit_today',
  key: ['unit_code', 'resolving_unit_code', 'procedure_code', 'channel'],
  labels: [],
  counts: FLOW_COLUMNS,
  shares: 'stats_today_shares',
  shareKey: ['dossier_id'],
  open: 'pending_overdue',
};

const STEP_TABLES: CellTables = {
  cells: 'stats_step_today',
  units: 'stats_step_unit_today',
  key: ['unit_code', 'resolving_unit_code', 'procedure_code', 'channel', 'officer_code', 'step_code'],
  labels: ['step_name'],
  counts: STEP_COLUMNS,
  shares: 'stats_step_today_shares',
  shareKey: ['dossier_id', 'seq'],
  open: 'open_overdue',
};

/** The counts of a family that shares hold (all but the one counted whole). */
const shared = (t: CellTables) => t.counts.filter((c) => c !== t.open);

/** Columns as a list: each as itself, or written as `template` with the column for each `$`. */
const each = (columns: string[], template = '$', separator = ', ') =>
  sql.raw(columns.map((c) => template.replaceAll('$', c)).join(separator));

/**
 * The tables the answers read, which the job vacuums after every snapshot: their indexes serve the answers alone
 * (index-only scans) only while the visibility map says their pages hold no changed rows.
 */
const READ_TABLES = [FLOW_TABLES, STEP_TABLES].flatMap((t) => [sql.raw(t.cells), sql.raw(t.units)]);

/** The job's other tables, vacuumed every VACUUM_INTERVAL_MS. */
const OTHER_TABLES = [
  ...[FLOW_TABLES, STEP_TABLES].map((t) => sql.raw(t.shares)),
  sql`stats_today_snapshots`,
  sql`stats_today_judged`,
];

// The shares as the live counts give them: grouped by a key that starts with the dossier's id (and the step run's
// seq), one row each.
const flowShare = {
  key: sql`array[f.id::text, f.unit_code, f.resolving_unit_code, f.procedure_code, f.channel]`,
  label: sql`''`,
  joins: sql``,
  byProcedure: false,
} satisfies Grouping;

const stepShare = {
  key: sql`array[f.id::text, s.seq::text, f.unit_code, f.resolving_unit_code, f.procedure_code, f.channel,
    s.officer_code, s.step_code]`,
  label: sql`s.step_name`,
  joins: sql``,
  byProcedure: false,
} satisfies Grouping;

/** The columns of a row whose `key` array holds `names` in order, named so (the first a bigint, as ids are). */
const keyColumns = (names: string[], ids: number) =>
  sql.raw(names.map((n, i) => `key[${i + 1}]${i < ids ? '::bigint' : ''} as ${n}`).join(', '));

/**
 * Makes `table`'s rows of the slot those of the common table `source` (key columns, then `values`), writing only
 * what differs from what the slot holds (most rows unchanged): the slot's rows whose key the source lacks are
 * deleted, the others inserted or updated where a value differs. The rows that differ are found first, whole rows
 * compared in one set operation (EXCEPT ALL, hashed in the work_mem writeSnapshot sets): an upsert of every row
 * would look each one up and lock it, unchanged or not. Three common tables of a statement.
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
  const columns = each([...key, ...values]);
  const keyList = each(key);
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
        set ${each(values, '$ = excluded.$')})`;
}

/**
 * Counts again the shares of the dossiers `recount` names (all of them when null: the slot's shares were deleted)
 * into the slot, from `fresh` (the live counts grouped by share: flowShare, stepShare; with `openShared`, the
 * count the snapshot otherwise counts whole too: withOpenCount), and adds to the slot's cells what changed: the
 * new shares less the old. A cell's label is the least it was given (the whole count's
 * min()); a cell that no longer counts anything is deleted by finishCells.
 */
async function countShares(
  tx: Tx,
  slot: number,
  fresh: SQL,
  recount: SQL | null,
  t: CellTables,
  openShared: boolean,
) {
  const counts = openShared ? t.counts : shared(t);
  const shares = sql.raw(t.shares);
  const cells = sql.raw(t.cells);
  const shareKey = each(t.shareKey);
  const values = [...t.key, ...t.labels, ...counts];
  const mine = recount === null ? sql`false` : sql`slot = ${slot} and dossier_id = any(${recount})`;
  await tx.execute(sql`
    with fresh as materialized (
      select ${keyColumns([...t.shareKey, ...t.key], t.shareKey.length)}, ${each(t.labels, 'label as $, ')}
        ${each(counts)}
      from (${fresh}) q),
    old as materialized (select ${each(values)} from ${shares} where ${mine}),
    gone as (delete from ${shares} where ${mine} and (${shareKey}) not in (select ${shareKey} from fresh)),
    put as (
      insert into ${shares} (slot, ${shareKey}, ${each(values)})
      select ${slot}, ${shareKey}, ${each(values)} from fresh
      on conflict (slot, ${shareKey}) do update set ${each(values, '$ = excluded.$')}),
    delta as (
      select ${each(t.key)}, ${each(t.labels, 'min($) as $, ')} ${each(counts, 'sum($)::int as $')}
      from (
        select ${each(values)} from fresh
        union all
        select ${each([...t.key, ...t.labels])}, ${each(counts, '-$')} from old) d
      group by ${each(t.key)}
      having ${each(counts, 'sum($) <> 0', ' or ')})
    insert into ${cells} (slot, ${each(values)})
    select ${slot}, ${each(values)} from delta
    on conflict (slot, ${each(t.key)}) do update
      set ${each(t.labels, `$ = least(${t.cells}.$, excluded.$), `)} ${each(counts, `$ = ${t.cells}.$ + excluded.$`)}`);
}

/**
 * The shares `fresh` (the family's counts but its open one) with the open count `open` (rows of a share's key, a
 * label and the count `n`) beside, one row a share (the first `shareKey` parts of its key); a share that counts
 * nothing is left out. A step run's open count is read from its dossier's row today and from its history as
 * yesterday's figures took it: both name the same cell, as every action keeps the row's holder and step those of
 * its open run; were they to differ, its share would take the least of the two cells rather than hold both.
 */
function withOpenCount(fresh: SQL, open: SQL, t: CellTables): SQL {
  const counts = shared(t);
  return sql`
    select min(key) as key, min(label) as label, ${each(t.counts, 'sum($)::int as $')}
    from (
      select key, label, ${each(counts)}, 0 as ${sql.raw(t.open)} from (${fresh}) f
      union all
      select key, label, ${each(counts, '0 as $')}, n from (${open}) o) parts
    group by key[1:${sql.raw(String(t.shareKey.length))}]
    having ${each(t.counts, 'sum($) <> 0', ' or ')}`;
}

/**
 * Whether a snapshot keeps the open counts (pending overdue, open overdue) in its shares rather than counting them
 * whole: with the day's granularity, since yesterday's figures, and no more changes since its instant than the
 * newest events show. Then a dossier's part of them is as yesterday's figures took it (stats_today_judged) and as
 * its row or history gives it today, and changes only when the dossier does (a change writes an outbox row; an
 * event dated ahead takes effect once reached: dossiersToRecount finds both), as its flows do. To the minute, a
 * dossier falls overdue as the clock passes its due, with nothing written.
 */
const keepsOpenShares = (granularity: Granularity, sinceYesterday: boolean, tooMany: boolean) =>
  granularity === 'day' && sinceYesterday && !tooMany;

/**
 * Sets the count the snapshot counts whole (pending overdue, open overdue) in the slot's cells to `whole` (rows of
 * a key array, a label and the count `n`): where it changed, and to zero where `whole` no longer counts the cell.
 * A label of `whole` less than the cell's replaces it, as countShares does: a cell's label is the least it was
 * given since the slot's first snapshot of the day (the whole count's min() unless a step was renamed that day).
 * The rows that differ from the slot's cells are found first, as replaceSlotRows finds them (a cell that counts
 * none is never equal to a row of `whole`, which counts some): an upsert of every row would lock each unchanged
 * cell it looks at, a write to its page and to the WAL.
 */
async function setWholeCount(tx: Tx, slot: number, whole: SQL, t: CellTables) {
  const cells = sql.raw(t.cells);
  const key = each(t.key);
  const open = sql.raw(t.open);
  const columns = each([...t.key, ...t.labels]);
  await tx.execute(sql`
    with whole as materialized (
      select ${keyColumns(t.key, 0)}, ${each(t.labels, 'min(label) as $, ')} sum(n)::int as n
      from (${whole}) q group by key having sum(n) <> 0),
    cleared as (
      update ${cells} set ${open} = 0
      where slot = ${slot} and ${open} <> 0 and (${key}) not in (select ${key} from whole)),
    changed as (
      select ${columns}, n from whole
      except all
      select ${columns}, ${open} from ${cells} where slot = ${slot} and ${open} <> 0),
    put as (
      insert into ${cells} (slot, ${each([...t.key, ...t.labels, t.open])})
      select ${slot}, ${each([...t.key, ...t.labels])}, n from changed
      on conflict (slot, ${key}) do update
        set ${open} = excluded.${open} ${each(t.labels, `, $ = least(${t.cells}.$, excluded.$)`, '')}
        where ${cells}.${open} <> excluded.${open} ${each(t.labels, ` or ${t.cells}.$ > excluded.$`, '')})
    select 1`);
}

/**
 * Deletes the slot's cells that count nothing, then writes their sums by units and channel; returns the number of
 * cells.
 */
async function finishCells(tx: Tx, slot: number, t: CellTables): Promise<number> {
  const cells = sql.raw(t.cells);
  await tx.execute(sql`delete from ${cells} where slot = ${slot} and ${each(t.counts, '$ = 0', ' and ')}`);
  const [written] = await rows<{ n: number }>(
    tx,
    sql`
    with units as materialized (
      select ${each(UNIT_KEY)}, ${each(t.counts, 'sum($)::int as $')}
      from ${cells} where slot = ${slot} group by ${each(UNIT_KEY)}),
    ${replaceSlotRows('unit', t.units, slot, 'units', UNIT_KEY, t.counts)}
    select (select count(*)::int from ${cells} where slot = ${slot}) as n`,
  );
  return written?.n ?? 0;
}

/** The slot's newest snapshot, as its next one reads it. */
interface SlotRow {
  slot: number;
  taken_at: string;
  seen: string | null;
  counted: boolean;
  /** Whether its shares hold the open counts (keepsOpenShares). */
  open_shared: boolean;
}

/**
 * The dossiers whose shares the slot's next snapshot, at `at`, counts again (as an array literal), or null for all
 * of them: those changed since the slot's newest snapshot (an outbox row of a transaction it did not see, so that
 * a late commit is never missed) and those with a receipt, a finish, a step run's end or any event dated between
 * its instant and `at` (dated ahead, or not yet reached). All of them when the slot has no snapshot of today whose
 * shares this version counted (none, or its cells written since by a worker of an earlier version), or one taken
 * after `at` (a clock set back), or when this one keeps the open counts in the shares (`openShared`) and that one
 * counted them whole.
 */
async function dossiersToRecount(
  tx: Tx,
  previous: SlotRow | undefined,
  at: Date,
  openShared: boolean,
): Promise<string | null> {
  if (!previous?.seen || !previous.counted || (openShared && !previous.open_shared)) return null;
  const today = localDateOf(at);
  const takenAt = new Date(previous.taken_at);
  if (localDateOf(takenAt) !== today || takenAt > at) return null;
  const since = answerInstants(today, today, takenAt).cut;
  const { cut } = answerInstants(today, today, at);
  const seen = sql`${previous.seen}::pg_snapshot`;
  const [row] = await rows<{ ids: string }>(
    tx,
    sql`select array(
      select dossier_id from outbox
      where txid >= pg_snapshot_xmin(${seen}) and not pg_visible_in_snapshot(txid, ${seen})
        and dossier_id is not null
      union select id from dossiers where received_at >= ${since} and received_at < ${cut}
      union select id from dossiers where finished_at >= ${since} and finished_at < ${cut}
      union select dossier_id from dossier_steps where end_at >= ${since} and end_at < ${cut}
      union select dossier_id from dossier_events where at > recorded_at and at >= ${since} and at < ${cut})::text as ids`,
  );
  return row?.ids ?? '{}';
}

/**
 * How often the job vacuums the tables the answers do not read: a snapshot writes only what changed, so a few
 * minutes leave few dead rows, and vacuuming the shares after every snapshot cost as much as a third of it.
 */
const VACUUM_INTERVAL_MS = 5 * 60_000;

/**
 * Scheduled job: takes a snapshot of today's figures at the clock's instant, in one transaction that reads one
 * state of the database, into the slot the newest snapshot does not hold; then vacuums the tables the answers read
 * and, when the snapshot is the first of a VACUUM_INTERVAL_MS (or of all), the others it writes. A second worker's
 * run while one writes does nothing. Returns the number of cells the snapshot holds.
 */
export async function takeTodaySnapshot(ctx: JobContext): Promise<number> {
  const written = await writeSnapshot(ctx);
  if (written)
    await ctx.db.execute(
      sql`vacuum ${sql.join([...READ_TABLES, ...(written.vacuumAll ? OTHER_TABLES : [])], sql`, `)}`,
    );
  return written?.cells ?? 0;
}

/**
 * The snapshot: the slot's shares counted again where they may have changed since the slot's newest snapshot (all
 * of them on its first of the day: dossiersToRecount), the difference added to its cells; the pending and open
 * overdue counted whole, as the live counts count them; the units' sums written from the cells.
 */
async function writeSnapshot(ctx: JobContext): Promise<{ cells: number; vacuumAll: boolean } | null> {
  const granularity = ctx.config.OUTCOME_GRANULARITY;
  return ctx.db.transaction(
    async (tx) => {
      const [lock] = await rows<{ ok: boolean }>(
        tx,
        sql`select pg_try_advisory_xact_lock(${SNAPSHOT_LOCK}) as ok`,
      );
      if (!lock?.ok) return null;
      // The shares, the cells and the units' sums are matched in memory (hashed NOT IN and EXCEPT ALL): room for
      // a province's tens of thousands of them, which PostgreSQL's default would refuse.
      await tx.execute(sql`set local work_mem = '64MB'`);
      const slots = await rows<SlotRow>(
        tx,
        sql`select slot, taken_at, seen::text as seen, shares_at = taken_at as counted,
            open_shared_at is not distinct from taken_at as open_shared
          from stats_today_snapshots order by taken_at desc`,
      );
      const slot = slots[0] ? 1 - slots[0].slot : 0;
      const at = ctx.clock();
      const today = localDateOf(at);
      const { open, cut } = answerInstants(today, today, at);
      const sinceYesterday = await fewChangedAfter(tx, new Date(open.getTime() - 1));
      const tooMany = await tooManyChangedSince(tx, new Date(cut.getTime() - 1));
      const judged = sinceYesterday ? await judgeYesterday(tx, at, open, granularity, tooMany) : undefined;
      const openShared = keepsOpenShares(granularity, sinceYesterday, tooMany);
      const ids = await dossiersToRecount(
        tx,
        slots.find((s) => s.slot === slot),
        at,
        openShared,
      );
      if (ids === null)
        for (const t of [FLOW_TABLES, STEP_TABLES])
          for (const table of [t.shares, t.cells])
            await tx.execute(sql`delete from ${sql.raw(table)} where slot = ${slot}`);
      // The ids as a subquery's value, which the planner does not read: estimating `id = any(array)` element by
      // element, for every index it weighed, took it half a second for a few thousand ids.
      const recount = ids === null ? null : sql`array(select unnest(${ids}::bigint[]))`;
      const scope: Scope =
        recount === null
          ? everything
          : { where: sql`f.id = any(${recount})`, dossiers: sql`dossiers`, tree: false };
      // The step runs are those of the dossiers to count again (`runs`), their dossiers joined to them by id.
      // Restricted by the same ids as the dossiers' scope too, the planner read the dossiers of every id again for
      // each step run (a nested loop: 235,000 buffers for 88 step runs of 16,745 dossiers during a bulk intake).
      const runs = recount === null ? sql`true` : sql`dossier_id = any(${recount})`;
      const flows = liveFlowsQuery(scope, flowShare, today, at);
      const stepsEnded = liveStepsEndedQuery(everything, stepShare, open, cut, runs);
      // The open counts as the live counts count them: of the scope's dossiers, by share, when the shares keep
      // them; else of every dossier, by cell, counted whole.
      const openCounts = (
        shareScope: Scope,
        flowGrouping: Grouping,
        stepGrouping: Grouping,
        judgements: SQL | undefined,
      ) => ({
        pending: livePendingOverdueQuery(
          shareScope,
          flowGrouping,
          at,
          granularity,
          sinceYesterday,
          tooMany,
          judgements,
        ),
        steps: sql`select key, label, open_overdue as n from (${liveStepsQuery(
          shareScope,
          stepGrouping,
          open,
          cut,
          granularity,
          sinceYesterday,
          tooMany,
          judgements,
          false,
        )}) q`,
      });
      if (openShared) {
        // Today's changed dossiers are those of the judgements (changedTodayCtes): only those to count again are
        // read, so that counting a few dossiers again does not read every dossier changed today. The ids are
        // matched through a hashed subquery here: as an array checked on each row its parts read (most of them
        // read the rows through another index), 3,000 ids cost 60 ms for 1,001 rows, and each count 0.4-1.3 s
        // during the benchmark's mix (bench/RESULTS.md).
        const judgedHere =
          recount === null ? judged : sql`(select * from ${judged} j where j.dossier_id = any(${recount}))`;
        const shareScope: Scope =
          ids === null
            ? everything
            : { where: sql`f.id in (select unnest(${ids}::bigint[]))`, dossiers: sql`dossiers`, tree: false };
        const { pending, steps } = openCounts(shareScope, flowShare, stepShare, judgedHere);
        await countShares(tx, slot, withOpenCount(flows, pending, FLOW_TABLES), recount, FLOW_TABLES, true);
        await countShares(
          tx,
          slot,
          withOpenCount(stepsEnded, steps, STEP_TABLES),
          recount,
          STEP_TABLES,
          true,
        );
      } else {
        await countShares(tx, slot, flows, recount, FLOW_TABLES, false);
        await countShares(tx, slot, stepsEnded, recount, STEP_TABLES, false);
        const { pending, steps } = openCounts(everything, flowCell, stepCell, judged);
        await setWholeCount(tx, slot, pending, FLOW_TABLES);
        await setWholeCount(tx, slot, steps, STEP_TABLES);
      }
      const flowsWritten = await finishCells(tx, slot, FLOW_TABLES);
      const stepsWritten = await finishCells(tx, slot, STEP_TABLES);
      await tx.execute(sql`
        insert into stats_today_snapshots
          (slot, taken_at, since_yesterday, granularity, seen, shares_at, open_shared_at)
        values (${slot}, ${at}, ${sinceYesterday}, ${granularity}, pg_current_snapshot(), ${at},
          ${openShared ? at : null})
        on conflict (slot) do update set taken_at = excluded.taken_at, since_yesterday = excluded.since_yesterday,
          granularity = excluded.granularity, seen = excluded.seen, shares_at = excluded.shares_at,
          open_shared_at = excluded.open_shared_at`);
      const newest = slots[0] && new Date(slots[0].taken_at).getTime();
      const interval = (t: number) => Math.floor(t / VACUUM_INTERVAL_MS);
      return {
        cells: flowsWritten + stepsWritten,
        vacuumAll: !newest || interval(at.getTime()) !== interval(newest),
      };
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
