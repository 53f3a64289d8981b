// The small SQL toolkit every query module uses: typed rows of a raw statement, and the unit-subtree condition.
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './client.js';

/**
 * The rows of a raw statement. Both drivers (node-postgres and PGlite) answer `{ rows }`; the row type is the
 * statement's select list, which the caller states as T (columns as PostgreSQL returns them: snake_case names,
 * bigint as string unless cast).
 */
export async function rows<T>(db: DbOrTx, statement: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(statement));
}

/** The rows of a driver result (for a statement run another way, e.g. prepared). */
export function rowsOf<T>(result: unknown): T[] {
  const found = (result as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(found)) throw new TypeError('a query result without rows');
  return found as T[];
}

/** A LIKE pattern matching `value` literally (its %, _ and \ escaped). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Units are a tree stored as materialised paths (a unit's path starts with its parent's): a path column lies in
 * the subtree of the unit whose path is `rootPath` when it starts with it. `rootPath` may be a value or another
 * path column/expression.
 */
export function inSubtree(pathColumn: AnyPgColumn | SQL, rootPath: string | AnyPgColumn | SQL): SQL {
  return typeof rootPath === 'string'
    ? sql`${pathColumn} like ${escapeLike(rootPath) + '%'}`
    : sql`starts_with(${pathColumn}, ${rootPath})`;
}
