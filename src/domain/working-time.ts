/**
 * The working calendar and working-time arithmetic (docs/domain.md §5). Every deadline rule is built on two
 * operations: `addWorkingMinutes` and `workingMinutesBetween`, both to the minute.
 *
 * How it stays fast: a calendar precomputes, for every local date of the supported range, whether it is a
 * working day, how many working days come before it, and the list of working days. Working time then maps
 * to a single integer, the "working position" (working minutes elapsed since the start of the range), and
 * both operations become O(1): position(instant) is a table lookup plus the minutes worked earlier that day;
 * the instant of a position is the n-th working day (n = position / day length) plus a walk over the day's
 * few intervals. Every working day has the same hours, so no binary search is even needed.
 *
 * Choices (documented here because callers depend on them):
 * - Instants count by the minute they fall in: seconds are dropped (10:15:40 counts as 10:15).
 * - A result that lands exactly on the end of a working interval is that end (11:30, 17:00), never the next
 *   opening: it is the earliest instant at which the working time has elapsed.
 * - Adding 0 minutes returns the instant unchanged, even outside working time: this keeps the arithmetic
 *   additive (add(add(s, a), b) = add(s, a + b)) and inverse (between(s, add(s, d)) = d). Call
 *   `normalizeStart` to move an instant into working time.
 * - `workingMinutesBetween(a, b)` with b before a throws a RangeError: a negative span is a caller bug;
 *   callers wanting a signed value (remaining time) swap the arguments and negate.
 * - Outside 1990-01-01..2100-12-31 every function throws a RangeError rather than guess.
 */
import {
  dayNumberOf,
  dayNumberOfInstant,
  instantOfLocalMinutes,
  isValidLocalDate,
  localDateOfDayNumber,
  localMinutesOf,
  minuteOfDayOf,
  parseClock,
  formatClock,
  weekdayOfDayNumber,
  type LocalDate,
} from './local-time.js';

const DAY_MINUTES = 1440;

export const CALENDAR_FIRST_DATE: LocalDate = '1990-01-01';
export const CALENDAR_LAST_DATE: LocalDate = '2100-12-31';
const FIRST_DAY = dayNumberOf(CALENDAR_FIRST_DATE);
const DAY_COUNT = dayNumberOf(CALENDAR_LAST_DATE) - FIRST_DAY + 1;

// ---------------------------------------------------------------------------------------------------------
// Working hours

/** One working interval of a day, in minutes since local midnight: [start, end). */
export interface WorkingInterval {
  readonly start: number;
  readonly end: number;
}

/** The intervals of every working day, sorted, separated by breaks (e.g. the lunch break). */
export type WorkingHours = readonly WorkingInterval[];

/**
 * Validates working hours: at least one interval, each non-empty, inside the day, sorted and separated by a
 * break. Touching intervals (11:30-11:30) are refused: write one interval instead.
 */
export function validateWorkingHours(intervals: readonly WorkingInterval[]): WorkingHours {
  if (intervals.length === 0) throw new RangeError('working hours need at least one interval');
  let previousEnd = -1;
  for (const { start, end } of intervals) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end >= DAY_MINUTES) {
      throw new RangeError(`working interval outside the day: ${start}-${end}`);
    }
    if (end <= start) throw new RangeError(`working interval ends before it starts: ${describe(start, end)}`);
    if (start <= previousEnd) {
      throw new RangeError(`working intervals must be sorted and separated: ${describe(start, end)}`);
    }
    previousEnd = end;
  }
  return Object.freeze(intervals.map(({ start, end }) => Object.freeze({ start, end })));
}

/** Parses '07:30-11:30,13:00-17:00' (spaces allowed); throws a RangeError on anything else. */
export function parseWorkingHours(value: string): WorkingHours {
  const intervals = value.split(',').map((part) => {
    const m = /^\s*(\d\d:\d\d)\s*-\s*(\d\d:\d\d)\s*$/.exec(part);
    if (!m?.[1] || !m[2]) throw new RangeError(`not a working interval HH:MM-HH:MM: '${part}'`);
    return { start: parseClock(m[1]), end: parseClock(m[2]) };
  });
  return validateWorkingHours(intervals);
}

export function formatWorkingHours(hours: WorkingHours): string {
  return hours.map(({ start, end }) => describe(start, end)).join(',');
}

/** 07:30–11:30 and 13:00–17:00: 8 hours, the civil-service day. */
export const DEFAULT_WORKING_HOURS: WorkingHours = parseWorkingHours('07:30-11:30,13:00-17:00');

/** Working minutes in one working day of these hours: the length of "1 working day". */
export function dayLengthOf(hours: WorkingHours): number {
  return hours.reduce((sum, { start, end }) => sum + end - start, 0);
}

