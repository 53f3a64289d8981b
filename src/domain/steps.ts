/**
 * Internal processes (quy trình nội bộ) and the step clock (docs/domain.md §10).
 *
 * A procedure's internal process is an ordered list of steps, each with an allotment of working time (hours or
 * working days), optionally a separate allotment for the online channel. The allotments together may not exceed
 * the procedure's statutory time (and, online, its online time). A procedure without a process has one implicit
 * step holding the whole statutory time.
 *
 * The step clock turns a dossier's history (handovers, pauses, resumes, the finish) into its step list. The
 * rules, each written once below:
 * - Step 1 starts at the dossier's start instant, held by the receiving unit.
 * - A handover ends the current step at its instant and starts the next step in the process's order, or the
 *   step it names (an earlier one: the dossier is sent back). A handover without a named step while the last
 *   step runs starts the last step again: the process has nowhere further to go, and the new holder gets the
 *   step's allotment like anyone a step is handed to.
 * - Every start of a step, the first or a repeat, gets the step's whole allotment: due = start + allotment in
 *   working time, plus the working time the step spent paused.
 * - While the dossier is paused no step clock runs: on resume the current step's due moves later by exactly the
 *   working time paused (also when the step was already late: the paused time is not the step's). A handover
 *   while paused ends the step (its due moved by the pause so far) and starts the next one paused.
 * - The finish (resolve, withdraw, stop) ends the open step.
 * - An event dated before step 1's start (the dossier's clock had not started yet) takes effect at that start.
 * - A step's outcome is the dossier's comparison rule (src/domain/timeliness.ts) on its end and its due; an
 *   open step is overdue at T by the pending rule, never while paused.
 *
 * The incremental form (`applyStepEvent`, one event at a time on the state the last one left) and the replay
 * (`replaySteps`, every event from the start) are the same function, so the per-event wiring and a replay from
 * the audit trail cannot disagree. After a calendar change, `recomputeOpenStep` moves the open step's due;
 * finished steps keep theirs, as finished dossiers do.
 */
import {
  durationForChannel,
  workingMinutesOf,
  type Channel,
  type ChannelDurations,
  type Duration,
} from './deadlines.js';
import { outcomeOf, pendingStateAt, type Granularity, type Outcome } from './timeliness.js';
import { addWorkingMinutes, workingMinutesBetween, type Calendar } from './working-time.js';

// ---------------------------------------------------------------------------------------------------------
// The process

export type AllotmentUnit = 'hours' | 'days';

/** A step's time: working hours (whole minutes) or working days (a multiple of 0.5), always > 0. */
export interface Allotment {
  value: number;
  unit: AllotmentUnit;
}

export interface ProcessStep {
  code: string;
  name: string;
  allotment: Allotment;
  /** The allotment on the online channel; null or absent: the same as `allotment`. */
  onlineAllotment?: Allotment | null | undefined;
}

/** The code and name of the implicit single step of a procedure without a process. */
export const IMPLICIT_STEP_CODE = 'xu-ly';
export const IMPLICIT_STEP_NAME = 'Giải quyết hồ sơ';

/** Working minutes of an allotment, converted as the due converts working hours and working days. */
export function allotmentMinutes(allotment: Allotment, dayLength: number): number {
  const unit = allotment.unit === 'hours' ? 'working_hours' : 'working_days';
  return workingMinutesOf(dayLength, { value: allotment.value, unit });
}

/**
 * A procedure's time in working minutes, for comparing it with a process: working hours and working days as the
 * due converts them, a calendar day as one working day (the most working time a day can hold), and a time of 0
 * ("the same day") as one working day.
 */
export function statutoryWorkingMinutes(duration: Duration, dayLength: number): number {
  const unit = duration.unit === 'calendar_days' ? 'working_days' : duration.unit;
  const minutes = workingMinutesOf(dayLength, { value: duration.value, unit });
  return minutes > 0 ? minutes : dayLength;
}

/**
 * A procedure's time as an allotment, as `statutoryWorkingMinutes` counts it: a time of 0 ("the same day"; in
 * working hours, one under half a minute, which the due rounds to 0) is one working day.
 */
function allotmentOf(duration: Duration): Allotment {
  if (duration.unit === 'working_hours') {
    return Math.round(duration.value * 60) > 0
      ? { value: duration.value, unit: 'hours' }
      : { value: 1, unit: 'days' };
  }
  return { value: duration.value > 0 ? duration.value : 1, unit: 'days' };
}

