import { date, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Days of a unit whose figures must be recomputed (a change, or a late entry, touched them): the cells where it
 * is the receiving or the resolving unit.
 */
export const statsDirty = pgTable('stats_dirty', {
  unitCode: text('unit_code').primaryKey(),
  fromDay: date('from_day', { mode: 'string' }).notNull(),
  markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow(),
});
