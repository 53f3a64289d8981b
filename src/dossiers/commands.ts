import { createHash } from 'node:crypto';
import { and, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db, DbOrTx, Tx } from '../db/client.js';
import {
  dossierDeadlines,
  dossierEvents,
  dossierPauses,
  dossiers,
  idempotencyKeys,
  outbox,
  procedures,
  units,
} from '../db/schema/index.js';
import type { Principal } from '../auth/plugin.js';
import { inScope } from '../auth/plugin.js';
import type { CalendarCache } from '../calendar/cache.js';
import type { IntakeTargetsCache, ProcedureTarget, UnitTarget } from './intake-targets.js';
import { writeIntakes, type IntakeBatcher, type IntakeWrite } from './intake-batch.js';
import { identifierProblem, normalizeIdNumber, normalizeText, searchKey } from '../domain/applicant.js';
import {
  computeStartAndDue,
  cutoffMinute,
  durationForChannel,
  replayDue,
  resumeDue,
  type Duration,
} from '../domain/deadlines.js';
import { dossierCodePrefix } from '../domain/dossier-code.js';
import { DomainError } from '../domain/errors.js';
import { fieldError } from '../http/messages.js';
import { nextStatus, openStatuses, type DossierAction, type DossierStatus } from '../domain/lifecycle.js';
import { instantAt, addDays, formatInstant, formatInstantsIn, localDateOf } from '../domain/local-time.js';
import { outcomeOf } from '../domain/timeliness.js';
import type { Calendar } from '../domain/working-time.js';
import {
  dossierSnapshot,
  getDossierInScope,
  getDossierView,
  latestEventAt,
  toDossierResponse,
  type DossierRow,
  type DossierView,
  type LiveSettings,
} from './queries.js';

export interface CommandContext {
  db: Db;
  calendars: CalendarCache;
  config: Config;
  principal: Principal;
  now: Date;
  /** Procedures and units for intake, reused briefly (see IntakeTargetsCache); absent: read every time. */
  intakeTargets?: IntakeTargetsCache | undefined;
  /** Group commit of intakes made outside a transaction (see IntakeBatcher); absent: one statement each. */
  intakeBatcher?: IntakeBatcher | undefined;
}

/** Whether `check` returns without throwing. */
function passes(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
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

async function writeOutbox(tx: Tx, type: string, view: DossierView, occurredAt: Date, extra: object = {}) {
  await tx.insert(outbox).values({
    type,
    dossierId: view.d.id,
    unitCode: view.d.unitCode,
    payload: { dossier: dossierSnapshot(view), ...extra },
    occurredAt,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Intake

export interface IntakeInput {
  procedureCode: string;
  unitCode?: string | undefined;
  channel: 'direct' | 'postal' | 'online';
  receivedAt?: string | undefined;
  applicant: {
    type: 'citizen' | 'organization';
    fullName: string;
    idNumber?: string | undefined;
    phone?: string | undefined;
    email?: string | undefined;
    address?: string | undefined;
  };
  summary?: string | undefined;
  components?: Array<{ name: string; copies: number }> | undefined;
}

export interface CommandResult {
  status: number;
  body: ReturnType<typeof toDossierResponse>;
  /** The stored response of an earlier intake with the same Idempotency-Key. */
  replayed?: boolean;
}

function requestHash(input: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(input)))
    .digest('hex');
}

/** The receiving unit and the procedure, checked in the order clerks expect their errors. */
function checkIntakeTargets(
  principal: Principal,
  input: IntakeInput,
  code: string,
  procedure: ProcedureTarget | null,
  unit: UnitTarget | null,
) {
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND', { code: input.procedureCode });
  if (!procedure.active) throw new DomainError('PROCEDURE_INACTIVE', { code: input.procedureCode });
  if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code });
  if (!unit.active) throw new DomainError('UNIT_INACTIVE', { code });
  return { procedure, unit };
}

/** The procedure and the unit of an intake, prepared by name. */
function intakeTargetsQuery(db: DbOrTx) {
  return db
    .select({ procedure: procedures, unit: units })
    .from(sql`(select 1) as one`)
    .leftJoin(procedures, eq(procedures.code, sql.placeholder('procedureCode')))
    .leftJoin(units, eq(units.code, sql.placeholder('unitCode')))
    .prepare('intake_targets');
}
const intakeTargets = new WeakMap<DbOrTx, ReturnType<typeof intakeTargetsQuery>>();

/**
 * Intake (tiếp nhận): validates, numbers the dossier, computes its start and due, and writes the dossier, its
 * first event, its first deadline row and an outbox row atomically (one statement, see writeIntakes). With an
 * Idempotency-Key, a retry with the same body gets the first response; concurrent duplicates wait for the
 * first and get its response.
 */
