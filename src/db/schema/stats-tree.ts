import { date, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { cumulativeFlows, statsCounts, stepCounts } from './stats-counts.js';

/**
 * The flows over the whole unit tree before each month (its first day), by procedure and channel:
 * stats_procedure_monthly summed over every unit and every earlier month. A question whose scope is every unit
 * (the province) has no use for the units, so its answer by procedure or field reads a few thousand rows a month
 * here where the figures by units hold tens of thousands: whole months as the difference of two months' rows, the
 * carried-over dossiers from one month's. Only while no unit waits for a recompute (its cells would be stale here).
 * The days outside whole months read stats_tree_procedure_daily.
 */
export const statsTreeProcedureCumulative = pgTable(
  'stats_tree_procedure_cumulative',
  {
    month: date('month', { mode: 'string' }).notNull(),
    procedureCode: text('procedure_code').notNull(),
    channel: text('channel').notNull(),
    ...cumulativeFlows(),
  },
  (t) => [
    primaryKey({
      name: 'stats_tree_procedure_cumulative_pk',
      columns: [t.month, t.procedureCode, t.channel],
    }),
  ],
);

/**
 * The step runs ended over the whole unit tree before each month, by procedure: stats_step_procedure_monthly
 * summed over every unit and every earlier month, for the same answers as stats_tree_procedure_cumulative.
 */
export const statsTreeStepProcedureCumulative = pgTable(
  'stats_tree_step_procedure_cumulative',
  {
    month: date('month', { mode: 'string' }).notNull(),
    procedureCode: text('procedure_code').notNull(),
    early: integer('early').notNull(),
    onTime: integer('on_time').notNull(),
    overdue: integer('overdue').notNull(),
  },
  (t) => [
    primaryKey({ name: 'stats_tree_step_procedure_cumulative_pk', columns: [t.month, t.procedureCode] }),
  ],
);

/**
 * stats_daily summed over every unit: the flows of each day and the pending-overdue count at its end, by procedure
 * and channel (about 1,600 rows a day at 5 M dossiers where stats_daily holds 10,000), for the days outside whole
 * months and the period's last day of the same answers as stats_tree_procedure_cumulative.
 */
export const statsTreeProcedureDaily = pgTable(
  'stats_tree_procedure_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    procedureCode: text('procedure_code').notNull(),
    channel: text('channel').notNull(),
    ...statsCounts(),
  },
  (t) => [
    primaryKey({ name: 'stats_tree_procedure_daily_pk', columns: [t.day, t.procedureCode, t.channel] }),
  ],
);

/** stats_step_procedure_daily summed over every unit, by procedure: the step figures of each day over the tree. */
export const statsTreeStepProcedureDaily = pgTable(
  'stats_tree_step_procedure_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    procedureCode: text('procedure_code').notNull(),
    ...stepCounts(),
  },
  (t) => [primaryKey({ name: 'stats_tree_step_procedure_daily_pk', columns: [t.day, t.procedureCode] })],
);
