import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { prepareBuilt, type DbOrTx } from '../db/client.js';
import { units } from '../db/schema/index.js';
import { scopeCondition, type Principal } from '../auth/plugin.js';
import { formatInstant } from '../domain/local-time.js';

export type UnitRow = typeof units.$inferSelect;

/** A unit by its code; built once and prepared by name (every statistics answer and unit read asks it). */
export async function findUnit(db: DbOrTx, code: string): Promise<UnitRow | undefined> {
  const [row] = await prepareBuilt(db, 'unit_by_code', unitByCode, { code });
  return row;
}

// The code is the key: no limit (drizzle would send it as a value, which prepareBuilt refuses).
const unitByCode = (db: DbOrTx) =>
  db
    .select()
    .from(units)
    .where(eq(units.code, sql.placeholder('code')));

export async function listUnits(
  db: DbOrTx,
  principal: Principal,
  q: {
    parentCode?: string | undefined;
    active?: boolean | undefined;
    after?: string | undefined;
    limit: number;
  },
): Promise<UnitRow[]> {
  return db
    .select()
    .from(units)
    .where(
      and(
        scopeCondition(principal, units.path),
        q.parentCode ? eq(units.parentCode, q.parentCode) : undefined,
        q.active === undefined ? undefined : eq(units.active, q.active),
        q.after ? gt(units.code, q.after) : undefined,
      ),
    )
    .orderBy(asc(units.code))
    .limit(q.limit);
}

/** Re-roots the paths of a subtree after its root moved. */
export async function rewriteSubtreePaths(db: DbOrTx, oldPath: string, newPath: string): Promise<void> {
  await db.execute(sql`
    update units set path = ${newPath} || substr(path, ${oldPath.length + 1}), updated_at = now()
    where left(path, ${oldPath.length}) = ${oldPath}`);
}

export function toUnitResponse(row: UnitRow) {
  return {
    code: row.code,
    name: row.name,
    parentCode: row.parentCode,
    active: row.active,
    requireOfficer: row.requireOfficer,
    createdAt: formatInstant(row.createdAt),
    updatedAt: formatInstant(row.updatedAt),
  };
}
