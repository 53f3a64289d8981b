/**
 * Load generation and its numbers, shared by the HTTP benchmarks: autocannon driven request by request (a
 * closed loop: each connection sends its next request when the last one answered), an open loop on node:http
 * (requests start on a schedule whatever the earlier ones do), latencies and failures grouped by a label,
 * percentiles, and the CPU split of a scenario from /proc.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { prng } from './common.js';

/** One request of a workload; `label` groups its latency, `onResponse` sees the answer (to follow state). */
export interface LoadRequest {
  path: string;
  label: string;
  /** A finer name inside the label (which filter, which statistics shape), kept by the open loop. */
  detail?: string;
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

// --- open loop ----------------------------------------------------------------------------------------------

export interface OpenScenario {
  url: string;
  /** Offered arrivals per second. */
  rate: number;
  /** Seconds of arrivals that count, after `warmUp` seconds at the same rate that do not. */
  duration: number;
  warmUp?: number;
  headers: Record<string, string>;
  /** Each call gives the next request. */
  next: () => LoadRequest;
  /**
   * When requests start: 'poisson' (the default) draws exponential gaps of mean 1/rate, as many independent
   * clerks would send them, bursts included; 'even' sends one every 1/rate seconds.
   */
  arrivals?: 'poisson' | 'even';
  /** At most this many requests in flight (and so connections); an arrival beyond it is not sent, an error. */
  maxInFlight?: number;
  /** A request with no complete answer after this long (of silence on its socket) is abandoned, an error. */
  timeoutMs?: number;
  /** Seeds the Poisson gaps, so runs at one rate offer the same arrivals. */
  seed?: number;
}

export interface OpenMeasured extends Measured {
  /** The rate asked for, and the arrivals in the counted window. */
  offered: number;
  scheduled: number;
  /** Arrivals not sent because `maxInFlight` requests were in flight (counted in `errors`). */
  capped: number;
  /** The counted arrivals answered 2xx per second, and those answers' latencies (all labels). */
  okRps: number;
  okLatencies: number[];
  /** Answers 503 SERVER_BUSY (refused by an API process at MAX_REQUESTS_IN_PROGRESS), counted in `non2xx`. */
  busy: number;
  /** Requests abandoned after `timeoutMs` (counted in `errors`). */
  timeouts: number;
  /** How late this process sent requests after their scheduled start, ms: the generator's own lag. */
  sendLag: Latency & { max: number };
  peakInFlight: number;
  /** Connections opened. */
  connections: number;
  /** Latencies by label and detail (`label · detail`), for requests that have a detail. */
  details: Map<string, number[]>;
}

/**
 * An open loop: requests start at their scheduled instants whether or not the earlier ones have answered, each
 * on a free keep-alive connection (a new one when none is free), so a slow answer never holds back the next
 * arrival. A request's latency runs from its scheduled start to the end of its answer: time spent queued in
 * the API, in PostgreSQL, or in this process behind a late timer is all in it. `rps` is the achieved rate:
 * the counted arrivals answered (any status) per second, from the first counted arrival to the last answer.
 * Requests that get no answer (capped, timed out, connection errors) have no latency; they count as errors.
 */
export async function measureOpen(s: OpenScenario): Promise<OpenMeasured> {
  if (!(s.rate > 0)) throw new Error('an open loop needs a positive rate');
  const maxInFlight = s.maxInFlight ?? 1_000;
  const timeoutMs = s.timeoutMs ?? 10_000;
  const target = new URL(s.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight, maxFreeSockets: maxInFlight });
  const random = prng(s.seed ?? 20261122);
  const gap = s.arrivals === 'even' ? () => 1000 / s.rate : () => (-Math.log(1 - random()) * 1000) / s.rate;

