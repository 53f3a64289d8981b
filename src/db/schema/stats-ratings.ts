import { date, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsCell, statsUnits } from './stats-counts.js';

/** The ratings given in a month, by level. */
const ratingCounts = () => ({
  rated: integer('rated').notNull().default(0),
  verySatisfied: integer('very_satisfied').notNull().default(0),
  satisfied: integer('satisfied').notNull().default(0),
  dissatisfied: integer('dissatisfied').notNull().default(0),
});

/**
 * The satisfaction ratings given each local month (its first day), by receiving and resolving unit and channel:
 * what the statistics by nothing, unit or channel sum for whole months (a province's year in a few thousand rows,
 * where its ratings are hundreds of thousands). Kept by a trigger on dossier_ratings (migrations/0035): a rating is
 * written once, at the instant it is given, so every month is current, this one included.
 */
export const statsRatingUnitMonthly = pgTable(
  'stats_rating_unit_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    channel: text('channel').notNull(),
    ...ratingCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_rating_unit_monthly_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode, t.channel],
    }),
    index('stats_rating_unit_monthly_unit_idx').on(t.unitCode, t.month),
    index('stats_rating_unit_monthly_resolving_idx').on(t.resolvingUnitCode, t.month),
  ],
);

/** The same by procedure too, for the statistics by procedure or field. */
export const statsRatingProcedureMonthly = pgTable(
  'stats_rating_procedure_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsCell(),
    ...ratingCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_rating_procedure_monthly_pk',
      columns: [t.month, t.unitCode, t.resolvingUnitCode, t.procedureCode, t.channel],
    }),
    index('stats_rating_procedure_monthly_unit_idx').on(t.unitCode, t.month),
    index('stats_rating_procedure_monthly_resolving_idx').on(t.resolvingUnitCode, t.month),
  ],
);
