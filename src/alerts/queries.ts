import { and, desc, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../db/client.js';
import { alerts, dossiers, units } from '../db/schema/index.js';
import { inSubtree } from '../db/sql.js';
import { inScope, type Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import { dossierInScope } from '../dossiers/lookups.js';

const handling = alias(units, 'handling_unit');
const resolving = alias(units, 'resolving_unit');

/** Alerts with their dossier's code and the paths of its receiving, handling and resolving units (for the scope). */
function selectAlerts(db: DbOrTx) {
  return db
    .select({
      a: alerts,
      code: dossiers.code,
      unitPath: units.path,
      handlingPath: handling.path,
      resolvingPath: resolving.path,
    })
    .from(alerts)
    .innerJoin(dossiers, eq(dossiers.id, alerts.dossierId))
    .innerJoin(units, eq(units.code, dossiers.unitCode))
    .innerJoin(handling, eq(handling.code, dossiers.handlingUnitCode))
    .innerJoin(resolving, eq(resolving.code, dossiers.resolvingUnitCode));
}

export type AlertView = Awaited<ReturnType<ReturnType<typeof selectAlerts>['limit']>>[number];

/** The subtree to list: the given unit's (not found outside the caller's scope), else the caller's scope. */
export async function subtreePath(
  db: DbOrTx,
  principal: Principal,
  unitCode: string | undefined,
): Promise<string | null> {
  if (!unitCode) return principal.scopePath;
  const [unit] = await db.select({ path: units.path }).from(units).where(eq(units.code, unitCode)).limit(1);
  if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code: unitCode });
  return unit.path;
}

export interface AlertFilter {
  kind?: (typeof alerts.$inferSelect)['kind'];
  acknowledged?: 'true' | 'false';
  dossierCode?: string;
  /** Only alerts with a smaller id (the cursor). */
  before?: unknown;
}

/**
 * Up to `limit` alerts of dossiers received, handled or resolved in the subtree at `path` (null = all), newest
 * first.
 */
export async function listAlerts(
  db: DbOrTx,
  path: string | null,
  q: AlertFilter,
  limit: number,
): Promise<AlertView[]> {
  return selectAlerts(db)
    .where(
      and(
        path === null
          ? undefined
          : or(inSubtree(units.path, path), inSubtree(handling.path, path), inSubtree(resolving.path, path)),
        q.kind ? eq(alerts.kind, q.kind) : undefined,
        q.acknowledged === 'true' ? isNotNull(alerts.acknowledgedAt) : undefined,
        q.acknowledged === 'false' ? isNull(alerts.acknowledgedAt) : undefined,
        q.dossierCode ? eq(dossiers.code, q.dossierCode) : undefined,
        typeof q.before === 'number' ? lt(alerts.id, q.before) : undefined,
      ),
    )
    .orderBy(desc(alerts.id))
    .limit(limit);
}

/** An alert of a dossier received, handled or resolved in the caller's scope; otherwise not found. */
export async function alertInScope(db: DbOrTx, principal: Principal, id: number): Promise<AlertView> {
  const [view] = await selectAlerts(db).where(eq(alerts.id, id)).limit(1);
  if (!view || !dossierInScope(principal, view)) {
    throw new DomainError('ALERT_NOT_FOUND', { id });
  }
  return view;
}
