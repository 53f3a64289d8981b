/**
 * Deadline rules (docs/domain.md §6): the start of the clock, the statutory due date (ngày hẹn trả) per
 * duration unit, pause/resume for supplementation (yêu cầu bổ sung) and financial obligations, and reading
 * the due date in force at a past instant from its history.
 *
 * The apology/reschedule (Form 04) never goes through here: it records a promised return date beside the
 * statutory due, which does not move.
 */
import { minuteOfDayOf, parseClock } from './local-time.js';
import {
  addWorkingMinutes,
  closingOnOrAfter,
  isWorkingDayAt,
  nextWorkingDayOpening,
  nextWorkingInstant,
  workingMinutesBetween,
  type Calendar,
} from './working-time.js';

export type DurationUnit = 'working_hours' | 'working_days' | 'calendar_days';

export interface Duration {
  value: number;
  unit: DurationUnit;
}

export type Channel = 'direct' | 'postal' | 'online';

/** A procedure's processing times: its statutory one, and a separate one for the online channel if it has one. */
export interface ChannelDurations {
  durationValue: number;
  durationUnit: DurationUnit;
  onlineDurationValue: number | null;
  onlineDurationUnit: DurationUnit | null;
}

/**
 * The processing time for a dossier received through `channel`: the procedure's online time for the online
 * channel when it has one, else its statutory time (also when no channel is given).
 */
export function durationForChannel(terms: ChannelDurations, channel: Channel | undefined): Duration {
  return channel === 'online' && terms.onlineDurationValue !== null && terms.onlineDurationUnit !== null
    ? { value: terms.onlineDurationValue, unit: terms.onlineDurationUnit }
    : { value: terms.durationValue, unit: terms.durationUnit };
}

/** A receipt cut-off as stored ('HH:MM', or null for none) → the minute of day the rules below take. */
export function cutoffMinute(receiptCutoff: string | null): number | null {
  return receiptCutoff ? parseClock(receiptCutoff) : null;
}

export interface StartAndDue {
  startAt: Date;
  dueAt: Date;
}

/**
 * The start of the clock for a dossier received (or, online, accepted) at `receivedAt`: the next working
 * instant, to the minute. With a receipt cut-off (minute of day, e.g. 15:00 = 900), a dossier received at
 * or after it on a working day starts at the next working day's opening ("nhận sau 15 giờ thì tính từ ngày
 * làm việc tiếp theo"). On a non-working day the cut-off does not matter: it starts at the next opening.
 */
export function normalizeStart(cal: Calendar, receivedAt: Date, cutoff?: number | null): Date {
  if (cutoff != null && receivedAfterCutoff(cal, receivedAt, cutoff)) {
    return nextWorkingDayOpening(cal, receivedAt);
  }
  return nextWorkingInstant(cal, receivedAt);
}

function receivedAfterCutoff(cal: Calendar, receivedAt: Date, cutoff: number): boolean {
  checkCutoff(cutoff);
  return minuteOfDayOf(receivedAt) >= cutoff && isWorkingDayAt(cal, receivedAt);
}

function checkCutoff(cutoff: number): void {
  if (!Number.isInteger(cutoff) || cutoff < 0 || cutoff >= 1440) {
    throw new RangeError(`receipt cut-off must be a minute of the day: ${cutoff}`);
  }
}

/**
 * The statutory due date counted from a start (normally from `normalizeStart`; it is normalised again, which
 * changes nothing for a normalised start, so a raw instant cannot put the due in non-working time).
 * - working_hours h: start + h working hours (h ≥ 0, whole minutes).
 * - working_days d: start + d × day length (d a multiple of 0.5); d = 0 is "the same day": its closing time.
 * - calendar_days d: closing time of (start's date + d days), or of the next working day if that date is
 *   not one (d a whole number ≥ 0).
 */
export function computeDue(cal: Calendar, start: Date, duration: Duration): Date {
  return dueFromWorkingStart(cal, nextWorkingInstant(cal, start), duration);
}

/** computeDue for a start already in working time (skips the second normalisation on the hot path). */
function dueFromWorkingStart(cal: Calendar, from: Date, duration: Duration): Date {
  const { value, unit } = duration;
  switch (unit) {
    case 'working_hours':
      return addWorkingMinutes(cal, from, workingMinutesOf(cal.dayLength, duration));
    case 'working_days':
      if (value === 0) return closingOnOrAfter(cal, from); // from is on a working day: its closing
      return addWorkingMinutes(cal, from, workingMinutesOf(cal.dayLength, duration));
    case 'calendar_days':
      return closingOnOrAfter(cal, from, calendarDays(value, duration));
    default:
      throw new RangeError(`unknown duration unit: ${String(unit)}`);
  }
}

/**
 * The working minutes a duration in working hours or working days adds to a start, for a working day of
 * `dayLength` minutes: the one conversion the due and the internal process's allotments share. Calendar days
 * are not a working time (their due is a closing time): a RangeError.
 */
export function workingMinutesOf(dayLength: number, duration: Duration): number {
  switch (duration.unit) {
    case 'working_hours':
      return wholeMinutes(duration.value * 60, duration);
    case 'working_days':
      return halfDayMinutes(dayLength, halfDays(duration.value, duration));
    default:
      throw new RangeError(`not a working time: ${duration.value} ${String(duration.unit)}`);
  }
}

/** Start and due for a dossier received at `receivedAt`, with the procedure's optional cut-off. */
export function computeStartAndDue(
  cal: Calendar,
  receivedAt: Date,
  duration: Duration,
  cutoff?: number | null,
): StartAndDue {
  const startAt = normalizeStart(cal, receivedAt, cutoff);
  return { startAt, dueAt: dueFromWorkingStart(cal, startAt, duration) };
}

