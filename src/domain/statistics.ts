/**
 * Period statistics of form II.06a/VPCP/KSTT (docs/domain.md §9), as a pure rule over dossier facts. This
 * is the reference: the SQL the API serves must give the same numbers (the tests compare them).
 *
 * For a period [A, B] of local dates ("finished" = resolved, withdrawn or stopped):
 * - carried over: received before A and not finished before A;
 * - new: received in [A, B], by channel;
 * - resolved early / on time / overdue, withdrawn, stopped: finished that way in [A, B];
 * - pending: received by the end of B and not finished by then, judged at the end of B with the statutory
 *   due date in force then (a dossier paused then is not yet due).
 * received total = carried over + new = resolved + withdrawn + stopped + pending, always.
 */
import { dueInForceAt, isPausedAt, type DueChange, type PauseCycle } from './deadlines.js';
import type { DossierStatus } from './lifecycle.js';
import { addDays, instantAt, type LocalDate } from './local-time.js';
import { pendingStateAt, type Granularity, type Outcome } from './timeliness.js';

export interface DossierFacts {
  channel: 'direct' | 'postal' | 'online';
  status: DossierStatus;
  receivedAt: Date | null;
  resolvedAt: Date | null;
  finishedAt: Date | null;
  outcome: Outcome | null;
  /** Statutory due history, each change with the instant it took effect. */
  dues: DueChange[];
  pauses: PauseCycle[];
}

export interface Tally {
  received: {
    total: number;
    carriedOver: number;
    new: number;
    online: number;
    direct: number;
    postal: number;
  };
  resolved: { total: number; early: number; onTime: number; overdue: number };
  withdrawn: number;
  stopped: number;
  pending: { total: number; notYetDue: number; overdue: number };
}

export function emptyTally(): Tally {
  return {
    received: { total: 0, carriedOver: 0, new: 0, online: 0, direct: 0, postal: 0 },
    resolved: { total: 0, early: 0, onTime: 0, overdue: 0 },
    withdrawn: 0,
    stopped: 0,
    pending: { total: 0, notYetDue: 0, overdue: 0 },
  };
}

/** The instants bounding [A, B]: A's midnight and the midnight after B. */
export function periodInstants(from: LocalDate, to: LocalDate): { start: Date; end: Date } {
  return { start: instantAt(from, 0), end: instantAt(addDays(to, 1), 0) };
}

const resolvedStatuses: readonly DossierStatus[] = ['resolved', 'returned'];

/** Adds one dossier's contribution to a tally. */
export function count(
  t: Tally,
  d: DossierFacts,
  from: LocalDate,
  to: LocalDate,
  granularity: Granularity,
): void {
  const { start, end } = periodInstants(from, to);
  if (!d.receivedAt || d.receivedAt >= end) return; // not received (rejected, still submitted) or later
  if (d.finishedAt && d.finishedAt < start) return; // finished before the period
  if (d.receivedAt < start) t.received.carriedOver++;
  else {
    t.received.new++;
    t.received[d.channel]++;
  }
  t.received.total++;
  if (d.finishedAt && d.finishedAt < end) {
    if (resolvedStatuses.includes(d.status)) {
      t.resolved.total++;
      if (d.outcome === 'early') t.resolved.early++;
      else if (d.outcome === 'on_time') t.resolved.onTime++;
      else t.resolved.overdue++;
    } else if (d.status === 'withdrawn') t.withdrawn++;
    else t.stopped++;
    return;
  }
  // Pending at the last instant of B, with the due in force then.
  const lastInstant = new Date(end.getTime() - 1);
  const due = dueInForceAt(d.dues, lastInstant);
  const paused = isPausedAt(d.pauses, lastInstant);
  const state = due ? pendingStateAt(lastInstant, due, paused, granularity) : 'not_yet_due';
  t.pending.total++;
  if (state === 'overdue') t.pending.overdue++;
  else t.pending.notYetDue++;
}

export function tally(
  facts: Iterable<DossierFacts>,
  from: LocalDate,
  to: LocalDate,
  granularity: Granularity,
): Tally {
  const t = emptyTally();
  for (const d of facts) count(t, d, from, to, granularity);
  return t;
}

/** Percentages with one decimal; null when there is nothing to divide by. */
export interface Rates {
  /** (early + on time) / resolved. */
  onTime: number | null;
  /** early / resolved. */
  early: number | null;
  /** on time (on the due date) / resolved. */
  onDueDate: number | null;
  /** online / newly received. */
  online: number | null;
}

const percent = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part * 1000) / whole) / 10;

export function ratesOf(t: Tally): Rates {
  return {
    onTime: percent(t.resolved.early + t.resolved.onTime, t.resolved.total),
    early: percent(t.resolved.early, t.resolved.total),
    onDueDate: percent(t.resolved.onTime, t.resolved.total),
    online: percent(t.received.online, t.received.new),
  };
}

export function addTallies(a: Tally, b: Tally): Tally {
  return {
    received: {
      total: a.received.total + b.received.total,
      carriedOver: a.received.carriedOver + b.received.carriedOver,
      new: a.received.new + b.received.new,
      online: a.received.online + b.received.online,
      direct: a.received.direct + b.received.direct,
      postal: a.received.postal + b.received.postal,
    },
    resolved: {
      total: a.resolved.total + b.resolved.total,
      early: a.resolved.early + b.resolved.early,
      onTime: a.resolved.onTime + b.resolved.onTime,
      overdue: a.resolved.overdue + b.resolved.overdue,
    },
    withdrawn: a.withdrawn + b.withdrawn,
    stopped: a.stopped + b.stopped,
    pending: {
      total: a.pending.total + b.pending.total,
      notYetDue: a.pending.notYetDue + b.pending.notYetDue,
      overdue: a.pending.overdue + b.pending.overdue,
    },
  };
}
