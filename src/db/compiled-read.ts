// A hot read run on node-postgres directly (on the pool, or on a transaction's connection): drizzle writes the
// statement once, pg runs it as a named prepared statement, and a row mapper compiled once from the selection
// decodes it. The one place that relies on how drizzle decodes a column (`mapFromDriverValue`, and the values its node-postgres driver leaves as text);
// test/db-compiled-read.test.ts fails if drizzle changes either.
import { Column, getTableColumns, is, sql, Table, type SQL } from 'drizzle-orm';
import pg from 'pg';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { nameOfText, poolOf, queryOf, type Db, type DbOrTx } from './client.js';

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

/** A row of a selection's columns, as pg answers it in array mode, mapped as drizzle would map it. */
function rowMapper<T>(selection: Selection): (row: unknown[]) => T {
  // drizzle selects the fields in the selection's order, a table's or an object's columns in their order.
  const fields = Object.entries(selection).map(([key, value]) => {
    if (is(value, Table)) return { key, columns: Object.entries(getTableColumns(value)), nullable: false };
    if (is(value, Column)) return { key, column: value };
    return { key, columns: Object.entries(value), nullable: true };
  });
  return (row) => {
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
  const map = rowMapper<T>(selection);
  let text: string | undefined;
  return async (db, ...values) => {
    const on = queryableOf(db);
    if (!on) return undefined;
    text ??= build(db).toSQL().sql;
    return (await on.query<unknown[]>({ name, text, rowMode: 'array', types, values })).rows.map(map);
  };
}

/** Where compiledAround() splices the inner statement into the outer one's text: a comment no column's text holds. */
const INNER = '/* inner */';

/**
 * The rows of a statement written around an inner one whose values change from call to call (a list's page of ids
 * inside the read of their rows), decoded as compiledRows() decodes them: `build(db, inner)` writes the outer
 * statement once, with no value of its own, and each call splices the inner statement's text into it, with the
 * inner's values. One statement and one round trip for both, and the outer text is not written again. Run as a
 * statement named after its text (parsed once per connection, and PostgreSQL may keep one generic plan): only for
 * inner statements whose text takes a bounded number of forms. Answers undefined on PGlite, like compiledRows():
 * the caller reads through drizzle.
 */
export function compiledAround<T>(
  build: (db: DbOrTx, inner: SQL) => { toSQL(): { sql: string; params: unknown[] } },
  selection: Selection,
): (db: DbOrTx, inner: SQL) => Promise<T[] | undefined> {
  const map = rowMapper<T>(selection);
  let around: { before: string; after: string } | undefined;
  return async (db, inner) => {
    const on = queryableOf(db);
    if (!on) return undefined;
    if (!around) {
      const outer = build(db, sql.raw(INNER)).toSQL();
      const parts = outer.sql.split(INNER);
      // The inner statement's values are numbered from $1: the outer statement may hold none.
      if (parts.length !== 2 || outer.params.length > 0) {
        throw new Error('compiledAround: the outer statement must hold the inner one once, and no value');
      }
      around = { before: parts[0]!, after: parts[1]! };
    }
    const query = queryOf(inner);
    const text = `${around.before}${query.sql}${around.after}`;
    const found = await on.query<unknown[]>({
      name: nameOfText(text),
      text,
      rowMode: 'array',
      types,
      values: query.params,
    });
    return found.rows.map(map);
  };
}
