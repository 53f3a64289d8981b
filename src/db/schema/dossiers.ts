import { sql, type SQL } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, numeric, pgTable, text } from 'drizzle-orm/pg-core';
import { instant, localDayOf } from './columns.js';
import { officers } from './officers.js';
import { procedures } from './procedures.js';
import { units } from './units.js';

/**
 * Dossiers (hồ sơ). The row is the current state, a projection of the append-only event log written in the
 * same transaction. The procedure's terms (duration, cut-off, supplement policy) are copied at intake so a
 * later catalogue edit never changes a dossier already received; so is the internal process's version.
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
    /** The officer holding the dossier now: the acting officer at intake, then whom `assign` names. */
    holderOfficerCode: text('holder_officer_code').references(() => officers.code),
    /**
     * The resolving unit (đơn vị giải quyết), competent to decide the dossier: the receiving unit unless the
     * intake named another (a service centre receiving for a department). Statistics count for it by default.
     */
    resolvingUnitCode: text('resolving_unit_code')
      .notNull()
      .references(() => units.code),
    /**
     * Whether the resolving unit is another than the receiving one. Stored, so that the planner knows how few
     * such dossiers there are (a comparison of two columns has no statistics) and the partial indexes below can
     * name them.
     */
    resolvedElsewhere: boolean('resolved_elsewhere')
      .notNull()
      .generatedAlwaysAs((): SQL => sql`${dossiers.resolvingUnitCode} <> ${dossiers.unitCode}`),
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
    /**
     * Where the applicant agreed to be told of the dossier's progress (notifications): consent, and an e-mail
     * address and a Vietnamese mobile number (stored as 0xxxxxxxxx). Personal data, like the applicant's.
     */
    contactConsent: boolean('contact_consent').notNull().default(false),
    contactEmail: text('contact_email'),
    contactPhone: text('contact_phone'),
    summary: text('summary'),
    /** The papers handed in; `digitised`: scanned into the system (số hóa), at intake or recorded later. */
    components: jsonb('components')
      .$type<Array<{ name: string; copies: number; digitised?: boolean }>>()
      .notNull()
      .default([]),
    /**
     * Whether any component is digitised: what the service index (Decision 766) counts. Written with the
     * components (intake, record-digitisation), a plain column so that adding it never rewrote the table.
     */
    hasDigitisedComponents: boolean('has_digitised_components').notNull().default(false),
    /** Whether the result was issued electronically (kết quả điện tử), as recorded by record-digitisation. */
    electronicResult: boolean('electronic_result').notNull().default(false),
    /**
     * The last confirmed payment of the financial obligation (confirm-payment): how it was paid (`online`,
     * `counter`, `bank_transfer`), the amount in VND (null: none stated) and when.
     */
    paymentMethod: text('payment_method', { enum: ['online', 'counter', 'bank_transfer'] }),
    paymentAmount: bigint('payment_amount', { mode: 'number' }),
    paidAt: instant('paid_at'),
    durationValue: numeric('duration_value', { mode: 'number' }).notNull(),
    durationUnit: text('duration_unit', {
      enum: ['working_hours', 'working_days', 'calendar_days'],
    }).notNull(),
    receiptCutoff: text('receipt_cutoff'),
    supplementPolicy: text('supplement_policy', { enum: ['restart', 'extend'] }).notNull(),
    /** The procedure's internal process version in force at intake; null = the implicit single step. */
    processVersion: integer('process_version'),
    /**
     * The open step of the step clock (its row in dossier_steps: seq, code, name, due), for lists and alerts;
     * null before the clock starts (an online submission) and once finished. Its holder is the dossier's holder
     * and its unit the handling unit.
     */
    currentStepSeq: integer('current_step_seq'),
    currentStepCode: text('current_step_code'),
    currentStepName: text('current_step_name'),
    currentStepDueAt: instant('current_step_due_at'),
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
    /**
     * The lookup secret (mã tra cứu): 8 characters of Crockford's base32, 40 random bits, drawn by the database at
     * intake (dossier_lookup_secret(), migration dossier_lookup_secret; the rule in src/domain/lookup.ts). It is
     * printed on the receipt and carried by its QR code; with the code it lets the applicant look the dossier up.
     */
    lookupSecret: text('lookup_secret')
      .notNull()
      .default(sql`dossier_lookup_secret()`),
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
    // Dossiers resolved by a unit other than the one that received them (a service centre's intakes for a
    // department): the resolving unit's received period and its status-due reads, beside the receiving unit's
    // indexes. Partial, so the common dossier (resolved where received) costs intake nothing here.
    index('dossiers_resolved_elsewhere_received_idx')
      .on(t.resolvingUnitCode, t.receivedAt, t.id)
      .where(sql`${t.resolvedElsewhere}`),
    index('dossiers_resolved_elsewhere_status_due_idx')
      .on(t.resolvingUnitCode, t.status, t.dueAt)
      .where(sql`${t.resolvedElsewhere}`),
    index('dossiers_unit_id_idx').on(t.unitCode, t.id.desc()),
    // The same order for the dossiers a unit handles though another received them, and for those it resolves
    // while another handles them: with dossiers_unit_id_idx, a unit's newest dossiers in three ordered reads (the
    // list's unit newest in three parts; the name search within one unit). Partial: the common dossier is in
    // neither; a department's dossiers from a service centre are in the first once it handles them. Their `desc`
    // is `desc nulls last`, as dossiers_unit_id_idx's: the parts read `order by id desc nulls last`, an order the
    // primary key's backward walk (`desc nulls first`) does not give, so the planner cannot walk it instead.
    index('dossiers_handled_elsewhere_id_idx')
      .on(t.handlingUnitCode, t.id.desc())
      .where(sql`${t.handlingUnitCode} <> ${t.unitCode}`),
    index('dossiers_resolved_elsewhere_id_idx')
      .on(t.resolvingUnitCode, t.id.desc())
      .where(sql`${t.resolvedElsewhere} and ${t.handlingUnitCode} <> ${t.resolvingUnitCode}`),
    // A unit's pending dossiers (received or processing: its clerks' queue) newest first, in the same three parts,
    // the status beside each id: the list of a few units' dossiers in those statuses reads at most a page from
    // each, index-only, whatever else the unit holds (list-strategies.ts, unit pending in three parts). Partial:
    // about 2 % of the dossiers.
    index('dossiers_unit_pending_id_idx')
      .on(t.unitCode, t.id.desc(), t.status)
      .where(sql`${t.finishedAt} is null and ${t.status} in ('received', 'processing')`),
    index('dossiers_handled_elsewhere_pending_id_idx')
      .on(t.handlingUnitCode, t.id.desc(), t.status)
      .where(
        sql`${t.handlingUnitCode} <> ${t.unitCode} and ${t.finishedAt} is null and ${t.status} in ('received', 'processing')`,
      ),
    index('dossiers_resolved_elsewhere_pending_id_idx')
      .on(t.resolvingUnitCode, t.id.desc(), t.status)
      .where(
        sql`${t.resolvedElsewhere} and ${t.handlingUnitCode} <> ${t.resolvingUnitCode} and ${t.finishedAt} is null and ${t.status} in ('received', 'processing')`,
      ),
    // A unit's dossiers by status and due (a commune's overdue ones), received or handled there.
    index('dossiers_unit_status_due_idx').on(t.unitCode, t.status, t.dueAt),
    index('dossiers_handling_status_due_idx').on(t.handlingUnitCode, t.status, t.dueAt),
    // A procedure's newest dossiers, read in order from the index (a rare procedure's lie far back); the status
    // rides along, so a procedure's dossiers in some statuses are read from the index alone (migration 0032).
    index('dossiers_procedure_id_idx').on(t.procedureCode, t.id.desc().nullsFirst(), t.status),
    index('dossiers_status_due_idx').on(t.status, t.dueAt),
    index('dossiers_open_due_idx')
      .on(t.dueAt)
      .where(sql`${t.finishedAt} is null`),
    // The pending dossiers by due, with every column statistics read of them: "pending and overdue now" is
    // an index-only scan.
    index('dossiers_pending_due_idx')
      .on(t.dueAt, t.id, t.unitCode, t.resolvingUnitCode, t.resolvedElsewhere, t.procedureCode, t.channel)
      .where(sql`${t.finishedAt} is null and ${t.status} in ('received', 'processing')`),
    // The same pending dossiers newest first, with their due: the province's overdue list walks it down from the
    // newest and checks the due in the index, passing only the newer pending dossiers not yet overdue (a few
    // thousand at 5 M), not sorting every overdue one (dossiers_pending_due_idx: 30,000).
    index('dossiers_pending_id_idx')
      .on(t.id.desc().nullsFirst(), t.dueAt)
      .where(sql`${t.finishedAt} is null and ${t.status} in ('received', 'processing')`),
    index('dossiers_applicant_id_idx').on(t.applicantIdNumber),
    index('dossiers_finished_idx').on(t.finishedAt),
    // The dossiers paid in a period (the service index's payment counts); partial: most dossiers pay nothing.
    index('dossiers_paid_idx')
      .on(t.paidAt)
      .where(sql`${t.paidAt} is not null`),
    // A holder's dossiers and the dossiers at a step, newest first, read in order (the list's officerCode and
    // stepCode filters); finished dossiers have no open step.
    index('dossiers_holder_id_idx')
      .on(t.holderOfficerCode, t.id.desc().nullsFirst())
      .where(sql`${t.holderOfficerCode} is not null`),
    index('dossiers_step_code_id_idx')
      .on(t.currentStepCode, t.id.desc().nullsFirst())
      .where(sql`${t.currentStepCode} is not null`),
    // Open steps by due: the steps past their due (the list's step_overdue) and the step alerts' scan.
    index('dossiers_open_step_due_idx')
      .on(t.currentStepDueAt)
      .where(sql`${t.finishedAt} is null and ${t.currentStepDueAt} is not null`),
    index('dossiers_open_rescheduled_idx')
      .on(t.rescheduledDueAt)
      .where(sql`${t.finishedAt} is null and ${t.rescheduledDueAt} is not null`),
    // Name search: keys of each word and of each letter inside a word, by blocks of 65,536 ids, so that a
    // search reads the newest blocks first (dossier_name_keys in migration 0008; nameSearchNewestFirst in
    // src/dossiers/name-search.ts). New entries wait in the index's pending list, which every search reads
    // whole, until it fills: kept to 128 kB (about 450 intakes), not 4 MB (a day's intakes, which made a name
    // search within a commune four times slower), and merged by the intake that fills it.
    index('dossiers_applicant_name_keys_idx')
      .using('gin', sql`dossier_name_keys(${t.id}, ${t.applicantNameSearch})`)
      .with({ gin_pending_list_limit: 128 }),
    // The same keys by receiving unit instead of by block ('000.20.04.H56:van cuong', '000.20.04.H56~anh giang';
    // dossier_unit_name_keys in migration 0044): a rare name searched within a commune leads to that commune's
    // few rows carrying it, not to the province's (which the block keys lead to, to be fetched and checked).
    index('dossiers_unit_name_keys_idx')
      .using('gin', sql`dossier_unit_name_keys(${t.unitCode}, ${t.applicantNameSearch})`)
      .with({ gin_pending_list_limit: 128 }),
  ],
);

/** The first columns of a table that belongs to a dossier: its own identity id and the dossier's id. */
export const dossierChildColumns = () => ({
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  dossierId: bigint('dossier_id', { mode: 'number' })
    .notNull()
    .references(() => dossiers.id),
});
