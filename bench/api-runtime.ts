/**
 * The API process's own runtime during a step, read from its /metrics (prom-client's default metrics): the
 * garbage collector's pauses and the event loop's delay. With one API process they tell a stall of the process
 * (a long pause, a busy loop) from a stall of the host (the load generator's send lag, in another process).
 */
import { fmt } from './results.js';

export interface RuntimeSample {
  /** GC seconds and pauses by kind (minor, major, incremental, weakcb), and pauses over 10 ms. */
  gc: Map<string, { seconds: number; count: number; over10ms: number }>;
  /**
   * The event loop's delay since the previous read of /metrics (prom-client resets it at each read), as Node's
   * monitorEventLoopDelay measures it: its 10 ms sampling resolution included, so an idle loop reads about 10 ms.
   */
  loopP99Ms: number;
  loopMaxMs: number;
  /** When it was read (performance.now()). */
  at: number;
}

export interface RuntimeReport {
  /** Seconds between the two reads. */
  seconds: number;
  gcMs: number;
  pauses: number;
  pausesOver10ms: number;
  majorMs: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/;

/** The process's GC and event-loop figures now; the event loop's delay starts again from this read. */
export async function readRuntime(base: string): Promise<RuntimeSample> {
  const at = performance.now();
  const res = await fetch(`${base}/metrics`);
  if (!res.ok) throw new Error(`${base}/metrics answered ${res.status}`);
  const text = await res.text();
  const gc: RuntimeSample['gc'] = new Map();
  let loopP99Ms = 0;
  let loopMaxMs = 0;
  for (const row of text.split('\n')) {
    const m = line.exec(row);
    if (!m) continue;
    const [, name, labels = '', raw] = m;
    const value = Number(raw);
    if (name === 'nodejs_eventloop_lag_p99_seconds') loopP99Ms = value * 1000;
    if (name === 'nodejs_eventloop_lag_max_seconds') loopMaxMs = value * 1000;
    if (!name!.startsWith('nodejs_gc_duration_seconds')) continue;
    const kind = /kind="([^"]+)"/.exec(labels)?.[1] ?? '?';
    const entry = gc.get(kind) ?? { seconds: 0, count: 0, over10ms: 0 };
    if (name === 'nodejs_gc_duration_seconds_sum') entry.seconds = value;
    if (name === 'nodejs_gc_duration_seconds_count') entry.count = value;
    // Cumulative buckets: the pauses over 10 ms are the count less those of at most 10 ms.
    if (name === 'nodejs_gc_duration_seconds_bucket' && labels.includes('le="0.01"')) entry.over10ms = -value;
    gc.set(kind, entry);
  }
  for (const entry of gc.values()) entry.over10ms += entry.count;
  return { gc, loopP99Ms, loopMaxMs, at };
}

/** What happened between two reads: GC time and pauses, and the event loop's delay over the interval. */
export function runtimeBetween(before: RuntimeSample, after: RuntimeSample): RuntimeReport {
  const report: RuntimeReport = {
    seconds: (after.at - before.at) / 1000,
    gcMs: 0,
    pauses: 0,
    pausesOver10ms: 0,
    majorMs: 0,
    loopP99Ms: after.loopP99Ms,
    loopMaxMs: after.loopMaxMs,
  };
  for (const [kind, a] of after.gc) {
    const b = before.gc.get(kind) ?? { seconds: 0, count: 0, over10ms: 0 };
    const ms = (a.seconds - b.seconds) * 1000;
    report.gcMs += ms;
    report.pauses += a.count - b.count;
    report.pausesOver10ms += a.over10ms - b.over10ms;
    if (kind === 'major') report.majorMs += ms;
  }
  return report;
}

export const runtimeText = (r: RuntimeReport) =>
  `API GC ${fmt(r.gcMs / r.seconds, 1)} ms a second (${fmt(r.pauses)} pauses, ${fmt(r.pausesOver10ms)} over 10 ms; ` +
  `major ${fmt(r.majorMs, 1)} ms in all), event loop delay (with its 10 ms resolution) p99 ${fmt(r.loopP99Ms, 1)} ms, max ${fmt(r.loopMaxMs, 1)} ms`;
