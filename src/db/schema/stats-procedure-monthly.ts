import { date, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsCell, statsCounts } from './stats-counts.js';

/**
 * The flows by receiving and resolving unit, procedure and channel per month, for groupings by procedure or
 * field over long periods.
 */
export const statsProcedureMonthly = pgTable(
  'stats_procedure_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsCell(),
    ...statsCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_procedure_monthly_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode, t.procedureCode, t.channel],
    }),
  ],
);
