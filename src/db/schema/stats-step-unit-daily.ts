import { date, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsUnits, stepCell, stepCounts } from './stats-counts.js';

/**
 * stats_step_daily summed over procedures and channels: the step figures by receiving and resolving unit,
 * officer and step per day, for the answers that need no finer grain (the totals, by unit, by officer, by step),
 * a province's in a few thousand rows a month where the full grain has hundreds of thousands.
 */
export const statsStepUnitDaily = pgTable(
  'stats_step_unit_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...statsUnits(),
    ...stepCell(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_unit_daily_pk',
      columns: [t.day, t.unitCode, t.resolvingUnitCode, t.officerCode, t.stepCode],
    }),
  ],
);
