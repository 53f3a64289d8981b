import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { ratingLevels, ratingSources } from '../../domain/service-index.js';
import { instant } from './columns.js';
import { dossierChildColumns } from './dossiers.js';
import { officers } from './officers.js';
import { procedures } from './procedures.js';
import { units } from './units.js';

/**
 * Satisfaction ratings (đánh giá mức độ hài lòng): at most one per dossier (the unique index), given after the
 * return by the citizen (with the lookup credentials) or recorded by a clerk from a paper form. The dossier's
 * units, procedure and channel are copied, as the statistics rows have them (alias `f` in src/stats), so that a
 * period's ratings are counted from this table alone, by the instant they were given.
 */
export const dossierRatings = pgTable(
  'dossier_ratings',
  {
    ...dossierChildColumns(),
    level: text('level', { enum: ratingLevels }).notNull(),
    /** Free text from the citizen: personal-ish, never logged, never in an outbox payload. */
    comment: text('comment'),
    source: text('source', { enum: ratingSources }).notNull(),
    /** The receiving unit. */
    unitCode: text('unit_code')
      .notNull()
      .references(() => units.code),
    resolvingUnitCode: text('resolving_unit_code')
      .notNull()
      .references(() => units.code),
    procedureCode: text('procedure_code')
      .notNull()
      .references(() => procedures.code),
    channel: text('channel', { enum: ['direct', 'postal', 'online'] }).notNull(),
    ratedAt: instant('rated_at').notNull(),
    /** Who recorded a paper rating: the key and, where known, the officer (null for the citizen's own). */
    actorKeyId: uuid('actor_key_id'),
    officerCode: text('officer_code').references(() => officers.code),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('dossier_ratings_dossier_idx').on(t.dossierId),
    // A period's ratings: of every unit (a province), or of one unit by either attribution.
    index('dossier_ratings_rated_idx').on(t.ratedAt),
    index('dossier_ratings_resolving_rated_idx').on(t.resolvingUnitCode, t.ratedAt),
    index('dossier_ratings_unit_rated_idx').on(t.unitCode, t.ratedAt),
  ],
);