/** The one implicit step of a procedure without a process: its whole statutory (and online) time. */
export function implicitProcess(terms: ChannelDurations): ProcessStep[] {
  const hasOnline = terms.onlineDurationValue !== null && terms.onlineDurationUnit !== null;
  return [
    {
      code: IMPLICIT_STEP_CODE,
      name: IMPLICIT_STEP_NAME,
      allotment: allotmentOf(durationForChannel(terms, 'direct')),
      onlineAllotment: hasOnline ? allotmentOf(durationForChannel(terms, 'online')) : null,
    },
  ];
}

/** Which of the procedure's times a process exceeds, with both amounts in working minutes. */
export interface ProcessExcess {
  time: 'statutory' | 'online';
  allottedMinutes: number;
  allowedMinutes: number;
}

/**
 * Null when the steps fit the procedure's times: the sum of the allotments may not exceed the statutory time,
 * and the sum of the online allotments (a step without one counts its allotment) may not exceed the online
 * time (the statutory time when the procedure has none). Otherwise the first time exceeded.
 */
export function processExcess(
  steps: readonly ProcessStep[],
  terms: ChannelDurations,
  dayLength: number,
): ProcessExcess | null {
  for (const channel of ['direct', 'online'] as const) {
    const allotted = clockSteps(steps, channel, dayLength).reduce((sum, s) => sum + s.minutes, 0);
    const allowed = statutoryWorkingMinutes(durationForChannel(terms, channel), dayLength);
    if (allotted > allowed) {
      return {
        time: channel === 'online' ? 'online' : 'statutory',
        allottedMinutes: allotted,
        allowedMinutes: allowed,
      };
    }
  }
  return null;
}

/** A step as the clock runs it: its allotment for the dossier's channel, in working minutes. */
export interface ClockStep {
  code: string;
  name: string;
  minutes: number;
}

/** The process's steps for a channel: online dossiers take each step's online allotment where it has one. */
export function clockSteps(steps: readonly ProcessStep[], channel: Channel, dayLength: number): ClockStep[] {
  return steps.map((s) => ({
    code: s.code,
    name: s.name,
    minutes: allotmentMinutes(
      channel === 'online' && s.onlineAllotment ? s.onlineAllotment : s.allotment,
      dayLength,
    ),
  }));
}

// ---------------------------------------------------------------------------------------------------------
// The step clock

/** What the clock runs on: the calendar, the comparison rule's granularity and the dossier's steps. */
export interface StepClock {
  calendar: Calendar;
  granularity: Granularity;
  steps: readonly ClockStep[];
}

/** Where the clock starts: the dossier's start instant and who holds it then (the receiving unit). */
export interface StepStart {
  at: Date;
  unit: string;
  officer?: string | null | undefined;
}

export type StepEvent =
  | {
      kind: 'handover';
      at: Date;
      /** The step to start; absent: the next one in order (the last one again after the last). */
      toStepCode?: string | null | undefined;
      fromOfficer?: string | null | undefined;
      fromUnit: string;
      toOfficer?: string | null | undefined;
      toUnit: string;
      note?: string | null | undefined;
    }
  | { kind: 'pause'; at: Date }
  | { kind: 'resume'; at: Date }
  | { kind: 'finish'; at: Date };

/** Part of a step spent paused: from the pause (or the step's start) to the resume (or the step's end). */
export interface PauseSpan {
  from: Date;
  /** Null while the pause lasts. */
  to: Date | null;
  /**
   * The step's due when the pause began (in force from the step's start or the previous resume until `from`):
   * the statistics judge a step open at an earlier instant with it. Absent on pauses stored before it was kept.
   */
  dueBefore?: Date | undefined;
}

/** One step as the dossier went through it (a row of the control slip). */
export interface StepRow {
  /** 1, 2, … in the order the steps started. */
  seq: number;
  stepCode: string;
  stepName: string;
  allotmentMinutes: number;
  startAt: Date;
  /** start + allotment + pausedMinutes, in working time; moves on each resume while the step is open. */
  dueAt: Date;
  endAt: Date | null;
  outcome: Outcome | null;
  /** Who handed the dossier over into this step (null for step 1). */
  fromOfficer: string | null;
  fromUnit: string | null;
  /** Who holds it during this step, and the unit. */
  toOfficer: string | null;
  unit: string;
  note: string | null;
  /** Working minutes of the finished pauses inside this step. */
  pausedMinutes: number;
  pauses: readonly PauseSpan[];
}

