import { date, index, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsCell, stepCell, stepCounts } from './stats-counts.js';

/**
 * The step figures per closed local day, by the dossier's cell (receiving unit, resolving unit, procedure,
 * channel: either attribution sums the same rows, as in stats_daily) and by the step run's officer and step: the
 * step runs ended that day by outcome, and those open and overdue at the day's end.
 */
export const statsStepDaily = pgTable(
  'stats_step_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...statsCell(),
    ...stepCell(),
    ...stepCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_step_daily_pk',
      columns: [
        t.day,
        t.unitCode,
        t.resolvingUnitCode,
        t.procedureCode,
        t.channel,
        t.officerCode,
        t.stepCode,
      ],
    }),
    index('stats_step_daily_unit_day_idx').on(t.unitCode, t.day),
    index('stats_step_daily_resolving_day_idx').on(t.resolvingUnitCode, t.day),
  ],
);
