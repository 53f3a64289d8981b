import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { units } from '../db/schema/index.js';
import { inScope, isSystemAdmin, type Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import { findUnit, rewriteSubtreePaths, type UnitRow } from './queries.js';
import { announce } from '../db/cache-signals.js';

export interface CreateUnitInput {
  code: string;
  name: string;
  parentCode?: string | null | undefined;
  active: boolean;
  requireOfficer?: boolean | undefined;
}

/** A parent the caller may attach units to: it exists and lies in the caller's scope. */
async function visibleParent(db: DbOrTx, principal: Principal, parentCode: string): Promise<UnitRow> {
  const parent = await findUnit(db, parentCode);
  if (!parent || !inScope(principal, parent.path))
    throw new DomainError('UNIT_NOT_FOUND', { code: parentCode });
  return parent;
}

/** Roots (units without a parent) belong to the system admin alone. */
function assertMayHoldRoot(principal: Principal): void {
  if (!isSystemAdmin(principal))
    throw new DomainError('FORBIDDEN', { role: principal.role === 'admin' ? 'unit_admin' : principal.role });
}

export async function createUnit(db: DbOrTx, principal: Principal, input: CreateUnitInput): Promise<UnitRow> {
  const parentCode = input.parentCode ?? null;
  let path = `${input.code}/`;
  if (parentCode === null) assertMayHoldRoot(principal);
  else path = (await visibleParent(db, principal, parentCode)).path + path;
  const [row] = await db
    .insert(units)
    .values({
      code: input.code,
      name: input.name,
      parentCode,
      path,
      active: input.active,
      requireOfficer: input.requireOfficer ?? false,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new DomainError('UNIT_ALREADY_EXISTS', { code: input.code });
  // The processes' unit trees (the dossier list's subtrees) gain it.
  await announce(db, 'units');
  return row;
}

export interface UpdateUnitInput {
  name?: string | undefined;
  parentCode?: string | null | undefined;
  active?: boolean | undefined;
  requireOfficer?: boolean | undefined;
}

export async function updateUnit(
  db: DbOrTx,
  principal: Principal,
  code: string,
  patch: UpdateUnitInput,
): Promise<UnitRow> {
  return db.transaction(async (tx) => {
    // Moves are serialised so two concurrent moves cannot build a cycle.
    await tx.execute(sql`select pg_advisory_xact_lock(7216302)`);
    const unit = await findUnit(tx, code);
    if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code });
    const moving = patch.parentCode !== undefined && patch.parentCode !== unit.parentCode;
    let path = unit.path;
    if (moving) {
      // A scoped admin cannot move the root of its own scope out from under itself.
      if (unit.code === principal.unitCode) assertMayHoldRoot(principal);
      if (patch.parentCode === null) {
        assertMayHoldRoot(principal);
        path = `${unit.code}/`;
      } else {
        const parent = await visibleParent(tx, principal, patch.parentCode!);
        if (parent.path.startsWith(unit.path)) {
          throw new DomainError('UNIT_PARENT_INVALID', {
            code,
            parentCode: parent.code,
            reason: 'parent_in_subtree',
          });
        }
        path = parent.path + `${unit.code}/`;
      }
      await rewriteSubtreePaths(tx, unit.path, path);
    }
    const [row] = await tx
      .update(units)
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        ...(patch.requireOfficer !== undefined ? { requireOfficer: patch.requireOfficer } : {}),
        ...(moving ? { parentCode: patch.parentCode ?? null, path } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(units.code, code))
      .returning();
    await announce(tx, 'intake-targets');
    // The processes' unit trees hold its name and path.
    await announce(tx, 'units');
    // A move changes the scope paths of the keys in the subtree.
    if (moving) await announce(tx, 'api-keys');
    return row!;
  });
}
