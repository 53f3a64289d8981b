// A hot read run on node-postgres directly: drizzle writes the statement once, pg runs it as a named prepared
// statement, and a row mapper compiled once from the selection decodes it. The one place that relies on how
// drizzle decodes a column (`mapFromDriverValue`, and the values its node-postgres driver leaves as text);
// test/db-compiled-read.test.ts fails if drizzle changes either.
import { Column, getTableColumns, is, Table } from 'drizzle-orm';
import pg from 'pg';
import { poolOf, type Db } from './client.js';

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

/**
 * The first row of `statementText` (a drizzle select of `selection`, its parameters written as placeholders) as
 * drizzle would map it: `T` is the selection's row type. Undefined on a handle without a pg pool (PGlite), where
 * the caller reads through drizzle. `name` must be unique to the statement.
 */
export function compiledFirstRow<T>(
  db: Db,
  name: string,
  statementText: string,
  selection: Selection,
): ((...values: unknown[]) => Promise<T | undefined>) | undefined {
  const pool = poolOf(db);
  if (!pool) return undefined;
  // drizzle selects the fields in the selection's order, a table's or an object's columns in their order.
  const fields = Object.entries(selection).map(([key, value]) => {
    if (is(value, Table)) return { key, columns: Object.entries(getTableColumns(value)), nullable: false };
    if (is(value, Column)) return { key, column: value };
    return { key, columns: Object.entries(value), nullable: true };
  });
  const query = { name, text: statementText, rowMode: 'array' as const, types };
  return async (...values) => {
    const row = (await pool.query<unknown[]>({ ...query, values })).rows[0];
    if (!row) return undefined;
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
