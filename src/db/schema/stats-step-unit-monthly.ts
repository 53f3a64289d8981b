import { date, index, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsUnits, stepCounts } from './stats-counts.js';

/** stats_step_unit_daily's ended step runs summed per month (first day of the month). */
export const statsStepUnitMonthly = pgTable(
  'stats_step_unit_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({ name: 'stats_step_unit_monthly_pk', columns: [t.month, t.unitCode, t.resolvingUnitCode] }),
    index('stats_step_unit_monthly_unit_month_idx').on(t.unitCode, t.month),
    index('stats_step_unit_monthly_resolving_month_idx').on(t.resolvingUnitCode, t.month),
  ],
);
