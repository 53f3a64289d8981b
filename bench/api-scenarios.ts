/**
 * The dossier API's scenarios, against the API process of a session:
 *   a. intake, POST /v1/dossiers, 8 connections, against pgbench transactions of the same shape (8 clients, same
 *      duration, same run); target ≥ 50 % of the two-row transaction's rate;
 *   b. GET /v1/dossiers/{code} over the session's sample of codes, 10 connections; target ≥ 5,000 req/s;
 *   c. GET /v1/dossiers with a mix of dashboard filters and searches, 4 connections; target p95 < 50 ms.
 */
import { runPgbench } from './pgbench.js';
import { measure, summary, withCpuSplit, type LoadRequest, type Measured } from './load.js';
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

export function readByCode(s: Session, duration: number): Promise<Run> {
  return sampled(s, () => load(s, 10, duration, byCode(s)));
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
export function latencyRow(name: string, m: Measured, values: number[], target = '', ok?: boolean) {
  const l = summary(values);
  const check = ok === undefined ? '' : verdict(ok && failed(m) === 0);
  return [name, fmt(m.rps), ms(l.p50), ms(l.p95), ms(l.p99), String(failed(m)), target, check];
}

export const tableHeader = ['scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'target', ''];

/** Rows of the a/b/c table, with the list mix broken down by filter. */
export function apiRows(a: IntakeRun, b: Run, c: Run): string[][] {
  const write = a.intake.result;
  const ratio = write.rps / a.twoRow.result;
  const all = [...c.result.latencies.values()].flat();
  return [
    tableHeader,
    latencyRow(
      'a. intake POST /v1/dossiers (8 conn.)',
      write,
      write.latencies.get('intake') ?? [],
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
    latencyRow(
      'b. GET /v1/dossiers/{code} (10 conn.)',
      b.result,
      b.result.latencies.get('get') ?? [],
      '≥ 5,000 req/s',
      b.result.rps >= 5000,
    ),
    latencyRow(
      'c. GET /v1/dossiers, filter mix (4 conn.)',
      c.result,
      all,
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

export function cpuLines(a: IntakeRun, b: Run, c: Run): string[] {
  return [
    `- a. intake: ${a.intake.cpu}`,
    `- a. pgbench two-row: ${a.twoRow.cpu}`,
    `- a. pgbench five-row: ${a.fiveRow.cpu}`,
    `- b. GET by code: ${b.cpu}`,
    `- c. list: ${c.cpu}`,
  ];
}
