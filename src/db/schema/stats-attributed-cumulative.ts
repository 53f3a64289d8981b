import { date, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { cumulativeFlows } from './stats-counts.js';

/**
 * stats_unit_cumulative summed by the attributed unit alone: for each month, the flows of every month before it
 * by receiving unit (`attribution` 'receiving') and by resolving unit ('resolving'), and channel. A province's
 * whole months and carried-over dossiers read about a tenth of the rows the table by both units holds (a unit
 * instead of every pair of units). Only where no unit of the scope waits for a recompute: leaving a dirty unit's
 * cells out needs both units of each cell.
 */
export const statsAttributedCumulative = pgTable(
  'stats_attributed_cumulative',
  {
    month: date('month', { mode: 'string' }).notNull(),
    attribution: text('attribution').notNull(),
    unitCode: text('unit_code').notNull(),
    channel: text('channel').notNull(),
    ...cumulativeFlows(),
  },
  (t) => [
    primaryKey({
      name: 'stats_attributed_cumulative_pk',
      columns: [t.month, t.attribution, t.unitCode, t.channel],
    }),
  ],
);
