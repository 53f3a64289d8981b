import { and, desc, eq, exists, gt, gte, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Config } from '../config.js';
import {
  placeholders,
  prepareBuilt,
  runNamed,
  type Db,
  type DbOrTx,
  type Tx,
  type Write,
} from '../db/client.js';
import {
  dossierDeadlines,
  dossierEvents,
  dossierPauses,
  dossiers,
  officers,
  outbox,
  procedureProcesses,
  units,
} from '../db/schema/index.js';
import { checkOfficerUnder } from '../officers/commands.js';
import { unitRequiresOfficer } from '../officers/queries.js';
import type { Principal } from '../auth/plugin.js';
import { inScope } from '../auth/plugin.js';
import type { CalendarCache } from '../calendar/cache.js';
import type { OfficerTarget, ProcedureTarget, UnitTarget } from './intake-targets.js';
import {
  changeSteps,
  clockFor,
  currentStepColumns,
  firstStep,
  recomputeSteps,
  stepRowsJson,
  stepRowsOf,
  type StepChange,
} from './step-clock.js';
import type { ProcessStep, StepRow } from '../domain/steps.js';
import { IntakeStore, type FoundTargets, type IntakeWrite, type Written } from './intake-batch.js';
import { onceForKey } from './idempotency.js';
import { identifierProblem, normalizeIdNumber, normalizeText, searchKey } from '../domain/applicant.js';
import { normalizeMobilePhone } from '../domain/contact.js';
import {
  computeStartAndDue,
  cutoffMinute,
  durationForChannel,
  replayDue,
  resumeDue,
  type Channel,
  type Duration,
} from '../domain/deadlines.js';
import { dossierCodePrefix } from '../domain/dossier-code.js';
import { DomainError } from '../domain/errors.js';
import { actingOfficerCode, checkActingOfficer } from '../domain/officers.js';
import { fieldError } from '../http/messages.js';
import { nextStatus, openStatuses, type DossierAction, type DossierStatus } from '../domain/lifecycle.js';
import { instantAt, addDays, formatInstant, formatInstantsIn, localDateOf } from '../domain/local-time.js';
import { outcomeOf, type Granularity } from '../domain/timeliness.js';
import type { Calendar } from '../domain/working-time.js';
import {
  dossierColumns,
  dossierInScope,
  getDossierView,
  selectDossiers,
  type DossierRow,
  type DossierView,
} from './lookups.js';
import { dossierSnapshot, toDossierResponse, type LiveSettings } from './representation.js';

export interface CommandContext {
  db: Db;
  calendars: CalendarCache;
  config: Config;
  principal: Principal;
  now: Date;
  /** How intakes reach the database (target cache, group commit); absent: read every time, write each alone. */
  intakes?: IntakeStore | undefined;
}

/** What `check` returns, or null when it throws. */
function orNull<T>(check: () => T): T | null {
  try {
    return check();
  } catch {
    return null;
  }
}

function liveSettings(ctx: CommandContext, calendar: Calendar): LiveSettings {
  return {
    calendar,
    now: ctx.now,
    granularity: ctx.config.OUTCOME_GRANULARITY,
    dueSoonMinutes: ctx.config.DUE_SOON_MINUTES,
  };
}

/** Up to a minute of clock skew between clerk software and the server is tolerated. */
const FUTURE_TOLERANCE_MS = 60_000;

/**
 * Late data entry: an instant in the past within the back-dating window, never in the future, and (for
 * actions) never before the dossier's latest event.
 */
function checkLateEntry(ctx: CommandContext, at: Date, path: string, notBefore: Date | null = null): void {
  if (at.getTime() > ctx.now.getTime() + FUTURE_TOLERANCE_MS) throw fieldError(path, 'not_in_future');
  const windowMs = ctx.config.BACKDATE_WINDOW_DAYS * 86_400_000;
  if (at.getTime() < ctx.now.getTime() - windowMs) {
    throw fieldError(path, 'backdate_window', { days: ctx.config.BACKDATE_WINDOW_DAYS });
  }
  if (notBefore && at.getTime() < notBefore.getTime()) throw fieldError(path, 'before_latest_event');
}

/**
 * Announces a change of a dossier (the change feed, webhooks, the worker) under each of `types`, in that order:
 * its snapshot and `extra` beside it, one row a type, in one statement.
 */
export async function writeOutbox(
  tx: Tx,
  types: string | readonly string[],
  view: DossierView,
  occurredAt: Date,
  extra: object = {},
) {
  const all = outboxRows(typeof types === 'string' ? [types] : types, view, occurredAt, extra);
  // One row by the statement built once; more (an action's status and its facts) by one multi-row insert.
  if (all.length === 1) await prepareBuilt(tx, 'outbox_insert', insertOutbox, all[0]!);
  else if (all.length > 1) await runNamed(tx, tx.insert(outbox).values(all));
}

/** The outbox rows announcing a change of a dossier under each of `types`, in that order (writeOutbox). */
function outboxRows(types: readonly string[], view: DossierView, occurredAt: Date, extra: object = {}) {
  const payload = { dossier: dossierSnapshot(view), ...extra };
  return types.map((type) => ({
    type,
    dossierId: view.d.id,
    unitCode: view.d.unitCode,
    payload,
    occurredAt,
  }));
}

const insertOutbox = (db: DbOrTx) =>
  db.insert(outbox).values(placeholders('type', 'dossierId', 'unitCode', 'payload', 'occurredAt'));

// ---------------------------------------------------------------------------------------------------------
// Intake

