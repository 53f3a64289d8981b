import { date, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsUnits, stepCounts } from './stats-counts.js';

/** stats_step_channel_daily's ended step runs summed per month (first day of the month). */
export const statsStepChannelMonthly = pgTable(
  'stats_step_channel_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    channel: text('channel').notNull(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_channel_monthly_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode, t.channel],
    }),
  ],
);
