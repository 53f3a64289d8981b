import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Small state the scheduled jobs keep between runs (e.g. how far the alert scan has looked). */
export const jobState = pgTable('job_state', {
  name: text('name').primaryKey(),
  value: jsonb('value').$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
