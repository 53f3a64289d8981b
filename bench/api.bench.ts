/**
 * Dossier API benchmark on the province loaded by `npm run bench:seed` (database `motcua_bench`).
 *
 *   npm run bench:api -- [--duration 10] [--no-write]
 *
 * Starts the real app (buildApp, a PostgreSQL pool on the benchmark database, listening on 127.0.0.1, log
 * level warn) in a child process, creates a clerk API key scoped to the province, and measures with
 * autocannon:
 *   a. intake throughput, POST /v1/dossiers, 8 connections, against a pgbench transaction of the same shape
 *      (one dossier row and its intake event, in one transaction, into the same tables) with 8 clients for
 *      the same duration in the same run; target ≥ 50 % of the pgbench rate;
 *   b. GET /v1/dossiers/{code} over a random sample of 10,000 existing codes; target ≥ 5,000 req/s;
 *   c. GET /v1/dossiers with a mix of dashboard filters; target p95 < 50 ms.
 * Prints a table and replaces the "Dossier API" section of bench/RESULTS.md (unless --no-write). The rows
 * the run wrote (intakes, pgbench rows) and its key are deleted at the end, so runs repeat on the same data.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { connectPostgres } from '../src/db/client.js';
import { insertApiKey } from '../src/auth/keys.js';
import { searchKey } from '../src/domain/applicant.js';
import { replaceSection } from './results.js';
import {
  assertLocal,
  benchDatabaseUrl,
  COMMUNE_COUNT,
  COMMUNE_PROCEDURE_COUNT,
  communeCode,
  cumulativeOf,
  familyNames,
  femaleGivenNames,
  femaleMiddleNames,
  maleGivenNames,
  maleMiddleNames,
  pick,
  pickWeighted,
  PROCEDURE_COUNT,
  procedureCode,
  PROVINCE_CODE,
  prng,
  readMarker,
  type Random,
} from './common.js';

const SERVE_FLAG = '--serve';

// --- the API process ---------------------------------------------------------------------------------------

async function serve(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const database = await connectPostgres(config.DATABASE_URL!, config.DB_POOL_SIZE);
  const app = await buildApp({ config, db: database.db, checks: { postgres: database.ping } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.on('message', (message) => {
    if (message === 'rss') {
      process.send!({ rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 });
    }
  });
  process.on('disconnect', () => {
    void app
      .close()
      .then(() => database.close())
      .finally(() => process.exit(0));
  });
  process.send!({ port, poolSize: config.DB_POOL_SIZE });
}

function startApi(url: string): Promise<{ child: ChildProcess; port: number; poolSize: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, SERVE_FLAG], {
    // One key sends every request: the per-key rate limit is off, as for a trusted integration.
    env: {
      ...process.env,
      DATABASE_URL: url,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      RATE_LIMIT_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number; poolSize: number }) => resolve({ child, ...m }));
    child.once('exit', (code) => reject(new Error(`API process exited with ${code}`)));
  });
}

function memoryOf(child: ChildProcess): Promise<{ rss: number; maxRss: number }> {
  return new Promise((resolve) => {
    child.once('message', (m: { rss: number; maxRss: number }) => resolve(m));
    child.send('rss');
  });
}

// --- measuring ---------------------------------------------------------------------------------------------

interface Measured {
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  latencies: Map<string, number[]>;
}

interface Scenario {
  url: string;
  connections: number;
  duration: number;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Each call gives the next request: its path, optional body, and a label to group latencies by. */
  next: () => { path: string; body?: string; label: string };
}

// --- CPU split ----------------------------------------------------------------------------------------------

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime, stime, cutime, cstime of a process's /proc stat line, in seconds (cutime: children it has reaped). */
function timesOf(stat: string): { comm: string; own: number; children: number } {
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const f = stat
    .slice(close + 2)
    .split(' ')
    .map(Number);
  // Fields 14-17 of the line are 11-14 after the state that follows the command.
  return { comm, own: (f[11]! + f[12]!) / CLOCK_TICKS, children: (f[13]! + f[14]!) / CLOCK_TICKS };
}