export async function intake(
  ctx: CommandContext,
  input: IntakeInput,
  idempotencyKey?: string,
): Promise<CommandResult> {
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
  const receivedAt = input.receivedAt ? new Date(input.receivedAt) : ctx.now;
  if (input.receivedAt) checkLateEntry(ctx, receivedAt, 'body.receivedAt');
  const unitCode = input.unitCode ?? ctx.principal.unitCode;
  if (!unitCode) throw fieldError('body.unitCode', 'unit_required');
  const calendar = await ctx.calendars.current(ctx.db);

  // The procedure and the unit, read afresh (and kept for the next intakes).
  const lookUp = async (db: DbOrTx) => {
    let query = intakeTargets.get(db);
    if (!query) intakeTargets.set(db, (query = intakeTargetsQuery(db)));
    const [found] = await query.execute({ procedureCode: input.procedureCode, unitCode });
    const checked = checkIntakeTargets(ctx.principal, input, unitCode, found!.procedure, found!.unit);
    ctx.intakeTargets?.set(checked.procedure, checked.unit);
    return checked;
  };
  // From the cache when it holds both and they pass the checks; the statement decides. What it refuses is read
  // afresh, which names the reason (or, after a concurrent change back, is written with the fresh terms).
  const record = async (db: DbOrTx): Promise<CommandResult> => {
    const cached = ctx.intakeTargets?.get(input.procedureCode, unitCode);
    if (
      cached &&
      passes(() => checkIntakeTargets(ctx.principal, input, unitCode, cached.procedure, cached.unit))
    ) {
      const result = await write(db, cached.procedure, cached.unit);
      if (result) return result;
    }
    ctx.intakeTargets?.forget(input.procedureCode, unitCode);
    for (let attempt = 1; ; attempt++) {
      const { procedure, unit } = await lookUp(db);
      const result = await write(db, procedure, unit);
      if (result) return result;
      if (attempt === 3) throw new Error('intake refused three times although its checks passed');
    }
  };

  const write = async (
    db: DbOrTx,
    procedure: ProcedureTarget,
    unit: UnitTarget,
  ): Promise<CommandResult | null> => {
    const online = input.channel === 'online';
    const duration = durationForChannel(procedure, input.channel);
    const cutoff = cutoffMinute(procedure.receiptCutoff);
    // Online dossiers start when a clerk accepts them, not when submitted.
    const terms = online ? null : computeStartAndDue(calendar, receivedAt, duration, cutoff);
    const status: DossierStatus = online ? 'submitted' : 'received';
    const codeDay = localDateOf(receivedAt);

    const row: Omit<DossierRow, 'id' | 'code' | 'createdAt' | 'updatedAt'> = {
      unitCode: unit.code,
      handlingUnitCode: unit.code,
      procedureCode: procedure.code,
      channel: input.channel,
      status,
      applicantType: applicant.type,
      applicantName: applicant.fullName,
      applicantNameSearch: searchKey(applicant.fullName),
      applicantIdNumber: applicant.idNumber ?? null,
      applicantPhone: applicant.phone ?? null,
      applicantEmail: applicant.email ?? null,
      applicantAddress: applicant.address ?? null,
      summary: input.summary ? normalizeText(input.summary) : null,
      components: (input.components ?? []).map((c) => ({ name: normalizeText(c.name), copies: c.copies })),
      durationValue: duration.value,
      durationUnit: duration.unit,
      receiptCutoff: procedure.receiptCutoff,
      supplementPolicy: procedure.supplementPolicy,
      submittedAt: online ? receivedAt : null,
      receivedAt: online ? null : receivedAt,
      startAt: terms?.startAt ?? null,
      dueAt: terms?.dueAt ?? null,
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
    // What a re-read would give; the code and the creation instant are placeholders the statement replaces.
    const view: DossierView = {
      d: { ...row, id: 0, code: '', createdAt: ctx.now, updatedAt: ctx.now },
      procedureName: procedure.name,
      fee: procedure.fee,
      unitName: unit.name,
      unitPath: unit.path,
      handlingName: unit.name,
      handlingPath: unit.path,
    };
    const item: IntakeWrite = {
      ...row,
      scopePath: ctx.principal.scopePath,
      codePrefix: dossierCodePrefix(unit.code, codeDay),
      codeDay,
      eventAt: receivedAt,
      actorKeyId: ctx.principal.keyId,
      eventData: { channel: input.channel },
      outboxType: `dossier.${status}`,
      payload: { dossier: dossierSnapshot(view) },
    };
    // Outside a transaction, with the others arriving meanwhile (group commit); inside one, on its own.
    const written =
      db === ctx.db && ctx.intakeBatcher
        ? await ctx.intakeBatcher.write(item)
        : (await writeIntakes(db, [item]))[0]!;
    if (!written) return null;
    view.d.id = written.id;
    view.d.code = written.code;
    view.d.createdAt = view.d.updatedAt = written.createdAt;
    return { status: 201, body: toDossierResponse(view, liveSettings(ctx, calendar)) };
  };

  if (!idempotencyKey) return record(ctx.db);
  const hash = requestHash(input);
  return ctx.db.transaction(async (tx) => {
    const claimed = await tx
      .insert(idempotencyKeys)
      .values({
        apiKeyId: ctx.principal.keyId,
        key: idempotencyKey,
        requestHash: hash,
        responseStatus: 0,
        responseBody: {},
      })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (!claimed.length) {
      const [prior] = await tx
        .select()
        .from(idempotencyKeys)
        .where(
          and(eq(idempotencyKeys.apiKeyId, ctx.principal.keyId), eq(idempotencyKeys.key, idempotencyKey)),
        );
      if (!prior || prior.requestHash !== hash) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
      return {
        status: prior.responseStatus,
        body: prior.responseBody as CommandResult['body'],
        replayed: true,
      };
    }
    const result = await record(tx);
    await tx
      .update(idempotencyKeys)
      .set({ responseStatus: 201, responseBody: result.body })
      .where(and(eq(idempotencyKeys.apiKeyId, ctx.principal.keyId), eq(idempotencyKeys.key, idempotencyKey)));
    return result;
  });
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
};

/** What an action changes, beyond the status: the row's columns, history rows and announcements. */
interface Effects {
  patch: Partial<typeof dossiers.$inferInsert>;
  eventType: string;
  eventData: Record<string, unknown>;
  deadline?: { kind: 'statutory' | 'rescheduled'; startAt: Date | null; dueAt: Date; reason: string };
  announcements: string[];
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
  const [pause] = await tx
    .select()
    .from(dossierPauses)
    .where(and(eq(dossierPauses.dossierId, d.id), isNull(dossierPauses.resumedAt)))
    .orderBy(desc(dossierPauses.pausedAt))
    .limit(1);
  if (!pause || pause.kind !== kind) throw new Error(`dossier ${d.code} has no open ${kind} pause`);
  await tx.update(dossierPauses).set({ resumedAt: at }).where(eq(dossierPauses.id, pause.id));
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
  // The body as sent, its instants (newDueAt) written as every response writes them.
  const data: Record<string, unknown> = formatInstantsIn(
    Object.fromEntries(Object.entries(body).filter(([k, v]) => k !== 'at' && v !== undefined)),
  );
  const base = { eventType: action, eventData: data, announcements: [] as string[] };
  switch (action) {
    case 'accept': {
      const terms = computeStartAndDue(calendar, at, durationOf(d), cutoffOf(d));
      return {
        ...base,
        patch: { receivedAt: at, startAt: terms.startAt, dueAt: terms.dueAt },
        deadline: { kind: 'statutory', ...terms, reason: 'accept' },
      };
    }
    case 'reject':
    case 'withdraw':
    case 'stop':
      return { ...base, patch: { finishedAt: at } };
    case 'assign': {
      const target = body.handlingUnitCode ?? d.handlingUnitCode;
      if (target === d.handlingUnitCode) return { ...base, patch: {} };
      const [unit] = await tx.select().from(units).where(eq(units.code, target)).limit(1);
      if (!unit) throw new DomainError('UNIT_NOT_FOUND', { code: target });
      if (!unit.active) throw new DomainError('UNIT_INACTIVE', { code: target });
      // The handover (phiếu kiểm soát quá trình giải quyết, Form 05): both units and the instant.
      return {
        ...base,
        eventType: 'transferred',
        eventData: { ...data, fromUnitCode: d.handlingUnitCode, toUnitCode: target },
        patch: { handlingUnitCode: target },
        announcements: ['dossier.transferred'],
      };
    }
    case 'request-supplement':
    case 'request-payment': {
      const kind = action === 'request-supplement' ? 'supplement' : 'payment';
      // A financial-obligation pause always extends; supplementation follows the procedure's policy.
      const policy = kind === 'payment' ? 'extend' : d.supplementPolicy;
      await tx.insert(dossierPauses).values({ dossierId: d.id, kind, policy, pausedAt: at });
      return { ...base, eventData: { ...data, policy }, patch: { pausedAt: at, pauseKind: kind } };
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
      return {
        ...base,
        eventData: { ...data, policy: r.pausedMinutesPolicy, dueAt: formatInstant(r.patch.dueAt) },
        patch: r.patch,
        deadline: r.deadline,
        announcements: r.changed ? ['dossier.due_changed'] : [],
      };
    }
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
      };
    case 'return':
      return { ...base, patch: { returnedAt: at } };
  }
}

