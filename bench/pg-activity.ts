/**
 * Where PostgreSQL's time goes during a scenario, on a server without pg_stat_statements (loading it takes a
 * restart with shared_preload_libraries), three ways:
 * - statement durations from the server's log: the benchmark database is set to log a random share of its
 *   statements with their duration (log_min_duration_sample 0, log_statement_sample_rate), which scaled back
 *   gives each statement's total time and calls, full text included;
 * - the database's active statements sampled from pg_stat_activity every few milliseconds (a statement seen
 *   in n samples ran ≈ n × the interval, summed over backends), with what they waited on;
 * - the deltas of the table, index and database counters over the scenario.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import pg from 'pg';
import { fmt } from './results.js';

/** Where the Debian/Ubuntu packaging writes the server's log (its stderr); BENCH_PG_LOG names another. */
const SERVER_LOG = process.env.BENCH_PG_LOG ?? '/var/log/postgresql/postgresql-15-main.log';
/** The share of statements logged with their duration while profiling. */
export const LOG_SAMPLE_RATE = 0.1;

/**
 * Turns the statement-duration sample on or off for the database's new sessions (so before the API opens its
 * pool). Off resets the settings, so a run that died while profiling leaves nothing behind once another
 * runs. The parameters are left out of the log.
 */
export async function statementLog(client: pg.Client, database: string, on: boolean): Promise<void> {
  const settings = ['log_min_duration_sample', 'log_statement_sample_rate', 'log_parameter_max_length'];
  if (!on) {
    for (const name of settings) await client.query(`alter database "${database}" reset ${name}`);
    return;
  }
  await client.query(`alter database "${database}" set log_min_duration_sample = 0`);
  await client.query(`alter database "${database}" set log_statement_sample_rate = ${LOG_SAMPLE_RATE}`);
  await client.query(`alter database "${database}" set log_parameter_max_length = 0`);
}

export interface LoggedStatement {
  query: string;
  /** Estimated over the scenario (the logged sample scaled by 1 / LOG_SAMPLE_RATE). */
  calls: number;
  totalMs: number;
  meanMs: number;
  maxMs: number;
}

/** The server log's size now: where a scenario's lines start. */
export const logOffset = () => (existsSync(SERVER_LOG) ? statSync(SERVER_LOG).size : 0);

/**
 * The database's logged statement durations between two offsets of the server log, by statement: the
 * protocol's parse, bind and execute steps of one statement are summed.
 */
export function loggedStatements(database: string, from: number, to: number): LoggedStatement[] {
  if (!existsSync(SERVER_LOG) || to <= from) return [];
  const fd = openSync(SERVER_LOG, 'r');
  const buffer = Buffer.alloc(to - from);
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  const prefix = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[\d+\] (\S*)@(\S*) \w+: {2}/;
  const entry = /^duration: ([\d.]+) ms {2}(?:statement|(?:parse|bind|execute) [^:]*): ([\s\S]*)$/;
  const by = new Map<string, { calls: number; total: number; max: number }>();
  const take = (record: string | null) => {
    if (record === null) return;
    const m = entry.exec(record);
    if (!m) return;
    const key = normalize(m[2]!);
    const ms = Number(m[1]);
    const s = by.get(key) ?? { calls: 0, total: 0, max: 0 };
    // A statement's parse and bind steps are logged apart from its execution: one call, their times summed.
    if (!/^duration: [\d.]+ ms {2}(?:parse|bind) /.test(record)) s.calls++;
    s.total += ms;
    s.max = Math.max(s.max, ms);
    by.set(key, s);
  };
  let record: string | null = null;
  for (const line of buffer.toString('utf8').split('\n')) {
    const m = prefix.exec(line);
    if (m) {
      take(record);
      record = m[2] === database ? line.slice(m[0].length) : null;
    } else if (record !== null) record += `\n${line}`;
  }
  take(record);
  const scale = 1 / LOG_SAMPLE_RATE;
  return [...by]
    .map(([query, s]) => ({
      query,
      calls: Math.round(s.calls * scale),
      totalMs: s.total * scale,
      meanMs: s.calls ? s.total / s.calls : NaN,
      maxMs: s.max,
    }))
    .sort((a, b) => b.totalMs - a.totalMs);
}

export interface StatementTime {
  /** The statement as PostgreSQL saw it (parameters as $n; literals replaced by `?`), at most 1,024 characters. */
  query: string;
  samples: number;
  /** Estimated seconds of backend time, summed over the backends that ran it. */
  seconds: number;
  /** What it waited on, when it did, by samples (`IO:DataFileRead`, `LWLock:…`; CPU when nothing). */
  waits: Map<string, number>;
}

export interface TableDelta {
  name: string;
  seqScan: number;
  seqTupRead: number;
  idxScan: number;
  idxTupFetch: number;
  written: number;
  heapRead: number;
  heapHit: number;
}

