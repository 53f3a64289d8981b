/**
 * The whole benchmark in one command, on one province:
 *
 *   npm run bench -- [--dossiers 5000000] [--quick] [--database NAME] [--duration 10] [--mixed-duration 60]
 *                    [--rebuild-figures] [--no-write] [--api-processes N]
 *   npm run bench -- --mix-open RATE[,RATE...] [--api-processes N[,N...]] [--mix-refine 2] [--pg-sample] [...]
 *   npm run bench -- --mix-cost [--cost-duration 10] [--cost-only LABEL[,LABEL...]] [--api-processes N[,N...]]
 *
 * 1. seeds the benchmark database (bench/seed-dossiers.ts in a child process; a completed load of the same
 *    size is reused) and makes the outbox hold the feed's changes;
 * 2. closes the statistics figures over the whole history (refreshStats until it returns 0; --rebuild-figures
 *    drops them first, to time a first start on existing data);
 * 3. starts the API in its own process and runs, one after the other: GET by code, list with filters,
 *    province statistics, intake against pgbench, the change feed, the mixed clerk workload, and how soon a
 *    change shows in statistics and alerts (jobs running here);
 * 4. puts the data back as seeded and writes the section "Province at N dossiers (npm run bench)" of
 *    bench/RESULTS.md (unless --no-write).
 *
 * --quick shortens everything for a smoke test (3 s scenarios, 5 s mix, fewer requests, a 3 s statistics
 * refresh interval): its numbers are not results. --api-processes N runs the API as N processes
 * (API_PROCESSES).
 *
 * --mix-open runs only the mixed clerk workload, in an open loop (bench/mixed-open.ts) at each offered rate,
 * and the step search for the highest rate every operation's p95 stays under 100 ms at: first alone (after the
 * warm-up and the statistics and name-search targets timed one request at a time), then after the intake
 * scenario as the full run has it (pgbench's and the intakes' rows in place). With a list of process counts
 * (`--api-processes 1,2`) it does all of it for each, on the data put back as seeded in between. --pg-sample
 * samples PostgreSQL's active statements during each step (bench/pg-activity.ts). It writes the section
 * "Mixed workload in an open loop at N dossiers".
 *
 * --mix-cost [--cost-duration 10] runs only each operation of the mix alone and reports the CPU a request of
 * it takes (API, PostgreSQL, load generator), and the mix's average by its shares: the section "Cost per
 * operation of the mix at N dossiers".
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { apiPoolOf, memoryOf, mb, type Memory } from './api-process.js';
import { apiRows, cpuLines, intakeVsPgbench, listWithFilters, readByCode, warmUp } from './api-scenarios.js';
import {
  argValue,
  assertLocal,
  BENCH_DATABASE,
  benchDatabaseUrl,
  hasFlag,
  readIntoPageCache,
  readMarker,
  resetFigures,
  type SeedMarker,
} from './common.js';
import { ensureFeedChanges, feedRate, feedScenario, feedTable } from './feed-scenario.js';
import { summary, type Latency } from './load.js';
import {
  COST_CONNECTIONS,
  costTable,
  MIX,
  MIXED_CONNECTIONS,
  mixCost,
  mixedTable,
  mixedWorkload,
} from './mixed-scenario.js';
import { fmt, markdownTable, replaceSection, verdict } from './results.js';
import {
  aloneTable,
  aloneTimings,
  cpuOfSteps,
  statementsOfSteps,
  operationsTable,
  P95_LIMIT_MS,
  shapesTable,
  stepsTable,
  stepSearch,
  sustained,
  type OpenStep,
  type StepOptions,
} from './mixed-open.js';
import { closeSession, openSession, type Session } from './session.js';
import {
  changeVisibility,
  closeFigures,
  directProvinceYear,
  jobContext,
  jobSettingsFromEnv,
  lastYear,
  provinceStats,
  snapshotsOnInterval,
  statsTable,
} from './stats-scenarios.js';

const dossiers = Number(argValue('--dossiers') ?? 5_000_000);
if (!Number.isInteger(dossiers) || dossiers < 1) throw new Error('--dossiers must be a positive integer');
const quick = hasFlag('--quick');
const duration = Number(argValue('--duration') ?? (quick ? 3 : 10));
const listDuration = quick ? duration : Math.max(duration, 15);
const mixedDuration = Number(argValue('--mixed-duration') ?? (quick ? 5 : 60));
const feedChanges = quick ? 20_000 : 200_000;
const statsRequests = quick ? 5 : 40;
const listOf = (flag: string, fallback: string) => {
  const values = (argValue(flag) ?? fallback).split(',').map(Number);
  if (!values.every((v) => Number.isInteger(v) && v > 0))
    throw new Error(`${flag}: positive integers, comma-separated`);
  return values;
};
const apiProcesses = listOf('--api-processes', '1');
const openRates = hasFlag('--mix-open') ? listOf('--mix-open', '') : null;
const url = benchDatabaseUrl();
assertLocal(url);
const size = dossiers >= 1e6 ? `${fmt(dossiers / 1e6, dossiers % 1e6 ? 1 : 0)} M` : fmt(dossiers);

const phases: Array<[string, number]> = [];
async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  console.log(`— ${name} …`);
  const t = performance.now();
  const result = await run();
  phases.push([name, (performance.now() - t) / 1000]);
  return result;
}

async function markerOf(): Promise<SeedMarker | null> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return await readMarker(client);
  } catch {
    return null; // no database yet
  } finally {
    await client.end().catch(() => {});
  }
}

/** The seed in its own process (its memory grows with the size), with room for 5 M dossiers' applicants. */
async function seed(): Promise<string> {
  const before = await markerOf();
  const entry = path.join(import.meta.dirname, 'seed-dossiers.ts');
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=8192', '--import', 'tsx', entry, '--dossiers', String(dossiers)],
    { env: { ...process.env, BENCH_DATABASE }, stdio: 'inherit' },
  );
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the seed exited with ${code}`);
  const after = (await markerOf())!;
  return before?.loadedAt === after.loadedAt ? `reused, loaded ${after.loadedAt.slice(0, 10)}` : 'loaded now';
}

/** Every scenario one after the other, with the API's memory after each. */
async function scenarios(s: Session, jobs: Awaited<ReturnType<typeof jobContext>>) {
  const memory: Array<[string, Memory]> = [];
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const result = await phase(name, run);
    memory.push([name, await memoryOf(s.api)]);
    return result;
  };
  if (hasFlag('--rebuild-figures')) await resetFigures(s.client);
  const figures = await phase('statistics figures', () => closeFigures(jobs.ctx));
  // The worker's snapshot of today's figures on its interval, as beside the API in production, until the change
  // visibility scenario runs the worker's jobs itself.
  const snapshots = await snapshotsOnInterval(jobs.ctx);
  let b, c, stats, directMs, a, feed, mixed;
  try {
    await step('warm-up', () => warmUp(s, quick ? 1 : 3));
    b = await step('GET by code', () => readByCode(s, duration));
    c = await step('list with filters', () => listWithFilters(s, listDuration));
    stats = await step('statistics', () => provinceStats(s, statsRequests));
    directMs = await directProvinceYear(jobs.ctx);
    a = await step('intake and pgbench', () => intakeVsPgbench(s, duration));
    feed = await step('change feed', () => feedScenario(s, feedChanges));
    mixed = await step('mixed clerk workload', () => mixedWorkload(s, mixedDuration));
  } finally {
    await snapshots.stop();
  }
  const visible = await step('change visibility', () => changeVisibility(s, jobs.ctx));
  return { figures, a, b, c, stats, directMs, feed, mixed, visible, memory };
}

type Results = Awaited<ReturnType<typeof scenarios>>;

const peakOf = (r: Results) => Math.max(...r.memory.map(([, m]) => m.maxRss));

function targets(r: Results): string[][] {
  const ratio = r.a.intake.result.rps / r.a.twoRow.result;
  const listP95 = summary([...r.c.result.latencies.values()].flat()).p95;
  const yearP95 = r.stats[0]!.p95;
  const feed = Math.min(feedRate(r.feed.system), feedRate(r.feed.province));
  const failed = r.mixed.result.non2xx + r.mixed.result.errors;
  return [
    ['target', 'measured', ''],
    [
      'intake ≥ 50 % of the pgbench two-row rate',
      `${fmt(ratio * 100, 1)} % (${fmt(r.a.intake.result.rps)} / ${fmt(r.a.twoRow.result)})`,
      verdict(ratio >= 0.5),
    ],
    [
      'GET by code ≥ 5,000 req/s',
      `${fmt(r.b[0]!.result.rps)} req/s (${r.b[0]!.result.tool})`,
      verdict(r.b[0]!.result.rps >= 5000),
    ],
    ['list with filters p95 < 50 ms', `${fmt(listP95, 1)} ms`, verdict(listP95 < 50)],
    [`statistics, province-year (${lastYear()}) p95 < 50 ms`, `${fmt(yearP95, 1)} ms`, verdict(yearP95 < 50)],
    [
      'a change visible in statistics and alerts < 60 s',
      `${r.visible.stats.toFixed(1)} s and ${r.visible.alert.toFixed(1)} s`,
      verdict(r.visible.stats < 60 && r.visible.alert < 60),
    ],
    ['change feed ≥ 5,000 changes/s', `${fmt(feed)} changes/s (the slower key)`, verdict(feed >= 5000)],
    ['API RSS < 200 MB under load', `peak ${mb(peakOf(r))}`, verdict(peakOf(r) < 200 * 2 ** 20)],
    [
      'mixed workload: every answer 2xx (no target set for its speed)',
      `${fmt(failed)} non-2xx of ${fmt(r.mixed.result.requests)}`,
      verdict(failed === 0),
    ],
  ];
}

function setup(s: Session, r: Results, seeded: string): string[] {
  const flags = process.argv.slice(2).join(' ');
  const days = `${r.figures.days} day${r.figures.days === 1 ? '' : 's'}`;
  return [
    `- Machine: ${s.machine}.`,
    `- Command: \`npm run bench${flags ? ` -- ${flags}` : ''}\`${quick ? ' (QUICK: a smoke test, not a result)' : ''}; ` +
      `database ${BENCH_DATABASE}; the API in its own process (compiled dist/server.js, pool ${s.api.poolSize}, ` +
      'NODE_ENV=production, LOG_LEVEL=info), autocannon and pgbench in the benchmark process (wrk for the reads by code when installed), all on this machine.',
    `- Data: ${fmt(s.dossierCount)} dossiers (seed ${seeded}) received since 2024-01-01 in ~100 communes and 12 ` +
      'departments under one province, 1,500 procedures; channels ≈ 60 % online / 35 % direct / 5 % postal; ' +
      '≈ 2 % open (mostly recent); each with its intake event, first deadline row (and apology row) and open pause; a third of the returned rated; ' +
      `${fmt(feedChanges)} dossier changes in the outbox for the feed. ${cacheNote()}`,
    `- Statistics figures: ${days} closed or recomputed in ${r.figures.seconds.toFixed(0)} s (refreshStats ` +
      `until it returns 0${r.figures.days === 0 ? '; already closed by an earlier run' : ''}). Last year's ` +
      `province statistics computed straight from the dossiers: ${fmt(r.directMs)} ms.`,
    `- Durations: ${duration} s per scenario (list ${listDuration} s), the mix ${mixedDuration} s, ` +
      `${statsRequests} requests per statistics query; phases: ` +
      `${phases.map(([n, t]) => `${n} ${t.toFixed(0)} s`).join(', ')}.`,
  ];
}

