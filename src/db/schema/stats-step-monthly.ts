import { date, index, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsCell, stepCell, stepCounts } from './stats-counts.js';

/**
 * The ended step runs of stats_step_daily summed per month (first day of the month), for periods of whole
 * months; the open-overdue count (a state at a day's end, not a flow) is read from the daily rows.
 */
export const statsStepMonthly = pgTable(
  'stats_step_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsCell(),
    ...stepCell(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_monthly_pk',
      columns: [
        t.month,
        t.unitCode,
        t.resolvingUnitCode,
        t.procedureCode,
        t.channel,
        t.officerCode,
        t.stepCode,
      ],
    }),
    index('stats_step_monthly_resolving_month_idx').on(t.resolvingUnitCode, t.month),
  ],
);
