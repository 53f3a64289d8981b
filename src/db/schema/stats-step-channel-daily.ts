import { date, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsUnits, stepCounts } from './stats-counts.js';

/** stats_step_daily summed by receiving and resolving unit and channel per day, for the answers by channel. */
export const statsStepChannelDaily = pgTable(
  'stats_step_channel_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...statsUnits(),
    channel: text('channel').notNull(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_channel_daily_pk',
      columns: [t.day, t.unitCode, t.resolvingUnitCode, t.channel],
    }),
  ],
);