export interface IndexDelta {
  name: string;
  table: string;
  scans: number;
  tuplesRead: number;
}

export interface ActivityReport {
  seconds: number;
  /** Sampling rounds, and the mean of active backends over them. */
  rounds: number;
  meanActive: number;
  statements: StatementTime[];
  tables: TableDelta[];
  indexes: IndexDelta[];
  database: { blocksRead: number; blocksHit: number; tempBytes: number; commits: number };
}

/** Literals out, so one statement with different constants is one line. */
export function normalize(query: string): string {
  return query
    .replace(/\s+/g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w$.])-?\d+(?:\.\d+)?(?![\w.])/g, '?')
    .trim();
}

interface Counters {
  tables: Map<string, Omit<TableDelta, 'name'>>;
  indexes: Map<string, IndexDelta>;
  database: ActivityReport['database'];
}

async function counters(client: pg.Client): Promise<Counters> {
  const { rows: t } = await client.query<Record<string, string>>(`
    select s.relname as name, s.seq_scan, s.seq_tup_read, coalesce(s.idx_scan, 0) as idx_scan,
           coalesce(s.idx_tup_fetch, 0) as idx_tup_fetch, s.n_tup_ins + s.n_tup_upd + s.n_tup_del as written,
           coalesce(io.heap_blks_read, 0) as heap_read, coalesce(io.heap_blks_hit, 0) as heap_hit
      from pg_stat_user_tables s join pg_statio_user_tables io using (relid)`);
  const { rows: i } = await client.query<Record<string, string>>(`
    select indexrelname as name, relname as table, idx_scan as scans, idx_tup_read as tuples
      from pg_stat_user_indexes`);
  const { rows: d } = await client.query<Record<string, string>>(`
    select blks_read, blks_hit, temp_bytes, xact_commit from pg_stat_database where datname = current_database()`);
  return {
    tables: new Map(
      t.map((r) => [
        r.name!,
        {
          seqScan: Number(r.seq_scan),
          seqTupRead: Number(r.seq_tup_read),
          idxScan: Number(r.idx_scan),
          idxTupFetch: Number(r.idx_tup_fetch),
          written: Number(r.written),
          heapRead: Number(r.heap_read),
          heapHit: Number(r.heap_hit),
        },
      ]),
    ),
    indexes: new Map(
      i.map((r) => [
        r.name!,
        { name: r.name!, table: r.table!, scans: Number(r.scans), tuplesRead: Number(r.tuples) },
      ]),
    ),
    database: {
      blocksRead: Number(d[0]!.blks_read),
      blocksHit: Number(d[0]!.blks_hit),
      tempBytes: Number(d[0]!.temp_bytes),
      commits: Number(d[0]!.xact_commit),
    },
  };
}

/**
 * Starts sampling the database of `url` (its client backends other than the sampler's and `exclude`) every
 * `everyMs`;
 * `stop` ends it and gives the report. The sampler is one more connection running a cheap query
 * 1000/everyMs times a second: a share of a core of its own, so leave it off for the numbers that count.
 */
export async function startActivitySampler(
  url: string,
  { everyMs = 20, exclude = [] }: { everyMs?: number; exclude?: number[] } = {},
): Promise<{ stop: () => Promise<ActivityReport> }> {
  // The samples are read from another database of the server, so the sampler's own statements stay out of
  // the benchmark database's counters and statement log; the counters are read in it, twice.
  const database = new URL(url).pathname.slice(1);
  const elsewhere = new URL(url);
  elsewhere.pathname = '/postgres';
  const client = new pg.Client({ connectionString: elsewhere.toString() });
  await client.connect();
  const inDatabase = async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await counters(c);
    } finally {
      await c.end();
    }
  };
  const before = await inDatabase();
  const statements = new Map<string, { samples: number; waits: Map<string, number> }>();
  let rounds = 0;
  let active = 0;
  let running = true;
  const start = performance.now();
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      const { rows } = await client.query<{ query: string; wait: string | null }>(
        `select query, wait_event_type || ':' || wait_event as wait from pg_stat_activity
          where datname = $1 and state = 'active' and backend_type = 'client backend'
            and pid <> all($2::int[])`,
        [database, exclude],
      );
      rounds++;
      active += rows.length;
      for (const r of rows) {
        const key = normalize(r.query);
        let s = statements.get(key);
        if (!s) statements.set(key, (s = { samples: 0, waits: new Map() }));
        s.samples++;
        const wait = r.wait ?? 'CPU';
        s.waits.set(wait, (s.waits.get(wait) ?? 0) + 1);
      }
      const rest = everyMs - (performance.now() - t);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const seconds = (performance.now() - start) / 1000;
      // Backends report their counters within a second of a transaction's end.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await client.end();
      const after = await inDatabase();
      const perRound = seconds / Math.max(1, rounds);
      const tables: TableDelta[] = [...after.tables].map(([name, a]) => {
        const b = before.tables.get(name);
        const d = (k: keyof typeof a) => a[k] - (b?.[k] ?? 0);
        return {
          name,
          seqScan: d('seqScan'),
          seqTupRead: d('seqTupRead'),
          idxScan: d('idxScan'),
          idxTupFetch: d('idxTupFetch'),
          written: d('written'),
          heapRead: d('heapRead'),
          heapHit: d('heapHit'),
        };
      });
      const indexes: IndexDelta[] = [...after.indexes.values()].map((a) => {
        const b = before.indexes.get(a.name);
        return { ...a, scans: a.scans - (b?.scans ?? 0), tuplesRead: a.tuplesRead - (b?.tuplesRead ?? 0) };
      });
      return {
        seconds,
        rounds,
        meanActive: active / Math.max(1, rounds),
        statements: [...statements]
          .map(([query, s]) => ({ query, samples: s.samples, seconds: s.samples * perRound, waits: s.waits }))
          .sort((x, y) => y.samples - x.samples),
        tables: tables.sort((x, y) => y.heapHit + y.heapRead - (x.heapHit + x.heapRead)),
        indexes: indexes.sort((x, y) => y.tuplesRead - x.tuplesRead),
        database: {
          blocksRead: after.database.blocksRead - before.database.blocksRead,
          blocksHit: after.database.blocksHit - before.database.blocksHit,
          tempBytes: after.database.tempBytes - before.database.tempBytes,
          commits: after.database.commits - before.database.commits,
        },
      };
    },
  };
}

