import { sql, type SQLWrapper } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { procedures } from './procedures.js';
import { units } from './units.js';

const instant = (name: string) => timestamp(name, { withTimezone: true });

/** An instant as text, the way formatInstant writes it: RFC 3339 at +07:00, whole seconds. */
export const rfc3339Of = (value: SQLWrapper) =>
  sql`(to_char(${value} at time zone interval '+07:00', 'YYYY-MM-DD"T"HH24:MI:SS') || '+07:00')`;

/** The local (Vietnam) calendar day of an instant column, as the receipt-day index holds it. */
export const localDayOf = (column: AnyPgColumn) => sql`((${column} at time zone 'Asia/Ho_Chi_Minh')::date)`;

/**
 * Dossiers (hồ sơ). The row is the current state, a projection of the append-only event log written in the
 * same transaction. The procedure's terms (duration, cut-off, supplement policy) are copied at intake so a
 * later catalogue edit never changes a dossier already received.
 */
export const dossiers = pgTable(
  'dossiers',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    code: text('code').notNull().unique(),
    unitCode: text('unit_code')
      .notNull()
      .references(() => units.code),
    handlingUnitCode: text('handling_unit_code')
      .notNull()
      .references(() => units.code),
    procedureCode: text('procedure_code')
      .notNull()
      .references(() => procedures.code),
    channel: text('channel', { enum: ['direct', 'postal', 'online'] }).notNull(),
    status: text('status').notNull(),
    applicantType: text('applicant_type', { enum: ['citizen', 'organization'] }).notNull(),
    applicantName: text('applicant_name').notNull(),
    /** Lower case without diacritics ("đ" → "d"), for accent-insensitive search. */
    applicantNameSearch: text('applicant_name_search').notNull(),
    applicantIdNumber: text('applicant_id_number'),
    applicantPhone: text('applicant_phone'),
    applicantEmail: text('applicant_email'),
    applicantAddress: text('applicant_address'),
    summary: text('summary'),
    components: jsonb('components').$type<Array<{ name: string; copies: number }>>().notNull().default([]),
    durationValue: numeric('duration_value', { mode: 'number' }).notNull(),
    durationUnit: text('duration_unit', {
      enum: ['working_hours', 'working_days', 'calendar_days'],
    }).notNull(),
    receiptCutoff: text('receipt_cutoff'),
    supplementPolicy: text('supplement_policy', { enum: ['restart', 'extend'] }).notNull(),
    submittedAt: instant('submitted_at'),
    receivedAt: instant('received_at'),
    startAt: instant('start_at'),
    dueAt: instant('due_at'),
    rescheduledDueAt: instant('rescheduled_due_at'),
    pausedAt: instant('paused_at'),
    pauseKind: text('pause_kind', { enum: ['supplement', 'payment'] }),
    resolvedAt: instant('resolved_at'),
    result: text('result', { enum: ['approved', 'refused'] }),
    returnedAt: instant('returned_at'),
    finishedAt: instant('finished_at'),
    outcome: text('outcome', { enum: ['early', 'on_time', 'overdue'] }),
    version: integer('version').notNull().default(1),
    createdAt: instant('created_at').notNull().defaultNow(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('dossiers_unit_received_idx').on(t.unitCode, t.receivedAt.desc(), t.id.desc()),
    // Lists filtered by a received range across many units (a province's month): the id and both unit codes
    // ride along, so the range's ids in scope are read from the index alone and sorted, without the table.
    index('dossiers_received_idx').on(t.receivedAt, t.id, t.unitCode, t.handlingUnitCode),
    // A period's newest receipts, with no other filter: each day's newest ids read in order, then merged.
    // (`nullsFirst`: the order `order by id desc` asks for; an index in another null order needs a sort.)
    index('dossiers_received_day_idx').on(localDayOf(t.receivedAt), t.id.desc().nullsFirst()),
    // Dossiers handled by a unit other than the one that received them (after a transfer), by receipt: with
    // dossiers_unit_received_idx, a unit's received period in two index-only reads.
    index('dossiers_handled_elsewhere_received_idx')
      .on(t.handlingUnitCode, t.receivedAt, t.id)
      .where(sql`${t.handlingUnitCode} <> ${t.unitCode}`),
    index('dossiers_unit_id_idx').on(t.unitCode, t.id.desc()),
    // A unit's dossiers by status and due (a commune's overdue ones), received or handled there.
    index('dossiers_unit_status_due_idx').on(t.unitCode, t.status, t.dueAt),
    index('dossiers_handling_status_due_idx').on(t.handlingUnitCode, t.status, t.dueAt),
    // A procedure's newest dossiers, read in order from the index (a rare procedure's lie far back).
    index('dossiers_procedure_id_idx').on(t.procedureCode, t.id.desc().nullsFirst()),
    index('dossiers_status_due_idx').on(t.status, t.dueAt),
    index('dossiers_open_due_idx')
      .on(t.dueAt)
      .where(sql`${t.finishedAt} is null`),
    index('dossiers_applicant_id_idx').on(t.applicantIdNumber),
    index('dossiers_finished_idx').on(t.finishedAt),
    index('dossiers_open_rescheduled_idx')
      .on(t.rescheduledDueAt)
      .where(sql`${t.finishedAt} is null and ${t.rescheduledDueAt} is not null`),
    // Name search: keys of each word and of each letter inside a word, by blocks of 65,536 ids, so that a
    // search reads the newest blocks first (dossier_name_keys in migration 0008; nameSearchNewestFirst in
    // src/dossiers/name-search.ts).
    index('dossiers_applicant_name_keys_idx').using(
      'gin',
      sql`dossier_name_keys(${t.id}, ${t.applicantNameSearch})`,
    ),
  ],
);

