import { date, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsUnits, stepCell, stepCounts } from './stats-counts.js';

/**
 * stats_step_daily summed over procedures and channels: the step figures by receiving and resolving unit,
 * officer and step per day, for the answers by officer and by step: a province's in about ten thousand rows a
 * month where the full grain has a hundred thousand.
 */
export const statsStepOfficerDaily = pgTable(
  'stats_step_officer_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...statsUnits(),
    ...stepCell(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_officer_daily_pk',
      columns: [t.day, t.unitCode, t.resolvingUnitCode, t.officerCode, t.stepCode],
    }),
  ],
);
