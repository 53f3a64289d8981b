import { describe, expect, it } from 'vitest';
import {
  addWorkingMinutes,
  buildCalendar,
  CALENDAR_FIRST_DATE,
  closingOf,
  DEFAULT_WORKING_HOURS,
  formatWorkingHours,
  isWorkingDay,
  nextWorkingDay,
  nextWorkingInstant,
  parseWorkingHours,
  workingMinutesBetween,
} from '../../src/domain/working-time.js';
import { local, vnCalendar as cal } from './fixtures.js';

describe('working hours', () => {
  it('default to 07:30–11:30 and 13:00–17:00, an 8-hour day', () => {
    expect(formatWorkingHours(DEFAULT_WORKING_HOURS)).toBe('07:30-11:30,13:00-17:00');
    expect(cal.dayLength).toBe(480);
  });

  it('parse any sorted list of intervals', () => {
    expect(parseWorkingHours(' 08:00 - 12:00 , 13:30-17:30 ')).toEqual([
      { start: 480, end: 720 },
      { start: 810, end: 1050 },
    ]);
    expect(parseWorkingHours('07:00-16:00')).toEqual([{ start: 420, end: 960 }]);
  });

  it.each([
    ['', 'empty'],
    ['07:30-11:30;13:00-17:00', 'wrong separator'],
    ['13:00-17:00,07:30-11:30', 'unsorted'],
    ['07:30-12:00,11:30-17:00', 'overlapping'],
    ['07:30-11:30,11:30-17:00', 'touching (no break)'],
    ['11:30-07:30', 'ends before it starts'],
    ['07:30-07:30', 'empty interval'],
    ['07:30-24:00', 'past the end of the day'],
    ['7:30-11:30', 'malformed clock'],
  ])('refuse %j (%s) with a RangeError', (value) => {
    expect(() => parseWorkingHours(value)).toThrow(RangeError);
  });

  it('custom hours change the day length and closing time', () => {
    const custom = buildCalendar({
      overrides: [],
      workingHours: parseWorkingHours('08:00-12:00,13:30-17:30'),
    });
    expect(custom.dayLength).toBe(480);
    expect(local(closingOf(custom, '2025-03-03'))).toBe('2025-03-03T17:30:00+07:00');
    const from = new Date('2025-03-03T11:00:00+07:00');
    expect(local(addWorkingMinutes(custom, from, 90))).toBe('2025-03-03T14:00:00+07:00');
  });
});

describe('calendar: which local dates are working days', () => {
  it('Monday to Friday are working days, weekends are not', () => {
    expect(isWorkingDay(cal, '2025-03-03')).toBe(true); // Monday
    expect(isWorkingDay(cal, '2025-03-07')).toBe(true); // Friday
    expect(isWorkingDay(cal, '2025-03-08')).toBe(false); // Saturday
    expect(isWorkingDay(cal, '2025-03-09')).toBe(false); // Sunday
  });

  it('Tết weekdays are holidays (2025: 27–31/1; 2026: 16–20/2)', () => {
    for (const d of ['2025-01-27', '2025-01-29', '2025-01-31', '2026-02-16', '2026-02-20']) {
      expect(isWorkingDay(cal, d)).toBe(false);
    }
    expect(isWorkingDay(cal, '2025-01-24')).toBe(true);
    expect(isWorkingDay(cal, '2025-02-03')).toBe(true);
  });

  it('30/4 swap 2024: Saturday 4/5 is worked, Monday 29/4 is off', () => {
    expect(isWorkingDay(cal, '2024-05-04')).toBe(true);
    expect(isWorkingDay(cal, '2024-04-29')).toBe(false);
    expect(nextWorkingDay(cal, '2024-04-26')).toBe('2024-05-02');
    expect(nextWorkingDay(cal, '2024-05-03')).toBe('2024-05-04');
  });

  it('30/4 swap 2025: Saturday 26/4 is worked, Friday 2/5 is off', () => {
    expect(isWorkingDay(cal, '2025-04-26')).toBe(true);
    expect(isWorkingDay(cal, '2025-05-02')).toBe(false);
    expect(nextWorkingDay(cal, '2025-04-25')).toBe('2025-04-26');
    expect(nextWorkingDay(cal, '2025-04-29')).toBe('2025-05-05');
  });

  it('2026: the compensatory day off for Hùng Kings on Sunday is Monday 27/4', () => {
    expect(isWorkingDay(cal, '2026-04-27')).toBe(false);
    expect(nextWorkingDay(cal, '2026-04-24')).toBe('2026-04-28');
  });

  it('next working day is strictly after the date, across Tết', () => {
    expect(nextWorkingDay(cal, '2025-01-24')).toBe('2025-02-03');
    expect(nextWorkingDay(cal, '2026-02-13')).toBe('2026-02-23');
    expect(nextWorkingDay(cal, '2025-03-03')).toBe('2025-03-04');
  });

  it('refuses dates outside 1990-01-01..2100-12-31 and malformed dates', () => {
    expect(isWorkingDay(cal, CALENDAR_FIRST_DATE)).toBe(true);
    expect(() => isWorkingDay(cal, '1989-12-29')).toThrow(RangeError);
    expect(() => isWorkingDay(cal, '2101-01-03')).toThrow(RangeError);
    expect(() => isWorkingDay(cal, '2025-02-30')).toThrow(RangeError);
    expect(() => nextWorkingDay(cal, '2100-12-31')).toThrow(RangeError);
    expect(() => buildCalendar({ overrides: [{ date: '2101-01-01', kind: 'holiday' }] })).toThrow(RangeError);
  });

  it('refuses two overrides for the same date', () => {
    const twice = [
      { date: '2025-04-30', kind: 'holiday' as const },
      { date: '2025-04-30', kind: 'working_day' as const },
    ];
    expect(() => buildCalendar({ overrides: twice })).toThrow(RangeError);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(cal)).toBe(true);
    expect(Object.isFrozen(cal.workingHours)).toBe(true);
  });
});

