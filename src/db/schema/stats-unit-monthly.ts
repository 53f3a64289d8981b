import { date, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
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
    index('stats_unit_monthly_unit_month_idx').on(t.unitCode, t.month),
    index('stats_unit_monthly_resolving_month_idx').on(t.resolvingUnitCode, t.month),
  ],
);
