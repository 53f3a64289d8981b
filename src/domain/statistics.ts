/**
 * The reference of the II.06a/VPCP/KSTT period statistics (docs/domain.md §9): the rule written once, pure,
 * over dossier facts. Every statistics query composes the same rule in SQL (src/stats/rule.ts), and the tests
 * hold the numbers the API serves equal to `referenceTally` (their oracle).
 *
 * For a period [A, B] of local dates ("finished" = resolved, withdrawn or stopped):
 * - carried over: received before A and not finished before A;
 * - new: received in [A, B], by channel;
 * - resolved early / on time / overdue, withdrawn, stopped: finished that way in [A, B];
 * - pending: received by T and not finished by then, judged at T with the statutory due date in force then (a
 *   dossier paused then is not yet due), where T is the end of B, or the moment of the answer (`asOf`) while B
 *   has not ended: a dossier due next week is never overdue in this month's figures.
 * The answer sees nothing after T: a dossier received later is not counted, one finished later is pending, and
 * a period that begins after T carries over everything received by T and not finished by then.
 * received total = carried over + new = resolved + withdrawn + stopped + pending, always.
 *
 * Attribution: statistics of a set of units (a subtree) count the dossiers attributed to one of them, and a
 * grouping by unit groups them by that unit. By default a dossier is attributed to its resolving unit (đơn vị
 * giải quyết: II.06a describes the units that resolve); `receiving` attributes it to the unit that received it
 * (the counter's view). A dossier resolved where it was received counts the same either way.
 *
 * Steps ("who is late", the `steps` figures): every step run (a row of the step clock, src/domain/steps.ts) of
 * the dossiers attributed to the units counted, wherever the step ran. Over [A, B] at T:
 * - early / on time / overdue: the step runs that ended in [A, B] (by T), by their outcome (the dossier's
 *   comparison rule on the step's end and its due);
 * - open overdue: the step runs open at T (started by T, not ended by T) that are overdue at T by the pending
 *   rule: not paused at T (a paused dossier's step is not overdue), and the step's due in force at T (the due
 *   it had before any later pause moved it) before the overdue-before threshold of T.
 * A step run counts for the officer holding it (the receiving officer of the handover that started it; none:
 * the key NO_OFFICER) and its step code. Grouped by officer or step, rows carry only these figures: their
 * II.06a columns are 0 (a dossier passes through several officers and steps; counting it in each row would count
 * it several times), and the totals carry the II.06a columns of the whole scope. Dossiers without step runs
 * (received before the step clock existed) count nothing in the steps.
 */
import { dueInForceAt, isPausedAt, type DueChange, type PauseCycle } from './deadlines.js';
import type { DossierStatus } from './lifecycle.js';
import { addDays, instantAt, type LocalDate } from './local-time.js';
import type { PauseSpan } from './steps.js';
import { overdueBefore, pendingStateAt, type Granularity, type Outcome } from './timeliness.js';

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

/** A row's step figures: step runs ended early / on time / overdue in the period, and open past their due at T. */
export interface StepTally {
  early: number;
  onTime: number;
  overdue: number;
  openOverdue: number;
}

export function emptyStepTally(): StepTally {
  return { early: 0, onTime: 0, overdue: 0, openOverdue: 0 };
}

export function addStepTallies(a: StepTally, b: StepTally): StepTally {
  return {
    early: a.early + b.early,
    onTime: a.onTime + b.onTime,
    overdue: a.overdue + b.overdue,
    openOverdue: a.openOverdue + b.openOverdue,
  };
}

/** The key of the step runs nobody was named to hold (officer codes begin with a letter or digit). */
export const NO_OFFICER = '-';

/** One step run as the statistics read it (a stored row of the step clock). */
export interface StepRunFacts {
  /** The officer holding the step run (the receiving officer of its handover); null: nobody named. */
  officerCode: string | null;
  stepCode: string;
  startAt: Date;
  /** The step's due now (moved by every resume while it ran). */
  dueAt: Date;
  endAt: Date | null;
  outcome: Outcome | null;
  pauses: readonly PauseSpan[];
}

/**
 * The due of a step run in force at `at`: the due it had before the first pause that began after `at` (a later
 * resume moved it), else its due now. A pause stored without its due before counts as moving nothing.
 */
export function stepDueAt(s: StepRunFacts, at: Date): Date {
  const later = s.pauses.find((p) => p.from.getTime() > at.getTime());
  return later?.dueBefore ?? s.dueAt;
}

/** Whether the step run is paused at `at`: one of its pauses holds that instant. */
export function stepPausedAt(s: StepRunFacts, at: Date): boolean {
  return s.pauses.some((p) => p.from <= at && (p.to === null || p.to > at));
}

/** One step run's contribution to the step figures of [from, to], as answered at `asOf` (omitted: after B). */
export function stepTallyOf(
  s: StepRunFacts,
  from: LocalDate,
  to: LocalDate,
  granularity: Granularity,
  asOf?: Date,
): StepTally {
  const t = emptyStepTally();
  const { open, cut, at } = answerInstants(from, to, asOf);
  if (s.startAt >= cut) return t; // not started by T
  if (s.endAt && s.endAt < cut) {
    if (s.endAt < open) return t; // ended before the period
    if (s.outcome === 'early') t.early++;
    else if (s.outcome === 'on_time') t.onTime++;
    else t.overdue++;
    return t;
  }
  if (!stepPausedAt(s, at) && stepDueAt(s, at) < overdueBefore(at, granularity)) t.openOverdue++;
  return t;
}

const countsSomething = (t: StepTally) => t.early + t.onTime + t.overdue + t.openOverdue > 0;