/** Minutes of a working-hours duration: it must come to whole minutes (1.5 h yes, 0.01 h no). */
function wholeMinutes(minutes: number, duration: Duration): number {
  checkNonNegative(duration);
  const rounded = Math.round(minutes);
  if (Math.abs(minutes - rounded) > 1e-9) throw invalidDuration(duration, 'whole minutes');
  return rounded;
}

/**
 * Working minutes in `halfDays` half days. With an odd day length (custom hours) an odd number of half days
 * is rounded to the nearest minute; the default 480-minute day never needs it.
 */
function halfDayMinutes(dayLength: number, halfDays: number): number {
  return Math.round((halfDays * dayLength) / 2);
}

function halfDays(days: number, duration: Duration): number {
  checkNonNegative(duration);
  if (!Number.isInteger(days * 2)) throw invalidDuration(duration, 'a multiple of 0.5');
  return days * 2;
}

function calendarDays(days: number, duration: Duration): number {
  checkNonNegative(duration);
  if (!Number.isInteger(days)) throw invalidDuration(duration, 'a whole number of days');
  return days;
}

function checkNonNegative(duration: Duration): void {
  if (!Number.isFinite(duration.value) || duration.value < 0) throw invalidDuration(duration, '≥ 0');
}

function invalidDuration(duration: Duration, expected: string): RangeError {
  return new RangeError(`duration ${duration.value} ${duration.unit} must be ${expected}`);
}

// ---------------------------------------------------------------------------------------------------------
// Pause and resume

/**
 * restart (default for supplementation): the full statutory time counts again from the resume, as a new
 * start. extend: the due moves later by the working time spent paused; a financial-obligation pause (chờ
 * nghĩa vụ tài chính) always extends, so callers pass 'extend' for it.
 */
export type ResumePolicy = 'restart' | 'extend';

export interface ResumeInput {
  policy: ResumePolicy;
  pausedAt: Date;
  resumedAt: Date;
  /** The due in force when the clock was paused. */
  dueAt: Date;
  /** The statutory duration of the procedure (used by restart). */
  duration: Duration;
  /** Receipt cut-off applied to the supplement's receipt on restart; none by default. */
  cutoff?: number | null;
}

export interface ResumeResult {
  /** The new start, for restart only. */
  startAt?: Date;
  dueAt: Date;
}

/** The due after one pause cycle; several cycles are several calls, each from the previous result. */
export function resumeDue(cal: Calendar, input: ResumeInput): ResumeResult {
  const { policy, pausedAt, resumedAt, dueAt, duration } = input;
  if (resumedAt.getTime() < pausedAt.getTime()) throw new RangeError('resumed before it was paused');
  if (policy === 'restart') return computeStartAndDue(cal, resumedAt, duration, input.cutoff);
  if (policy === 'extend') {
    return { dueAt: addWorkingMinutes(cal, dueAt, workingMinutesBetween(cal, pausedAt, resumedAt)) };
  }
  throw new RangeError(`unknown resume policy: ${String(policy)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Due history

/** One change of the statutory due, with the instant it took effect (intake, resume, calendar change...). */
export interface DueChange {
  effectiveAt: Date;
  dueAt: Date;
}

/**
 * The due in force at `at`: the last change that took effect at or before it (by effectiveAt; on a tie the
 * later entry in the list wins, as it was recorded later). Null before the first change. The promised date
 * of a reschedule is not a DueChange: the statutory due never moves for it.
 */
export function dueInForceAt(history: readonly DueChange[], at: Date): Date | null {
  let found: DueChange | null = null;
  for (const change of history) {
    const t = change.effectiveAt.getTime();
    if (t <= at.getTime() && (found === null || t >= found.effectiveAt.getTime())) found = change;
  }
  return found ? found.dueAt : null;
}

/** One pause cycle: resumedAt is null while the dossier is still paused. */
export interface PauseCycle {
  pausedAt: Date;
  resumedAt: Date | null;
}

/** Whether the clock was paused at `at` (paused at or before it, not yet resumed at it). */
export function isPausedAt(cycles: readonly PauseCycle[], at: Date): boolean {
  const t = at.getTime();
  return cycles.some((c) => c.pausedAt.getTime() <= t && (c.resumedAt === null || c.resumedAt.getTime() > t));
}

// ---------------------------------------------------------------------------------------------------------
// Replay (after a calendar change)

export interface ReplayInput {
  /** Where the clock last (re)started: the receipt, or the resume of the latest restart-policy pause. */
  origin: Date;
  cutoff?: number | null;
  duration: Duration;
  /** The extend-policy pause cycles completed since the origin, in order. */
  extendPauses: ReadonlyArray<{ pausedAt: Date; resumedAt: Date }>;
}

/**
 * Start and statutory due recomputed from their parts on a (possibly changed) calendar: the start from the
 * origin, the due from the start, then moved by each completed extend-pause. On an unchanged calendar this
 * equals what intake and each resume computed step by step, so it can be rerun safely.
 */
export function replayDue(cal: Calendar, input: ReplayInput): StartAndDue {
  const { startAt, dueAt } = computeStartAndDue(cal, input.origin, input.duration, input.cutoff);
  let due = dueAt;
  for (const p of input.extendPauses) {
    due = addWorkingMinutes(cal, due, workingMinutesBetween(cal, p.pausedAt, p.resumedAt));
  }
  return { startAt, dueAt: due };
}
