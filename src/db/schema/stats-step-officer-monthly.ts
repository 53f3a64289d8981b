import { date, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsUnits, stepCell, stepCounts } from './stats-counts.js';

/** stats_step_officer_daily's ended step runs summed per month (first day of the month). */
export const statsStepOfficerMonthly = pgTable(
  'stats_step_officer_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    ...stepCell(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_officer_monthly_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode, t.officerCode, t.stepCode],
    }),
  ],
);