/** The report as text: the top statements by time with their waits, then the busiest tables and indexes. */
export function activityText(r: ActivityReport, top = 12): string {
  const total = r.statements.reduce((n, s) => n + s.samples, 0) || 1;
  const lines = [
    `PostgreSQL activity over ${r.seconds.toFixed(0)} s: ${fmt(r.rounds)} samples, ${r.meanActive.toFixed(2)} ` +
      `backends active on average; ${fmt(r.database.commits)} commits, blocks hit ${fmt(r.database.blocksHit)}, ` +
      `read ${fmt(r.database.blocksRead)}, temp ${fmt(r.database.tempBytes / 2 ** 20)} MB`,
    '',
    'Top statements by estimated backend time:',
  ];
  for (const s of r.statements.slice(0, top)) {
    const waits = [...s.waits]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([w, n]) => `${w} ${Math.round((n / s.samples) * 100)} %`)
      .join(', ');
    lines.push(
      `- ${fmt((s.samples / total) * 100, 1)} % (${s.seconds.toFixed(1)} s; ${waits}): ${shortened(s.query).slice(0, 600)}`,
    );
  }
  lines.push('', 'Tables by blocks touched (hit + read), with scans and rows:');
  for (const t of r.tables.slice(0, 8))
    lines.push(
      `- ${t.name}: blocks hit ${fmt(t.heapHit)}, read ${fmt(t.heapRead)}; seq scans ${fmt(t.seqScan)} ` +
        `(${fmt(t.seqTupRead)} rows), index scans ${fmt(t.idxScan)} (${fmt(t.idxTupFetch)} rows fetched), ` +
        `rows written ${fmt(t.written)}`,
    );
  lines.push('', 'Indexes by entries read:');
  for (const i of r.indexes.slice(0, 12))
    lines.push(`- ${i.name} (${i.table}): ${fmt(i.scans)} scans, ${fmt(i.tuplesRead)} entries read`);
  return lines.join('\n');
}

/** A statement for reading: a long list of one table's columns as `table.* (n columns)`. */
export function shortened(query: string): string {
  return query.replace(/"(\w+)"\."\w+"(?:, "\1"\."\w+")+/g, (list, table: string) => {
    return `"${table}".* (${list.split(', ').length} columns)`;
  });
}

/** The logged statements as text: the top by total time, with calls and mean. */
export function loggedText(statements: LoggedStatement[], seconds: number, top = 15): string {
  const total = statements.reduce((n, s) => n + s.totalMs, 0) || 1;
  return [
    `Statements by total time (from a ${LOG_SAMPLE_RATE * 100} % sample of the server's statement log, scaled; ` +
      `${fmt(total / 1000, 1)} s of statement time in ${seconds.toFixed(0)} s):`,
    ...statements
      .slice(0, top)
      .map(
        (s) =>
          `- ${fmt((s.totalMs / total) * 100, 1)} % (${fmt(s.totalMs / 1000, 2)} s, ${fmt(s.calls)} calls, mean ` +
          `${s.calls ? fmt(s.meanMs, 2) : '–'} ms, max ${fmt(s.maxMs, 1)} ms): ${shortened(s.query).slice(0, 2000)}`,
      ),
  ].join('\n');
}
