import { date, integer, index, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsUnits } from './stats-counts.js';

/**
 * The step runs ended before `month` (its first day) by receiving and resolving unit: stats_step_unit_monthly
 * summed from the beginning of the history, so that whole months of the totals' and the units' step figures are
 * the difference of two months' rows (as stats_unit_cumulative for the dossiers' flows).
 */
export const statsStepUnitCumulative = pgTable(
  'stats_step_unit_cumulative',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    early: integer('early').notNull(),
    onTime: integer('on_time').notNull(),
    overdue: integer('overdue').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_unit_cumulative_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode],
    }),
    index('stats_step_unit_cumulative_unit_month_idx').on(t.unitCode, t.month),
    index('stats_step_unit_cumulative_resolving_month_idx').on(t.resolvingUnitCode, t.month),
  ],
);