/**
 * CPU used during a scenario by the API process, PostgreSQL's processes and the load generators (autocannon in
 * this process, pgbench as its child), from /proc. Polled, so backends that exit (pgbench's connections) are
 * still counted up to their last poll.
 */
async function withCpuSplit<T>(apiPid: number, run: () => Promise<T>): Promise<{ result: T; split: string }> {
  if (!existsSync('/proc/self/stat')) return { result: await run(), split: 'not measured (no /proc)' };
  const postgres = new Map<number, { first: number; last: number }>();
  let api = { first: NaN, last: NaN };
  const self = () => {
    const t = timesOf(readFileSync('/proc/self/stat', 'utf8'));
    return t.own + t.children;
  };
  const poll = (initial: boolean) => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        const t = timesOf(readFileSync(`/proc/${entry}/stat`, 'utf8'));
        if (pid === apiPid) api = { first: initial ? t.own : api.first, last: t.own };
        else if (t.comm === 'postgres') {
          const seen = postgres.get(pid);
          // A backend first seen after the start began during the scenario: count all of it.
          postgres.set(pid, { first: seen?.first ?? (initial ? t.own : 0), last: t.own });
        }
      } catch {
        // the process ended meanwhile
      }
    }
  };
  // Busy time of the whole machine (every process, the kernel): what remains is idle.
  const busy = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - f[3]! - f[4]!) / CLOCK_TICKS;
  };
  const start = performance.now();
  const busyStart = busy();
  const selfStart = self();
  poll(true);
  const timer = setInterval(() => poll(false), 250);
  try {
    const result = await run();
    poll(false);
    const capacity = ((performance.now() - start) / 1000) * cpus().length;
    const pg = [...postgres.values()].reduce((sum, p) => sum + p.last - p.first, 0);
    const used = { api: api.last - api.first, pg, load: self() - selfStart };
    const pct = (seconds: number) => `${Math.round((seconds / capacity) * 100)} %`;
    const machine = busy() - busyStart;
    const other = Math.max(0, machine - used.api - used.pg - used.load);
    return {
      result,
      split:
        `API ${pct(used.api)}, PostgreSQL ${pct(used.pg)}, load generator ${pct(used.load)}, ` +
        `other processes and kernel ${pct(other)}, idle ${pct(Math.max(0, capacity - machine))}`,
    };
  } finally {
    clearInterval(timer);
  }
}

async function measure(s: Scenario): Promise<Measured> {
  const latencies = new Map<string, number[]>();
  const result = await autocannon({
    url: s.url,
    connections: s.connections,
    duration: s.duration,
    method: s.method ?? 'GET',
    headers: s.headers,
    requests: [
      {
        setupRequest: (req, context) => {
          const n = s.next();
          (context as { label?: string }).label = n.label;
          return { ...req, path: n.path, ...(n.body === undefined ? {} : { body: n.body }) };
        },
      },
    ],
    setupClient: (client) => {
      const c = client as unknown as {
        on(event: 'response', fn: (status: number, bytes: number, ms: number) => void): void;
        requestIterator: { context: { label?: string } };
      };
      c.on('response', (_status, _bytes, ms) => {
        const label = c.requestIterator.context.label ?? '?';
        let list = latencies.get(label);
        if (!list) latencies.set(label, (list = []));
        list.push(ms);
      });
    },
  });
  return {
    rps: result.requests.total / (result.duration || s.duration),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    latencies,
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

// --- pgbench baseline --------------------------------------------------------------------------------------

function findPgbench(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort().reverse()) {
      const candidate = path.join(root, version, 'bin', 'pgbench');
      if (existsSync(candidate)) return candidate;
    }
  }
  return 'pgbench';
}

