import { date, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsUnits, stepCounts } from './stats-counts.js';

/**
 * stats_step_daily summed over channels, officers and steps: the step figures by receiving and resolving unit
 * and procedure per day, for the answers by procedure and by field.
 */
export const statsStepProcedureDaily = pgTable(
  'stats_step_procedure_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...statsUnits(),
    procedureCode: text('procedure_code').notNull(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_procedure_daily_pk',
      columns: [t.day, t.unitCode, t.resolvingUnitCode, t.procedureCode],
    }),
  ],
);
