import { integer, text } from 'drizzle-orm/pg-core';

/**
 * Figures the worker maintains for the statistics (see src/stats/maintenance.ts). For each closed local day,
 * receiving unit, resolving unit, procedure and channel: the flows of that day (received; resolved early / on
 * time / overdue; withdrawn; stopped) and the number of dossiers pending and overdue at the day's end, judged
 * with the due dates in force then.
 */
export const statsCounts = () => ({
  received: integer('received').notNull().default(0),
  early: integer('early').notNull().default(0),
  onTime: integer('on_time').notNull().default(0),
  overdue: integer('overdue').notNull().default(0),
  withdrawn: integer('withdrawn').notNull().default(0),
  stopped: integer('stopped').notNull().default(0),
  pendingOverdue: integer('pending_overdue').notNull().default(0),
});

/**
 * The flows without the pending count (it is no flow): summed over every month before a cumulative table's `month`,
 * or one dossier's share of today's (stats_today_shares).
 */
export const cumulativeFlows = () => ({
  received: integer('received').notNull(),
  early: integer('early').notNull(),
  onTime: integer('on_time').notNull(),
  overdue: integer('overdue').notNull(),
  withdrawn: integer('withdrawn').notNull(),
  stopped: integer('stopped').notNull(),
});

/** The units a figure's cell belongs to: both key it, so either attribution sums the same rows. */
export const statsUnits = () => ({
  unitCode: text('unit_code').notNull(),
  resolvingUnitCode: text('resolving_unit_code').notNull(),
});

/** A cell by units, procedure and channel (the grain of the daily and the per-procedure monthly figures). */
export const statsCell = () => ({
  ...statsUnits(),
  procedureCode: text('procedure_code').notNull(),
  channel: text('channel').notNull(),
});

/**
 * The step figures' cell beyond the dossier's: the officer holding the step run ('-' when nobody was named) and
 * its step (the name as the step run recorded it).
 */
export const stepCell = () => ({
  officerCode: text('officer_code').notNull(),
  stepCode: text('step_code').notNull(),
  stepName: text('step_name').notNull(),
});

/** The step figures: step runs ended early / on time / overdue, and open and overdue at the day's end. */
export const stepCounts = () => ({
  early: integer('early').notNull().default(0),
  onTime: integer('on_time').notNull().default(0),
  overdue: integer('overdue').notNull().default(0),
  openOverdue: integer('open_overdue').notNull().default(0),
});