/** One intake-shaped transaction: a dossier row and its intake event, into the same tables and indexes. */
const pgbenchScript = `
\\set u random(0, ${COMMUNE_COUNT - 1})
\\set p random(0, ${COMMUNE_PROCEDURE_COUNT - 1})
\\set n random(0, 999999)
BEGIN;
INSERT INTO dossiers (code, unit_code, handling_unit_code, procedure_code, channel, status, applicant_type,
  applicant_name, applicant_name_search, applicant_id_number, applicant_phone, components, duration_value,
  duration_unit, supplement_policy, received_at, start_at, due_at)
VALUES ('PGB-' || gen_random_uuid(),
  format('000.%s.%s.H56', 20 + :u / 20, lpad((1 + :u % 20)::text, 2, '0')),
  format('000.%s.%s.H56', 20 + :u / 20, lpad((1 + :u % 20)::text, 2, '0')),
  '1.' || lpad((1000 + :p)::text, 6, '0'), 'direct', 'received', 'citizen', 'Nguyễn Văn An', 'nguyen van an',
  '056090' || lpad(:n::text, 6, '0'), '0912345678', '[{"name": "Tờ khai theo mẫu", "copies": 1}]', 5,
  'working_days', 'restart', now(), now(), now() + interval '7 days');
INSERT INTO dossier_events (dossier_id, type, to_status, at, data)
VALUES (currval(pg_get_serial_sequence('dossiers', 'id')), 'intake', 'received', now(), '{"channel": "direct"}');
END;
`;

