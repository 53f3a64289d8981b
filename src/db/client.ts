import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { is, Param, Placeholder, sql, type DriverValueEncoder, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { TypedQueryBuilder } from 'drizzle-orm/query-builders/query-builder';
import type { Pool } from 'pg';
import * as schema from './schema/index.js';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.js';

export type Schema = typeof schema;
/** A database handle or an open transaction: query functions take either, so transactions compose. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Where the data lives: the server (password hidden) or the PGlite folder. */
  location: string;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An insert or an update that returns nothing: as a statement's `with` clause takes it to run it alongside, or run
 * alone by runNamed().
 */
export type Write = TypedQueryBuilder<undefined> & Builder<unknown>;

export const migrationsFolder = path.resolve(import.meta.dirname, '../../migrations');

const pools = new WeakMap<Db, Pool>();

const dialect = new PgDialect();
type Query = ReturnType<PgDialect['sqlToQuery']>;
const statementTexts = new WeakMap<SQL, Query>();

/** A statement's text and values, as drizzle writes them for the driver. */
export const queryOf = (statement: SQL): Query => dialect.sqlToQuery(statement);

/**
 * `query` as the named prepared statement `name`, through drizzle's internals (`db._.session.prepareQuery`, as
 * executeBuilt does with a built query's fields); test/db-sql.test.ts fails if drizzle changes them.
 */
function prepareNamed(db: DbOrTx, query: Query, name: string) {
  return db._.session.prepareQuery(query, undefined, name, false);
}

/**
 * A hot statement written with `sql.placeholder`s, run as a named prepared statement: its text is built once,
 * and on node-postgres each connection parses and plans it once (PGlite runs it as a plain query). Works on a
 * pool handle and inside a transaction alike. `name` must be unique to the statement. Its `execute(values)`
 * answers the driver's result: read it with rowsOf().
 */
export function prepared(db: DbOrTx, name: string, statement: SQL) {
  let query = statementTexts.get(statement);
  if (!query) statementTexts.set(statement, (query = dialect.sqlToQuery(statement)));
  return prepareNamed(db, query, name);
}

/** The name of a statement prepared under its text (preparedRows, runNamed, compiledAround): a hash of the text. */
export const nameOfText = (text: string) =>
  `h_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;

/**
 * The rows of a read whose text repeats from call to call while its values change (a statistics answer's
 * statements, the change feed's page, a few units' newest dossiers), run as a prepared statement named after a hash
 * of its text: on node-postgres each connection parses it once, and PostgreSQL may then keep one generic plan for
 * it instead of planning it on every call (planning was 99 % of the feed page's time in PostgreSQL and 40 % of the
 * statistics statements'). Only for statements whose text takes a bounded number of forms: every value a parameter,
 * none written into the text (each form is kept by every connection). Read like rows(); on PGlite a plain query.
 */
export async function preparedRows<T>(db: DbOrTx, statement: SQL): Promise<T[]> {
  const query = queryOf(statement);
  const name = nameOfText(query.sql);
  const result = await prepareNamed(db, query, name).execute();
  return (result as { rows: T[] }).rows;
}

/**
 * Several reads of preparedRows()'s kind answered by one statement: one round trip, and one statement's
 * overhead in this process and in PostgreSQL, instead of one each. Each read is a subquery whose rows come back
 * as a JSON array in a column named after it, so PostgreSQL plans each as it would alone, and all of them read
 * one snapshot. A null read is not sent and answers no rows. Only for rows whose values JSON carries as they
 * are: text, booleans and numbers cast to int (not bigint, numeric, dates or bytes).
 */
export async function preparedReads<T extends object>(
  db: DbOrTx,
  reads: { [K in keyof T]: SQL | null },
): Promise<{ [K in keyof T]: T[K][] }> {
  const names = Object.keys(reads) as Array<keyof T & string>;
  // PostgreSQL cuts longer names to 63 bytes: the answer's column would not be found.
  const long = names.find((name) => Buffer.byteLength(name) > 63);
  if (long) throw new Error(`preparedReads: the read name ${long} is longer than 63 bytes`);
  const sent = names.filter((name) => reads[name] !== null);
  const answer = Object.fromEntries(names.map((name) => [name, []])) as unknown as { [K in keyof T]: T[K][] };
  if (!sent.length) return answer;
  // `r.*`, the whole row even where a read has a column named r.
  const columns = sent.map(
    (name) => sql`(select coalesce(json_agg(r.*), '[]') from (${reads[name]}) r) as ${sql.identifier(name)}`,
  );
  const [row] = await preparedRows<Record<string, unknown>>(db, sql`select ${sql.join(columns, sql`, `)}`);
  // node-postgres and PGlite parse json columns; parsed here if a driver ever hands the text.
  for (const name of sent) {
    const value = row![name];
    answer[name] = (typeof value === 'string' ? JSON.parse(value) : value) as T[typeof name][];
  }
  return answer;
}

/** `sql.placeholder(name)` under each name: the values of an insert or update written for prepareBuilt(). */
export function placeholders<K extends string>(...names: K[]) {
  return Object.fromEntries(names.map((n) => [n, sql.placeholder(n)])) as {
    [P in K]: ReturnType<typeof sql.placeholder<P>>;
  };
}

/** A query builder's statement as drizzle prepares it: its text and parameters, its selection and joins' nullability. */
interface Built {
  queryString: string;
  params: unknown[];
  fields: unknown;
  joinsNotNullableMap: unknown;
}

/**
 * A placeholder among an insert's values or an update's set is encoded by its column, and drizzle would hand a
 * null to the encoder too (a timestamp's fails on it): a null goes to the driver as null, as drizzle writes a
 * null given as a value.
 */
function nullAsNull(param: unknown): unknown {
  if (!is(param, Param) || !is(param.value, Placeholder)) return param;
  const encoder = param.encoder as DriverValueEncoder<unknown, unknown>;
  return new Param(param.value, {
    mapToDriverValue: (v: unknown) => (v === null ? null : encoder.mapToDriverValue(v)),
  });
}

/** A drizzle select, insert or update as prepareBuilt() and runNamed() take it: what it resolves to is T. */
interface Builder<T> extends PromiseLike<T> {
  prepare(name: string): unknown;
}

const builtStatements = new Map<string, Built>();

/**
 * A hot statement written with drizzle's query builder (a select, an insert, an update), every value in it a
 * `sql.placeholder`, run as a named prepared statement whose text drizzle builds once per process instead of on
 * every call: the first time `name` is asked for, `build(db)` is prepared and its text, parameters (with their
 * columns' encoders: a placeholder among an insert's values or an update's set is encoded as its column, a
 * null as null) and row mapping are kept under `name`. Answers what the builder would (a select's mapped rows).
 * A value written into `build` would be kept for every later call: a statement holding one is refused. Like
 * prepared(), it reaches into drizzle's internals (the prepared query's `queryString`, `params`, `fields` and
 * `joinsNotNullableMap`); test/db-sql.test.ts fails if drizzle changes them.
 */
export async function prepareBuilt<T>(
  db: DbOrTx,
  name: string,
  build: (db: DbOrTx) => Builder<T>,
  values: Record<string, unknown>,
): Promise<T> {
  let built = builtStatements.get(name);
  if (!built) {
    const first = build(db).prepare(name) as Built;
    // A value written into the statement would be kept for every later call: placeholders only.
    const placeholder = (p: unknown) => is(p, Placeholder) || (is(p, Param) && is(p.value, Placeholder));
    if (!first.params.every(placeholder)) throw new Error(`${name}: a value that is not a sql.placeholder`);
    built = {
      queryString: first.queryString,
      params: first.params.map(nullAsNull),
      fields: first.fields,
      joinsNotNullableMap: first.joinsNotNullableMap,
    };
    builtStatements.set(name, built);
  }
  return executeBuilt<T>(db, built, name, values);
}

/** A built statement run as the named prepared statement `name`, its rows mapped as drizzle maps them. */
async function executeBuilt<T>(db: DbOrTx, built: Built, name: string, values?: Record<string, unknown>) {
  const query = db._.session.prepareQuery(
    { sql: built.queryString, params: built.params },
    built.fields as never,
    name,
    true,
  );
  (query as unknown as Built).joinsNotNullableMap = built.joinsNotNullableMap;
  return (await query.execute(values)) as T;
}

/**
 * A statement written with drizzle's query builder and its values (an insert, an update, a select whose columns
 * or clauses vary from call to call, so prepareBuilt()'s one text per name does not fit), run as a prepared
 * statement named after a hash of its text, as preparedRows() runs a read: on node-postgres each connection
 * parses each form once, and PostgreSQL may keep one generic plan for it instead of planning it on every call.
 * Answers what the builder would. Only for statements whose text takes a bounded number of forms (every value a
 * parameter, as the builder writes values; each form is kept by every connection). On PGlite a plain query.
 */
export async function runNamed<T>(db: DbOrTx, builder: Builder<T>): Promise<T> {
  const built = builder.prepare('') as Built;
  return executeBuilt<T>(db, built, nameOfText(built.queryString));
}

/** The node-postgres pool behind a handle (undefined for PGlite), for the few reads that run on pg directly. */
export function poolOf(db: Db): Pool | undefined {
  return pools.get(db);
}

// Serialises migrations when several API instances start at once.
const MIGRATION_LOCK_ID = 7_216_301;

export async function connectPostgres(url: string, poolSize = 10): Promise<Database> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  // Dates and timestamps are parsed by drizzle's column types; keep `date` columns as plain strings.
  // JIT compilation is off for the service's sessions: it spends seconds compiling the statistics statements
  // (their cost estimates are high) and gains nothing on short queries. So are parallel workers: starting them
  // costs more than the few thousand rows of a statistics read take (30 ms against 4 ms on the benchmark
  // machine), and under load every request would take several processes' CPU. `work_mem` is 32 MB: a bitmap of
  // matching rows over the whole dossiers table (400,000 pages at 5 million dossiers) then stays exact; at the
  // default 4 MB a name search for a common name within a unit went lossy and checked the name keys of 160,000
  // rows again (2.8 s instead of 40 ms).
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    options: '-c jit=off -c max_parallel_workers_per_gather=0 -c work_mem=32MB',
  });
  pool.on('error', () => {
    // An idle client lost its connection (e.g. Postgres restarted); the pool replaces it on next use.
  });
  // A client checked out of the pool (a transaction between two statements) that loses its connection emits
  // 'error' with no listener of the pool's on it: unheard, that event would end the process. Heard here, it
  // leaves the transaction's next statement to fail (503 SERVICE_UNAVAILABLE) and the client to be discarded.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db: Db = drizzle(pool, { schema });
  pools.set(db, pool);
  return {
    db,
    kind: 'postgres',
    location: redactUrl(url),
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        await migrate(drizzle(client, { schema }), { migrationsFolder });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
        client.release();
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await pool.end();
    },
  };
}

/** Embedded PostgreSQL (PGlite, WASM) in a folder; `dataDir` 'memory://' keeps it in memory. */
export async function connectPglite(dataDir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : path.resolve(dataDir);
  let unlock = () => {};
  if (!inMemory) {
    mkdirSync(location, { recursive: true });
    unlock = lockDataDir(location); // throws DataDirLockedError while another process owns the folder
  }
  const client = new PGlite(location, { extensions: { pg_trgm } });
  try {
    await client.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }
  const db: Db = drizzle(client, { schema });
  return {
    db,
    kind: 'pglite',
    location,
    async migrate() {
      await migrate(drizzle(client, { schema }), { migrationsFolder });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      try {
        await client.close();
      } finally {
        unlock();
      }
    },
  };
}

export function connectDatabase(config: {
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
  DB_POOL_SIZE?: number | undefined;
}): Promise<Database> {
  return config.DATABASE_URL
    ? connectPostgres(config.DATABASE_URL, config.DB_POOL_SIZE)
    : connectPglite(config.DATA_DIR);
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

/**
 * For entry points: connect, or print why the embedded folder cannot be opened (another process owns it) and
 * exit non-zero.
 */
export async function connectDatabaseOrExit(
  config: Parameters<typeof connectDatabase>[0],
): Promise<Database> {
  try {
    return await connectDatabase(config);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
