/**
 * The dossier API's scenarios, against the API process of a session:
 *   a. intake, POST /v1/dossiers, 8 connections, against pgbench transactions of the same shape (8 clients, same
 *      duration, same run); target ≥ 50 % of the two-row transaction's rate;
 *   b. GET /v1/dossiers/{code} over the session's sample of codes, 10 connections; target ≥ 5,000 req/s;
 *   c. GET /v1/dossiers with a mix of dashboard filters and searches, 4 connections; target p95 < 50 ms.
 */
import { runPgbench } from './pgbench.js';
import {
  hasWrk,
  measure,
  measureWithWrk,
  summary,
  withCpuSplit,
  type Latency,
  type LoadRequest,
  type Measured,
} from './load.js';
import { fmt, verdict } from './results.js';
import { authorized, type Session } from './session.js';
import { dashboardQueries, intakeBodies, rotation } from './workloads.js';

export interface Run<T = Measured> {
  result: T;
  /** Who used the CPU during the run. */
  cpu: string;
}

export interface IntakeRun {
  intake: Run;
  twoRow: Run<number>;
  fiveRow: Run<number>;
}

const sampled = <T>(s: Session, run: () => Promise<T>): Promise<Run<T>> =>
  withCpuSplit(s.api.child.pid!, run).then(({ result, split }) => ({ result, cpu: split }));

export const byCode = (s: Session): (() => LoadRequest) => {
  const next = rotation(s.sample.codes);
  return () => ({ path: `/v1/dossiers/${encodeURIComponent(next())}`, label: 'get' });
};

export const intakes = (s: Session, count = 5_000): (() => LoadRequest) => {
  const next = rotation(intakeBodies(s.random, count));
  return () => ({ path: '/v1/dossiers', method: 'POST', body: next(), label: 'intake' });
};

function load(s: Session, connections: number, duration: number, next: () => LoadRequest) {
  return measure({ url: s.api.base, connections, duration, headers: authorized(s.keys.clerk), next });
}

/** JIT, pool connections, the calendar cache, PostgreSQL's buffers. */
export async function warmUp(s: Session, seconds: number): Promise<void> {
  const lists = rotation(dashboardQueries(s.random, s.sample.idNumbers, 1_000));
  await load(s, 4, seconds, byCode(s));
  await load(s, 4, seconds, lists);
}

/** Reads by code: rate, failures, latency, and which load generator sent them. */
export interface ReadResult {
  tool: 'wrk' | 'autocannon';
  rps: number;
  failed: number;
  latency: Latency;
}

const readOf = (tool: ReadResult['tool'], m: Measured): ReadResult => ({
  tool,
  rps: m.rps,
  failed: m.non2xx + m.errors,
  latency: summary(m.latencies.get('get') ?? []),
});

/**
 * GET by code, 10 connections: from wrk when the machine has it (see measureWithWrk), and from autocannon
 * either way; the target is judged on the first.
 */
export async function readByCode(s: Session, duration: number): Promise<Run<ReadResult>[]> {
  const runs: Run<ReadResult>[] = [];
  if (hasWrk()) {
    const paths = s.sample.codes.map((code) => `/v1/dossiers/${encodeURIComponent(code)}`);
    const headers = authorized(s.keys.clerk);
    runs.push(
      await sampled(s, () =>
        measureWithWrk({ url: s.api.base, connections: 10, duration, headers, paths }).then(
          (r): ReadResult => ({ tool: 'wrk', ...r }),
        ),
      ),
    );
  }
  const viaAutocannon = await sampled(s, () => load(s, 10, duration, byCode(s)));
  runs.push({ result: readOf('autocannon', viaAutocannon.result), cpu: viaAutocannon.cpu });
  return runs;
}

export function listWithFilters(s: Session, duration: number): Promise<Run> {
  const lists = rotation(dashboardQueries(s.random, s.sample.idNumbers, 5_000));
  return sampled(s, () => load(s, 4, duration, lists));
}

export async function intakeVsPgbench(s: Session, duration: number): Promise<IntakeRun> {
  const twoRow = await sampled(s, () => runPgbench(s.url, 'two-row', 8, duration));
  const fiveRow = await sampled(s, () => runPgbench(s.url, 'five-row', 8, duration));
  const intake = await sampled(s, () => load(s, 8, duration, intakes(s)));
  return { intake, twoRow, fiveRow };
}

const ms = (v: number) => fmt(v, 1);
const failed = (m: Measured) => m.non2xx + m.errors;

/** A table row: name, req/s, p50, p95, p99, non-2xx, then the target and its verdict. */
export function latencyRow(
  name: string,
  m: { rps: number; failed: number },
  l: Latency,
  target = '',
  ok?: boolean,
) {
  const check = ok === undefined ? '' : verdict(ok && m.failed === 0);
  return [name, fmt(m.rps), ms(l.p50), ms(l.p95), ms(l.p99), String(m.failed), target, check];
}

const counted = (m: Measured) => ({ rps: m.rps, failed: failed(m) });

export const tableHeader = ['scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'target', ''];

/** Rows of the a/b/c table, with the list mix broken down by filter. */
export function apiRows(a: IntakeRun, b: Run<ReadResult>[], c: Run): string[][] {
  const write = a.intake.result;
  const ratio = write.rps / a.twoRow.result;
  const all = [...c.result.latencies.values()].flat();
  return [
    tableHeader,
    latencyRow(
      'a. intake POST /v1/dossiers (8 conn.)',
      counted(write),
      summary(write.latencies.get('intake') ?? []),
      `≥ 50 % of pgbench two-row (${fmt(ratio * 100, 1)} %)`,
      ratio >= 0.5,
    ),
    ['a. pgbench, dossier + event (8 clients)', fmt(a.twoRow.result), '', '', '', '', 'baseline', ''],
    [
      'a. pgbench, all five intake rows (8 clients)',
      fmt(a.fiveRow.result),
      '',
      '',
      '',
      '',
      `information (intake ${fmt((write.rps / a.fiveRow.result) * 100, 1)} % of it)`,
      '',
    ],
    ...b.map(({ result: r }, i) =>
      latencyRow(
        `b. GET /v1/dossiers/{code} (10 conn., ${r.tool})`,
        r,
        r.latency,
        i === 0 ? '≥ 5,000 req/s' : 'information',
        i === 0 ? r.rps >= 5000 : undefined,
      ),
    ),
    latencyRow(
      'c. GET /v1/dossiers, filter mix (4 conn.)',
      counted(c.result),
      summary(all),
      'p95 < 50 ms',
      summary(all).p95 < 50,
    ),
    ...[...c.result.latencies.entries()]
      .sort((x, y) => x[0].localeCompare(y[0]))
      .map(([label, values]) => {
        const l = summary(values);
        return [`  c. ${label}`, `(${fmt(l.n)} req.)`, ms(l.p50), ms(l.p95), ms(l.p99), '', '', ''];
      }),
  ];
}

export function cpuLines(a: IntakeRun, b: Run<ReadResult>[], c: Run): string[] {
  return [
    `- a. intake: ${a.intake.cpu}`,
    `- a. pgbench two-row: ${a.twoRow.cpu}`,
    `- a. pgbench five-row: ${a.fiveRow.cpu}`,
    ...b.map((r) => `- b. GET by code (${r.result.tool}): ${r.cpu}`),
    `- c. list: ${c.cpu}`,
  ];
}