export interface IntakeInput {
  procedureCode: string;
  unitCode?: string | undefined;
  resolvingUnitCode?: string | undefined;
  channel: Channel;
  receivedAt?: string | undefined;
  applicant: {
    type: 'citizen' | 'organization';
    fullName: string;
    idNumber?: string | undefined;
    phone?: string | undefined;
    email?: string | undefined;
    address?: string | undefined;
  };
  contact?: { consent: boolean; email?: string | undefined; phone?: string | undefined } | undefined;
  summary?: string | undefined;
  components?: Array<{ name: string; copies: number; digitised?: boolean | undefined }> | undefined;
  /** The acting officer a unit-wide key names (a personal key acts as its own). */
  officerCode?: string | undefined;
}

export type DossierResponse = ReturnType<typeof toDossierResponse>;

export interface IntakeResult {
  body: DossierResponse;
  /** The stored response of an earlier intake with the same Idempotency-Key. */
  replayed: boolean;
}

/**
 * Intake (tiếp nhận): validates, numbers the dossier, computes its start and due, and writes the dossier, its
 * first event, its first deadline row and an outbox row atomically (one statement, see writeIntakes). With an
 * Idempotency-Key, a retry with the same body gets the first response (see onceForKey). The steps:
 * normaliseIntake → resolveTargets → intakeTerms → the write (intakeRecord, IntakeStore.write) → intakeReply.
 */
export async function intake(
  ctx: CommandContext,
  input: IntakeInput,
  idempotencyKey?: string,
): Promise<IntakeResult> {
  const request = normaliseIntake(ctx, input);
  const calendar = await ctx.calendars.current(ctx.db);
  const record = (db: DbOrTx) => recordIntake(ctx, db, calendar, request);
  if (!idempotencyKey) return { body: await record(ctx.db), replayed: false };
  return onceForKey(ctx.db, { apiKeyId: ctx.principal.keyId, key: idempotencyKey }, input, record);
}

/**
 * An intake's request as it will be stored: texts normalised, its units, the instant and the acting officer
 * settled.
 */
interface IntakeRequest extends Omit<
  IntakeInput,
  'unitCode' | 'resolvingUnitCode' | 'receivedAt' | 'officerCode'
> {
  unitCode: string;
  resolvingUnitCode: string;
  receivedAt: Date;
  officerCode: string | null;
}

/** Step 1: normalises the texts and the ID number and checks what needs no database. */
function normaliseIntake(ctx: CommandContext, input: IntakeInput): IntakeRequest {
  const applicant = {
    ...input.applicant,
    fullName: normalizeText(input.applicant.fullName),
    address: input.applicant.address ? normalizeText(input.applicant.address) : undefined,
    idNumber: input.applicant.idNumber ? normalizeIdNumber(input.applicant.idNumber) : undefined,
  };
  if (applicant.idNumber) {
    const problem = identifierProblem(applicant.type, applicant.idNumber);
    if (problem) throw fieldError('body.applicant.idNumber', problem);
  }
  const phone = input.contact?.phone;
  const contactPhone = phone === undefined ? undefined : normalizeMobilePhone(phone);
  if (contactPhone === null) throw fieldError('body.contact.phone', 'mobile_phone');
  const contact = input.contact && { ...input.contact, phone: contactPhone };
  const receivedAt = input.receivedAt ? new Date(input.receivedAt) : ctx.now;
  if (input.receivedAt) checkLateEntry(ctx, receivedAt, 'body.receivedAt');
  const unitCode = input.unitCode ?? ctx.principal.unitCode;
  if (!unitCode) throw fieldError('body.unitCode', 'unit_required');
  const officerCode = actingOfficerCode(ctx.principal.officerCode ?? null, input.officerCode);
  return {
    ...input,
    applicant,
    contact,
    unitCode,
    // Resolved where received unless the intake names the competent unit (a service centre for a department).
    resolvingUnitCode: input.resolvingUnitCode ?? unitCode,
    receivedAt,
    officerCode,
    summary: input.summary ? normalizeText(input.summary) : undefined,
    components: (input.components ?? []).map((c) => ({
      name: normalizeText(c.name),
      copies: c.copies,
      digitised: c.digitised ?? false,
    })),
  };
}

interface IntakeTargets {
  procedure: ProcedureTarget;
  unit: UnitTarget;
  resolvingUnit: UnitTarget;
  officer: OfficerTarget | null;
}

/**
 * Step 2: the procedure, the receiving unit, the resolving unit and the acting officer, checked in the order
 * clerks expect their errors. The resolving unit may lie outside the key's scope (a provincial service centre
 * receives for departments beyond its subtree), but it must exist and be active. The intake statement checks
 * the same (see writeIntakes): keep them alike.
 */
function resolveTargets(principal: Principal, request: IntakeRequest, found: FoundTargets): IntakeTargets {
  const { procedure, unit, resolvingUnit, officer } = found;
  const code = request.unitCode;
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND', { code: request.procedureCode });
  if (!procedure.active) throw new DomainError('PROCEDURE_INACTIVE', { code: request.procedureCode });
  if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code });
  if (!unit.active) throw new DomainError('UNIT_INACTIVE', { code });
  const resolving = { code: request.resolvingUnitCode };
  if (!resolvingUnit) throw new DomainError('RESOLVING_UNIT_NOT_FOUND', resolving);
  if (!resolvingUnit.active) throw new DomainError('RESOLVING_UNIT_INACTIVE', resolving);
  checkActingOfficer({
    personal: isPersonal(principal),
    code: request.officerCode,
    officer: officer && { active: officer.active, inPlace: inScope(principal, officer.unitPath) },
    required: unit.officerRequired,
    unitCode: unit.code,
  });
  return { procedure, unit, resolvingUnit, officer };
}

/** A personal key: bound to an officer, whose actions it records. */
const isPersonal = (principal: Principal) => (principal.officerCode ?? null) !== null;