/** If-Match: '"3"', 'W/"3"' or '3' → 3; '*' or absent → no precondition. Anything else never matches. */
export function parseIfMatch(header: string | undefined): number | null | 'invalid' {
  if (header === undefined || header.trim() === '*') return null;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  return m ? Number(m[1]) : 'invalid';
}

/** Runs one action on a dossier: state machine, deadline effects, event, history and outbox in one transaction. */
export async function applyAction(
  ctx: CommandContext,
  code: string,
  action: DossierAction,
  body: ActionBody,
  ifMatch: number | null | 'invalid',
): Promise<CommandResult> {
  const calendar = await ctx.calendars.current(ctx.db);
  return ctx.db.transaction(async (tx) => {
    // Lock the row first so concurrent actions on one dossier run one after the other.
    await tx.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.code, code)).for('update');
    const view = await getDossierInScope(tx, ctx.principal, code);
    const d = view.d;
    if (ifMatch !== null && ifMatch !== d.version) {
      throw new DomainError('VERSION_MISMATCH', { current: d.version, expected: String(ifMatch) });
    }
    const from = d.status as DossierStatus;
    const to = nextStatus(from, action);
    const at = body.at ? new Date(body.at) : ctx.now;
    if (body.at) checkLateEntry(ctx, at, 'body.at', await latestEventAt(tx, d.id));

    const effects = await effectsOf(tx, ctx, calendar, view, action, body, at);
    await tx
      .update(dossiers)
      .set({ ...effects.patch, status: to, version: d.version + 1, updatedAt: sql`now()` })
      .where(eq(dossiers.id, d.id));
    await tx.insert(dossierEvents).values({
      dossierId: d.id,
      type: effects.eventType,
      fromStatus: from,
      toStatus: to,
      at,
      actorKeyId: ctx.principal.keyId,
      data: effects.eventData,
    });
    if (effects.deadline) {
      await tx.insert(dossierDeadlines).values({ dossierId: d.id, effectiveAt: at, ...effects.deadline });
    }
    const updated = await getDossierView(tx, d.id);
    const announcements = [...(to !== from ? [`dossier.${to}`] : []), ...effects.announcements];
    for (const type of announcements) await writeOutbox(tx, type, updated, at);
    return { status: 200, body: toDossierResponse(updated, liveSettings(ctx, calendar)) };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Calendar changes

/**
 * After a calendar override changed on `date`, recomputes every open dossier whose due can depend on that
 * day (its clock started before the day ended and its due is not before the day began) from its history,
 * recording a due_changed event, a deadline row and an outbox row for each one that moved. Finished dossiers
 * never change. Runs inside the transaction that changed the calendar.
 */
export async function recomputeForCalendarChange(
  tx: Tx,
  calendar: Calendar,
  date: string,
  actorKeyId: string,
  now: Date,
): Promise<number> {
  const affected = await tx
    .select()
    .from(dossiers)
    .where(
      and(
        inArray(dossiers.status, [...openStatuses]),
        lt(dossiers.startAt, instantAt(addDays(date, 1), 0)),
        gte(dossiers.dueAt, instantAt(date, 0)),
      ),
    )
    .for('update');
  let moved = 0;
  for (const d of affected) {
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
    const replayed = replayDue(calendar, {
      origin,
      cutoff: cutoffOf(d),
      duration: durationOf(d),
      extendPauses,
    });
    if (
      replayed.dueAt.getTime() === d.dueAt!.getTime() &&
      replayed.startAt.getTime() === d.startAt!.getTime()
    )
      continue;
    moved++;
    await tx
      .update(dossiers)
      .set({
        startAt: replayed.startAt,
        dueAt: replayed.dueAt,
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
        previousDueAt: formatInstant(d.dueAt!),
        dueAt: formatInstant(replayed.dueAt),
      },
    });
    await tx.insert(dossierDeadlines).values({
      dossierId: d.id,
      kind: 'statutory',
      startAt: replayed.startAt,
      dueAt: replayed.dueAt,
      effectiveAt: now,
      reason: 'calendar_change',
    });
    await writeOutbox(tx, 'dossier.due_changed', await getDossierView(tx, d.id), now);
  }
  return moved;
}