function report(s: Session, r: Results, seeded: string): string {
  return [
    ...setup(s, r, seeded),
    '',
    '### Targets',
    '',
    markdownTable(targets(r)),
    '',
    '### Dossier API',
    '',
    'a: intake bodies rotate over 5,000 applicants, the 300 commune procedures and 100 communes; pgbench runs ' +
      'with the same 8 clients: two-row = a dossier and its event (the anchor), five-row = every row an intake ' +
      'writes. b: 10,000 sampled codes. c: dashboard filters and searches (unitCode, status, timeliness, q, ' +
      'idNumber, a received month, procedureCode), 50 a page.',
    '',
    markdownTable(apiRows(r.a, r.b, r.c)),
    '',
    '### Statistics (province, over HTTP, one request at a time)',
    '',
    markdownTable(statsTable(r.stats)),
    '',
    '### Change feed (GET /v1/sync/changes?limit=500 from the start)',
    '',
    markdownTable(feedTable(r.feed)),
    '',
    `### Mixed clerk workload (${MIXED_CONNECTIONS} connections, ${mixedDuration} s)`,
    '',
    `Shares asked: ${MIX.map(([label, w]) => `${label} ${w} %`).join(', ')}. Status changes move open ` +
      'dossiers (seeded ones and the run’s own intakes) one lifecycle action at a time with If-Match; search is ' +
      '`q` and `idNumber`; statistics are a commune’s month and year and the province’s; the feed is polled ' +
      'from its end with a province sync key.',
    '',
    markdownTable(mixedTable(r.mixed)),
    '',
    `Throughput ${fmt(r.mixed.result.rps)} req/s. API RSS during the mix: peak ${mb(r.mixed.memory.peak)} ` +
      `(sampled each second), ${mb(r.mixed.memory.after.rss)} after it.`,
    '',
    '### API memory and CPU',
    '',
    `RSS after each phase: ${r.memory.map(([n, m]) => `${n} ${mb(m.rss)}`).join(', ')}; peak over the run ` +
      `${mb(peakOf(r))}.`,
    '',
    'CPU, share of the cores during each scenario (from /proc; PostgreSQL counts every backend of the server, ' +
      'including any other database’s):',
    '',
    ...cpuLines(r.a, r.b, r.c),
    `- mixed workload: ${r.mixed.cpu}`,
  ].join('\n');
}

