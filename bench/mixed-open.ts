/**
 * The mixed clerk workload in an open loop (bench/mixed-scenario.ts mixedOpen) at offered rates, and the
 * highest of them that the API sustains: every operation's p95 under 100 ms and every request answered 2xx.
 * The listed rates run in increasing order, then the gap between the highest that passed and the next that
 * did not is halved `refine` times (to a multiple of 10 req/s). Between steps the API and PostgreSQL are let
 * go idle, so a step's backlog does not spill into the next.
 */
import { loadavg } from 'node:os';
import { mb } from './api-process.js';
import { readStatements, statementsBetween, statementsText, type StatementDelta } from './pg-statements.js';
import { readRuntime, runtimeBetween, runtimeText, type RuntimeReport } from './api-runtime.js';
import { PROVINCE_CODE, communeCode } from './common.js';
import { summary, timed, type Latency, type OpenMeasured } from './load.js';
import { MIX, mixedOpen, type MixedRun } from './mixed-scenario.js';
import {
  activityText,
  loggedStatements,
  loggedText,
  logOffset,
  startActivitySampler,
  type ActivityReport,
  type LoggedStatement,
} from './pg-activity.js';
import { fmt } from './results.js';
import { authorized, type Session } from './session.js';
import { dashboardQueries, rotation } from './workloads.js';

/** Every operation's p95 must stay under this for a rate to pass. */
export const P95_LIMIT_MS = 100;

export interface OpenStep {
  rate: number;
  /** The machine's load average (1 min) when the step started. */
  load: number;
  run: MixedRun<OpenMeasured>;
  /** The slowest operation by p95. */
  worst: { label: string; p95: number };
  passed: boolean;
  /** With sampling on: where PostgreSQL's time went. */
  activity?: ActivityReport;
  statements?: LoggedStatement[];
  /** With one API process: its GC and event loop during the step (warm-up included). */
  runtime?: RuntimeReport;
  /** With pg_stat_statements: the database's statements during the step (warm-up included), costliest first. */
  statementTime?: { seconds: number; deltas: StatementDelta[] };
}

export interface StepOptions {
  duration: number;
  /**
   * Seconds at the rate not counted before each step, for each API process, so that each process serves as much
   * of the warm-up as one process alone. Freshly started processes compile their hot code as they serve: two that
   * shared one process's warm-up came to their first step half as warm (their CPU 7–10 points above the same
   * processes' at the same rate once warm).
   */
  warmUp: number;
  refine: number;
  /**
   * Profile PostgreSQL during each step: pg_stat_activity sampled, and the statement log read (the database
   * must log its statements' durations, bench/pg-activity.ts statementLog). Costs some CPU itself.
   */
  sample: boolean;
}

const databaseOf = (url: string) => new URL(url).pathname.slice(1);

const byLabel = (m: OpenMeasured) =>
  MIX.map(([label]) => [label, summary(m.latencies.get(label) ?? [])] as const);

function judge(rate: number, load: number, run: MixedRun<OpenMeasured>, activity?: ActivityReport): OpenStep {
  const labels = byLabel(run.result).filter(([, l]) => l.n > 0);
  const worst = labels.reduce((w, [label, l]) => (l.p95 > w.p95 ? { label, p95: l.p95 } : w), {
    label: '',
    p95: 0,
  });
  const failed = run.result.errors + run.result.non2xx;
  return {
    rate,
    load,
    run,
    worst,
    passed: worst.p95 < P95_LIMIT_MS && failed === 0,
    ...(activity ? { activity } : {}),
  };
}

