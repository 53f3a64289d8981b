import { date, index, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsCell, statsCounts } from './stats-counts.js';

/**
 * The counts per closed local day, receiving unit, resolving unit, procedure and channel: both units key the
 * cell, so either attribution sums the same rows (by unit_code or by resolving_unit_code). A dossier resolved
 * where it was received adds no row beyond the receiving unit's.
 */
export const statsDaily = pgTable(
  'stats_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...statsCell(),
    ...statsCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_daily_pk',
      columns: [t.day, t.unitCode, t.resolvingUnitCode, t.procedureCode, t.channel],
    }),
    index('stats_daily_unit_day_idx').on(t.unitCode, t.day),
    index('stats_daily_resolving_day_idx').on(t.resolvingUnitCode, t.day),
  ],
);
