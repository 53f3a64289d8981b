import { date, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsCounts } from './stats-counts.js';

/** The counts per closed local day, receiving unit, procedure and channel. */
export const statsDaily = pgTable(
  'stats_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    unitCode: text('unit_code').notNull(),
    procedureCode: text('procedure_code').notNull(),
    channel: text('channel').notNull(),
    ...statsCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.unitCode, t.procedureCode, t.channel] }),
    index('stats_daily_unit_day_idx').on(t.unitCode, t.day),
  ],
);
