import { and, asc, desc, eq, gte, inArray, is, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { alias, PgTransaction } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../db/client.js';
import { dossierEvents, dossiers, procedures, units } from '../db/schema/index.js';
import { escapeLike, inScope, type Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import { maskEmail, maskTail, searchKey } from '../domain/applicant.js';
import {
  isPaused,
  nationalStatusOf,
  openStatuses,
  pausedStatuses,
  type DossierStatus,
} from '../domain/lifecycle.js';
import { addDays, formatInstant, instantAt, localDateOf } from '../domain/local-time.js';
import { liveTimeliness, remainingWorkingMinutes, type Granularity } from '../domain/timeliness.js';
import { addWorkingMinutes, type Calendar } from '../domain/working-time.js';

export type DossierRow = typeof dossiers.$inferSelect;

const handling = alias(units, 'handling_unit');

const dossierColumns = {
  d: dossiers,
  procedureName: procedures.name,
  fee: procedures.fee,
  unitName: units.name,
  unitPath: units.path,
  handlingName: handling.name,
  handlingPath: handling.path,
};

export interface DossierView {
  d: DossierRow;
  procedureName: string;
  fee: number | null;
  unitName: string;
  unitPath: string;
  handlingName: string;
  handlingPath: string;
}

function selectDossiers(db: DbOrTx) {
  return db
    .select(dossierColumns)
    .from(dossiers)
    .innerJoin(procedures, eq(procedures.code, dossiers.procedureCode))
    .innerJoin(units, eq(units.code, dossiers.unitCode))
    .innerJoin(handling, eq(handling.code, dossiers.handlingUnitCode));
}

/** A dossier is in a key's scope when its receiving or its handling unit is. */
export function dossierInScope(
  principal: Principal,
  view: Pick<DossierView, 'unitPath' | 'handlingPath'>,
): boolean {
  return inScope(principal, view.unitPath) || inScope(principal, view.handlingPath);
}

function prepareByCode(db: Db) {
  return selectDossiers(db)
    .where(eq(dossiers.code, sql.placeholder('code')))
    .limit(1)
    .prepare('dossier_by_code');
}

// The hottest read: on the pool it runs as a named prepared statement (built once, parsed and planned once per
// connection). Inside a transaction it is built as usual.
const byCode = new WeakMap<Db, ReturnType<typeof prepareByCode>>();

/** The dossier by code, or DOSSIER_NOT_FOUND when it does not exist or lies outside the scope. */
export async function getDossierInScope(
  db: DbOrTx,
  principal: Principal,
  code: string,
): Promise<DossierView> {
  let view: DossierView | undefined;
  if (is(db, PgTransaction)) {
    [view] = await selectDossiers(db).where(eq(dossiers.code, code)).limit(1);
  } else {
    let prepared = byCode.get(db);
    if (!prepared) byCode.set(db, (prepared = prepareByCode(db)));
    [view] = await prepared.execute({ code });
  }
  if (!view || !dossierInScope(principal, view)) throw new DomainError('DOSSIER_NOT_FOUND', { code });
  return view;
}

export async function getDossierView(db: DbOrTx, id: number): Promise<DossierView> {
  const [view] = await selectDossiers(db).where(eq(dossiers.id, id)).limit(1);
  return view!;
}

/**
 * Unit codes of a subtree inside the caller's scope; null = no restriction at all. A province's subtree holds
 * hundreds of codes: they are sent as one array parameter each, not as one parameter per code.
 */
async function unitCodesFor(
  db: DbOrTx,
  principal: Principal,
  unitCode: string | undefined,
): Promise<string[] | null> {
  if (unitCode) {
    // The unit and its subtree in one query (the unit's own row carries the path to check the scope with).
    const top = alias(units, 'top');
    const rows = await db
      .select({ code: units.code, path: units.path })
      .from(units)
      .innerJoin(top, sql`starts_with(${units.path}, ${top.path})`)
      .where(eq(top.code, unitCode));
    const unit = rows.find((r) => r.code === unitCode);
    if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code: unitCode });
    return rows.map((r) => r.code);
  }
  if (principal.scopePath === null) return null;
  const rows = await db
    .select({ code: units.code })
    .from(units)
    .where(like(units.path, `${escapeLike(principal.scopePath)}%`));
  return rows.map((r) => r.code);
}