/** The audit trail: one row per transition or change, append-only. `at` is when it happened (late entry allowed). */
export const dossierEvents = pgTable(
  'dossier_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    dossierId: bigint('dossier_id', { mode: 'number' })
      .notNull()
      .references(() => dossiers.id),
    type: text('type').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    at: instant('at').notNull(),
    recordedAt: instant('recorded_at').notNull().defaultNow(),
    actorKeyId: uuid('actor_key_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('dossier_events_dossier_idx').on(t.dossierId, t.id)],
);

/**
 * Deadline history: every change of a due date with the instant it took effect, so the due in force at any
 * past instant can be read back. `kind` statutory is the legal due; rescheduled is the apology's new date.
 */
export const dossierDeadlines = pgTable(
  'dossier_deadlines',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    dossierId: bigint('dossier_id', { mode: 'number' })
      .notNull()
      .references(() => dossiers.id),
    kind: text('kind', { enum: ['statutory', 'rescheduled'] }).notNull(),
    startAt: instant('start_at'),
    dueAt: instant('due_at').notNull(),
    effectiveAt: instant('effective_at').notNull(),
    reason: text('reason').notNull(),
    recordedAt: instant('recorded_at').notNull().defaultNow(),
  },
  (t) => [index('dossier_deadlines_dossier_idx').on(t.dossierId, t.effectiveAt)],
);

/** Pause cycles: supplementation (Form 02) and financial obligations; each cycle kept. */
export const dossierPauses = pgTable(
  'dossier_pauses',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    dossierId: bigint('dossier_id', { mode: 'number' })
      .notNull()
      .references(() => dossiers.id),
    kind: text('kind', { enum: ['supplement', 'payment'] }).notNull(),
    policy: text('policy', { enum: ['restart', 'extend'] }).notNull(),
    pausedAt: instant('paused_at').notNull(),
    resumedAt: instant('resumed_at'),
  },
  (t) => [index('dossier_pauses_dossier_idx').on(t.dossierId, t.pausedAt)],
);

/** Per unit and local day, the last number handed out; rolled back with its intake, so codes have no gaps. */
export const dossierCodeCounters = pgTable(
  'dossier_code_counters',
  {
    unitCode: text('unit_code').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.unitCode, t.day] })],
);

/** Idempotent intake: per API key, the first response to a key, replayed for retries with the same body. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    apiKeyId: uuid('api_key_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status').notNull(),
    responseBody: jsonb('response_body').notNull(),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] })],
);