/**
 * The reference step figures of the units `counted` accepts, as answered at `asOf`: the step runs of the
 * dossiers attributed to one of them, in groups by `keyOf` (given each dossier, the unit it is attributed to and
 * the step run); only groups with something counted.
 */
export function referenceStepGroups<X extends AttributedFacts & { steps: readonly StepRunFacts[] }>(
  all: Iterable<X>,
  q: { from: LocalDate; to: LocalDate; granularity: Granularity; asOf?: Date; attribution: Attribution },
  counted: (unitCode: string) => boolean,
  keyOf: (x: X, unitCode: string, step: StepRunFacts) => string,
): Map<string, StepTally> {
  const groups = new Map<string, StepTally>();
  for (const x of all) {
    const unit = attributedUnit(x, q.attribution);
    if (!counted(unit)) continue;
    for (const s of x.steps) {
      const one = stepTallyOf(s, q.from, q.to, q.granularity, q.asOf);
      if (!countsSomething(one)) continue;
      const key = keyOf(x, unit, s);
      groups.set(key, addStepTallies(groups.get(key) ?? emptyStepTally(), one));
    }
  }
  return groups;
}

/** Which unit a dossier's figures count for: its resolving unit (the default) or its receiving unit. */
export type Attribution = 'resolving' | 'receiving';

/** A dossier's facts with its receiving and resolving units. */
export interface AttributedFacts {
  unitCode: string;
  resolvingUnitCode: string;
  facts: DossierFacts;
}

/** The unit a dossier is counted for under `attribution`. */
export function attributedUnit(d: Omit<AttributedFacts, 'facts'>, attribution: Attribution): string {
  return attribution === 'resolving' ? d.resolvingUnitCode : d.unitCode;
}

/** The instants bounding [A, B]: A's midnight and the midnight after B. */
export function periodInstants(from: LocalDate, to: LocalDate): { start: Date; end: Date } {
  return { start: instantAt(from, 0), end: instantAt(addDays(to, 1), 0) };
}

/**
 * What an answer given at `asOf` sees of [A, B]: `at` = T, the instant pending dossiers are judged (the last
 * instant of B, or `asOf` while B has not ended; without `asOf`, B has ended); `cut` = T + 1 ms, before which
 * a dossier counts as received or finished; `open` = A's midnight, or `cut` when A begins after T (carried
 * over = received before `open` and not finished before it; new = received in [`open`, `cut`)).
 */
export function answerInstants(
  from: LocalDate,
  to: LocalDate,
  asOf?: Date,
): { open: Date; cut: Date; at: Date } {
  const { start, end } = periodInstants(from, to);
  const cut = asOf && asOf.getTime() + 1 < end.getTime() ? new Date(asOf.getTime() + 1) : end;
  const open = start < cut ? start : cut;
  return { open, cut, at: new Date(cut.getTime() - 1) };
}

const resolvedStatuses: readonly DossierStatus[] = ['resolved', 'returned'];

/** Adds one dossier's contribution to a tally (the answer given at `asOf`; omitted: after B). */
function countOne(
  t: Tally,
  d: DossierFacts,
  from: LocalDate,
  to: LocalDate,
  granularity: Granularity,
  asOf?: Date,
): void {
  const { open, cut, at } = answerInstants(from, to, asOf);
  if (!d.receivedAt || d.receivedAt >= cut) return; // not received (rejected, still submitted) or later
  if (d.finishedAt && d.finishedAt < open) return; // finished before the period
  if (d.receivedAt < open) t.received.carriedOver++;
  else {
    t.received.new++;
    t.received[d.channel]++;
  }
  t.received.total++;
  if (d.finishedAt && d.finishedAt < cut) {
    if (resolvedStatuses.includes(d.status)) {
      t.resolved.total++;
      if (d.outcome === 'early') t.resolved.early++;
      else if (d.outcome === 'on_time') t.resolved.onTime++;
      else t.resolved.overdue++;
    } else if (d.status === 'withdrawn') t.withdrawn++;
    else t.stopped++;
    return;
  }
  // Pending at T, with the due in force then.
  const due = dueInForceAt(d.dues, at);
  const paused = isPausedAt(d.pauses, at);
  const state = due ? pendingStateAt(at, due, paused, granularity) : 'not_yet_due';
  t.pending.total++;
  if (state === 'overdue') t.pending.overdue++;
  else t.pending.notYetDue++;
}

/** The reference tally of [from, to] over dossier facts, as answered at `asOf` (omitted: after B). */
export function referenceTally(
  facts: Iterable<DossierFacts>,
  from: LocalDate,
  to: LocalDate,
  granularity: Granularity,
  asOf?: Date,
): Tally {
  const t = emptyTally();
  for (const d of facts) countOne(t, d, from, to, granularity, asOf);
  return t;
}

/**
 * The reference statistics of the units `counted` accepts (e.g. those of a subtree), as answered at `asOf`: the
 * dossiers attributed to one of them, in groups by `keyOf` (given each dossier and the unit it is attributed to);
 * only groups with something received, as every answer lists them.
 */
export function referenceGroups<X extends AttributedFacts>(
  all: Iterable<X>,
  q: { from: LocalDate; to: LocalDate; granularity: Granularity; asOf?: Date; attribution: Attribution },
  counted: (unitCode: string) => boolean,
  keyOf: (x: X, unitCode: string) => string,
): Map<string, Tally> {
  const groups = new Map<string, Tally>();
  for (const x of all) {
    const unit = attributedUnit(x, q.attribution);
    if (!counted(unit)) continue;
    const one = referenceTally([x.facts], q.from, q.to, q.granularity, q.asOf);
    if (one.received.total === 0) continue;
    const key = keyOf(x, unit);
    groups.set(key, addTallies(groups.get(key) ?? emptyTally(), one));
  }
  return groups;
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