export interface ListFilters {
  unitCode?: string | undefined;
  status?: string | undefined;
  procedureCode?: string | undefined;
  channel?: 'direct' | 'postal' | 'online' | undefined;
  receivedFrom?: string | undefined;
  receivedTo?: string | undefined;
  dueBefore?: string | undefined;
  timeliness?: 'on_track' | 'due_soon' | 'overdue' | 'paused' | undefined;
  idNumber?: string | undefined;
  q?: string | undefined;
  afterId?: number | undefined;
  limit: number;
}

export interface LiveSettings {
  calendar: Calendar;
  now: Date;
  granularity: Granularity;
  dueSoonMinutes: number;
}

/**
 * The live timeliness flag as SQL, matching `liveTimeliness` for open dossiers: overdue once the due date
 * (or, with `instant`, the due instant) is past; due soon when the due is within the threshold of working
 * time from now; on track beyond it.
 */
function timelinessCondition(flag: NonNullable<ListFilters['timeliness']>, live: LiveSettings): SQL {
  if (flag === 'paused') return inArray(dossiers.status, [...pausedStatuses]);
  const running = inArray(
    dossiers.status,
    openStatuses.filter((s) => !pausedStatuses.includes(s)),
  );
  const overdueBefore = live.granularity === 'day' ? instantAt(localDateOf(live.now), 0) : live.now; // due before this → overdue
  const soonUntil = addWorkingMinutes(live.calendar, live.now, live.dueSoonMinutes);
  if (flag === 'overdue') return and(running, lt(dossiers.dueAt, overdueBefore))!;
  if (flag === 'due_soon')
    return and(running, gte(dossiers.dueAt, overdueBefore), lte(dossiers.dueAt, soonUntil))!;
  return and(running, sql`${dossiers.dueAt} > ${soonUntil}`)!;
}

export async function listDossiers(
  db: DbOrTx,
  principal: Principal,
  f: ListFilters,
  live: LiveSettings,
): Promise<DossierView[]> {
  const codes = await unitCodesFor(db, principal, f.unitCode);
  if (codes && codes.length === 0) return [];
  const statuses = f.status?.split(',');
  const conditions: Array<SQL | undefined> = [
    codes
      ? or(
          sql`${dossiers.unitCode} = any(${sql.param(codes)}::text[])`,
          sql`${dossiers.handlingUnitCode} = any(${sql.param(codes)}::text[])`,
        )
      : undefined,
    statuses ? inArray(dossiers.status, statuses) : undefined,
    f.procedureCode ? eq(dossiers.procedureCode, f.procedureCode) : undefined,
    f.channel ? eq(dossiers.channel, f.channel) : undefined,
    f.receivedFrom ? gte(dossiers.receivedAt, instantAt(f.receivedFrom, 0)) : undefined,
    f.receivedTo ? lt(dossiers.receivedAt, instantAt(addDays(f.receivedTo, 1), 0)) : undefined,
    f.dueBefore ? lt(dossiers.dueAt, new Date(f.dueBefore)) : undefined,
    f.timeliness ? timelinessCondition(f.timeliness, live) : undefined,
    f.idNumber ? eq(dossiers.applicantIdNumber, f.idNumber) : undefined,
    f.q ? like(dossiers.applicantNameSearch, `%${escapeLike(searchKey(f.q))}%`) : undefined,
    f.afterId ? lt(dossiers.id, f.afterId) : undefined,
  ];
  // Newest first either way. With a received range the matches may lie deep in the past, where walking the
  // primary key backwards reads most of the table: `id + 0` keeps the order but makes the planner fetch the
  // range through its index and sort the (few thousand) matches instead.
  const ranged = f.receivedFrom !== undefined || f.receivedTo !== undefined;
  // The page's ids first, from dossiers alone; the joins (which never drop a row: foreign keys) then run for
  // that page only, not for every match a sort has to consider.
  const page = db
    .select({ id: dossiers.id })
    .from(dossiers)
    .where(and(...conditions))
    .orderBy(ranged ? sql`${dossiers.id} + 0 desc` : desc(dossiers.id))
    .limit(f.limit);
  return selectDossiers(db).where(inArray(dossiers.id, page)).orderBy(desc(dossiers.id));
}