/** Intakes go through the store the route gives, else one that reads every time and writes each alone. */
const plainIntakes = new IntakeStore();
const intakesOf = (ctx: CommandContext) => ctx.intakes ?? plainIntakes;

/**
 * Steps 2 to 5 in `db`. The targets come from the store's cache when it holds both and they pass the checks;
 * the statement that writes decides. What it refuses is read afresh, which names the reason (or, after a
 * concurrent change back, is written with the fresh terms).
 */
async function recordIntake(
  ctx: CommandContext,
  db: DbOrTx,
  calendar: Calendar,
  request: IntakeRequest,
): Promise<DossierResponse> {
  const store = intakesOf(ctx);
  const cached = store.cached(request);
  const fromCache = cached && orNull(() => resolveTargets(ctx.principal, request, cached));
  if (fromCache) {
    const written = await writeWithTargets(ctx, db, calendar, request, fromCache);
    if (written) return written;
  }
  store.forget(request);
  for (let attempt = 1; ; attempt++) {
    const found = await store.read(db, request);
    const targets = resolveTargets(ctx.principal, request, found);
    store.remember(targets);
    const written = await writeWithTargets(ctx, db, calendar, request, targets);
    if (written) return written;
    if (attempt === 3) throw new Error('intake refused three times although its checks passed');
  }
}

/** Steps 3 to 5 with the targets found: the response, or null when the statement refused the intake. */
async function writeWithTargets(
  ctx: CommandContext,
  db: DbOrTx,
  calendar: Calendar,
  request: IntakeRequest,
  targets: IntakeTargets,
): Promise<DossierResponse | null> {
  const terms = intakeTerms(ctx, calendar, request, targets);
  const { item, view } = intakeRecord(ctx, request, targets, terms);
  const written = await intakesOf(ctx).write(db, item);
  return written && intakeReply(ctx, calendar, view, written);
}

/**
 * What an intake starts with: its status, its processing time and, unless online, its start and due and step 1
 * of its step clock.
 */
interface IntakeTerms {
  status: DossierStatus;
  duration: Duration;
  startAt: Date | null;
  dueAt: Date | null;
  firstStep: StepRow | null;
}

/**
 * Step 3: online dossiers start when a clerk accepts them, not when submitted; the others at receipt, with step
 * 1 of the process version in force, held by the receiving unit and the acting officer.
 */
function intakeTerms(
  ctx: CommandContext,
  calendar: Calendar,
  request: IntakeRequest,
  { procedure, unit }: IntakeTargets,
): IntakeTerms {
  const duration = durationForChannel(procedure, request.channel);
  if (request.channel === 'online') {
    return { status: 'submitted', duration, startAt: null, dueAt: null, firstStep: null };
  }
  const cutoff = cutoffMinute(procedure.receiptCutoff);
  const { startAt, dueAt } = computeStartAndDue(calendar, request.receivedAt, duration, cutoff);
  const clock = clockFor(
    procedure.processSteps,
    duration,
    request.channel,
    calendar,
    ctx.config.OUTCOME_GRANULARITY,
  );
  const step = firstStep(clock, { at: startAt, unit: unit.code, officer: request.officerCode });
  return { status: 'received', duration, startAt, dueAt, firstStep: step };
}

/** Step 4: the dossier's row, what a re-read would give, and the write that records it. */
function intakeRecord(
  ctx: CommandContext,
  request: IntakeRequest,
  { procedure, unit, resolvingUnit, officer }: IntakeTargets,
  terms: IntakeTerms,
): { item: IntakeWrite; view: DossierView } {
  const online = request.channel === 'online';
  const { applicant } = request;
  // The lookup secret is drawn by the statement that writes (the column's default) and never in a response here.
  const row: Omit<DossierRow, 'id' | 'code' | 'createdAt' | 'updatedAt' | 'lookupSecret'> = {
    unitCode: unit.code,
    handlingUnitCode: unit.code,
    holderOfficerCode: request.officerCode,
    resolvingUnitCode: resolvingUnit.code,
    resolvedElsewhere: resolvingUnit.code !== unit.code,
    procedureCode: procedure.code,
    channel: request.channel,
    status: terms.status,
    applicantType: applicant.type,
    applicantName: applicant.fullName,
    applicantNameSearch: searchKey(applicant.fullName),
    applicantIdNumber: applicant.idNumber ?? null,
    applicantPhone: applicant.phone ?? null,
    applicantEmail: applicant.email ?? null,
    applicantAddress: applicant.address ?? null,
    contactConsent: request.contact?.consent ?? false,
    contactEmail: request.contact?.email ?? null,
    contactPhone: request.contact?.phone ?? null,
    summary: request.summary ?? null,
    components: request.components ?? [],
    hasDigitisedComponents: (request.components ?? []).some((c) => c.digitised),
    electronicResult: false,
    paymentMethod: null,
    paymentAmount: null,
    paidAt: null,
    durationValue: terms.duration.value,
    durationUnit: terms.duration.unit,
    receiptCutoff: procedure.receiptCutoff,
    supplementPolicy: procedure.supplementPolicy,
    processVersion: procedure.processVersion,
    ...currentStepColumns(terms.firstStep),
    submittedAt: online ? request.receivedAt : null,
    receivedAt: online ? null : request.receivedAt,
    startAt: terms.startAt,
    dueAt: terms.dueAt,
    rescheduledDueAt: null,
    pausedAt: null,
    pauseKind: null,
    resolvedAt: null,
    result: null,
    returnedAt: null,
    finishedAt: null,
    outcome: null,
    version: 1,
  };
  // The code and the creation instant are placeholders the statement replaces (see intakeReply).
  const view: DossierView = {
    d: { ...row, id: 0, code: '', lookupSecret: '', createdAt: ctx.now, updatedAt: ctx.now },
    procedureName: procedure.name,
    fee: procedure.fee,
    unitName: unit.name,
    unitPath: unit.path,
    handlingName: unit.name,
    handlingPath: unit.path,
    holder: officer && { code: officer.code, fullName: officer.fullName, title: officer.title },
    resolvingName: resolvingUnit.name,
    resolvingPath: resolvingUnit.path,
  };
  const codeDay = localDateOf(request.receivedAt);
  const item: IntakeWrite = {
    ...row,
    scopePath: ctx.principal.scopePath,
    officerCode: request.officerCode,
    // A personal key acts as its officer wherever the officer works now; a named officer is the key's scope's.
    officerScopePath: isPersonal(ctx.principal) ? null : ctx.principal.scopePath,
    stepCode: terms.firstStep?.stepCode ?? null,
    stepName: terms.firstStep?.stepName ?? null,
    stepMinutes: terms.firstStep?.allotmentMinutes ?? null,
    stepDueAt: terms.firstStep?.dueAt ?? null,
    codePrefix: dossierCodePrefix(unit.code, codeDay),
    codeDay,
    eventAt: request.receivedAt,
    actorKeyId: ctx.principal.keyId,
    eventData: { channel: request.channel },
    outboxType: `dossier.${terms.status}`,
    payload: { dossier: dossierSnapshot(view) },
  };
  return { item, view };
}