export interface StepState {
  clock: StepClock;
  rows: readonly StepRow[];
  /** Since when the dossier is paused; null while its clock runs. */
  pausedAt: Date | null;
  finishedAt: Date | null;
  /** The latest instant applied: events come in order. */
  lastAt: Date;
}

/** The state before any event: step 1 running from the start instant. */
export function startSteps(clock: StepClock, start: StepStart): StepState {
  const first = clock.steps[0];
  if (!first) throw new RangeError('a process has at least one step');
  const row = openRow(clock, first, 1, start.at, {
    fromOfficer: null,
    fromUnit: null,
    toOfficer: start.officer ?? null,
    unit: start.unit,
    note: null,
  });
  return { clock, rows: [row], pausedAt: null, finishedAt: null, lastAt: start.at };
}

/**
 * The state after one more event, at its effective instant (effectiveAt). Events come in order (an instant
 * before the latest one, other than before step 1's start, is a RangeError), a
 * pause only while running, a resume only while paused, nothing after the finish: the dossier's lifecycle
 * guarantees all of this, so a violation is a caller bug.
 */
export function applyStepEvent(state: StepState, event: StepEvent): StepState {
  if (state.finishedAt) throw new RangeError(`step event ${event.kind} after the finish`);
  const at = effectiveAt(state, event.at);
  if (at.getTime() < state.lastAt.getTime()) throw new RangeError(`step event ${event.kind} out of order`);
  const { clock } = state;
  const rows = state.rows.slice(0, -1);
  const current = state.rows[state.rows.length - 1]!;
  switch (event.kind) {
    case 'pause': {
      if (state.pausedAt) throw new RangeError('paused while already paused');
      const paused = {
        ...current,
        pauses: [...current.pauses, { from: at, to: null, dueBefore: current.dueAt }],
      };
      return { ...state, rows: [...rows, paused], pausedAt: at, lastAt: at };
    }
    case 'resume': {
      if (!state.pausedAt) throw new RangeError('resumed while not paused');
      return { ...state, rows: [...rows, endPause(clock, current, at)], pausedAt: null, lastAt: at };
    }
    case 'finish': {
      const closed = closeRow(clock, state.pausedAt ? endPause(clock, current, at) : current, at);
      return { ...state, rows: [...rows, closed], pausedAt: null, finishedAt: at, lastAt: at };
    }
    case 'handover': {
      const closed = closeRow(clock, state.pausedAt ? endPause(clock, current, at) : current, at);
      const next = openRow(clock, nextStep(clock, current.stepCode, event.toStepCode), current.seq + 1, at, {
        fromOfficer: event.fromOfficer ?? null,
        fromUnit: event.fromUnit,
        toOfficer: event.toOfficer ?? null,
        unit: event.toUnit,
        note: event.note ?? null,
      });
      // A step handed over while the dossier is paused starts paused.
      const started = state.pausedAt
        ? { ...next, pauses: [{ from: at, to: null, dueBefore: next.dueAt }] }
        : next;
      return { ...state, rows: [...rows, closed, started], lastAt: at };
    }
    default:
      throw new RangeError(`unknown step event: ${String((event as { kind: unknown }).kind)}`);
  }
}

/**
 * When an event takes effect on the clock: its instant, or step 1's start when it came earlier. A dossier
 * received after the cut-off or outside working hours starts its clock at the next opening, and may be handed
 * over, paused or finished before that: no step clock runs before the dossier's, so the step clock sees such an
 * event at its start.
 */
function effectiveAt(state: StepState, at: Date): Date {
  const clockStart = state.rows[0]!.startAt;
  return at.getTime() < clockStart.getTime() ? clockStart : at;
}

/** Every event applied in order from the start: the same as applying them one by one. */
export function replaySteps(clock: StepClock, start: StepStart, events: readonly StepEvent[]): StepState {
  return events.reduce(applyStepEvent, startSteps(clock, start));
}

/** Whether the process has a step of this code (a handover naming another one is refused before the clock). */
export function hasStep(clock: StepClock, code: string): boolean {
  return clock.steps.some((s) => s.code === code);
}