export async function listEvents(db: DbOrTx, dossierId: number) {
  return db
    .select()
    .from(dossierEvents)
    .where(eq(dossierEvents.dossierId, dossierId))
    .orderBy(asc(dossierEvents.id));
}

/** Latest event instant, so a late entry can never be placed before what is already recorded. */
export async function latestEventAt(db: DbOrTx, dossierId: number): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<Date>`max(${dossierEvents.at})`.mapWith(dossierEvents.at) })
    .from(dossierEvents)
    .where(eq(dossierEvents.dossierId, dossierId));
  return row?.at ?? null;
}

const iso = (d: Date | null) => (d ? formatInstant(d) : null);

/** Viewer keys see personal data masked. */
export function applicantOf(d: DossierRow, masked: boolean) {
  return {
    type: d.applicantType,
    fullName: d.applicantName,
    idNumber: masked ? maskTail(d.applicantIdNumber) : d.applicantIdNumber,
    phone: masked ? maskTail(d.applicantPhone) : d.applicantPhone,
    email: masked ? maskEmail(d.applicantEmail) : d.applicantEmail,
    address: masked ? null : d.applicantAddress,
  };
}

/** The stored part of a dossier's representation (everything but the live fields). */
export function dossierSnapshot(view: DossierView, masked = false) {
  const d = view.d;
  const status = d.status as DossierStatus;
  return {
    code: d.code,
    status,
    nationalStatus: nationalStatusOf[status],
    procedure: { code: d.procedureCode, name: view.procedureName },
    unit: { code: d.unitCode, name: view.unitName },
    handlingUnit: { code: d.handlingUnitCode, name: view.handlingName },
    channel: d.channel,
    applicant: applicantOf(d, masked),
    summary: d.summary,
    components: d.components,
    duration: { value: d.durationValue, unit: d.durationUnit },
    submittedAt: iso(d.submittedAt),
    receivedAt: iso(d.receivedAt),
    startAt: iso(d.startAt),
    dueAt: iso(d.dueAt),
    rescheduledDueAt: iso(d.rescheduledDueAt),
    pausedAt: iso(d.pausedAt),
    resolvedAt: iso(d.resolvedAt),
    result: d.result,
    returnedAt: iso(d.returnedAt),
    finishedAt: iso(d.finishedAt),
    outcome: d.outcome,
    version: d.version,
    createdAt: formatInstant(d.createdAt),
    updatedAt: formatInstant(d.updatedAt),
  };
}

/** The full representation, with the live timeliness and remaining working time at `live.now`. */
export function toDossierResponse(view: DossierView, live: LiveSettings, masked = false) {
  const d = view.d;
  const status = d.status as DossierStatus;
  const running = d.dueAt !== null && d.finishedAt === null && status !== 'rejected';
  const paused = isPaused(status);
  // In the schema's order: timeliness after finishedAt, remainingWorkingMinutes after outcome.
  const { outcome, version, createdAt, updatedAt, ...stored } = dossierSnapshot(view, masked);
  return {
    ...stored,
    timeliness: running
      ? liveTimeliness({
          cal: live.calendar,
          now: live.now,
          dueAt: d.dueAt!,
          paused,
          finished: false,
          dueSoonMinutes: live.dueSoonMinutes,
          granularity: live.granularity,
        })
      : null,
    outcome,
    remainingWorkingMinutes: running
      ? remainingWorkingMinutes(live.calendar, paused && d.pausedAt ? d.pausedAt : live.now, d.dueAt!)
      : null,
    version,
    createdAt,
    updatedAt,
  };
}