/** Step 5: the response, from what was written (the number and the database's creation instant). */
function intakeReply(
  ctx: CommandContext,
  calendar: Calendar,
  view: DossierView,
  written: NonNullable<Written>,
): DossierResponse {
  const { id, code, createdAt } = written;
  const d = { ...view.d, id, code, createdAt, updatedAt: createdAt };
  return toDossierResponse({ ...view, d }, liveSettings(ctx, calendar));
}

// ---------------------------------------------------------------------------------------------------------
// Actions

export type ActionBody = {
  at?: string | undefined;
  reason?: string | undefined;
  note?: string | undefined;
  items?: string[] | undefined;
  handlingUnitCode?: string | undefined;
  amount?: number | undefined;
  newDueAt?: string | undefined;
  result?: 'approved' | 'refused' | undefined;
  method?: string | undefined;
  /** record-digitisation: positions of the components digitised after intake. */
  digitisedComponents?: number[] | undefined;
  /** record-digitisation: the result was issued electronically. */
  electronicResult?: boolean | undefined;
  /** The acting officer a unit-wide key names (a personal key acts as its own). */
  officerCode?: string | undefined;
  /** assign, hand-over: the officer who holds the dossier from now on. */
  toOfficerCode?: string | undefined;
  /** hand-over: the unit receiving it (assign's handlingUnitCode). */
  toUnitCode?: string | undefined;
  /** hand-over: the step to start (absent: the next). */
  stepCode?: string | undefined;
};

/** What an action changes, beyond the status: the row's columns, history rows and announcements. */
interface Effects {
  /** The columns the action sets, as values (never SQL): the row after the action is known without reading it. */
  patch: Partial<DossierRow>;
  eventType: string;
  eventData: Record<string, unknown>;
  deadline?: { kind: 'statutory' | 'rescheduled'; startAt: Date | null; dueAt: Date; reason: string };
  /** What the action does to the step clock: starts it, hands over, pauses, resumes or finishes it. */
  step?: StepChange;
  announcements: string[];
  /** Rows the action writes beside the dossier's (a pause begun or ended), run by the dossier's update. */
  writes?: Write[];
}

function durationOf(d: DossierRow): Duration {
  return { value: d.durationValue, unit: d.durationUnit };
}

function cutoffOf(d: DossierRow): number | null {
  return cutoffMinute(d.receiptCutoff);
}

async function resumeEffects(
  tx: Tx,
  calendar: Calendar,
  d: DossierRow,
  at: Date,
  kind: 'supplement' | 'payment',
) {
  const [pause] = await runNamed(
    tx,
    tx
      .select()
      .from(dossierPauses)
      .where(and(eq(dossierPauses.dossierId, d.id), isNull(dossierPauses.resumedAt)))
      .orderBy(desc(dossierPauses.pausedAt))
      .limit(1),
  );
  if (!pause || pause.kind !== kind) throw new Error(`dossier ${d.code} has no open ${kind} pause`);
  const resumed = resumeDue(calendar, {
    policy: pause.policy,
    pausedAt: pause.pausedAt,
    resumedAt: at,
    dueAt: d.dueAt!,
    duration: durationOf(d),
    cutoff: cutoffOf(d),
  });
  const startAt = resumed.startAt ?? d.startAt;
  return {
    patch: { startAt, dueAt: resumed.dueAt, pausedAt: null, pauseKind: null },
    deadline: { kind: 'statutory' as const, startAt, dueAt: resumed.dueAt, reason: `resume_${pause.policy}` },
    pausedMinutesPolicy: pause.policy,
    changed: resumed.dueAt.getTime() !== d.dueAt!.getTime(),
    ended: tx.update(dossierPauses).set({ resumedAt: at }).where(eq(dossierPauses.id, pause.id)),
  };
}

