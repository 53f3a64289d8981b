/**
 * Properties of working-time arithmetic over starts in 2024–2026 on the real calendar, plus a cross-check
 * against a deliberately naive day-by-day walk that shares nothing with the precomputed tables.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDue, normalizeStart, resumeDue } from '../../src/domain/deadlines.js';
import {
  addDays,
  dayNumberOfInstant,
  instantAt,
  localDateOf,
  minuteOfDayOf,
  weekdayOf,
  type LocalDate,
} from '../../src/domain/local-time.js';
import { remainingWorkingMinutes } from '../../src/domain/timeliness.js';
import {
  addWorkingMinutes,
  buildCalendar,
  DEFAULT_WORKING_HOURS,
  parseWorkingHours,
  type WorkingHours,
  isWorkingDay,
  workingMinutesBetween,
} from '../../src/domain/working-time.js';
import { overrides2024To2026, vnCalendar as cal } from './fixtures.js';

const RUNS = { numRuns: 2000 };
const FROM = new Date('2024-01-01T00:00:00+07:00').getTime();
const TO = new Date('2026-12-31T23:59:59+07:00').getTime();

/** Any instant of 2024–2026, to the second (working time or not). */
const instant = fc.integer({ min: FROM / 1000, max: TO / 1000 }).map((s) => new Date(s * 1000));
/** Up to 30 working days, in minutes. */
const minutes = fc.integer({ min: 0, max: 30 * 480 });
const positiveMinutes = fc.integer({ min: 1, max: 30 * 480 });

const time = (d: Date) => d.getTime();

/** Inside a working interval, or exactly at its end. */
function isWorkingOrIntervalEnd(d: Date): boolean {
  const m = minuteOfDayOf(d);
  return (
    isWorkingDay(cal, localDateOf(d)) && DEFAULT_WORKING_HOURS.some(({ start, end }) => m > start && m <= end)
  );
}

function isWorkingInstant(d: Date): boolean {
  const m = minuteOfDayOf(d);
  return (
    isWorkingDay(cal, localDateOf(d)) && DEFAULT_WORKING_HOURS.some(({ start, end }) => m >= start && m < end)
  );
}

// --- the naive oracle: walks day by day with its own working-day rule ---------------------------------

const overrideKinds = new Map(overrides2024To2026.map((o) => [o.date, o.kind]));

function naiveIsWorkingDay(date: LocalDate): boolean {
  const kind = overrideKinds.get(date);
  if (kind) return kind === 'working_day';
  const weekday = weekdayOf(date);
  return weekday >= 1 && weekday <= 5;
}

function naiveAdd(from: Date, minutes: number, hours: WorkingHours = DEFAULT_WORKING_HOURS): Date {
  let date = localDateOf(from);
  let minute = minuteOfDayOf(from);
  let left = minutes;
  for (;;) {
    if (naiveIsWorkingDay(date)) {
      for (const { start, end } of hours) {
        if (minute >= end) continue;
        const begin = Math.max(minute, start);
        if (left <= end - begin) return instantAt(date, begin + left);
        left -= end - begin;
        minute = end;
      }
    }
    date = addDays(date, 1);
    minute = 0;
  }
}

function naiveBetween(a: Date, b: Date, hours: WorkingHours = DEFAULT_WORKING_HOURS): number {
  let total = 0;
  for (let day = dayNumberOfInstant(a); day <= dayNumberOfInstant(b); day++) {
    const date = localDateOf(new Date((day * 1440 - 420) * 60_000));
    if (!naiveIsWorkingDay(date)) continue;
    const from = day === dayNumberOfInstant(a) ? minuteOfDayOf(a) : 0;
    const to = day === dayNumberOfInstant(b) ? minuteOfDayOf(b) : 1440;
    for (const { start, end } of hours) total += Math.max(0, Math.min(to, end) - Math.max(from, start));
  }
  return total;
}

// -------------------------------------------------------------------------------------------------------