describe('adding working minutes', () => {
  it('skips the lunch break', () => {
    const from = new Date('2025-03-03T10:00:00+07:00');
    expect(local(addWorkingMinutes(cal, from, 120))).toBe('2025-03-03T13:30:00+07:00');
  });

  it('a result landing exactly on the end of the morning is 11:30, not 13:00', () => {
    const from = new Date('2025-03-03T07:30:00+07:00');
    expect(local(addWorkingMinutes(cal, from, 240))).toBe('2025-03-03T11:30:00+07:00');
  });

  it('a result landing exactly on closing is 17:00, not the next opening', () => {
    const from = new Date('2025-03-03T13:00:00+07:00');
    expect(local(addWorkingMinutes(cal, from, 240))).toBe('2025-03-03T17:00:00+07:00');
    expect(local(addWorkingMinutes(cal, from, 241))).toBe('2025-03-04T07:31:00+07:00');
  });

  it('crosses Tết 2025 (Fri 24/1 → Mon 3/2)', () => {
    const from = new Date('2025-01-24T16:00:00+07:00');
    expect(local(addWorkingMinutes(cal, from, 480))).toBe('2025-02-03T16:00:00+07:00');
  });

  it('from a non-working instant counts from the next opening', () => {
    const saturday = new Date('2025-03-08T09:00:00+07:00');
    expect(local(addWorkingMinutes(cal, saturday, 30))).toBe('2025-03-10T08:00:00+07:00');
  });

  it('adding 0 returns the instant unchanged, even outside working time', () => {
    const lunch = new Date('2025-03-03T12:15:00+07:00');
    expect(addWorkingMinutes(cal, lunch, 0).getTime()).toBe(lunch.getTime());
  });

  it('counts by the minute: seconds are dropped', () => {
    const from = new Date('2025-03-03T10:15:40+07:00');
    expect(local(addWorkingMinutes(cal, from, 15))).toBe('2025-03-03T10:30:00+07:00');
  });

  it('refuses negative or fractional minutes', () => {
    const from = new Date('2025-03-03T10:00:00+07:00');
    expect(() => addWorkingMinutes(cal, from, -1)).toThrow(RangeError);
    expect(() => addWorkingMinutes(cal, from, 1.5)).toThrow(RangeError);
  });

  it('refuses to run past 2100-12-31', () => {
    const from = new Date('2100-12-31T16:00:00+07:00');
    expect(() => addWorkingMinutes(cal, from, 120)).toThrow(RangeError);
  });
});

describe('working minutes between two instants', () => {
  it('count only working time', () => {
    const a = new Date('2025-03-03T11:00:00+07:00');
    const b = new Date('2025-03-03T14:00:00+07:00');
    expect(workingMinutesBetween(cal, a, b)).toBe(90);
  });

  it('a whole Tết week counts nothing', () => {
    const a = new Date('2025-01-24T17:00:00+07:00');
    const b = new Date('2025-02-03T07:30:00+07:00');
    expect(workingMinutesBetween(cal, a, b)).toBe(0);
  });

  it('the worked Saturday 26/4/2025 counts a full day', () => {
    const a = new Date('2025-04-25T17:00:00+07:00');
    const b = new Date('2025-04-28T07:30:00+07:00');
    expect(workingMinutesBetween(cal, a, b)).toBe(480);
  });

  it('refuses an end before the start', () => {
    const a = new Date('2025-03-03T11:00:00+07:00');
    const b = new Date('2025-03-03T10:00:00+07:00');
    expect(() => workingMinutesBetween(cal, a, b)).toThrow(RangeError);
  });
});

describe('next working instant', () => {
  it.each([
    ['2025-03-03T06:00:00+07:00', '2025-03-03T07:30:00+07:00', 'before opening → opening'],
    ['2025-03-03T07:30:00+07:00', '2025-03-03T07:30:00+07:00', 'exactly at opening stays'],
    ['2025-03-03T11:30:00+07:00', '2025-03-03T13:00:00+07:00', 'end of morning → afternoon opening'],
    ['2025-03-03T17:00:00+07:00', '2025-03-04T07:30:00+07:00', 'at closing → next working day'],
    ['2025-01-24T17:30:00+07:00', '2025-02-03T07:30:00+07:00', 'after closing before Tết → after Tết'],
  ])('%s → %s (%s)', (from, expected) => {
    expect(local(nextWorkingInstant(cal, new Date(from)))).toBe(expected);
  });
});