async function effectsOf(
  tx: Tx,
  ctx: CommandContext,
  calendar: Calendar,
  view: DossierView,
  action: DossierAction,
  body: ActionBody,
  at: Date,
): Promise<Effects> {
  const d = view.d;
  // The body as sent, its instants (newDueAt) written as every response writes them; the time and the acting
  // officer have columns of their own.
  const data: Record<string, unknown> = formatInstantsIn(
    Object.fromEntries(
      Object.entries(body).filter(([k, v]) => k !== 'at' && k !== 'officerCode' && v !== undefined),
    ),
  );
  const base = { eventType: action, eventData: data, announcements: [] as string[] };
  switch (action) {
    case 'accept': {
      const terms = computeStartAndDue(calendar, at, durationOf(d), cutoffOf(d));
      return {
        ...base,
        patch: { receivedAt: at, startAt: terms.startAt, dueAt: terms.dueAt },
        deadline: { kind: 'statutory', ...terms, reason: 'accept' },
        // Step 1 starts with the clock, held by the receiving unit and whoever holds the dossier.
        step: {
          kind: 'start',
          start: { at: terms.startAt, unit: d.handlingUnitCode, officer: d.holderOfficerCode },
        },
      };
    }
    case 'reject':
      return { ...base, patch: { finishedAt: at } };
    case 'withdraw':
    case 'stop':
      return { ...base, patch: { finishedAt: at }, step: { kind: 'event', event: { kind: 'finish', at } } };
    case 'assign':
    case 'hand-over':
      return handoverEffects(tx, view, action, body, at, base);
    case 'request-supplement':
    case 'request-payment': {
      const kind = action === 'request-supplement' ? 'supplement' : 'payment';
      // A financial-obligation pause always extends; supplementation follows the procedure's policy.
      const policy = kind === 'payment' ? 'extend' : d.supplementPolicy;
      return {
        ...base,
        eventData: { ...data, policy },
        patch: { pausedAt: at, pauseKind: kind },
        step: { kind: 'event', event: { kind: 'pause', at } },
        writes: [tx.insert(dossierPauses).values({ dossierId: d.id, kind, policy, pausedAt: at })],
      };
    }
    case 'receive-supplement':
    case 'confirm-payment': {
      const r = await resumeEffects(
        tx,
        calendar,
        d,
        at,
        action === 'receive-supplement' ? 'supplement' : 'payment',
      );
      const payment = action === 'confirm-payment' ? await paymentOf(tx, d, body, at) : null;
      return {
        ...base,
        eventData: {
          ...data,
          ...(payment && { method: payment.paymentMethod, amount: payment.paymentAmount }),
          policy: r.pausedMinutesPolicy,
          dueAt: formatInstant(r.patch.dueAt),
        },
        patch: { ...r.patch, ...payment },
        deadline: r.deadline,
        step: { kind: 'event', event: { kind: 'resume', at } },
        announcements: [...(r.changed ? ['dossier.due_changed'] : []), ...(payment ? ['dossier.paid'] : [])],
        writes: [r.ended],
      };
    }
    case 'record-digitisation':
      return { ...base, ...digitisationEffects(d, body) };
    case 'reschedule': {
      if (d.rescheduledDueAt)
        throw new DomainError('INVALID_TRANSITION', { state: d.status, action: 'reschedule-again' });
      const newDueAt = new Date(body.newDueAt!);
      if (newDueAt.getTime() <= d.dueAt!.getTime()) throw fieldError('body.newDueAt', 'after_statutory_due');
      if (newDueAt.getTime() <= at.getTime()) throw fieldError('body.newDueAt', 'after_action_time');
      return {
        ...base,
        patch: { rescheduledDueAt: newDueAt },
        deadline: { kind: 'rescheduled', startAt: null, dueAt: newDueAt, reason: 'apology' },
        announcements: ['dossier.rescheduled'],
      };
    }
    case 'resolve':
      return {
        ...base,
        patch: {
          resolvedAt: at,
          finishedAt: at,
          result: body.result!,
          // Against the statutory due: an apology's new date never makes a late dossier on time.
          outcome: outcomeOf(at, d.dueAt!, ctx.config.OUTCOME_GRANULARITY),
        },
        step: { kind: 'event', event: { kind: 'finish', at } },
      };
    case 'return':
      return { ...base, patch: { returnedAt: at } };
  }
}

/**
 * confirm-payment: the payment as the dossier keeps it (its last one): the method (default counter) and the
 * amount, which defaults to the one the latest request-payment named (null when neither names one).
 */
async function paymentOf(tx: Tx, d: DossierRow, body: ActionBody, at: Date) {
  let amount = body.amount ?? null;
  if (amount === null) {
    const [requested] = await runNamed(
      tx,
      tx
        .select({ amount: sql<number | null>`(${dossierEvents.data}->>'amount')::bigint` })
        .from(dossierEvents)
        .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.type, 'request-payment')))
        .orderBy(desc(dossierEvents.id))
        .limit(1),
    );
    amount = requested?.amount === null || requested === undefined ? null : Number(requested.amount);
  }
  const method = (body.method ?? 'counter') as 'online' | 'counter' | 'bank_transfer';
  return { paymentMethod: method, paymentAmount: amount, paidAt: at };
}

/**
 * record-digitisation: marks the components at the given positions digitised (those already digitised stay so;
 * a position the dossier lacks → 400) and, once the dossier has its result, the result as issued electronically
 * (before → 400). Announced as dossier.digitised.
 */
function digitisationEffects(d: DossierRow, body: ActionBody): Omit<Effects, 'eventType' | 'eventData'> {
  const positions = new Set(body.digitisedComponents ?? []);
  for (const position of positions) {
    if (position >= d.components.length)
      throw fieldError('body.digitisedComponents', 'component_position', { position });
  }
  if (body.electronicResult && d.resolvedAt === null)
    throw fieldError('body.electronicResult', 'result_not_issued');
  const components = d.components.map((c, i) => ({
    ...c,
    digitised: (c.digitised ?? false) || positions.has(i),
  }));
  return {
    patch: {
      ...(positions.size ? { components, hasDigitisedComponents: true } : {}),
      ...(body.electronicResult ? { electronicResult: true } : {}),
    },
    announcements: ['dossier.digitised'],
  };
}