function describe(start: number, end: number): string {
  return `${formatClock(start)}-${formatClock(end)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Calendar

/** holiday: public holiday; day_off: swapped or compensatory day off; working_day: a weekend day worked. */
export type OverrideKind = 'holiday' | 'day_off' | 'working_day';

export interface CalendarOverrideInput {
  date: LocalDate;
  kind: OverrideKind;
}

export interface CalendarInput {
  overrides: readonly CalendarOverrideInput[];
  workingHours?: WorkingHours;
}

const tables = Symbol('calendar tables');

/** Precomputed per-day tables, indexed by day number minus FIRST_DAY. Private: a Calendar is immutable. */
interface Tables {
  readonly working: Uint8Array;
  /** workingDaysBefore[i] = number of working days with index < i (length DAY_COUNT + 1). */
  readonly workingDaysBefore: Int32Array;
  /** workingDays[n] = index of the n-th working day (0-based). */
  readonly workingDays: Int32Array;
}

export interface Calendar {
  readonly workingHours: WorkingHours;
  /** Working minutes in one working day: the length of "1 working day". */
  readonly dayLength: number;
  /** Minute of day of the first opening and of the last closing. */
  readonly opening: number;
  readonly closing: number;
  readonly overrides: ReadonlyMap<LocalDate, OverrideKind>;
  readonly [tables]: Tables;
}

/**
 * Builds an immutable calendar. A local date is a working day when it is Monday–Friday and not overridden as
 * holiday/day_off, or when it is overridden as working_day. Overrides must name distinct dates in range.
 */
export function buildCalendar(input: CalendarInput): Calendar {
  const workingHours = validateWorkingHours(input.workingHours ?? DEFAULT_WORKING_HOURS);
  const overrides = collectOverrides(input.overrides);
  const working = new Uint8Array(DAY_COUNT);
  for (let i = 0; i < DAY_COUNT; i++) {
    const weekday = weekdayOfDayNumber(FIRST_DAY + i);
    working[i] = weekday >= 1 && weekday <= 5 ? 1 : 0;
  }
  for (const [date, kind] of overrides) {
    working[dayNumberOf(date) - FIRST_DAY] = kind === 'working_day' ? 1 : 0;
  }

  const workingDaysBefore = new Int32Array(DAY_COUNT + 1);
  for (let i = 0; i < DAY_COUNT; i++) workingDaysBefore[i + 1] = workingDaysBefore[i]! + working[i]!;
  const workingDays = new Int32Array(workingDaysBefore[DAY_COUNT]!);
  for (let i = 0, n = 0; i < DAY_COUNT; i++) if (working[i]) workingDays[n++] = i;

  return Object.freeze({
    workingHours,
    dayLength: dayLengthOf(workingHours),
    opening: workingHours[0]!.start,
    closing: workingHours[workingHours.length - 1]!.end,
    overrides,
    [tables]: Object.freeze({ working, workingDaysBefore, workingDays }),
  });
}

function collectOverrides(inputs: readonly CalendarOverrideInput[]): ReadonlyMap<LocalDate, OverrideKind> {
  const overrides = new Map<LocalDate, OverrideKind>();
  for (const { date, kind } of inputs) {
    dayIndexOf(date);
    if (kind !== 'holiday' && kind !== 'day_off' && kind !== 'working_day') {
      throw new RangeError(`unknown override kind for ${date}: ${String(kind)}`);
    }
    if (overrides.has(date)) throw new RangeError(`two overrides for ${date}`);
    overrides.set(date, kind);
  }
  return overrides;
}

export function isWorkingDay(cal: Calendar, date: LocalDate): boolean {
  return cal[tables].working[dayIndexOf(date)] === 1;
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(cal: Calendar, date: LocalDate): LocalDate {
  return localDateOfDayNumber(FIRST_DAY + nextWorkingIndex(cal, dayIndexOf(date)));
}

function dayIndexOf(date: LocalDate): number {
  if (!isValidLocalDate(date)) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  return checkedIndex(dayNumberOf(date) - FIRST_DAY);
}

function checkedIndex(index: number): number {
  if (index < 0 || index >= DAY_COUNT) {
    throw new RangeError(`outside the supported calendar ${CALENDAR_FIRST_DATE}..${CALENDAR_LAST_DATE}`);
  }
  return index;
}

function nextWorkingIndex(cal: Calendar, index: number): number {
  const { workingDaysBefore, workingDays } = cal[tables];
  // Working days up to and including `index` = the rank of the next working day after it.
  const next = workingDays[workingDaysBefore[index + 1]!];
  if (next === undefined) {
    throw new RangeError(`no working day after ${localDateOfDayNumber(FIRST_DAY + index)}`);
  }
  return next;
}

// ---------------------------------------------------------------------------------------------------------
// Working-time arithmetic

/**
 * The earliest working instant at or after `instant`: itself (to the minute) inside working time, the next
 * opening otherwise (before opening, during a break, at/after closing, or on a non-working day).
 */
export function nextWorkingInstant(cal: Calendar, instant: Date): Date {
  const index = instantDayIndex(instant);
  const minute = minuteOfDayOf(instant);
  if (cal[tables].working[index]) {
    for (const { start, end } of cal.workingHours) {
      if (minute < end) return instantOfDayIndex(index, Math.max(minute, start));
    }
  }
  return openingAfterDay(cal, index);
}

/** The opening of the first working day strictly after the local date of `instant`. */
export function nextWorkingDayOpening(cal: Calendar, instant: Date): Date {
  return openingAfterDay(cal, instantDayIndex(instant));
}

function openingAfterDay(cal: Calendar, index: number): Date {
  return instantOfDayIndex(nextWorkingIndex(cal, index), cal.opening);
}

/** Whether the local date of `instant` is a working day (the instant form: no date string on hot paths). */
export function isWorkingDayAt(cal: Calendar, instant: Date): boolean {
  return cal[tables].working[instantDayIndex(instant)] === 1;
}

/** The closing instant of the first working day on or after (the local date of `instant` + `days` days). */
export function closingOnOrAfter(cal: Calendar, instant: Date, days = 0): Date {
  const index = checkedIndex(instantDayIndex(instant) + days);
  const workingIndex = cal[tables].working[index] ? index : nextWorkingIndex(cal, index);
  return instantOfDayIndex(workingIndex, cal.closing);
}

function instantDayIndex(instant: Date): number {
  return checkedIndex(dayNumberOfInstant(instant) - FIRST_DAY);
}

/** The closing instant (end of the last interval) of a local date, working day or not. */
export function closingOf(cal: Calendar, date: LocalDate): Date {
  return instantOfDayIndex(dayIndexOf(date), cal.closing);
}

/** `minutes` working minutes after `from`. `minutes` must be a whole number ≥ 0 (RangeError otherwise). */
export function addWorkingMinutes(cal: Calendar, from: Date, minutes: number): Date {
  if (!Number.isInteger(minutes) || minutes < 0) {
    throw new RangeError(`working minutes must be a whole number ≥ 0: ${minutes}`);
  }
  if (minutes === 0) return new Date(from.getTime());
  return instantOfPosition(cal, positionOf(cal, from) + minutes);
}

/** Working minutes in [a, b]. Throws a RangeError when b is in a minute before a's. */
export function workingMinutesBetween(cal: Calendar, a: Date, b: Date): number {
  if (localMinutesOf(b) < localMinutesOf(a)) throw new RangeError('workingMinutesBetween: end before start');
  return positionOf(cal, b) - positionOf(cal, a);
}

/** Working minutes elapsed from the start of the supported range up to `instant`. */
function positionOf(cal: Calendar, instant: Date): number {
  const localMinutes = localMinutesOf(instant);
  const day = Math.floor(localMinutes / DAY_MINUTES);
  const index = checkedIndex(day - FIRST_DAY);
  const { working, workingDaysBefore } = cal[tables];
  const earlierDays = workingDaysBefore[index]! * cal.dayLength;
  if (!working[index]) return earlierDays;
  return earlierDays + workedBefore(cal.workingHours, localMinutes - day * DAY_MINUTES);
}

/** Working minutes of a working day before a minute of the day. */
function workedBefore(hours: WorkingHours, minute: number): number {
  let worked = 0;
  for (const { start, end } of hours) {
    if (minute <= start) break;
    worked += Math.min(minute, end) - start;
  }
  return worked;
}

/**
 * The earliest instant at which `position` working minutes have elapsed (position > 0). Landing exactly on
 * an interval's end gives that end, because the remainder is matched with `<=`.
 */
function instantOfPosition(cal: Calendar, position: number): Date {
  const rank = Math.ceil(position / cal.dayLength) - 1;
  const index = cal[tables].workingDays[rank];
  if (index === undefined) throw new RangeError(`past the supported calendar (${CALENDAR_LAST_DATE})`);
  let remainder = position - rank * cal.dayLength;
  for (const { start, end } of cal.workingHours) {
    if (remainder <= end - start) return instantOfDayIndex(index, start + remainder);
    remainder -= end - start;
  }
  throw new Error('unreachable: remainder exceeds the day length');
}

function instantOfDayIndex(index: number, minuteOfDay: number): Date {
  return instantOfLocalMinutes((FIRST_DAY + index) * DAY_MINUTES + minuteOfDay);
}
