import { sql } from 'drizzle-orm';
import { check, date, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Calendar overrides: the days whose working status differs from the Monday–Friday rule.
 * `holiday` (public holiday), `day_off` (swapped or compensatory day off), `working_day` (a weekend day worked
 * in exchange). Each row names its source (the announcement it comes from, or the generating rule).
 */
export const calendarDays = pgTable(
  'calendar_days',
  {
    date: date('date', { mode: 'string' }).primaryKey(),
    kind: text('kind', { enum: ['holiday', 'day_off', 'working_day'] }).notNull(),
    name: text('name').notNull(),
    source: text('source').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('calendar_days_kind_check', sql`${t.kind} in ('holiday', 'day_off', 'working_day')`)],
);
