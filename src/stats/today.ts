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
 * counts on a day with too many changes (`since_yesterday` false). A snapshot is written into the slot the newest
 * does not hold (two slots, written in turn), so an answer reading the newest finds it whole unless it takes longer
 * than an interval. The job vacuums the tables it rewrote, so that they stay small wherever autovacuum is slow.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rows } from '../db/sql.js';
import { localDateOf } from '../domain/local-time.js';
import { answerInstants } from '../domain/statistics.js';
import type { JobContext } from '../jobs/context.js';
import type { Grouping } from './rule.js';
import {
  fewChangedAfter,
  liveFlowsQuery,
  livePendingOverdueQuery,
  liveStepsQuery,
  tooManyChangedSince,
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
const sums = (columns: string[]) => sql.raw(columns.map((c) => `sum(${c})`).join(', '));
const countsSomething = (columns: string[]) => sql.raw(columns.map((c) => `sum(${c}) <> 0`).join(' or '));

/** The snapshot tables, each summed from the one before it where it has a source. */
const TABLES = [
  sql`stats_today`,
  sql`stats_unit_today`,
  sql`stats_step_today`,
  sql`stats_step_unit_today`,
] as const;

/**
 * Scheduled job: takes a snapshot of today's figures at the clock's instant, in one transaction that reads one
 * state of the database, into the slot the newest snapshot does not hold; then vacuums the rewritten tables. A
 * second worker's run while one writes does nothing. Returns the number of cells written.
 */
export async function takeTodaySnapshot(ctx: JobContext): Promise<number> {
  const written = await writeSnapshot(ctx);
  if (written !== null)
    await ctx.db.execute(sql`vacuum ${sql.join([...TABLES, sql`stats_today_snapshots`], sql`, `)}`);
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
      const flows = liveFlowsQuery(everything, flowCell, today, at);
      const overdue = livePendingOverdueQuery(everything, flowCell, at, granularity, sinceYesterday, tooMany);
      const steps = liveStepsQuery(everything, stepCell, open, cut, granularity, sinceYesterday, tooMany);
      for (const table of TABLES) await tx.execute(sql`delete from ${table} where slot = ${slot}`);
      // Counted and written in the database: the cells never travel to this process.
      await tx.execute(sql`
        insert into stats_today (slot, unit_code, resolving_unit_code, procedure_code, channel, ${sql.raw(FLOW_COLUMNS.join(', '))})
        select ${slot}, key[1], key[2], key[3], key[4], ${sums(FLOW_COLUMNS)}
        from (
          select key, received, early, on_time, overdue, withdrawn, stopped, 0 as pending_overdue from (${flows}) a
          union all
          select key, 0, 0, 0, 0, 0, 0, n from (${overdue}) b
        ) cells
        group by key having ${countsSomething(FLOW_COLUMNS)}`);
      await tx.execute(sql`
        insert into stats_step_today (slot, unit_code, resolving_unit_code, procedure_code, channel, officer_code,
          step_code, step_name, ${sql.raw(STEP_COLUMNS.join(', '))})
        select ${slot}, key[1], key[2], key[3], key[4], key[5], key[6], min(label), ${sums(STEP_COLUMNS)}
        from (${steps}) cells
        group by key having ${countsSomething(STEP_COLUMNS)}`);
      const rollUp = (table: SQL, from: SQL, columns: string[]) => sql`
        insert into ${table} (slot, unit_code, resolving_unit_code, channel, ${sql.raw(columns.join(', '))})
        select slot, unit_code, resolving_unit_code, channel, ${sums(columns)}
        from ${from} where slot = ${slot}
        group by slot, unit_code, resolving_unit_code, channel`;
      await tx.execute(rollUp(sql`stats_unit_today`, sql`stats_today`, FLOW_COLUMNS));
      await tx.execute(rollUp(sql`stats_step_unit_today`, sql`stats_step_today`, STEP_COLUMNS));
      await tx.execute(sql`
        insert into stats_today_snapshots (slot, taken_at, since_yesterday, granularity)
        values (${slot}, ${at}, ${sinceYesterday}, ${granularity})
        on conflict (slot) do update set taken_at = excluded.taken_at, since_yesterday = excluded.since_yesterday,
          granularity = excluded.granularity`);
      const [written] = await rows<{ n: number }>(
        tx,
        sql`select (select count(*) from stats_today where slot = ${slot})
          + (select count(*) from stats_step_today where slot = ${slot}) as n`,
      );
      return Number(written?.n ?? 0);
    },
    { isolationLevel: 'repeatable read' },
  );
}