async function runPgbench(url: string, clients: number, seconds: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'motcua-pgbench-'));
  const file = path.join(dir, 'intake.sql');
  writeFileSync(file, pgbenchScript);
  const u = new URL(url);
  try {
    const { stdout } = await promisify(execFile)(
      findPgbench(),
      [
        '-n',
        '-c',
        String(clients),
        '-j',
        String(Math.min(clients, cpus().length)),
        '-T',
        String(seconds),
        '-f',
        file,
        '-h',
        u.hostname,
        '-p',
        u.port || '5432',
        '-U',
        decodeURIComponent(u.username || 'postgres'),
        u.pathname.slice(1),
      ],
      { env: { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) } },
    );
    const m = /tps = ([\d.]+)/.exec(stdout);
    if (!m) throw new Error(`could not read pgbench's tps:\n${stdout}`);
    return Number(m[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- workloads ---------------------------------------------------------------------------------------------

const familyCumulative = cumulativeOf(familyNames.map(([, w]) => w));

function randomPerson(random: Random) {
  const female = random() < 0.5;
  const family = familyNames[pickWeighted(random, familyCumulative)]![0];
  const middle = pick(random, female ? femaleMiddleNames : maleMiddleNames);
  const given = pick(random, female ? femaleGivenNames : maleGivenNames);
  return { family, middle, given, female };
}

function intakeBodies(random: Random, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = randomPerson(random);
    const r = random();
    out.push(
      JSON.stringify({
        procedureCode: procedureCode(Math.floor(Math.pow(random(), 2) * COMMUNE_PROCEDURE_COUNT)),
        unitCode: communeCode(Math.floor(random() * COMMUNE_COUNT)),
        channel: r < 0.6 ? 'online' : r < 0.95 ? 'direct' : 'postal',
        applicant: {
          type: 'citizen',
          fullName: `${p.family} ${p.middle} ${p.given}`,
          idNumber: `056${p.female ? 1 : 0}${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
          phone: `09${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
          address: `${1 + Math.floor(random() * 300)} Trần Phú, Nha Trang, Khánh Hòa`,
        },
        components: [{ name: 'Tờ khai theo mẫu', copies: 1 }],
      }),
    );
  }
  return out;
}

/** Dashboard queries a province's clerks run, with the share of each in the mix. */
function listQueries(
  random: Random,
  idNumbers: string[],
  count: number,
): Array<{ path: string; label: string }> {
  const commune = () => communeCode(Math.floor(Math.pow(random(), 1.5) * COMMUNE_COUNT));
  const popularProcedure = () => procedureCode(Math.floor(Math.pow(random(), 3) * COMMUNE_PROCEDURE_COUNT));
  const anyProcedure = () => procedureCode(Math.floor(random() * PROCEDURE_COUNT));
  const month = () => {
    const year = 2024 + Math.floor(random() * 3);
    const m = 1 + Math.floor(random() * (year === 2026 ? 10 : 12));
    const mm = String(m).padStart(2, '0');
    const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
    return `receivedFrom=${year}-${mm}-01&receivedTo=${year}-${mm}-${last}`;
  };
  const fragment = () => {
    const p = randomPerson(random);
    const r = random();
    const text =
      r < 0.4
        ? `${p.family} ${p.middle} ${p.given}`
        : r < 0.7
          ? `${p.middle} ${p.given}`
          : r < 0.85
            ? searchKey(`${p.family} ${p.middle} ${p.given}`)
            : p.given;
    return encodeURIComponent(text);
  };
  const templates: Array<[string, number, () => string]> = [
    ['unit', 15, () => `unitCode=${commune()}`],
    ['unit+status', 15, () => `unitCode=${commune()}&status=received,processing`],
    ['overdue', 5, () => `timeliness=overdue`],
    ['unit+overdue', 10, () => `unitCode=${commune()}&timeliness=overdue`],
    ['q', 15, () => `q=${fragment()}`],
    ['unit+q', 5, () => `unitCode=${commune()}&q=${fragment()}`],
    ['idNumber', 10, () => `idNumber=${pick(random, idNumbers)}`],
    ['received month', 5, () => month()],
    ['unit+received month', 5, () => `unitCode=${commune()}&${month()}`],
    ['procedure', 5, () => `procedureCode=${anyProcedure()}`],
    ['procedure+status', 10, () => `procedureCode=${popularProcedure()}&status=received,processing`],
  ];
  const cumulative = cumulativeOf(templates.map(([, w]) => w));
  return Array.from({ length: count }, () => {
    const [label, , make] = templates[pickWeighted(random, cumulative)]!;
    return { label, path: `/v1/dossiers?${make()}` };
  });
}

// --- RESULTS.md --------------------------------------------------------------------------------------------

// --- run ---------------------------------------------------------------------------------------------------

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const duration = Number(argValue('--duration') ?? 10);
  const url = benchDatabaseUrl();
  assertLocal(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((err: Error) => {
    throw new Error(`cannot reach the benchmark database (run npm run bench:seed first): ${err.message}`);
  });
  const marker = await readMarker(client);
  if (!marker)
    throw new Error('the benchmark database holds no completed load: run npm run bench:seed first');

  const setup = await connectPostgres(url, 2);
  await setup.migrate();
  const { row: key, secret } = await insertApiKey(setup.db, {
    name: 'bench:api clerk',
    role: 'clerk',
    unitCode: PROVINCE_CODE,
  });
  await setup.close();

  const random = prng(20261122);
  const { rows: bounds } = await client.query<{ max: string }>('select max(id) as max from dossiers');
  const maxId = Number(bounds[0]!.max);
  const ids = Array.from({ length: 10_000 }, () => 1 + Math.floor(random() * maxId));
  const { rows: sample } = await client.query<{ code: string; id_number: string | null }>(
    'select code, applicant_id_number as id_number from dossiers where id = any($1::bigint[])',
    [ids],
  );
  const codes = sample.map((r) => r.code);
  const idNumbers = sample.flatMap((r) => (r.id_number ? [r.id_number] : []));
  const { rows: counts } = await client.query<{ n: string }>('select count(*) as n from dossiers');
  const dossierCount = Number(counts[0]!.n);

  const api = await startApi(url);
  const base = `http://127.0.0.1:${api.port}`;
  const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
  console.log(
    `API on ${base} (pool ${api.poolSize}), ${fmt(dossierCount)} dossiers, ${duration} s per scenario, ` +
      `node ${process.version}, ${cpus().length} cores`,
  );

  let rotation = 0;
  const byCode = () => ({
    path: `/v1/dossiers/${encodeURIComponent(codes[rotation++ % codes.length]!)}`,
    label: 'get',
  });
  const lists = listQueries(random, idNumbers, 5_000);
  let listRotation = 0;
  const nextList = () => lists[listRotation++ % lists.length]!;
  const bodies = intakeBodies(random, 5_000);
  let bodyRotation = 0;
  const nextIntake = () => ({
    path: '/v1/dossiers',
    body: bodies[bodyRotation++ % bodies.length]!,
    label: 'intake',
  });

  try {
    // Warm-up: JIT, pool connections, the calendar cache, Postgres's buffers.
    await measure({ url: base, connections: 4, duration: 3, headers, next: byCode });
    await measure({ url: base, connections: 4, duration: 3, headers, next: nextList });

    const pid = api.child.pid!;
    const cpu: Record<string, string> = {};
    const sampled = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      const { result, split } = await withCpuSplit(pid, run);
      cpu[name] = split;
      return result;
    };

    console.log('b. GET /v1/dossiers/{code} …');
    const read = await sampled('b', () =>
      measure({ url: base, connections: 10, duration, headers, next: byCode }),
    );
    console.log('c. GET /v1/dossiers with filters …');
    const list = await sampled('c', () =>
      measure({ url: base, connections: 4, duration: Math.max(duration, 15), headers, next: nextList }),
    );
    console.log('a. pgbench baseline …');
    const pgbenchTps = await sampled('pgbench', () => runPgbench(url, 8, duration));
    console.log('a. POST /v1/dossiers …');
    const write = await sampled('a', () =>
      measure({ url: base, connections: 8, duration, method: 'POST', headers, next: nextIntake }),
    );
    const memory = await memoryOf(api.child);

    const readLat = summary(read.latencies.get('get') ?? []);
    const writeLat = summary(write.latencies.get('intake') ?? []);
    const all = summary([...list.latencies.values()].flat());
    const ratio = write.rps / pgbenchTps;
    const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MB`;
    const ms = (v: number) => fmt(v, 1);
    const check = (ok: boolean) => (ok ? 'met' : 'MISSED');

    const rows = [
      ['scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'target', ''],
      [
        'a. intake POST /v1/dossiers (8 conn.)',
        fmt(write.rps),
        ms(writeLat.p50),
        ms(writeLat.p95),
        ms(writeLat.p99),
        String(write.non2xx + write.errors),
        `≥ 50 % of pgbench (${fmt(ratio * 100, 1)} %)`,
        check(ratio >= 0.5 && write.non2xx + write.errors === 0),
      ],
      ['a. pgbench, same two inserts (8 clients)', fmt(pgbenchTps), '', '', '', '', 'baseline', ''],
      [
        'b. GET /v1/dossiers/{code} (10 conn.)',
        fmt(read.rps),
        ms(readLat.p50),
        ms(readLat.p95),
        ms(readLat.p99),
        String(read.non2xx + read.errors),
        '≥ 5,000 req/s',
        check(read.rps >= 5000 && read.non2xx + read.errors === 0),
      ],
      [
        'c. GET /v1/dossiers, filter mix (4 conn.)',
        fmt(list.rps),
        ms(all.p50),
        ms(all.p95),
        ms(all.p99),
        String(list.non2xx + list.errors),
        'p95 < 50 ms',
        check(all.p95 < 50 && list.non2xx + list.errors === 0),
      ],
      ...[...list.latencies.entries()]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([label, values]) => {
          const s = summary(values);
          return [`  c. ${label}`, `(${fmt(s.n)} req.)`, ms(s.p50), ms(s.p95), ms(s.p99), '', '', ''];
        }),
    ];
    const table = [
      `| ${rows[0]!.join(' | ')} |`,
      `|${rows[0]!.map(() => '---').join('|')}|`,
      ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    console.log(`\n${table}\n`);
    console.log(`API process RSS: ${mb(memory.rss)} at the end, peak ${mb(memory.maxRss)}`);
    const cpuLines = [
      `- a. intake: ${cpu.a}`,
      `- a. pgbench: ${cpu.pgbench}`,
      `- b. GET by code: ${cpu.b}`,
      `- c. list: ${cpu.c}`,
    ];
    console.log(`CPU, share of the ${cpus().length} cores during each scenario:\n${cpuLines.join('\n')}`);

    if (!process.argv.includes('--no-write')) {
      const today = new Date().toISOString().slice(0, 10);
      replaceSection(
        path.resolve(import.meta.dirname, 'RESULTS.md'),
        'Dossier API',
        [
          `- Machine: ${cpus().length} cores, node ${process.version}, PostgreSQL on the same machine; date ${today}.`,
          '- Commands: `npm run bench:seed` (once; loads the province), then `npm run bench:api`.',
          `- Data: ${fmt(dossierCount)} dossiers with their intake events (loaded ${marker.loadedAt.slice(0, 10)}), ` +
            `~100 communes and 12 departments under one province, 1,500 procedures. The API runs in its own ` +
            `process (pool ${api.poolSize}) with a clerk key scoped to the province; autocannon and pgbench run ` +
            `on the same 2 cores. ${duration} s per scenario (15 s for the list mix) after a 6 s warm-up.`,
          '- a: bodies rotate over 5,000 applicants, the 300 commune procedures and 100 communes, channels 60 % ' +
            'online / 35 % direct / 5 % postal. pgbench (`-c 8 -j 2`) runs one transaction of two inserts: a ' +
            'dossier row (the same columns an intake fills, into the same indexed table) and its event row.',
          '- b: a random sample of 10,000 existing codes, rotated. c: 5,000 generated queries rotated: unitCode of ' +
            'a commune, status=received,processing, timeliness=overdue, q (name fragments with and without ' +
            'diacritics), idNumber exact, receivedFrom/To of a month, procedureCode; newest first, 50 a page.',
          '',
          table,
          '',
          `Intake: ${fmt(write.rps)} / ${fmt(pgbenchTps)} = ${fmt(ratio * 100, 1)} % of the pgbench rate. ` +
            `API process RSS: ${mb(memory.rss)} after the run, peak ${mb(memory.maxRss)}.`,
          '',
          `CPU, share of the ${cpus().length} cores during each scenario (from /proc; PostgreSQL counts every ` +
            'backend of the server, including any other database\u2019s):',
          '',
          ...cpuLines,
        ].join('\n'),
      );
      console.log('bench/RESULTS.md: section "Dossier API" written');
    }
  } finally {
    api.child.disconnect();
    await new Promise((resolve) => api.child.once('exit', resolve));
    // Leave the data as the seed left it, so runs repeat.
    await client.query('delete from dossier_deadlines where dossier_id > $1', [maxId]);
    await client.query('delete from dossier_events where dossier_id > $1', [maxId]);
    await client.query('delete from dossier_pauses where dossier_id > $1', [maxId]);
    await client.query('delete from outbox where dossier_id > $1', [maxId]);
    await client.query('delete from dossiers where id > $1', [maxId]);
    await client.query('delete from idempotency_keys where api_key_id = $1', [key.id]);
    await client.query('delete from api_keys where id = $1', [key.id]);
    await client.query('vacuum (analyze) dossiers, dossier_events, dossier_deadlines, outbox');
    await client.end();
  }
}

if (process.argv.includes(SERVE_FLAG)) await serve();
else await main();
