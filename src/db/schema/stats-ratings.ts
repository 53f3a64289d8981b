import { date, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { statsCell } from './stats-counts.js';

/** The ratings given, by level. */
const ratingCounts = () => ({
  rated: integer('rated').notNull().default(0),
  verySatisfied: integer('very_satisfied').notNull().default(0),
  satisfied: integer('satisfied').notNull().default(0),
  dissatisfied: integer('dissatisfied').notNull().default(0),
});

/** The unit a rating is counted for (`attribution` 'receiving' or 'resolving'), its channel and the counts. */
const attributedRatingCounts = () => ({
  attribution: text('attribution').notNull(),
  unitCode: text('unit_code').notNull(),
  channel: text('channel').notNull(),
  ...ratingCounts(),
});

/**
 * The satisfaction ratings given each local month (its first day), by the unit each is counted for
 * (`attribution` 'receiving': its dossier's receiving unit; 'resolving': its resolving unit) and channel: what the
 * statistics by nothing, unit or channel sum for whole months (a province's year in a few thousand rows, where its
 * ratings are hundreds of thousands). Kept by a trigger on dossier_ratings (migrations/0036): a rating is written
 * once, at the instant it is given, so every month is current, this one included. The index by unit includes the
 * counts (migrations/0036, which the schema cannot say): a unit's months are read from the index alone.
 */
export const statsRatingAttributedMonthly = pgTable(
  'stats_rating_attributed_monthly',
  { month: date('month', { mode: 'string' }).notNull(), ...attributedRatingCounts() },
  (t) => [
    primaryKey({
      name: 'stats_rating_attributed_monthly_pk',
      columns: [t.month, t.attribution, t.unitCode, t.channel],
    }),
    index('stats_rating_attributed_monthly_unit_idx').on(t.attribution, t.unitCode, t.month),
  ],
);

/** The same by local day, for the days of a period outside its whole months. */
export const statsRatingAttributedDaily = pgTable(
  'stats_rating_attributed_daily',
  { day: date('day', { mode: 'string' }).notNull(), ...attributedRatingCounts() },
  (t) => [
    primaryKey({
      name: 'stats_rating_attributed_daily_pk',
      columns: [t.day, t.attribution, t.unitCode, t.channel],
    }),
    index('stats_rating_attributed_daily_unit_idx').on(t.attribution, t.unitCode, t.day),
  ],
);

/**
 * The ratings given each local month by receiving and resolving unit, procedure and channel, for the statistics
 * by procedure or field (either attribution sums the same rows). Kept by the same trigger.
 */
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

/**
 * The ratings given each local month over the whole unit tree, by procedure and channel: what the statistics by
 * procedure or field of a scope holding every unit (the province) sum, an eighth of the rows of the counts by
 * units. Kept by the same trigger.
 */
export const statsTreeRatingProcedureMonthly = pgTable(
  'stats_tree_rating_procedure_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    procedureCode: text('procedure_code').notNull(),
    channel: text('channel').notNull(),
    ...ratingCounts(),
  },
  (t) => [
    primaryKey({
      name: 'stats_tree_rating_procedure_monthly_pk',
      columns: [t.month, t.procedureCode, t.channel],
    }),
  ],
);