/** Waits until no statement runs in the database (a step's abandoned requests may still), at most a minute. */
async function settle(s: Session): Promise<void> {
  const deadline = Date.now() + 60_000;
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline) {
    const { rows } = await s.client.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`,
    );
    quiet = rows[0]!.n === 0 ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function step(s: Session, rate: number, o: StepOptions): Promise<OpenStep> {
  await settle(s);
  const load = loadavg()[0]!;
  const warmUp = o.warmUp * s.api.processes;
  console.log(
    `  open loop at ${rate} req/s (${warmUp} s warm-up, ${o.duration} s counted; load ${load.toFixed(2)}) …`,
  );
  const own = (await s.client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  const sampler = o.sample ? await startActivitySampler(s.url, { exclude: [own] }) : null;
  const from = logOffset();
  // With several processes /metrics answers for whichever takes the connection: read with one only.
  const runtimeBefore = s.api.processes === 1 ? await readRuntime(s.api.base) : null;
  const statementsBefore = await readStatements(s.client);
  const started = performance.now();
  const run = await mixedOpen(s, rate, o.duration, { warmUp });
  const statementsAfter = statementsBefore && (await readStatements(s.client));
  const seconds = (performance.now() - started) / 1000;
  const activity = await sampler?.stop();
  const result = judge(rate, load, run, activity);
  if (runtimeBefore) result.runtime = runtimeBetween(runtimeBefore, await readRuntime(s.api.base));
  if (statementsBefore && statementsAfter) {
    result.statementTime = { seconds, deltas: statementsBetween(statementsBefore, statementsAfter) };
  }
  if (o.sample) {
    result.statements = loggedStatements(databaseOf(s.url), from, logOffset());
  }
  const m = run.result;
  console.log(
    `    achieved ${fmt(m.rps, 1)} req/s (2xx ${fmt(m.okRps, 1)}); worst p95 ${result.worst.label} ${fmt(result.worst.p95, 1)} ms; ` +
      `errors ${m.errors}, non-2xx ${m.non2xx} (busy: ${m.busy}); ${result.passed ? 'passed' : 'FAILED'}; ${run.cpu}`,
  );
  if (result.runtime) console.log(`    ${runtimeText(result.runtime)}; API peak RSS ${mb(run.memory.peak)}`);
  if (result.statementTime) {
    const { deltas, seconds } = result.statementTime;
    console.log(statementsText(deltas, seconds).replace(/^/gm, '    '));
  }
  for (const sample of m.failureSamples) console.log(`    ${sample}`);
  if (activity) console.log(activityText(activity).replace(/^/gm, '    '));
  if (result.statements)
    console.log(loggedText(result.statements, activity?.seconds ?? o.duration).replace(/^/gm, '    '));
  return result;
}

/** The listed rates, then the bisection between the highest that passed and the next that failed. */
export async function stepSearch(s: Session, rates: number[], o: StepOptions): Promise<OpenStep[]> {
  const steps: OpenStep[] = [];
  for (const rate of [...rates].sort((a, b) => a - b)) steps.push(await step(s, rate, o));
  for (let i = 0; i < o.refine; i++) {
    const lo = Math.max(0, ...steps.filter((x) => x.passed).map((x) => x.rate));
    const hi = Math.min(...steps.filter((x) => !x.passed && x.rate > lo).map((x) => x.rate));
    if (!Number.isFinite(hi)) break;
    const mid = Math.round((lo + hi) / 2 / 10) * 10;
    if (mid <= lo || mid >= hi) break;
    steps.push(await step(s, mid, o));
  }
  return steps.sort((a, b) => a.rate - b.rate);
}

/** The highest rate that passed below the lowest that failed (0 when the lowest failed). */
export function sustained(steps: OpenStep[]): number {
  const firstFail = Math.min(...steps.filter((x) => !x.passed).map((x) => x.rate));
  return Math.max(0, ...steps.filter((x) => x.passed && x.rate < firstFail).map((x) => x.rate));
}

// --- one request at a time -----------------------------------------------------------------------------------

export interface AloneTiming {
  label: string;
  target: number;
  latency: Latency;
}

/**
 * The targets measured alone, one request at a time after the warm-up: statistics of this month and this
 * year (a commune, rotating, and the province) under 20 ms at p95, and the name search under 50 ms.
 */
export async function aloneTimings(s: Session, count: number): Promise<AloneTiming[]> {
  const now = new Date();
  const year = now.getUTCFullYear();
  const month = `${year}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const get = async (path: string) => {
    const res = await fetch(`${s.api.base}${path}`, { headers: authorized(s.keys.clerk) });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  const shapes: Array<[string, number, (i: number) => string]> = [
    [
      'statistics, a commune this month',
      20,
      (i) => `/v1/stats?unitCode=${communeCode(i % 100)}&period=${month}`,
    ],
    [
      'statistics, a commune this year',
      20,
      (i) => `/v1/stats?unitCode=${communeCode(i % 100)}&period=${year}`,
    ],
    ['statistics, the province this month', 20, () => `/v1/stats?unitCode=${PROVINCE_CODE}&period=${month}`],
    ['statistics, the province this year', 20, () => `/v1/stats?unitCode=${PROVINCE_CODE}&period=${year}`],
  ];
  const names = dashboardQueries(s.random, s.sample.idNumbers, 2_000, ['search']);
  for (const label of ['q', 'unit+q'])
    shapes.push([
      `name search (${label})`,
      50,
      rotation(names.filter((q) => q.label === label).map((q) => q.path)),
    ]);
  const out: AloneTiming[] = [];
  for (const [label, target, path] of shapes) {
    let i = 0;
    out.push({ label, target, latency: summary(await timed(count, () => get(path(i++)))) });
  }
  return out;
}

// --- tables --------------------------------------------------------------------------------------------------

const ms = (v: number) => (Number.isNaN(v) ? '–' : fmt(v, 1));
const triple = (l: Latency) => (l.n ? `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)}` : '–');

/** One row per rate: offered, achieved, all requests' p50/p95/p99, the slowest operation, failures, CPU. */
export function stepsTable(steps: OpenStep[]): string[][] {
  return [
    [
      'offered req/s',
      'load avg.',
      'achieved req/s',
      'of which 2xx',
      'all p50 / p95 / p99 ms',
      '2xx p50 / p95 / p99 ms',
      'slowest p95',
      'errors',
      'non-2xx',
      'p95 < 100 ms, all 2xx',
    ],
    ...steps.map((x) => {
      const m = x.run.result;
      return [
        fmt(x.rate),
        x.load.toFixed(2),
        fmt(m.rps, 1),
        fmt(m.okRps, 1),
        triple(summary([...m.latencies.values()].flat())),
        triple(summary(m.okLatencies)),
        `${x.worst.label} ${ms(x.worst.p95)} ms`,
        m.capped || m.timeouts
          ? `${m.errors} (${m.capped} capped, ${m.timeouts} timed out)`
          : String(m.errors),
        m.busy ? `${m.non2xx} (${m.busy} busy)` : String(m.non2xx),
        x.passed ? 'yes' : 'no',
      ];
    }),
  ];
}

/** Operations down, rates across: p50 / p95 / p99 of each. */
export function operationsTable(steps: OpenStep[]): string[][] {
  return [
    ['operation', ...steps.map((x) => `${fmt(x.rate)} req/s: p50 / p95 / p99 ms`)],
    ...MIX.map(([label]) => [
      label,
      ...steps.map((x) => {
        const failed = x.run.result.failures.get(label) ?? 0;
        return `${triple(summary(x.run.result.latencies.get(label) ?? []))}${failed ? ` (${failed} failed)` : ''}`;
      }),
    ]),
  ];
}

/** Each operation's shapes (filters, statistics periods, actions) down, rates across: p95 and count. */
export function shapesTable(steps: OpenStep[]): string[][] {
  const keys = [...new Set(steps.flatMap((x) => [...x.run.result.details.keys()]))].sort();
  return [
    ['shape', ...steps.map((x) => `${fmt(x.rate)} req/s: p95 ms (n)`)],
    ...keys.map((key) => [
      key,
      ...steps.map((x) => {
        const l = summary(x.run.result.details.get(key) ?? []);
        return l.n ? `${ms(l.p95)} (${l.n})` : '–';
      }),
    ]),
  ];
}

export const cpuOfSteps = (steps: OpenStep[]) =>
  steps.map(
    (x) =>
      `- ${fmt(x.rate)} req/s: ${x.run.cpu}; generator's send lag p99 ${ms(x.run.result.sendLag.p99)} ms, ` +
      `peak in flight ${x.run.result.peakInFlight}, ${x.run.result.connections} connections` +
      (x.runtime ? `; ${runtimeText(x.runtime)}` : '') +
      `; API peak RSS ${mb(x.run.memory.peak)} (its largest process)`,
  );

export const aloneTable = (rows: AloneTiming[]) => [
  ['one request at a time', 'p50 ms', 'p95 ms', 'p99 ms', 'target p95', ''],
  ...rows.map((r) => [
    r.label,
    ms(r.latency.p50),
    ms(r.latency.p95),
    ms(r.latency.p99),
    `< ${r.target} ms`,
    r.latency.p95 < r.target ? 'met' : 'MISSED',
  ]),
];

/** With pg_stat_statements: each step's statement time and its five costliest statements, for the report. */
export function statementsOfSteps(steps: OpenStep[]): string[] {
  const measured = steps.filter((x) => x.statementTime);
  if (measured.length === 0) return [];
  return [
    'Where PostgreSQL’s time went during each step (`pg_stat_statements`, warm-up included; execution, and planning when track_planning is on):',
    '',
    ...measured.flatMap((x) => [
      `${fmt(x.rate)} req/s, ${statementsText(x.statementTime!.deltas, x.statementTime!.seconds, 5)}`,
      '',
    ]),
  ];
}
