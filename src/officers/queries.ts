import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../db/client.js';
import { officers, units } from '../db/schema/index.js';
import { inSubtree } from '../db/sql.js';
import { inScope, scopeCondition, type Principal } from '../auth/plugin.js';
import { searchKey } from '../domain/applicant.js';
import { DomainError } from '../domain/errors.js';
import { formatInstant } from '../domain/local-time.js';

export type OfficerRow = typeof officers.$inferSelect;
/** An officer with the path of their unit, for the scope tests. */
export type PlacedOfficer = OfficerRow & { unitPath: string };

/**
 * Whether the unit whose path is `path`, or a unit above it, requires unit-wide keys to name the acting officer
 * (`units.require_officer`): the codes on a path are the unit and its ancestors, so each is a primary-key lookup.
 */
export function unitRequiresOfficer(path: AnyPgColumn | SQL): SQL<boolean> {
  return sql<boolean>`exists (select 1 from ${units} ancestor
    where ancestor.code = any(string_to_array(rtrim(${path}, '/'), '/')) and ancestor.require_officer)`;
}

export async function findOfficer(db: DbOrTx, code: string): Promise<PlacedOfficer | undefined> {
  const [found] = await db
    .select({ officer: officers, unitPath: units.path })
    .from(officers)
    .innerJoin(units, eq(units.code, officers.unitCode))
    .where(eq(officers.code, code))
    .limit(1);
  return found && { ...found.officer, unitPath: found.unitPath };
}

/** The officer by code, or OFFICER_NOT_FOUND when unknown or working outside the caller's scope. */
export async function getOfficerInScope(
  db: DbOrTx,
  principal: Principal,
  code: string,
): Promise<PlacedOfficer> {
  const officer = await findOfficer(db, code);
  if (!officer || !inScope(principal, officer.unitPath)) throw new DomainError('OFFICER_NOT_FOUND', { code });
  return officer;
}

/** Up to `limit` officers of the caller's scope after the code `after`, by code. */
export async function listOfficers(
  db: DbOrTx,
  principal: Principal,
  q: {
    unitCode?: string | undefined;
    active?: boolean | undefined;
    q?: string | undefined;
    after?: string | undefined;
    limit: number;
  },
): Promise<OfficerRow[]> {
  let under: SQL | undefined;
  if (q.unitCode) {
    const [unit] = await db.select({ path: units.path }).from(units).where(eq(units.code, q.unitCode));
    if (!unit || !inScope(principal, unit.path))
      throw new DomainError('UNIT_NOT_FOUND', { code: q.unitCode });
    under = inSubtree(units.path, unit.path);
  }
  const key = q.q === undefined ? '' : searchKey(q.q);
  const found = await db
    .select({ officer: officers })
    .from(officers)
    .innerJoin(units, eq(units.code, officers.unitCode))
    .where(
      and(
        scopeCondition(principal, units.path),
        under,
        q.active === undefined ? undefined : eq(officers.active, q.active),
        key === '' ? undefined : sql`strpos(${officers.fullNameSearch}, ${key}) <> 0`,
        q.after ? gt(officers.code, q.after) : undefined,
      ),
    )
    .orderBy(asc(officers.code))
    .limit(q.limit);
  return found.map((r) => r.officer);
}

export function toOfficerResponse(row: OfficerRow) {
  return {
    code: row.code,
    fullName: row.fullName,
    title: row.title,
    unitCode: row.unitCode,
    active: row.active,
    createdAt: formatInstant(row.createdAt),
    updatedAt: formatInstant(row.updatedAt),
  };
}