/** The step a handover starts: the named one, else the next in order, else (after the last) the last again. */
function nextStep(clock: StepClock, currentCode: string, toStepCode: string | null | undefined): ClockStep {
  const { steps } = clock;
  if (toStepCode != null) {
    const named = steps.find((s) => s.code === toStepCode);
    if (!named) throw new RangeError(`no step ${toStepCode} in the process`);
    return named;
  }
  const index = steps.findIndex((s) => s.code === currentCode);
  if (index < 0) throw new RangeError(`no step ${currentCode} in the process`);
  return steps[Math.min(index + 1, steps.length - 1)]!;
}

function openRow(
  clock: StepClock,
  step: ClockStep,
  seq: number,
  startAt: Date,
  who: Pick<StepRow, 'fromOfficer' | 'fromUnit' | 'toOfficer' | 'unit' | 'note'>,
): StepRow {
  if (!Number.isInteger(step.minutes) || step.minutes <= 0) {
    throw new RangeError(`step ${step.code} needs an allotment of whole working minutes > 0`);
  }
  return {
    seq,
    stepCode: step.code,
    stepName: step.name,
    allotmentMinutes: step.minutes,
    startAt,
    dueAt: dueOf(clock.calendar, startAt, step.minutes, 0),
    endAt: null,
    outcome: null,
    ...who,
    pausedMinutes: 0,
    pauses: [],
  };
}

/** The due of a step: its start + its allotment + the working time it spent paused. */
function dueOf(calendar: Calendar, startAt: Date, allotment: number, pausedMinutes: number): Date {
  return addWorkingMinutes(calendar, startAt, allotment + pausedMinutes);
}

/** The step's running pause ends at `at`: its working time moves the due later by exactly that much. */
function endPause(clock: StepClock, row: StepRow, at: Date): StepRow {
  const last = row.pauses[row.pauses.length - 1];
  if (!last || last.to) throw new RangeError('no pause to end');
  const pauses = [...row.pauses.slice(0, -1), { ...last, to: at }];
  const pausedMinutes = row.pausedMinutes + workingMinutesBetween(clock.calendar, last.from, at);
  return {
    ...row,
    pauses,
    pausedMinutes,
    dueAt: dueOf(clock.calendar, row.startAt, row.allotmentMinutes, pausedMinutes),
  };
}

function closeRow(clock: StepClock, row: StepRow, at: Date): StepRow {
  return { ...row, endAt: at, outcome: outcomeOf(at, row.dueAt, clock.granularity) };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the state

/** The step running now (or paused), null once the dossier is finished. */
export function openStep(state: StepState): StepRow | null {
  const last = state.rows[state.rows.length - 1];
  return last && last.endAt === null ? last : null;
}

/**
 * Whether the open step is overdue at `at` (an instant at or after the state's latest event): by the pending
 * rule of the dossier's comparison (its due date past; with `instant`, its due instant), never while paused,
 * never once finished.
 */
export function openStepOverdueAt(state: StepState, at: Date): boolean {
  const open = openStep(state);
  if (!open) return false;
  return pendingStateAt(at, open.dueAt, state.pausedAt !== null, state.clock.granularity) === 'overdue';
}

/**
 * The state on a changed calendar: the open step's due (and its pauses' working time and dues before) counted
 * again on the new calendar. Finished steps keep their due and outcome. On an unchanged calendar nothing moves.
 */
export function recomputeOpenStep(state: StepState, calendar: Calendar): StepState {
  const clock = { ...state.clock, calendar };
  const open = openStep(state);
  if (!open) return { ...state, clock };
  // Each pause's due before it, and the working time of the finished ones, counted on the new calendar.
  let pausedMinutes = 0;
  const pauses = open.pauses.map((p) => {
    const dueBefore = dueOf(calendar, open.startAt, open.allotmentMinutes, pausedMinutes);
    if (p.to) pausedMinutes += workingMinutesBetween(calendar, p.from, p.to);
    return p.dueBefore ? { ...p, dueBefore } : p;
  });
  const recomputed = {
    ...open,
    pauses,
    pausedMinutes,
    dueAt: dueOf(calendar, open.startAt, open.allotmentMinutes, pausedMinutes),
  };
  return { ...state, clock, rows: [...state.rows.slice(0, -1), recomputed] };
}
