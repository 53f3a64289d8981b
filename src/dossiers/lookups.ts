// A dossier looked up by its code inside the caller's scope, its audit trail and its receipt: the reads of one
// dossier. The dossier by code and the views of a page's ids are the hottest reads of all (see viewByCode).
import { asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { alias, type SelectedFields } from 'drizzle-orm/pg-core';
import { prepareBuilt, runNamed, type Db, type DbOrTx } from '../db/client.js';
import { compiledAround, compiledRows } from '../db/compiled-read.js';
import { dossierEvents, dossierSteps, dossiers, officers, procedures, units } from '../db/schema/index.js';
import { inScope, readsMasked, type Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import type { UnitTree, UnitTreeCache } from '../units/tree-cache.js';
import {
  toDossierResponse,
  toEventResponse,
  toReceiptResponse,
  toControlSlipResponse,
  toStepResponse,
  type LiveSettings,
} from './representation.js';

export type DossierRow = typeof dossiers.$inferSelect;

/** An officer as a dossier or an event names one. */
export interface OfficerRef {
  code: string;
  fullName: string;
  title: string;
}

/**
 * A dossier's row with the names (and paths, for the scope) of its units and procedure, and the officer holding
 * it (null: nobody named).
 */
export interface DossierView {
  d: DossierRow;
  procedureName: string;
  fee: number | null;
  unitName: string;
  unitPath: string;
  handlingName: string;
  handlingPath: string;
  holder: OfficerRef | null;
  resolvingName: string;
  resolvingPath: string;
}

const handling = alias(units, 'handling_unit');
const resolving = alias(units, 'resolving_unit');
const holder = alias(officers, 'holder');

export const dossierColumns = {
  d: dossiers,
  procedureName: procedures.name,
  fee: procedures.fee,
  unitName: units.name,
  unitPath: units.path,
  handlingName: handling.name,
  handlingPath: handling.path,
  // From a left join: null when nobody holds the dossier.
  holder: { code: holder.code, fullName: holder.fullName, title: holder.title },
  resolvingName: resolving.name,
  resolvingPath: resolving.path,
};

/**
 * Dossiers as DossierViews (with `more` columns beside the view's, when given): the inner joins never drop a row
 * (foreign keys); the holder may be nobody.
 */
export function selectDossiers<More extends SelectedFields = Record<never, never>>(db: DbOrTx, more?: More) {
  return db
    .select({ ...dossierColumns, ...(more as More) })
    .from(dossiers)
    .innerJoin(procedures, eq(procedures.code, dossiers.procedureCode))
    .innerJoin(units, eq(units.code, dossiers.unitCode))
    .innerJoin(handling, eq(handling.code, dossiers.handlingUnitCode))
    .innerJoin(resolving, eq(resolving.code, dossiers.resolvingUnitCode))
    .leftJoin(holder, eq(holder.code, dossiers.holderOfficerCode));
}

/** A dossier is in a key's scope when its receiving, its handling or its resolving unit is. */
export function dossierInScope(
  principal: Principal,
  view: Pick<DossierView, 'unitPath' | 'handlingPath' | 'resolvingPath'>,
): boolean {
  return (
    inScope(principal, view.unitPath) ||
    inScope(principal, view.handlingPath) ||
    inScope(principal, view.resolvingPath)
  );
}

/**
 * The dossier's view by code, and the views of some ids: the hottest reads. On node-postgres (the pool, or a
 * transaction's connection) drizzle's statement is run by pg as a named prepared statement (parsed and planned
 * once per connection) and decoded by a row mapper compiled once (src/db/compiled-read.ts); on PGlite, through
 * drizzle, the statement built once (prepareBuilt). One statement text either way. The code is unique: no
 * limit, so the code is the statement's only parameter.
 */
const viewByCode = (db: DbOrTx) => selectDossiers(db).where(eq(dossiers.code, sql.placeholder('code')));
const BY_CODE = 'dossier_by_code';

/**
 * A reader finds the ids (list, search, action), then reads the views here, newest first. The view's joins take
 * the planner 1.6 to 1.8 ms a statement on the benchmark machine, where running it takes 0.2: planned once. One
 * id is read by its own statement: PostgreSQL judges the array's generic plan (made for an array of unknown
 * length) dearer than one planned for a single id, and planned the array's statement again on every call.
 */
const viewsByIds = (db: DbOrTx) =>
  selectDossiers(db)
    .where(sql`${dossiers.id} = any(${sql.placeholder('ids')}::bigint[])`)
    .orderBy(desc(dossiers.id));
const BY_IDS = 'dossier_views_by_ids';
const viewById = (db: DbOrTx) => selectDossiers(db).where(eq(dossiers.id, sql.placeholder('id')));
const BY_ID = 'dossier_view_by_id';

const compiledByCode = compiledRows<DossierView>(BY_CODE, viewByCode, dossierColumns);
const compiledByIds = compiledRows<DossierView>(BY_IDS, viewsByIds, dossierColumns);
const compiledById = compiledRows<DossierView>(BY_ID, viewById, dossierColumns);

/** The dossier by code, or DOSSIER_NOT_FOUND when it does not exist or lies outside the scope. */
export async function getDossierInScope(
  db: DbOrTx,
  principal: Principal,
  code: string,
): Promise<DossierView> {
  const found = await compiledByCode(db, code);
  const [view] = found ?? (await prepareBuilt(db, BY_CODE, viewByCode, { code }));
  if (!view || !dossierInScope(principal, view)) throw new DomainError('DOSSIER_NOT_FOUND', { code });
  return view;
}

/** The dossiers `ids` as DossierViews, newest first. */
export async function dossierViewsByIds(db: DbOrTx, ids: number[]): Promise<DossierView[]> {
  if (ids.length === 0) return [];
  if (ids.length === 1) {
    const id = ids[0]!;
    return (await compiledById(db, id)) ?? (await prepareBuilt(db, BY_ID, viewById, { id }));
  }
  return (await compiledByIds(db, ids)) ?? (await prepareBuilt(db, BY_IDS, viewsByIds, { ids }));
}

/**
 * A page's rows without their units: the dossier, its procedure's name and fee and its holder. The three joins of
 * the units took 0.35 of the 0.7 ms of a page of 51 views at 5 M (hash tables of every unit, built for each page);
 * dossierPageViews and dossierPageOf find the units in the API process's unit tree instead.
 */
const pageColumns = {
  d: dossiers,
  procedureName: procedures.name,
  fee: procedures.fee,
  holder: dossierColumns.holder,
};
type PageRow = Pick<DossierView, 'd' | 'procedureName' | 'fee' | 'holder'>;
/** A page's rows, newest first: those whose id `where` keeps (the ids given, or those a page's statement reads). */
const pageRows = (db: DbOrTx, where: SQL) =>
  db
    .select(pageColumns)
    .from(dossiers)
    .innerJoin(procedures, eq(procedures.code, dossiers.procedureCode))
    .leftJoin(holder, eq(holder.code, dossiers.holderOfficerCode))
    .where(where)
    .orderBy(desc(dossiers.id));
const pageRowsByIds = (db: DbOrTx) =>
  pageRows(db, sql`${dossiers.id} = any(${sql.placeholder('ids')}::bigint[])`);
const PAGE_BY_IDS = 'dossier_page_by_ids';
const compiledPageRows = compiledRows<PageRow>(PAGE_BY_IDS, pageRowsByIds, pageColumns);

/** A page's rows read around the statement `page` that selects their ids (dossierPageOf), newest first. */
const pageRowsOf = (db: DbOrTx, page: SQL) => pageRows(db, sql`${dossiers.id} = any(array(${page}))`);
const compiledPageRowsOf = compiledAround<PageRow>(pageRowsOf, pageColumns);

/**
 * A page's rows as DossierViews, the units' names and paths from the tree; null when the tree lacks one of their
 * units (created since it was read, or in the caller's own transaction).
 */
function withTreeUnits(rows: PageRow[], tree: UnitTree): DossierView[] | null {
  const views: DossierView[] = [];
  for (const row of rows) {
    const [received, handling, resolving] = [
      row.d.unitCode,
      row.d.handlingUnitCode,
      row.d.resolvingUnitCode,
    ].map((code) => tree.byCode.get(code));
    if (!received || !handling || !resolving) return null;
    views.push({
      d: row.d,
      procedureName: row.procedureName,
      fee: row.fee,
      unitName: received.name,
      unitPath: received.path,
      handlingName: handling.name,
      handlingPath: handling.path,
      holder: row.holder,
      resolvingName: resolving.name,
      resolvingPath: resolving.path,
    });
  }
  return views;
}

/**
 * The dossiers `ids` as DossierViews, newest first, as dossierViewsByIds reads them but for the units' names and
 * paths, taken from the unit tree `units` keeps (a renamed or moved unit is seen as the tree is: at most
 * UNIT_TREE_TTL_MS late, and at once where the change's signal arrives). A search's page, and a list's read by most
 * strategies (the others read theirs with dossierPageOf). Read with the
 * joins instead, as a single dossier is: a page of one; a page naming a unit the tree lacks (created since it was
 * read, or in the caller's own transaction); and when the tree cannot be read (it is read from the primary, which a
 * list served by the replica may find down).
 */
export async function dossierPageViews(
  db: DbOrTx,
  units: UnitTreeCache,
  ids: number[],
): Promise<DossierView[]> {
  if (ids.length <= 1) return dossierViewsByIds(db, ids);
  const tree = await units.get().catch(() => null);
  if (!tree) return dossierViewsByIds(db, ids);
  const rows =
    (await compiledPageRows(db, ids)) ?? (await prepareBuilt(db, PAGE_BY_IDS, pageRowsByIds, { ids }));
  return withTreeUnits(rows, tree) ?? dossierViewsByIds(db, ids);
}

/**
 * The page of dossiers whose ids the statement `page` selects (a list's page: ids newest first, at most a page),
 * as dossierPageViews() reads them, in one statement with the read of their ids: `page` is its subquery, run once
 * (an array of ids), then the rows read by id. Prepared under its text (compiledAround), so only for a `page` whose
 * text takes a bounded number of forms and whose plan suits every value: planned for its values, the rows' joins
 * would be planned again on every call too. When the tree lacks one of the units, or cannot be read, the page's
 * views are read again with their joins.
 */
export async function dossierPageOf(db: DbOrTx, units: UnitTreeCache, page: SQL): Promise<DossierView[]> {
  const [tree, rows] = await Promise.all([
    units.get().catch(() => null),
    compiledPageRowsOf(db, page).then((found) => found ?? runNamed(db, pageRowsOf(db, page))),
  ]);
  return (
    (tree && withTreeUnits(rows, tree)) ??
    dossierViewsByIds(
      db,
      rows.map((r) => r.d.id),
    )
  );
}

export async function getDossierView(db: DbOrTx, id: number): Promise<DossierView> {
  const [view] = await dossierViewsByIds(db, [id]);
  return view!;
}

/** A dossier's events, oldest first, each with the officer who acted (null: none recorded). */
export async function listEvents(db: DbOrTx, dossierId: number) {
  return db
    .select({
      e: dossierEvents,
      officer: { code: officers.code, fullName: officers.fullName, title: officers.title },
    })
    .from(dossierEvents)
    .leftJoin(officers, eq(officers.code, dossierEvents.officerCode))
    .where(eq(dossierEvents.dossierId, dossierId))
    .orderBy(asc(dossierEvents.id));
}

const stepUnit = alias(units, 'step_unit');
const fromUnit = alias(units, 'from_unit');
const fromOfficer = alias(officers, 'from_officer');
const toOfficer = alias(officers, 'to_officer');

/** A dossier's step runs, by seq, with the names of their units and officers. */
export async function listSteps(db: DbOrTx, dossierId: number) {
  return db
    .select({
      s: dossierSteps,
      unitName: stepUnit.name,
      // From left joins: null for step 1 (nobody handed it over) or when nobody was named.
      fromUnit: { code: fromUnit.code, name: fromUnit.name },
      fromOfficer: { code: fromOfficer.code, fullName: fromOfficer.fullName, title: fromOfficer.title },
      toOfficer: { code: toOfficer.code, fullName: toOfficer.fullName, title: toOfficer.title },
    })
    .from(dossierSteps)
    .innerJoin(stepUnit, eq(stepUnit.code, dossierSteps.unitCode))
    .leftJoin(fromUnit, eq(fromUnit.code, dossierSteps.fromUnitCode))
    .leftJoin(fromOfficer, eq(fromOfficer.code, dossierSteps.fromOfficerCode))
    .leftJoin(toOfficer, eq(toOfficer.code, dossierSteps.toOfficerCode))
    .where(eq(dossierSteps.dossierId, dossierId))
    .orderBy(asc(dossierSteps.seq));
}

export type StepView = Awaited<ReturnType<typeof listSteps>>[number];

/** GET /v1/dossiers/{code}: the dossier with its live fields (the live settings are read once it is found). */
export async function readDossier(
  db: Db,
  principal: Principal,
  code: string,
  live: () => Promise<LiveSettings>,
) {
  const view = await getDossierInScope(db, principal, code);
  return toDossierResponse(view, await live(), readsMasked(principal));
}

/** GET /v1/dossiers/{code}/events: the audit trail, oldest first. */
export async function readDossierEvents(db: Db, principal: Principal, code: string) {
  const view = await getDossierInScope(db, principal, code);
  const masked = readsMasked(principal);
  return {
    items: (await listEvents(db, view.d.id)).map(({ e, officer }) => toEventResponse(e, officer, masked)),
  };
}

/** GET /v1/dossiers/{code}/receipt: the data of the receipt and appointment slip. */
export async function readDossierReceipt(db: Db, principal: Principal, code: string, publicBaseUrl: string) {
  const view = await getDossierInScope(db, principal, code);
  return toReceiptResponse(view, readsMasked(principal), publicBaseUrl);
}

/** GET /v1/dossiers/{code}/steps: the step runs of the step clock, in the order they started. */
export async function readDossierSteps(db: Db, principal: Principal, code: string) {
  const view = await getDossierInScope(db, principal, code);
  const masked = readsMasked(principal);
  return { items: (await listSteps(db, view.d.id)).map((step) => toStepResponse(step, masked)) };
}

/** GET /v1/dossiers/{code}/control-slip: the control slip's data (Form 06). */
export async function readControlSlip(db: Db, principal: Principal, code: string) {
  const view = await getDossierInScope(db, principal, code);
  return toControlSlipResponse(view, await listSteps(db, view.d.id), readsMasked(principal));
}