/** What the page cache held before the first scenario (readIntoPageCache). */
function cacheNote(): string {
  return cached === null
    ? 'The page cache was not read beforehand (no pg_prewarm on the server).'
    : `Its tables and indexes, but the daily figures, read into the page cache first (${fmt(cached / 2 ** 30, 1)} GiB).`;
}

function printFailures(r: Results): void {
  const runs = { list: r.c.result, intake: r.a.intake.result, mixed: r.mixed.result };
  for (const [name, m] of Object.entries(runs))
    for (const sample of m.failureSamples) console.log(`non-2xx in ${name}: ${sample}`);
}

const seeded = await phase('seed', seed);
await phase('outbox changes for the feed', () => ensureFeedChanges(url, feedChanges));
const cached = await phase('page cache', () => readIntoPageCache(url));
if (openRates) await openMix(openRates);
else if (hasFlag('--mix-cost')) await costRun();
else await fullRun();

/** --mix-cost: each operation of the mix alone, and the CPU a request of it takes (with the statistics' figures closed). */
async function costRun(): Promise<void> {
  const costDuration = Number(argValue('--cost-duration') ?? (quick ? 3 : 10));
  const costOnly = argValue('--cost-only')?.split(',');
  const unknown = costOnly?.filter((label) => !MIX.some(([l]) => l === label)) ?? [];
  if (unknown.length)
    throw new Error(`--cost-only: ${unknown.join(', ')} not in the mix (${MIX.map(([l]) => l).join(', ')})`);
  const rows: string[] = [];
  for (const processes of apiProcesses) {
    const s = await openSession({ apiProcesses: processes });
    const jobs = await jobContext(url);
    let snapshots: Awaited<ReturnType<typeof snapshotsOnInterval>> | null = null;
    try {
      await phase('statistics figures', () => closeFigures(jobs.ctx));
      // As in the open mix: the worker's snapshot of today's figures on its interval.
      snapshots = await snapshotsOnInterval(jobs.ctx);
      await phase('warm-up', () => warmUp(s, quick ? 1 : 3));
      const costs = await phase('cost per operation', () => mixCost(s, costDuration, costOnly));
      if (rows.length === 0) rows.push(`- Machine: ${s.machine}.`);
      rows.push(
        '',
        `${processes} API process${processes === 1 ? '' : 'es'}:`,
        '',
        markdownTable(costTable(costs)),
      );
    } finally {
      await snapshots?.stop();
      await jobs.close();
      await closeSession(s);
    }
  }
  const body = [
    ...rows.slice(0, 1),
    `- Command: \`npm run bench -- ${process.argv.slice(2).join(' ')}\`${quick ? ' (QUICK: a smoke test, not a result)' : ''}; ` +
      `${fmt(dossiers)} dossiers (seed ${seeded}), statistics figures closed and the worker's snapshot of ` +
      `today's figures taken every ${loadConfig({ DATABASE_URL: url, ...jobSettingsFromEnv() }).STATS_TODAY_INTERVAL_MS} ms, as in the open mix. Each operation of the mix alone (its requests as the mix ` +
      `sends them), ${COST_CONNECTIONS} connections in a closed loop for ${costDuration} s; CPU from /proc, in ` +
      'milliseconds a request: the API (its processes), PostgreSQL (the benchmark database’s backends), the load generator. The ' +
      `last row weighs them by the mix’s shares: ${cpus().length} cores at full use serve ` +
      `${fmt(cpus().length * 1000)} ms divided by its total requests a second, at best. ${cacheNote()}`,
    ...rows.slice(1),
  ].join('\n');
  console.log(`\n${body}\n`);
  if (!hasFlag('--no-write')) {
    const title = `Cost per operation of the mix at ${size} dossiers (npm run bench -- --mix-cost)`;
    replaceSection(path.resolve(import.meta.dirname, 'RESULTS.md'), title, body);
    console.log(`bench/RESULTS.md: section "${title}" written`);
  }
}

