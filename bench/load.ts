/**
 * Load generation and its numbers, shared by the HTTP benchmarks: autocannon driven request by request,
 * latencies and failures grouped by a label, percentiles, and the CPU split of a scenario from /proc.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
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
        requestIterator: { context: Context };
      };
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

export function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
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