/**
 * assign and hand-over: a handover (giao / nhận) of the step clock, which ends the current step and starts the
 * next one (hand-over may name it: `stepCode`), and may move the dossier to another unit (assign's
 * `handlingUnitCode`, hand-over's `toUnitCode`: active, else UNIT_NOT_FOUND or UNIT_INACTIVE) and to another
 * holder (`toOfficerCode`: active, working in the handling unit after the handover or below it). The holder is the
 * officer named; after a move to another unit with nobody named there, nobody yet; otherwise unchanged. A move to
 * another unit is recorded as a `transferred` event, both units named (the control slip, Form 06 of Circular
 * 03/2025) and announced as dossier.transferred; every handover is announced as dossier.handed_over.
 */
async function handoverEffects(
  tx: Tx,
  view: DossierView,
  action: 'assign' | 'hand-over',
  body: ActionBody,
  at: Date,
  base: Pick<Effects, 'eventType' | 'eventData' | 'announcements'>,
): Promise<Effects> {
  const d = view.d;
  const target = (action === 'assign' ? body.handlingUnitCode : body.toUnitCode) ?? d.handlingUnitCode;
  const moving = target !== d.handlingUnitCode;
  let targetPath = view.handlingPath;
  if (moving) {
    const [unit] = await tx.select().from(units).where(eq(units.code, target)).limit(1);
    if (!unit) throw new DomainError('UNIT_NOT_FOUND', { code: target });
    if (!unit.active) throw new DomainError('UNIT_INACTIVE', { code: target });
    targetPath = unit.path;
  }
  if (body.toOfficerCode) {
    await checkOfficerUnder(tx, body.toOfficerCode, targetPath, 'officer_in_target_unit');
  }
  const holder = body.toOfficerCode ?? (moving ? null : d.holderOfficerCode);
  const handedOver = {
    fromUnitCode: d.handlingUnitCode,
    toUnitCode: target,
    fromOfficerCode: d.holderOfficerCode,
    toOfficerCode: holder,
  };
  return {
    ...base,
    eventType: moving ? 'transferred' : action,
    eventData: { ...base.eventData, ...handedOver },
    patch: {
      ...(moving ? { handlingUnitCode: target } : {}),
      ...(holder === d.holderOfficerCode ? {} : { holderOfficerCode: holder }),
    },
    step: {
      kind: 'event',
      event: {
        kind: 'handover',
        at,
        toStepCode: body.stepCode ?? null,
        fromOfficer: d.holderOfficerCode,
        fromUnit: d.handlingUnitCode,
        toOfficer: holder,
        toUnit: target,
        note: body.note ?? null,
      },
    },
    announcements: [...(moving ? ['dossier.transferred'] : []), 'dossier.handed_over'],
  };
}

const actingUnit = alias(units, 'acting_unit');

/**
 * What an action reads under the dossier's lock: the dossier's view, whether the handling unit or one above it
 * requires an officer, the acting officer with their unit's path, the instant of the dossier's latest event, the
 * steps of its process and its step rows.
 */
interface Locked {
  view: DossierView;
  officerRequired: boolean;
  officer: (typeof officers.$inferSelect & { unitPath: string }) | null;
  latestEventAt: Date | null;
  /** The steps of the process version the dossier follows (null: none); a version never changes. */
  processSteps: ProcessStep[] | null;
  /** The dossier's step rows, by seq (read for every action, one index lookup: most actions move the steps). */
  stepRows: StepRow[];
  /** When the transaction began: PostgreSQL's now(), which the action's update writes as updatedAt. */
  startedAt: Date;
}

/**
 * Locks the dossier's row (so concurrent actions on one dossier run one after the other) and reads what the
 * action needs (Locked) in the same statement, or DOSSIER_NOT_FOUND when no dossier in the caller's scope has the
 * code. That statement reads as of its start, so it never waits for the lock: it skips a row another transaction
 * holds. Then, or when the row changed between the statement's start and its lock (the row as of the start,
 * `seenVersion`, differs from the locked row's version; or PostgreSQL's recheck of the changed row against the
 * units it joined found none), the row is locked alone, waiting for its holder, and the same statement runs again,
 * reading whatever the holder committed. What it reads beside the row (the events, the step rows) is written only
 * by transactions that also update the dossier's row and its version, so that check covers them too.
 */
async function lockForAction(
  tx: Tx,
  principal: Principal,
  code: string,
  acting: string | null,
): Promise<Locked> {
  const read = async () =>
    (await prepareBuilt(tx, 'dossier_lock_for_action', lockStatement, { code, acting }))[0];
  let row = await read();
  if (!row || row.seenVersion !== row.d.version) {
    if (!(await prepareBuilt(tx, 'dossier_lock_only', lockOnly, { code })).length) {
      throw new DomainError('DOSSIER_NOT_FOUND', { code });
    }
    row = await read();
  }
  const {
    officerRequired,
    officer,
    officerPath,
    latestEventAt,
    processSteps,
    stepRows,
    startedAt,
    seenVersion: _,
    ...view
  } = row!;
  if (!dossierInScope(principal, view)) throw new DomainError('DOSSIER_NOT_FOUND', { code });
  return {
    view,
    officerRequired,
    officer: officer && { ...officer, unitPath: officerPath! },
    latestEventAt,
    processSteps,
    stepRows: stepRowsOf(stepRows),
    startedAt,
  };
}

