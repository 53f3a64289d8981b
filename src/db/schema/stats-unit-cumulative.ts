import { date, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { cumulativeFlows, statsUnits } from './stats-counts.js';

/**
 * The flows of every month before `month` (its first day), by receiving and resolving unit and channel: the
 * monthly rollup summed from the beginning of the history. Whole months [M1, M2] are the difference of two months'
 * rows (M2's next and M1), and the dossiers carried into a month are its row's received less its finished, so a
 * period reads two months' rows instead of each of its months and every month before it.
 */
export const statsUnitCumulative = pgTable(
  'stats_unit_cumulative',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    channel: text('channel').notNull(),
    ...cumulativeFlows(),
  },
  (t) => [
    primaryKey({
      name: 'stats_unit_cumulative_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode, t.channel],
    }),
    index('stats_unit_cumulative_unit_month_idx').on(t.unitCode, t.month),
    index('stats_unit_cumulative_resolving_month_idx').on(t.resolvingUnitCode, t.month),
  ],
);
