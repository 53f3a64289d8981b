/**
 * Load generation and its numbers, shared by the HTTP benchmarks: autocannon driven request by request,
 * latencies and failures grouped by a label, percentiles, and the CPU split of a scenario from /proc.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

/** One request of a workload; `label` groups its latency, `onResponse` sees the answer (to follow state). */
export interface LoadRequest {
  path: string;
  label: string;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  onResponse?: (status: number, body: string, headers: Record<string, string>) => void;
}

export interface Scenario {
  url: string;
  connections: number;
  duration: number;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Each call gives the next request. */
  next: () => LoadRequest;
}

export interface Measured {
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  latencies: Map<string, number[]>;
  /** Non-2xx answers by label. */
  failures: Map<string, number>;
  /** The first few non-2xx answers (status and the start of the body), to tell why. */
  failureSamples: string[];
}

export async function measure(s: Scenario): Promise<Measured> {
  const latencies = new Map<string, number[]>();
  const failures = new Map<string, number>();
  const failureSamples: string[] = [];
  type Context = { request?: LoadRequest };
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
          (context as Context).request = n;
          return {
            ...req,
            path: n.path,
            method: n.method ?? s.method ?? 'GET',
            // Fresh headers each time: autocannon adds Content-Length to the object it is given, and a GET
            // carrying the last POST's length would hang the connection.
            headers: { ...s.headers, ...n.headers },
            ...(n.body === undefined ? {} : { body: n.body }),
          };
        },
        onResponse: (status, body, context, headers) => {
          const request = (context as Context).request;
          if ((status < 200 || status > 299) && failureSamples.length < 5)
            failureSamples.push(`${request?.label}: ${status} ${body.slice(0, 300)}`);
          request?.onResponse?.(status, body, headers as Record<string, string>);
        },
      },
    ],
    setupClient: (client) => {
      const c = client as unknown as {
        on(event: 'response', fn: (status: number, bytes: number, ms: number) => void): void;
        on(event: 'timeout' | 'connError', fn: (err?: Error) => void): void;
        requestIterator: { context: Context };
      };
      // Requests that got no answer: which, and why.
      const lost = (why: string) => () => {
        if (failureSamples.length < 5)
          failureSamples.push(`${c.requestIterator.context.request?.label ?? '?'}: no answer (${why})`);
      };
      c.on('timeout', lost('timed out'));
      c.on('connError', (err) => lost(`connection error: ${err?.message ?? 'unknown'}`)());
      c.on('response', (status, _bytes, ms) => {
        const label = c.requestIterator.context.request?.label ?? '?';
        let list = latencies.get(label);
        if (!list) latencies.set(label, (list = []));
        list.push(ms);
        if (status < 200 || status > 299) failures.set(label, (failures.get(label) ?? 0) + 1);
      });
    },
  });
  return {
    rps: result.requests.total / (result.duration || s.duration),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    latencies,
    failures,
    failureSamples,
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
}

export function summary(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

// --- wrk ----------------------------------------------------------------------------------------------------

/** Whether wrk (Debian package `wrk`) is on this machine. */
export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version prints its version and exits with 1.
    return (err as { status?: number }).status === 1;
  }
}

/**
 * GET requests over `paths` in turn, from wrk (2 threads, written in C): on a 2-core machine autocannon, in
 * this Node process, takes CPU that the API and PostgreSQL need (≈ 12 % of the machine at 3,000 req/s). The
 * latency percentiles are wrk's; non-2xx counts the answers with a status ≥ 400 (wrk's own tally).
 */
export async function measureWithWrk(s: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  paths: string[];
}): Promise<{ rps: number; requests: number; failed: number; latency: Latency }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'motcua-wrk-'));
  try {
    writeFileSync(path.join(dir, 'paths.txt'), s.paths.join('\n'));
    const lua = [
      'local paths = {}',
      `for line in io.lines(${JSON.stringify(path.join(dir, 'paths.txt'))}) do paths[#paths + 1] = line end`,
      ...Object.entries(s.headers).map(
        ([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`,
      ),
      'local counter = 0',
      'function setup(thread) thread:set("offset", counter * 7919); counter = counter + 1 end',
      'function init(args) i = offset end',
      'function request() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end',
      'function done(summary, latency, requests)',
      '  local e = summary.errors',
      '  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f\\n", summary.requests, summary.duration,',
      '    e.status + e.connect + e.read + e.write + e.timeout,',
      '    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))',
      'end',
    ].join('\n');
    writeFileSync(path.join(dir, 'script.lua'), lua);
    const threads = String(Math.min(2, s.connections));
    const { stdout } = await promisify(execFile)('wrk', [
      '-t',
      threads,
      '-c',
      String(s.connections),
      '-d',
      `${s.duration}s`,
      '--timeout',
      '10s',
      '-s',
      path.join(dir, 'script.lua'),
      s.url,
    ]);
    const line = /RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stdout);
    if (!line) throw new Error(`wrk gave no result:\n${stdout}`);
    const [requests, micros, failed, p50, p95, p99] = line.slice(1).map(Number) as number[];
    return {
      rps: requests! / (micros! / 1e6),
      requests: requests!,
      failed: failed!,
      latency: { n: requests!, p50: p50!, p95: p95!, p99: p99! },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `call` `times` times one after the other; its durations in ms. */
export async function timed(times: number, call: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await call();
    out.push(performance.now() - t);
  }
  return out;
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
export async function withCpuSplit<T>(
  apiPid: number,
  run: () => Promise<T>,
): Promise<{ result: T; split: string }> {
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