const lockStatement = (db: DbOrTx) =>
  selectDossiers(db, {
    officerRequired: unitRequiresOfficer(dossierColumns.handlingPath),
    officer: officers,
    officerPath: actingUnit.path,
    latestEventAt: sql<Date | null>`(select max(e.at) from ${dossierEvents} e
      where e.dossier_id = ${dossiers.id})`.mapWith(dossierEvents.at),
    processSteps: sql<ProcessStep[] | null>`(select p.steps from ${procedureProcesses} p
      where p.procedure_code = ${dossiers.procedureCode} and p.version = ${dossiers.processVersion})`.mapWith(
      procedureProcesses.steps,
    ),
    stepRows: stepRowsJson(dossiers.id),
    startedAt: sql<Date>`now()`.mapWith(dossiers.updatedAt),
    seenVersion: sql<number>`(select v.version from ${dossiers} v where v.id = ${dossiers.id})`.mapWith(
      Number,
    ),
  })
    .leftJoin(officers, eq(officers.code, sql`${sql.placeholder('acting')}::text`))
    .leftJoin(actingUnit, eq(actingUnit.code, officers.unitCode))
    .where(eq(dossiers.code, sql.placeholder('code')))
    .for('update', { of: dossiers, skipLocked: true });

/** The dossier's row locked, waiting for a transaction that holds it, with no join. */
const lockOnly = (db: DbOrTx) =>
  db
    .select({ id: dossiers.id })
    .from(dossiers)
    .where(eq(dossiers.code, sql.placeholder('code')))
    .for('update');

/**
 * Whether the dossier's view names the same units, procedure and holder after an action's update as before it (so
 * the view is the one read under the lock with the row as updated): a handover changes the handling unit or holder.
 */
function sameNames(before: DossierRow, after: DossierRow): boolean {
  return (
    before.unitCode === after.unitCode &&
    before.handlingUnitCode === after.handlingUnitCode &&
    before.resolvingUnitCode === after.resolvingUnitCode &&
    before.procedureCode === after.procedureCode &&
    before.holderOfficerCode === after.holderOfficerCode
  );
}

/**
 * When an action happened: `at` as sent (late data entry, checked), else now; but never before the dossier's
 * latest event, which may be dated up to a minute ahead (clock skew): the action then takes that event's
 * instant, as actions follow one another.
 */
function actionInstant(ctx: CommandContext, sent: string | undefined, latest: Date | null): Date {
  if (sent) {
    const at = new Date(sent);
    checkLateEntry(ctx, at, 'body.at', latest);
    return at;
  }
  return latest && latest.getTime() > ctx.now.getTime() ? latest : ctx.now;
}

/**
 * Runs one action on a dossier: state machine, deadline effects, event, history and outbox in one transaction.
 * With `expectedVersion`, a dossier at another version is refused (VERSION_MISMATCH).
 */
export async function applyAction(
  ctx: CommandContext,
  code: string,
  action: DossierAction,
  body: ActionBody,
  expectedVersion: number | null,
): Promise<DossierResponse> {
  const calendar = await ctx.calendars.current(ctx.db);
  const acting = actingOfficerCode(ctx.principal.officerCode ?? null, body.officerCode);
  return ctx.db.transaction(async (tx) => {
    const { view, officer, officerRequired, latestEventAt, processSteps, stepRows, startedAt } =
      await lockForAction(tx, ctx.principal, code, acting);
    const d = view.d;
    if (expectedVersion !== null && expectedVersion !== d.version) {
      throw new DomainError('VERSION_MISMATCH', { current: d.version, expected: String(expectedVersion) });
    }
    const from = d.status as DossierStatus;
    const to = nextStatus(from, action);
    checkActingOfficer({
      personal: isPersonal(ctx.principal),
      code: acting,
      officer: officer && { active: officer.active, inPlace: inScope(ctx.principal, officer.unitPath) },
      required: officerRequired,
      unitCode: d.handlingUnitCode,
    });
    const at = actionInstant(ctx, body.at, latestEventAt);

    const effects = await effectsOf(tx, ctx, calendar, view, action, body, at);
    const steps =
      effects.step &&
      changeSteps(tx, d, processSteps, stepRows, effects.step, at, calendar, ctx.config.OUTCOME_GRANULARITY);
    // A handover's event names the step it ended and the one it started.
    const stepCodes =
      steps && effects.step?.kind === 'event' && effects.step.event.kind === 'handover'
        ? { fromStepCode: steps.fromStepCode, toStepCode: steps.toStepCode }
        : {};
    // The dossier's row after the action: the locked row with the columns the update sets (every one a value but
    // updatedAt, the transaction's start, which the lock read). Unless the action renamed what the view names (a
    // handover to another unit or holder), its view is the locked one with that row, and what the action announces
    // is known before the update.
    const set = { ...effects.patch, ...steps?.columns, status: to, version: d.version + 1 };
    const after: DossierRow = { ...d, ...definedOnly(set), updatedAt: startedAt };
    const renamed = !sameNames(d, after);
    const announcements = [...(to !== from ? [`dossier.${to}`] : []), ...effects.announcements];
    await writeAction(tx, d.id, {
      set,
      event: {
        dossierId: d.id,
        type: effects.eventType,
        fromStatus: from,
        toStatus: to,
        at,
        actorKeyId: ctx.principal.keyId,
        officerCode: acting,
        data: { ...effects.eventData, ...stepCodes },
      },
      deadline: effects.deadline && { dossierId: d.id, effectiveAt: at, ...effects.deadline },
      writes: [...(effects.writes ?? []), ...(steps?.writes ?? [])],
      // Announced after the update when the view names other units or holders, read again.
      announce: renamed ? [] : outboxRows(announcements, { ...view, d: after }, at),
    });
    if (!renamed) return toDossierResponse({ ...view, d: after }, liveSettings(ctx, calendar));
    const moved = await getDossierView(tx, d.id);
    await writeOutbox(tx, announcements, moved, at);
    return toDossierResponse(moved, liveSettings(ctx, calendar));
  });
}

/**
 * An action's write: the dossier's update (`set`, and updatedAt now()) and, in the same statement (one round trip),
 * its event, its deadline row, the other rows it writes (a pause, the step rows) and its announcements (their ids
 * in the order given). PostgreSQL runs these inserts and updates in an order of its own: each writes rows of its
 * own and reads none another writes (foreign keys are checked once all have run). The text takes a few forms (the
 * columns an action sets, which rows it writes): each is prepared once per connection (runNamed), not planned on
 * every action.
 */
