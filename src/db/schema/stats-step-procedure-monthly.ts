import { date, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsUnits, stepCounts } from './stats-counts.js';

/** stats_step_procedure_daily summed per month (first day of the month). */
export const statsStepProcedureMonthly = pgTable(
  'stats_step_procedure_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    procedureCode: text('procedure_code').notNull(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_procedure_monthly_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode, t.procedureCode],
    }),
  ],
);
