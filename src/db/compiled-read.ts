// A hot read run on node-postgres directly (on the pool, or on a transaction's connection): drizzle writes the
// statement once, pg runs it as a named prepared statement, and a row mapper compiled once from the selection
// decodes it. The one place that relies on how drizzle decodes a column (`mapFromDriverValue`, and the values its node-postgres driver leaves as text);
// test/db-compiled-read.test.ts fails if drizzle changes either.
import { Column, getTableColumns, is, Table } from 'drizzle-orm';
import pg from 'pg';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { poolOf, type Db, type DbOrTx } from './client.js';

/**
 * A selection one level deep, as drizzle's `select({...})` takes it: columns, whole tables (inner-joined), or
 * objects of columns of one left-joined table, which drizzle maps to null when the join found no row (when the
 * object's first column is null).
 */
export type Selection = Record<string, Column | Table | Record<string, Column>>;

// The types drizzle's node-postgres driver asks pg to leave as text, because the column types decode them:
// timestamptz, timestamp, date, interval and their arrays.
const LEFT_AS_TEXT = new Set([1184, 1114, 1082, 1186, 1185, 1115, 1182, 1187, 1231]);
const asText = (value: string) => value;
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    LEFT_AS_TEXT.has(oid) ? asText : pg.types.getTypeParser(oid, format),
};

function decode(column: Column, value: unknown): unknown {
  return value === null ? null : column.mapFromDriverValue(value);
}

/** What runs a compiled read: the pool of a handle, or the client of a transaction on it. */
type Queryable = Pick<pg.Pool, 'query'>;

/**
 * The node-postgres pool of a handle, or for a transaction its connection (drizzle's session keeps it as
 * `client`); undefined on PGlite.
 */
function queryableOf(db: DbOrTx): Queryable | undefined {
  if (!is(db, PgTransaction)) return poolOf(db as Db);
  const client = (db._.session as unknown as { client?: unknown }).client;
  return client instanceof pg.Client ? client : undefined;
}

/**
 * The rows of the statement `build` writes (a drizzle select of `selection`, its parameters written as
 * placeholders) as drizzle would map them: `T` is the selection's row type. The read takes the handle or
 * transaction to run on, and answers undefined where there is no node-postgres connection (PGlite): the caller
 * reads through drizzle. The statement's text is written once, on the first handle that asks (it does not depend
 * on the handle). `name` must be unique to the statement.
 */
export function compiledRows<T>(
  name: string,
  build: (db: DbOrTx) => { toSQL(): { sql: string } },
  selection: Selection,
): (db: DbOrTx, ...values: unknown[]) => Promise<T[] | undefined> {
  // drizzle selects the fields in the selection's order, a table's or an object's columns in their order.
  const fields = Object.entries(selection).map(([key, value]) => {
    if (is(value, Table)) return { key, columns: Object.entries(getTableColumns(value)), nullable: false };
    if (is(value, Column)) return { key, column: value };
    return { key, columns: Object.entries(value), nullable: true };
  });
  let text: string | undefined;
  const map = (row: unknown[]): T => {
    let i = 0;
    const mapped: Record<string, unknown> = {};
    for (const field of fields) {
      if (!field.columns) {
        mapped[field.key] = decode(field.column, row[i++]);
        continue;
      }
      const nested: Record<string, unknown> = {};
      const first = i;
      for (const [key, column] of field.columns) nested[key] = decode(column, row[i++]);
      mapped[field.key] = field.nullable && row[first] === null ? null : nested;
    }
    const result: unknown = mapped;
    return result as T;
  };
  return async (db, ...values) => {
    const on = queryableOf(db);
    if (!on) return undefined;
    text ??= build(db).toSQL().sql;
    return (await on.query<unknown[]>({ name, text, rowMode: 'array', types, values })).rows.map(map);
  };
}