async function writeAction(
  tx: Tx,
  dossierId: number,
  w: {
    set: Partial<DossierRow>;
    event: typeof dossierEvents.$inferInsert;
    deadline: typeof dossierDeadlines.$inferInsert | undefined;
    writes: Write[];
    announce: Array<typeof outbox.$inferInsert>;
  },
) {
  const alongside = [
    tx.insert(dossierEvents).values(w.event),
    ...(w.deadline ? [tx.insert(dossierDeadlines).values(w.deadline)] : []),
    ...w.writes,
    ...(w.announce.length ? [tx.insert(outbox).values(w.announce)] : []),
  ].map((write, i) => tx.$with(`write_${i}`).as(write));
  await runNamed(
    tx,
    tx
      .with(...alongside)
      .update(dossiers)
      .set({ ...w.set, updatedAt: sql`now()` })
      .where(eq(dossiers.id, dossierId)),
  );
}

/** `values` without the keys whose value is undefined (which an update leaves as they are). */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ---------------------------------------------------------------------------------------------------------
// Calendar changes

/**
 * After a calendar override changed on `date`, recomputes every open dossier whose due or open step's due can
 * depend on that day: its clock started before the day ended and its due is not before the day began; or its
 * open step's due is not before the day began, or one of its pauses overlaps the day (a pause's working time
 * moves the step's due). The dossier's due is replayed from its history and the open step counted again on the
 * new calendar (recomputeSteps). For each dossier where either moved: a due_changed event naming what moved, a
 * deadline row when the dossier's due moved, and an outbox row. Finished dossiers (and finished steps) never
 * change. Runs inside the transaction that changed the calendar.
 */
export async function recomputeForCalendarChange(
  tx: Tx,
  calendar: Calendar,
  date: string,
  actorKeyId: string,
  now: Date,
  granularity: Granularity,
): Promise<number> {
  const dayStart = instantAt(date, 0);
  const dayEnd = instantAt(addDays(date, 1), 0);
  const pausedThatDay = exists(
    tx
      .select({ one: sql`1` })
      .from(dossierPauses)
      .where(
        and(
          eq(dossierPauses.dossierId, dossiers.id),
          lt(dossierPauses.pausedAt, dayEnd),
          or(isNull(dossierPauses.resumedAt), gt(dossierPauses.resumedAt, dayStart)),
        ),
      ),
  );
  const affected = await tx
    .select()
    .from(dossiers)
    .where(
      and(
        inArray(dossiers.status, [...openStatuses]),
        or(
          and(lt(dossiers.startAt, dayEnd), gte(dossiers.dueAt, dayStart)),
          and(
            isNotNull(dossiers.currentStepSeq),
            or(gte(dossiers.currentStepDueAt, dayStart), pausedThatDay),
          ),
        ),
      ),
    )
    .for('update');
  let moved = 0;
  for (const d of affected) {
    const replayed = await replayDossierDue(tx, calendar, d);
    const dueMoved =
      replayed.dueAt.getTime() !== d.dueAt!.getTime() || replayed.startAt.getTime() !== d.startAt!.getTime();
    const step = await recomputeSteps(tx, d, calendar, granularity);
    if (!dueMoved && !step.moved) continue;
    moved++;
    await tx
      .update(dossiers)
      .set({
        ...(dueMoved ? { startAt: replayed.startAt, dueAt: replayed.dueAt } : {}),
        ...(step.moved ? currentStepColumns(step.open) : {}),
        version: d.version + 1,
        updatedAt: sql`now()`,
      })
      .where(eq(dossiers.id, d.id));
    await tx.insert(dossierEvents).values({
      dossierId: d.id,
      type: 'due_changed',
      fromStatus: d.status,
      toStatus: d.status,
      at: now,
      actorKeyId,
      data: {
        reason: 'calendar_change',
        date,
        ...(dueMoved ? { previousDueAt: formatInstant(d.dueAt!), dueAt: formatInstant(replayed.dueAt) } : {}),
        ...(step.moved
          ? {
              stepCode: step.open!.stepCode,
              previousStepDueAt: formatInstant(d.currentStepDueAt!),
              stepDueAt: formatInstant(step.open!.dueAt),
            }
          : {}),
      },
    });
    if (dueMoved) {
      await tx.insert(dossierDeadlines).values({
        dossierId: d.id,
        kind: 'statutory',
        startAt: replayed.startAt,
        dueAt: replayed.dueAt,
        effectiveAt: now,
        reason: 'calendar_change',
      });
    }
    await writeOutbox(tx, 'dossier.due_changed', await getDossierView(tx, d.id), now);
  }
  return moved;
}

/** A dossier's start and due replayed from its history (its pauses) on `calendar`. */
async function replayDossierDue(tx: Tx, calendar: Calendar, d: DossierRow) {
  const pauses = await tx
    .select()
    .from(dossierPauses)
    .where(eq(dossierPauses.dossierId, d.id))
    .orderBy(dossierPauses.pausedAt);
  const lastRestart = pauses.filter((p) => p.policy === 'restart' && p.resumedAt).at(-1);
  const origin = lastRestart?.resumedAt ?? d.receivedAt!;
  const extendPauses = pauses
    .filter((p) => p.policy === 'extend' && p.resumedAt && p.pausedAt.getTime() >= origin.getTime())
    .map((p) => ({ pausedAt: p.pausedAt, resumedAt: p.resumedAt! }));
  return replayDue(calendar, { origin, cutoff: cutoffOf(d), duration: durationOf(d), extendPauses });
}
