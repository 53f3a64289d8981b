import { date, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsCounts, statsUnits } from './stats-counts.js';

/**
 * The counts by receiving and resolving unit and channel only, per month (first day of the month), for fast
 * totals.
 */
export const statsUnitMonthly = pgTable(
  'stats_unit_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    channel: text('channel').notNull(),
    ...statsCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_unit_monthly_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode, t.channel],
    }),
  ],
);
