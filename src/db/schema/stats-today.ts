import { boolean, index, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';
import { statsCell, statsCounts, statsUnits, stepCell, stepCounts } from './stats-counts.js';

/**
 * The worker's snapshots of today's figures (src/stats/today.ts), in two slots written in turn, so that an answer
 * reading the newest is never disturbed by the next: the instant each counts up to; `since_yesterday`, whether
 * its pending-overdue counts are changes to yesterday's figures (else whole counts, on a day with too many
 * changes); `granularity`, the outcome granularity it was judged with.
 */
export const statsTodaySnapshots = pgTable('stats_today_snapshots', {
  slot: smallint('slot').primaryKey(),
  takenAt: instant('taken_at').notNull(),
  sinceYesterday: boolean('since_yesterday').notNull(),
  granularity: text('granularity').notNull(),
});

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
