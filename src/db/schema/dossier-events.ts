import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';
import { dossierChildColumns } from './dossiers.js';
import { officers } from './officers.js';

/**
 * Whether an event reaches back before the local day it was recorded on: dated on an earlier day (a late entry), or
 * a calendar change's due_changed (it moves an open step's due in place). The predicate of the partial index that
 * reads them; a query must repeat it word for word for the index to serve it.
 */
export const reachesBack = (type: SQL | AnyColumn, at: SQL | AnyColumn, recordedAt: SQL | AnyColumn): SQL =>
  sql`(${type} = 'due_changed' or (${at} at time zone 'Asia/Ho_Chi_Minh')::date < (${recordedAt} at time zone 'Asia/Ho_Chi_Minh')::date)`;

/** The audit trail: one row per transition or change, append-only. `at` is when it happened (late entry allowed). */
export const dossierEvents = pgTable(
  'dossier_events',
  {
    ...dossierChildColumns(),
    type: text('type').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    at: instant('at').notNull(),
    recordedAt: instant('recorded_at').notNull().defaultNow(),
    actorKeyId: uuid('actor_key_id'),
    /** The officer who acted, where known: a personal key's officer or the one a unit-wide key named. */
    officerCode: text('officer_code').references(() => officers.code),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('dossier_events_dossier_idx').on(t.dossierId, t.id),
    // The dossiers changed since an instant (today's changes, which the statistics of the current period add to
    // the figures of yesterday's end): the events recorded after it, with their dossiers, read from the index.
    index('dossier_events_recorded_idx').on(t.recordedAt, t.dossierId),
    // Events dated after they were recorded (an action may be dated a little ahead): few, read by the statistics
    // to know whether anything is dated after the moment of an answer.
    index('dossier_events_dated_ahead_idx')
      .on(t.at)
      .where(sql`${t.at} > ${t.recordedAt}`),
    // Events that reach back before the day they were recorded on (dated on an earlier local day, or a calendar
    // change that moved a due): few, read by the snapshot of today to judge their dossiers' yesterday again.
    index('dossier_events_reaching_back_idx')
      .on(t.recordedAt, t.dossierId)
      .where(reachesBack(t.type, t.at, t.recordedAt)),
  ],
);
