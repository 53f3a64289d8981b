import {
  bigint,
  boolean,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
} from 'drizzle-orm/pg-core';
import { instant, pgSnapshot } from './columns.js';
import { cumulativeFlows, statsCell, statsCounts, statsUnits, stepCell, stepCounts } from './stats-counts.js';

/**
 * The worker's snapshots of today's figures (src/stats/today.ts), in two slots written in turn, so that an answer
 * reading the newest is never disturbed by the next: the instant each counts up to; `since_yesterday`, whether
 * its pending-overdue counts are changes to yesterday's figures (else whole counts, on a day with too many
 * changes); `granularity`, the outcome granularity it was judged with; `seen`, which transactions the snapshot's
 * own saw (its shares were counted from those: the slot's next snapshot counts again the dossiers of the others),
 * and `shares_at`, the instant its shares were counted at (a worker of an earlier version, during an upgrade,
 * writes the slot's cells without them: its `taken_at` then differs, and the next snapshot counts every dossier).
 */
export const statsTodaySnapshots = pgTable('stats_today_snapshots', {
  slot: smallint('slot').primaryKey(),
  takenAt: instant('taken_at').notNull(),
  sinceYesterday: boolean('since_yesterday').notNull(),
  granularity: text('granularity').notNull(),
  seen: pgSnapshot('seen'),
  sharesAt: instant('shares_at'),
  /**
   * The slot's instant when its shares also hold the pending-overdue and open-overdue counts (src/stats/today.ts:
   * counted with the day's granularity since yesterday's figures), else null; a snapshot that counts them whole
   * leaves it behind its instant.
   */
  openSharedAt: instant('open_shared_at'),
});

/**
 * Each dossier's share of a slot's flows of today (src/stats/today.ts): received today, finished today and how,
 * and its pending-overdue count, at the slot's instant, in its cell. Only dossiers that count something have one.
 */
export const statsTodayShares = pgTable(
  'stats_today_shares',
  {
    slot: smallint('slot').notNull(),
    dossierId: bigint('dossier_id', { mode: 'number' }).notNull(),
    ...statsCell(),
    ...cumulativeFlows(),
    pendingOverdue: integer('pending_overdue').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'stats_today_shares_pk', columns: [t.slot, t.dossierId] })],
);

/**
 * Each step run's share of a slot's step runs ended today (src/stats/today.ts), its cell and outcome, and of its
 * open-overdue count.
 */
export const statsStepTodayShares = pgTable(
  'stats_step_today_shares',
  {
    slot: smallint('slot').notNull(),
    dossierId: bigint('dossier_id', { mode: 'number' }).notNull(),
    seq: integer('seq').notNull(),
    ...statsCell(),
    ...stepCell(),
    early: integer('early').notNull(),
    onTime: integer('on_time').notNull(),
    overdue: integer('overdue').notNull(),
    openOverdue: integer('open_overdue').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'stats_step_today_shares_pk', columns: [t.slot, t.dossierId, t.seq] })],
);

// Each table of a snapshot's cells has a second index, by slot and resolving unit: an answer attributed to the
// resolving unit (the default) joins a subtree's units to their cells one unit at a time (the plan kept for every
// scope), and through the key, whose third column that unit is, each lookup read the whole slot (a province's
// 113 units: 1,456 pages). The unit-grain tables' indexes include their counts (migrations/0034, which the schema
// cannot say), so that those lookups never visit the table.

/** A snapshot's flows of today and pending-overdue counts, by the figures' cell (both units, procedure, channel). */
export const statsToday = pgTable(
  'stats_today',
  { slot: smallint('slot').notNull(), ...statsCell(), ...statsCounts() },
  (t) => [
    primaryKey({
      name: 'stats_today_pk',
      columns: [t.slot, t.unitCode, t.resolvingUnitCode, t.procedureCode, t.channel],
    }),
    index('stats_today_resolving_idx').on(t.slot, t.resolvingUnitCode),
  ],
);

/** The same summed by units and channel, for the answers that need no procedure (a province's in a few hundred rows). */
export const statsUnitToday = pgTable(
  'stats_unit_today',
  { slot: smallint('slot').notNull(), ...statsUnits(), channel: text('channel').notNull(), ...statsCounts() },
  (t) => [
    primaryKey({
      name: 'stats_unit_today_pk',
      columns: [t.slot, t.unitCode, t.resolvingUnitCode, t.channel],
    }),
    index('stats_unit_today_resolving_idx').on(t.slot, t.resolvingUnitCode),
  ],
);

/** A snapshot's step runs ended today and open past their due, by the step figures' cell. */
export const statsStepToday = pgTable(
  'stats_step_today',
  { slot: smallint('slot').notNull(), ...statsCell(), ...stepCell(), ...stepCounts() },
  (t) => [
    primaryKey({
      name: 'stats_step_today_pk',
      columns: [
        t.slot,
        t.unitCode,
        t.resolvingUnitCode,
        t.procedureCode,
        t.channel,
        t.officerCode,
        t.stepCode,
      ],
    }),
    index('stats_step_today_resolving_idx').on(t.slot, t.resolvingUnitCode),
  ],
);

/** The same summed by units and channel, for the answers by nothing, unit or channel. */
export const statsStepUnitToday = pgTable(
  'stats_step_unit_today',
  { slot: smallint('slot').notNull(), ...statsUnits(), channel: text('channel').notNull(), ...stepCounts() },
  (t) => [
    primaryKey({
      name: 'stats_step_unit_today_pk',
      columns: [t.slot, t.unitCode, t.resolvingUnitCode, t.channel],
    }),
    index('stats_step_unit_today_resolving_idx').on(t.slot, t.resolvingUnitCode),
  ],
);

/**
 * How yesterday's end left each dossier changed today, as yesterday's figures counted it (src/stats/today.ts): each
 * snapshot of the day takes these out of yesterday's figures and counts the dossiers as they are at its instant.
 * Judged by history once, when a snapshot first finds the dossier changed today, and again at every snapshot while
 * a change of today reaches back before the day (an event dated before it, or a calendar change that moved a due):
 * whether the dossier was pending and overdue at yesterday's end, and the seq of each of its step runs open and
 * overdue then. Keyed by the day and the outcome granularity judged with; earlier days are deleted by the snapshot.
 */
export const statsTodayJudged = pgTable(
  'stats_today_judged',
  {
    day: date('day', { mode: 'string' }).notNull(),
    granularity: text('granularity').notNull(),
    dossierId: bigint('dossier_id', { mode: 'number' }).notNull(),
    pendingOverdue: boolean('pending_overdue').notNull(),
    overdueStepSeqs: integer('overdue_step_seqs').array().notNull(),
  },
  (t) => [primaryKey({ name: 'stats_today_judged_pk', columns: [t.day, t.granularity, t.dossierId] })],
);