describe('working-time arithmetic (properties, starts in 2024–2026)', () => {
  it('is additive: add(add(s, a), b) = add(s, a + b)', () => {
    fc.assert(
      fc.property(instant, minutes, minutes, (s, a, b) => {
        expect(time(addWorkingMinutes(cal, addWorkingMinutes(cal, s, a), b))).toBe(
          time(addWorkingMinutes(cal, s, a + b)),
        );
      }),
      RUNS,
    );
  });

  it('between is the inverse of add: between(s, add(s, d)) = d', () => {
    fc.assert(
      fc.property(instant, minutes, (s, d) => {
        expect(workingMinutesBetween(cal, s, addWorkingMinutes(cal, s, d))).toBe(d);
      }),
      RUNS,
    );
  });

  it('results are inside working time or exactly at the end of an interval', () => {
    fc.assert(
      fc.property(instant, positiveMinutes, (s, d) => {
        expect(isWorkingOrIntervalEnd(addWorkingMinutes(cal, s, d))).toBe(true);
      }),
      RUNS,
    );
  });

  it('is monotonic in the start', () => {
    fc.assert(
      fc.property(instant, instant, minutes, (x, y, d) => {
        const [s1, s2] = time(x) <= time(y) ? [x, y] : [y, x];
        expect(time(addWorkingMinutes(cal, s1, d))).toBeLessThanOrEqual(time(addWorkingMinutes(cal, s2, d)));
      }),
      RUNS,
    );
  });

  it('is monotonic in the duration, strictly for a positive increase', () => {
    fc.assert(
      fc.property(instant, minutes, positiveMinutes, (s, d, extra) => {
        expect(time(addWorkingMinutes(cal, s, d))).toBeLessThan(time(addWorkingMinutes(cal, s, d + extra)));
      }),
      RUNS,
    );
  });

  it('agrees with a naive day-by-day walk', () => {
    fc.assert(
      fc.property(instant, positiveMinutes, (s, d) => {
        const due = addWorkingMinutes(cal, s, d);
        expect(time(due)).toBe(time(naiveAdd(s, d)));
        expect(naiveBetween(s, due)).toBe(d);
      }),
      RUNS,
    );
  });

  it('agrees with the naive walk for other working hours (three intervals, odd lengths)', () => {
    const hours = parseWorkingHours('07:00-09:00,09:17-12:00,13:30-16:45');
    const odd = buildCalendar({ overrides: overrides2024To2026, workingHours: hours });
    fc.assert(
      fc.property(instant, positiveMinutes, (s, d) => {
        const due = addWorkingMinutes(odd, s, d);
        expect(time(due)).toBe(time(naiveAdd(s, d, hours)));
        expect(workingMinutesBetween(odd, s, due)).toBe(naiveBetween(s, due, hours));
      }),
      RUNS,
    );
  });

  it('between agrees with the naive walk for any two instants', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 60 * 86_400 }), (a, seconds) => {
        const b = new Date(Math.min(time(a) + seconds * 1000, TO));
        expect(workingMinutesBetween(cal, a, b)).toBe(naiveBetween(a, b));
      }),
      RUNS,
    );
  });
});

describe('start and due (properties)', () => {
  const cutoff = fc.option(fc.integer({ min: 0, max: 1439 }), { nil: null });

  it('a start is a working instant, not before the receipt, with no working time skipped', () => {
    fc.assert(
      fc.property(instant, (received) => {
        const start = normalizeStart(cal, received);
        expect(isWorkingInstant(start)).toBe(true);
        expect(time(start)).toBeGreaterThan(time(received) - 60_000);
        expect(workingMinutesBetween(cal, received, start)).toBe(0);
        expect(time(normalizeStart(cal, start))).toBe(time(start));
      }),
      RUNS,
    );
  });

  it('a cut-off only ever moves the start later, to an opening', () => {
    fc.assert(
      fc.property(instant, cutoff, (received, c) => {
        const plain = normalizeStart(cal, received);
        const withCutoff = normalizeStart(cal, received, c);
        expect(isWorkingInstant(withCutoff)).toBe(true);
        expect(time(withCutoff)).toBeGreaterThanOrEqual(time(plain));
        if (time(withCutoff) !== time(plain)) expect(minuteOfDayOf(withCutoff)).toBe(450);
      }),
      RUNS,
    );
  });

  it('working days: exactly d × 480 working minutes after the start (d = 0: closing of the start day)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 60 }), (received, halfDays) => {
        const start = normalizeStart(cal, received);
        const due = computeDue(cal, start, { value: halfDays / 2, unit: 'working_days' });
        if (halfDays === 0) {
          expect(localDateOf(due)).toBe(localDateOf(start));
          expect(minuteOfDayOf(due)).toBe(17 * 60);
        } else {
          expect(workingMinutesBetween(cal, start, due)).toBe(halfDays * 240);
        }
      }),
      RUNS,
    );
  });

  it('calendar days: never on a non-working day, always at closing, not before start + d days', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 60 }), (received, d) => {
        const start = normalizeStart(cal, received);
        const due = computeDue(cal, start, { value: d, unit: 'calendar_days' });
        expect(isWorkingDay(cal, localDateOf(due))).toBe(true);
        expect(minuteOfDayOf(due)).toBe(17 * 60);
        expect(dayNumberOfInstant(due)).toBeGreaterThanOrEqual(dayNumberOfInstant(start) + d);
      }),
      RUNS,
    );
  });

  it('extend keeps the working time that was left when paused', () => {
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 0, max: 30 * 86_400 }), (dueAt, pausedAt, seconds) => {
        const resumedAt = new Date(time(pausedAt) + seconds * 1000);
        const duration = { value: 5, unit: 'working_days' } as const;
        const r = resumeDue(cal, { policy: 'extend', pausedAt, resumedAt, dueAt, duration });
        expect(remainingWorkingMinutes(cal, resumedAt, r.dueAt)).toBe(
          remainingWorkingMinutes(cal, pausedAt, dueAt),
        );
      }),
      RUNS,
    );
  });

  it('restart gives a working start at or after the resume and the full duration from it', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 30 }), (resumedAt, d) => {
        const duration = { value: d, unit: 'working_days' } as const;
        const r = resumeDue(cal, {
          policy: 'restart',
          pausedAt: resumedAt,
          resumedAt,
          dueAt: resumedAt,
          duration,
        });
        expect(isWorkingInstant(r.startAt!)).toBe(true);
        expect(workingMinutesBetween(cal, r.startAt!, r.dueAt)).toBe(d * 480);
      }),
      RUNS,
    );
  });
});
