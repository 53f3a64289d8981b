import { date, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsCounts, statsUnits } from './stats-counts.js';

/** The counts by receiving and resolving unit and channel only, per day, for fast totals. */
export const statsUnitDaily = pgTable(
  'stats_unit_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...statsUnits(),
    channel: text('channel').notNull(),
    ...statsCounts(),
  },
  (t) => [
    primaryKey({ name: 'stats_unit_daily_pk', columns: [t.day, t.unitCode, t.resolvingUnitCode, t.channel] }),
    index('stats_unit_daily_unit_day_idx').on(t.unitCode, t.day),
    index('stats_unit_daily_resolving_day_idx').on(t.resolvingUnitCode, t.day),
  ],
);