async function fullRun(): Promise<void> {
  const s = await openSession({ apiProcesses: apiProcesses[0] });
  const jobs = await jobContext(url, quick ? { STATS_REFRESH_INTERVAL_MS: '3000' } : {});
  try {
    const r = await scenarios(s, jobs);
    const body = report(s, r, seeded);
    console.log(`\n${body}\n`);
    printFailures(r);
    if (!hasFlag('--no-write')) {
      const title = `Province at ${size} dossiers (npm run bench)`;
      replaceSection(path.resolve(import.meta.dirname, 'RESULTS.md'), title, body);
      console.log(`bench/RESULTS.md: section "${title}" written`);
    }
  } finally {
    await jobs.close();
    await closeSession(s);
  }
}

// --- the open-loop mix ---------------------------------------------------------------------------------------

interface OpenMixResult {
  processes: number;
  s: Pick<Session, 'machine' | 'dossierCount'>;
  figures: { days: number; seconds: number };
  alone: Awaited<ReturnType<typeof aloneTimings>>;
  aloneAfter: Awaited<ReturnType<typeof aloneTimings>>;
  mixAlone: OpenStep[];
  intake: Awaited<ReturnType<typeof intakeVsPgbench>>;
  mixAfter: OpenStep[];
  snapshotMs: Latency;
}

