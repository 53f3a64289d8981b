import { date, index, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsUnits, stepCounts } from './stats-counts.js';

/**
 * stats_step_daily summed by receiving and resolving unit per day, for the step figures of the totals and of the
 * answers by unit: a province's in about a thousand rows a month.
 */
export const statsStepUnitDaily = pgTable(
  'stats_step_unit_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...statsUnits(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({ name: 'stats_step_unit_daily_pk', columns: [t.day, t.unitCode, t.resolvingUnitCode] }),
    index('stats_step_unit_daily_unit_day_idx').on(t.unitCode, t.day),
    index('stats_step_unit_daily_resolving_day_idx').on(t.resolvingUnitCode, t.day),
  ],
);
