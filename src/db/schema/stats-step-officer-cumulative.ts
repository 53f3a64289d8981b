import { date, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsUnits } from './stats-counts.js';

/**
 * The step runs ended before `month` (its first day) by receiving and resolving unit, officer and step:
 * stats_step_officer_monthly summed from the beginning of the history, so that whole months of the answers by
 * officer and by step are the difference of two months' rows (as stats_step_unit_cumulative for the totals).
 */
export const statsStepOfficerCumulative = pgTable(
  'stats_step_officer_cumulative',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    officerCode: text('officer_code').notNull(),
    stepCode: text('step_code').notNull(),
    stepName: text('step_name').notNull(),
    early: integer('early').notNull(),
    onTime: integer('on_time').notNull(),
    overdue: integer('overdue').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_officer_cumulative_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode, t.officerCode, t.stepCode],
    }),
  ],
);