async function openMix(rates: number[]): Promise<void> {
  const options: StepOptions = {
    duration: mixedDuration,
    warmUp: quick ? 2 : 5,
    refine: Number(argValue('--mix-refine') ?? 2),
    sample: hasFlag('--pg-sample'),
  };
  const results: OpenMixResult[] = [];
  await openSeries(results, options, rates);
  const body = openReport(results, rates, options);
  console.log(`\n${body}\n`);
  if (!hasFlag('--no-write')) {
    const title = `Mixed workload in an open loop at ${size} dossiers (npm run bench -- --mix-open)`;
    replaceSection(path.resolve(import.meta.dirname, 'RESULTS.md'), title, body);
    console.log(`bench/RESULTS.md: section "${title}" written`);
  }
}

/**
 * For each count of API processes: a session, the targets alone, the mix alone, intake, the targets alone and the
 * mix after it.
 */
async function openSeries(results: OpenMixResult[], options: StepOptions, rates: number[]): Promise<void> {
  for (const processes of apiProcesses) {
    const s = await openSession({ apiProcesses: processes, logStatements: options.sample });
    const jobs = await jobContext(url);
    const n = `${processes} API process${processes === 1 ? '' : 'es'}`;
    let snapshots: Awaited<ReturnType<typeof snapshotsOnInterval>> | null = null;
    try {
      const figures = await phase('statistics figures', () => closeFigures(jobs.ctx));
      // The worker's snapshot of today's figures on its interval, as beside the API in production.
      snapshots = await snapshotsOnInterval(jobs.ctx);
      await phase('warm-up', () => warmUp(s, quick ? 1 : 3));
      const alone = await phase('targets one request at a time', () => aloneTimings(s, statsRequests));
      const mixAlone = await phase(`open mix alone, ${n}`, () => stepSearch(s, rates, options));
      const intake = await phase('intake and pgbench', () => intakeVsPgbench(s, duration));
      // pgbench's dossiers, deleted, left the snapshots of today marked as counted by no one.
      await snapshots.settle();
      // Again with the intakes received today in place: the current period's answers count today's changes.
      const aloneAfter = await phase('targets one request at a time, after the intake scenario', () =>
        aloneTimings(s, statsRequests),
      );
      const mixAfter = await phase(`open mix after the intake scenario, ${n}`, () =>
        stepSearch(s, rates, options),
      );
      const snapshotMs = summary(await snapshots.stop());
      snapshots = null;
      results.push({ processes, s, figures, alone, mixAlone, intake, aloneAfter, mixAfter, snapshotMs });
    } finally {
      await snapshots?.stop();
      await jobs.close();
      await closeSession(s);
    }
  }
}

