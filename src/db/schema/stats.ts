import { date, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Figures the worker maintains for the statistics (see src/stats/figures.ts). For each closed local day and
 * receiving unit, procedure and channel: the flows of that day (received; resolved early / on time /
 * overdue; withdrawn; stopped) and the number of dossiers pending and overdue at the day's end, judged with
 * the due dates in force then.
 */
const counts = () => ({
  received: integer('received').notNull().default(0),
  early: integer('early').notNull().default(0),
  onTime: integer('on_time').notNull().default(0),
  overdue: integer('overdue').notNull().default(0),
  withdrawn: integer('withdrawn').notNull().default(0),
  stopped: integer('stopped').notNull().default(0),
  pendingOverdue: integer('pending_overdue').notNull().default(0),
});

export const statsDaily = pgTable(
  'stats_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    unitCode: text('unit_code').notNull(),
    procedureCode: text('procedure_code').notNull(),
    channel: text('channel').notNull(),
    ...counts(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.unitCode, t.procedureCode, t.channel] }),
    index('stats_daily_unit_day_idx').on(t.unitCode, t.day),
  ],
);

/** The same by unit and channel only, per day and per month (first day of the month), for fast totals. */
export const statsUnitDaily = pgTable(
  'stats_unit_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    unitCode: text('unit_code').notNull(),
    channel: text('channel').notNull(),
    ...counts(),
  },
  (t) => [primaryKey({ columns: [t.day, t.unitCode, t.channel] })],
);

export const statsUnitMonthly = pgTable(
  'stats_unit_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    unitCode: text('unit_code').notNull(),
    channel: text('channel').notNull(),
    ...counts(),
  },
  (t) => [primaryKey({ columns: [t.month, t.unitCode, t.channel] })],
);

/** The flows by unit, procedure and channel per month, for groupings by procedure or field over long periods. */
export const statsProcedureMonthly = pgTable(
  'stats_procedure_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    unitCode: text('unit_code').notNull(),
    procedureCode: text('procedure_code').notNull(),
    channel: text('channel').notNull(),
    ...counts(),
  },
  (t) => [primaryKey({ columns: [t.month, t.unitCode, t.procedureCode, t.channel] })],
);

/** Days of a unit whose figures must be recomputed (a change, or a late entry, touched them). */
export const statsDirty = pgTable('stats_dirty', {
  unitCode: text('unit_code').primaryKey(),
  fromDay: date('from_day', { mode: 'string' }).notNull(),
  markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow(),
});
