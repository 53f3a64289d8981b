import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { dossierEvents, dossiers, procedures, units } from '../db/schema/index.js';
import { inScope, readsMasked, type Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import type { DossierForm } from '../domain/forms.js';
import { addDays, instantAt } from '../domain/local-time.js';
import { getDossierInScope, listEvents, listSteps } from '../dossiers/lookups.js';
import {
  formData,
  registerData,
  type FormData,
  type IssuingUnit,
  type RegisterData,
  type RegisterSource,
} from './representation.js';

const parent = alias(units, 'parent_unit');

/** The units as a form's top left names them, with the unit above each. */
async function headingsOf(db: Db, codes: string[]): Promise<Map<string, IssuingUnit>> {
  const rows = await db
    .select({ code: units.code, name: units.name, parentCode: parent.code, parentName: parent.name })
    .from(units)
    .leftJoin(parent, eq(parent.code, units.parentCode))
    .where(inArray(units.code, codes));
  return new Map(
    rows.map((r) => [
      r.code,
      {
        code: r.code,
        name: r.name,
        parent: r.parentCode ? { code: r.parentCode, name: r.parentName! } : null,
      },
    ]),
  );
}

/**
 * A dossier's form inside the caller's scope (DOSSIER_NOT_FOUND outside it), or FORM_NOT_APPLICABLE when the
 * dossier has no such form (no supplement request → no Form 02).
 */
export async function readDossierForm(
  db: Db,
  principal: Principal,
  code: string,
  form: DossierForm,
  publicBaseUrl: string,
): Promise<FormData> {
  const view = await getDossierInScope(db, principal, code);
  const [events, steps] = await Promise.all([
    listEvents(db, view.d.id),
    form === '04' || form === '06' ? listSteps(db, view.d.id) : Promise.resolve([]),
  ]);
  const headings = await headingsOf(db, [
    ...new Set([view.d.unitCode, view.d.handlingUnitCode, ...steps.map((s) => s.s.unitCode)]),
  ]);
  const data = formData(form, {
    view,
    events,
    steps,
    headings,
    masked: readsMasked(principal),
    publicBaseUrl,
  });
  if (!data) throw new DomainError('FORM_NOT_APPLICABLE', { code, form });
  return data;
}

const resolving = alias(units, 'resolving_unit');

/** The dossiers a unit received in [from, to] (local dates), in the order received, as the register reads them. */
async function registerRows(db: Db, unitCode: string, from: string, to: string): Promise<RegisterSource[]> {
  return db
    .select({
      code: dossiers.code,
      procedureCode: dossiers.procedureCode,
      procedureName: procedures.name,
      applicantType: dossiers.applicantType,
      applicantName: dossiers.applicantName,
      applicantAddress: dossiers.applicantAddress,
      applicantPhone: dossiers.applicantPhone,
      resolvingUnitCode: dossiers.resolvingUnitCode,
      resolvingName: resolving.name,
      receivedAt: sql<Date>`${dossiers.receivedAt}`.mapWith(dossiers.receivedAt),
      dueAt: dossiers.dueAt,
      rescheduledDueAt: dossiers.rescheduledDueAt,
      // The first handover to another unit (Chuyển hồ sơ đến cơ quan giải quyết).
      transferredAt: sql<Date | null>`(select min(${dossierEvents.at}) from ${dossierEvents}
        where ${dossierEvents.dossierId} = ${dossiers.id} and ${dossierEvents.type} = 'transferred')`.mapWith(
        dossiers.receivedAt,
      ),
      resolvedAt: dossiers.resolvedAt,
      result: dossiers.result,
      returnedAt: dossiers.returnedAt,
      status: dossiers.status,
    })
    .from(dossiers)
    .innerJoin(procedures, eq(procedures.code, dossiers.procedureCode))
    .innerJoin(resolving, eq(resolving.code, dossiers.resolvingUnitCode))
    .where(
      and(
        eq(dossiers.unitCode, unitCode),
        gte(dossiers.receivedAt, instantAt(from, 0)),
        lt(dossiers.receivedAt, instantAt(addDays(to, 1), 0)),
      ),
    )
    .orderBy(asc(dossiers.receivedAt), asc(dossiers.id));
}

/**
 * Form 07, a unit's register (sổ theo dõi hồ sơ) over [from, to]: the dossiers it received (as the receiving
 * unit: the register is its counter's book). A unit outside the caller's scope answers UNIT_NOT_FOUND.
 */
export async function readRegister(
  db: Db,
  principal: Principal,
  unitCode: string,
  from: string,
  to: string,
): Promise<RegisterData> {
  const [unit] = await db.select().from(units).where(eq(units.code, unitCode)).limit(1);
  if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code: unitCode });
  const [heading, rows] = await Promise.all([
    headingsOf(db, [unitCode]),
    registerRows(db, unitCode, from, to),
  ]);
  return registerData(heading.get(unitCode)!, from, to, rows, readsMasked(principal));
}