function seriesReport(title: string, steps: OpenStep[]): string[] {
  const best = sustained(steps);
  return [
    `#### ${title}`,
    '',
    `Highest offered rate with every operation's p95 under ${P95_LIMIT_MS} ms and every answer 2xx: ` +
      `${best ? `**${fmt(best)} req/s**` : `**none of the rates tried** (lowest ${fmt(steps[0]!.rate)} req/s)`}.`,
    '',
    markdownTable(stepsTable(steps)),
    '',
    markdownTable(operationsTable(steps)),
    '',
    'p95 by shape (list filters, search kinds, statistics periods, lifecycle actions):',
    '',
    markdownTable(shapesTable(steps)),
    '',
    'CPU, share of the cores during each step (the API summed over its processes; PostgreSQL over every ' +
      'backend of the server, and in brackets the benchmark database’s backends alone):',
    '',
    ...cpuOfSteps(steps),
    '',
    ...statementsOfSteps(steps),
  ];
}

/** The targets at 360 req/s (three times the closed mix's first 119 req/s), from the steps that ran it. */
function targetRows(results: OpenMixResult[]): string[][] {
  const rows = [['target', 'measured', '']];
  for (const r of results) {
    const n = `${r.processes} API process${r.processes === 1 ? '' : 'es'}`;
    for (const [when, steps] of [
      ['alone', r.mixAlone],
      ['after intake', r.mixAfter],
    ] as const) {
      const at = steps.find((x) => x.rate === 360);
      if (!at) continue;
      let p99 = { label: '', ms: 0 };
      for (const [label] of MIX) {
        const l = summary(at.run.result.latencies.get(label) ?? []);
        if (l.p99 > p99.ms) p99 = { label, ms: l.p99 };
      }
      const failed = at.run.result.errors + at.run.result.non2xx;
      rows.push([
        `mix at 360 req/s (${n}, ${when}): every p95 < 100 ms, p99 < 250 ms, no error`,
        `slowest p95 ${at.worst.label} ${fmt(at.worst.p95, 1)} ms, slowest p99 ${p99.label} ${fmt(p99.ms, 1)} ms, ` +
          `${failed} failed`,
        verdict(at.worst.p95 < 100 && p99.ms < 250 && failed === 0),
      ]);
    }
    for (const [when, timings] of [
      ['', r.alone],
      [', after intake', r.aloneAfter],
    ] as const)
      for (const t of timings)
        rows.push([
          `${t.label} alone (${n}${when}): p95 < ${t.target} ms`,
          `${fmt(t.latency.p95, 1)} ms`,
          verdict(t.latency.p95 < t.target),
        ]);
  }
  return rows;
}