  const latencies = new Map<string, number[]>();
  const details = new Map<string, number[]>();
  const failures = new Map<string, number>();
  const failureSamples: string[] = [];
  const lags: number[] = [];
  const record = (map: Map<string, number[]>, key: string, ms: number) => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(ms);
  };
  const sockets = new WeakSet<object>();
  let connections = 0;
  let scheduled = 0;
  let answered = 0;
  let non2xx = 0;
  let okCount = 0;
  let busy = 0;
  const okLatencies: number[] = [];
  let errors = 0;
  let capped = 0;
  let timeouts = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let lastAnswer = 0;

  const fail = (label: string, why: string) => {
    errors++;
    failures.set(label, (failures.get(label) ?? 0) + 1);
    if (lostSamples++ < 3) failureSamples.push(`${label}: no answer (${why})`);
  };
  // A few of each kind: requests without an answer, and answers that are not 2xx.
  let lostSamples = 0;
  let statusSamples = 0;

  let drained: () => void = () => {};
  let scheduling = true;
  const settle = () => {
    inFlight--;
    if (!scheduling && inFlight === 0) drained();
  };

  const send = (at: number, counted: boolean) => {
    if (counted) {
      scheduled++;
      lags.push(performance.now() - at);
    }
    const n = s.next();
    if (inFlight >= maxInFlight) {
      if (counted) {
        capped++;
        fail(n.label, `${maxInFlight} requests already in flight`);
      }
      return;
    }
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    let over = false;
    const finish = (status: number, body: string, headers: http.IncomingHttpHeaders) => {
      if (over) return;
      over = true;
      settle();
      const ok = status >= 200 && status <= 299;
      if (counted) {
        answered++;
        lastAnswer = performance.now();
        record(latencies, n.label, lastAnswer - at);
        if (n.detail !== undefined) record(details, `${n.label} · ${n.detail}`, lastAnswer - at);
        if (ok) {
          okCount++;
          okLatencies.push(lastAnswer - at);
        } else {
          if (status === 503 && body.includes('"SERVER_BUSY"')) busy++;
          non2xx++;
          failures.set(n.label, (failures.get(n.label) ?? 0) + 1);
          if (statusSamples++ < 5) failureSamples.push(`${n.label}: ${status} ${body.slice(0, 300)}`);
        }
      }
      if (n.onResponse) {
        const flat = Object.fromEntries(
          Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
        );
        n.onResponse(status, body, flat);
      }
    };
    const lost = (why: string) => {
      if (over) return;
      over = true;
      settle();
      if (!counted) return;
      if (why === 'timed out') timeouts++;
      fail(n.label, why);
    };
    const headers: Record<string, string> = { ...s.headers, ...n.headers };
    if (n.body !== undefined) headers['content-length'] = String(Buffer.byteLength(n.body));
    const req = http.request(
      {
        agent,
        hostname: target.hostname,
        port: target.port,
        path: n.path,
        method: n.method ?? 'GET',
        headers,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // The body is read only where someone looks at it: a follower of state, or a failure's sample.
        const keep = n.onResponse !== undefined || status < 200 || status > 299;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => keep && chunks.push(chunk));
        res.on('end', () => finish(status, keep ? Buffer.concat(chunks).toString('utf8') : '', res.headers));
        res.on('error', (err) => lost(`broken answer: ${err.message}`));
      },
    );
    req.on('socket', (socket) => {
      if (sockets.has(socket)) return;
      sockets.add(socket);
      connections++;
    });
    req.setTimeout(timeoutMs, () => {
      lost('timed out');
      req.destroy();
    });
    req.on('error', (err) => lost(`connection error: ${err.message}`));
    req.end(n.body);
  };

  const start = performance.now() + 10;
  const countFrom = start + (s.warmUp ?? 0) * 1000;
  const end = countFrom + s.duration * 1000;
  let nextAt = start + gap();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (nextAt <= now && nextAt < end) {
        send(nextAt, nextAt >= countFrom);
        nextAt += gap();
      }
      if (nextAt < end) setTimeout(tick, Math.max(0, nextAt - performance.now()));
      else resolve();
    };
    setTimeout(tick, Math.max(0, nextAt - performance.now()));
  });
  scheduling = false;
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  agent.destroy();
  const sortedLags = lags.sort((a, b) => a - b);
  return {
    rps: (answered / (Math.max(lastAnswer, end) - countFrom)) * 1000,
    okRps: (okCount / (Math.max(lastAnswer, end) - countFrom)) * 1000,
    okLatencies,
    busy,
    requests: answered,
    non2xx,
    errors,
    latencies,
    failures,
    failureSamples,
    offered: s.rate,
    scheduled,
    capped,
    timeouts,
    sendLag: {
      ...summary(sortedLags),
      max: sortedLags.length ? sortedLags[sortedLags.length - 1]! : NaN,
    },
    peakInFlight,
    connections,
    details,
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

/**
 * utime, stime, cutime, cstime of a process's /proc stat line, in seconds (cutime: children it has reaped),
 * with its command and parent.
 */
function timesOf(stat: string): { comm: string; ppid: number; own: number; children: number } {
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const f = stat
    .slice(close + 2)
    .split(' ')
    .map(Number);
  // Fields 14-17 of the line are 11-14 after the state that follows the command; the parent is field 4.
  return {
    comm,
    ppid: f[1]!,
    own: (f[11]! + f[12]!) / CLOCK_TICKS,
    children: (f[13]! + f[14]!) / CLOCK_TICKS,
  };
}

/** The ids of a process's children (several API processes under their supervisor), from /proc. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (timesOf(readFileSync(`/proc/${entry}/stat`, 'utf8')).ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** The database a PostgreSQL backend serves, from its process title (`postgres: 15/main: user db host …`). */
function backendDatabase(pid: number): string | null {
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return /^postgres: [^:]+: \S+ (\S+) /.exec(title)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** CPU seconds used during a scenario: the API, PostgreSQL (all; `ours`: the database's backends), the load generator. */
export interface CpuSeconds {
  api: number;
  pg: number;
  ours: number;
  load: number;
}

/**
 * CPU used during a scenario by the API (the process `apiPid` and its children: several API processes under
 * a supervisor are summed), PostgreSQL's processes and the load generators (autocannon or the open loop in
 * this process, pgbench as its child), from /proc. Polled, so backends that exit (pgbench's connections) are
 * still counted up to their last poll. With `database`, PostgreSQL's share is also given for the backends
 * serving that database alone (the rest: other databases' backends, and the server's own processes).
 */
export async function withCpuSplit<T>(
  apiPid: number,
  run: () => Promise<T>,
  database?: string,
): Promise<{ result: T; split: string; seconds: CpuSeconds | null }> {
  if (!existsSync('/proc/self/stat'))
    return { result: await run(), split: 'not measured (no /proc)', seconds: null };
  type Seen = { first: number; last: number };
  const postgres = new Map<number, Seen & { ours: boolean }>();
  const api = new Map<number, Seen>();
  const self = () => {
    const t = timesOf(readFileSync('/proc/self/stat', 'utf8'));
    return t.own + t.children;
  };
  // A process first seen after the start began during the scenario: all of its time counts.
  const track = <S extends Seen>(
    map: Map<number, S>,
    pid: number,
    own: number,
    initial: boolean,
    extra: Omit<S, keyof Seen>,
  ) => {
    const seen = map.get(pid);
    map.set(pid, { ...extra, first: seen?.first ?? (initial ? own : 0), last: own } as S);
  };
  const poll = (initial: boolean) => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        const t = timesOf(readFileSync(`/proc/${entry}/stat`, 'utf8'));
        if (pid === apiPid || t.ppid === apiPid) track(api, pid, t.own, initial, {});
        else if (t.comm === 'postgres') {
          const ours =
            postgres.get(pid)?.ours ?? (database !== undefined && backendDatabase(pid) === database);
          track(postgres, pid, t.own, initial, { ours });
        }
      } catch {
        // the process ended meanwhile
      }
    }
  };
  // Busy time of the whole machine (every process, the kernel): what remains is idle, of which the time the
  // cores had nothing to run while a read or write of the disk was waited for (iowait) is told apart.
  const machineTimes = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - f[3]! - f[4]!) / CLOCK_TICKS, iowait: f[4]! / CLOCK_TICKS };
  };
  const start = performance.now();
  const machineStart = machineTimes();
  const selfStart = self();
  poll(true);
  const timer = setInterval(() => poll(false), 250);
  try {
    const result = await run();
    poll(false);
    const capacity = ((performance.now() - start) / 1000) * cpus().length;
    const sum = (values: Iterable<Seen>) => [...values].reduce((total, p) => total + p.last - p.first, 0);
    const pg = sum(postgres.values());
    const ours = sum([...postgres.values()].filter((p) => p.ours));
    const used = { api: sum(api.values()), pg, load: self() - selfStart };
    const pct = (seconds: number) => `${Math.round((seconds / capacity) * 100)} %`;
    const machineEnd = machineTimes();
    const machine = machineEnd.busy - machineStart.busy;
    const iowait = machineEnd.iowait - machineStart.iowait;
    const other = Math.max(0, machine - used.api - used.pg - used.load);
    const processes = [...api.keys()].filter((pid) => pid !== apiPid).length;
    return {
      result,
      seconds: { ...used, ours },
      split:
        `API ${pct(used.api)}${processes > 1 ? ` (${processes} processes)` : ''}, PostgreSQL ${pct(used.pg)}` +
        `${database === undefined ? '' : ` (${pct(ours)} in ${database}'s backends)`}, ` +
        `load generator ${pct(used.load)}, other processes and kernel ${pct(other)}, ` +
        `idle ${pct(Math.max(0, capacity - machine))} (waiting for the disk ${pct(iowait)})`,
    };
  } finally {
    clearInterval(timer);
  }
}