function openReport(results: OpenMixResult[], rates: number[], o: StepOptions): string {
  const flags = process.argv.slice(2).join(' ');
  const first = results[0]!;
  const pools = [...new Set(results.map((r) => r.processes))]
    .map((n) => `${apiPoolOf(n)} connections each with ${n}`)
    .join(', ');
  return [
    `- Machine: ${first.s.machine}.`,
    `- Command: \`npm run bench -- ${flags}\`${quick ? ' (QUICK: a smoke test, not a result)' : ''}; database ` +
      `${BENCH_DATABASE}; the API in its own process(es) (compiled dist/server.js, pool ${pools}, ` +
      'NODE_ENV=production, LOG_LEVEL=info, ' +
      `MAX_REQUESTS_IN_PROGRESS=${loadConfig({ ...process.env, DATABASE_URL: url }).MAX_REQUESTS_IN_PROGRESS}), the load ` +
      'generator in the benchmark process, PostgreSQL: all on the same cores.',
    `- Data: ${fmt(first.s.dossierCount)} dossiers (seed ${seeded}); statistics figures closed before each ` +
      `series (${results.map((r) => `${r.figures.days} days in ${r.figures.seconds.toFixed(0)} s`).join(', ')}). ` +
      cacheNote(),
    `- Load: an open loop (bench/load.ts measureOpen): Poisson arrivals at the offered rate, each request on ` +
      'a free keep-alive connection or a new one, at most 1,000 in flight (an arrival beyond is an error), 10 s ' +
      'timeout; latency from the scheduled start, so queueing counts. The mix’s shares and requests are the ' +
      `closed mix’s (${MIX.map(([label, w]) => `${label} ${w} %`).join(', ')}). Each step: ${o.warmUp} s for each API process at ` +
      `the rate not counted, then ${o.duration} s counted; rates asked ${rates.join(', ')}, then ${o.refine} ` +
      'halvings of the gap between the highest that passed and the next that failed. Of the worker’s jobs ' +
      `only its snapshot of today’s figures runs (in the benchmark process, every ` +
      `${loadConfig({ DATABASE_URL: url, ...jobSettingsFromEnv() }).STATS_TODAY_INTERVAL_MS} ms; ` +
      `${results.map((r) => `${r.snapshotMs.n} snapshots, p50 ${fmt(r.snapshotMs.p50, 0)} ms, p99 ${fmt(r.snapshotMs.p99, 0)} ms`).join('; ')}): ` +
      'figures that transitions make stale are counted live until the end of the run, as in the closed mix.',
    '- Answers: "achieved" and the latencies by operation and shape count every answer, "of which 2xx" and the ' +
      '2xx latencies only the answers 2xx; "busy" are the 503 SERVER_BUSY of an API process refusing a request ' +
      'past MAX_REQUESTS_IN_PROGRESS at once, a failure of its step like any non-2xx.',
    `- Phases: ${phases.map(([name, t]) => `${name} ${t.toFixed(0)} s`).join(', ')}.`,
    '',
    '### Targets',
    '',
    markdownTable(targetRows(results)),
    '',
    ...results.flatMap((r) => [
      `### ${r.processes} API process${r.processes === 1 ? '' : 'es'}`,
      '',
      markdownTable(aloneTable(r.alone)),
      '',
      ...seriesReport('The mix alone (after the warm-up)', r.mixAlone),
      `Then the intake scenario as the full run has it: pgbench two-row and five-row (8 clients, ${duration} s ` +
        `each), then ${fmt(r.intake.intake.result.requests)} intakes (8 connections, ${duration} s, ` +
        `${fmt(r.intake.intake.result.rps)}/s), left in place. The targets one request at a time again:`,
      '',
      markdownTable(aloneTable(r.aloneAfter)),
      '',
      ...seriesReport('The mix after the intake scenario', r.mixAfter),
    ]),
  ].join('\n');
}
