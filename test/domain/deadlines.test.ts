import { describe, expect, it } from 'vitest';
import {
  computeDue,
  computeStartAndDue,
  cutoffMinute,
  dueInForceAt,
  durationForChannel,
  isPausedAt,
  normalizeStart,
  resumeDue,
  type Duration,
} from '../../src/domain/deadlines.js';
import { parseClock } from '../../src/domain/local-time.js';
import { buildCalendar, parseWorkingHours, workingMinutesBetween } from '../../src/domain/working-time.js';
import { local, vnCalendar as cal } from './fixtures.js';

const days = (value: number): Duration => ({ value, unit: 'working_days' });
const hours = (value: number): Duration => ({ value, unit: 'working_hours' });
const calendarDays = (value: number): Duration => ({ value, unit: 'calendar_days' });
const due = (start: string, duration: Duration) => local(computeDue(cal, new Date(start), duration));
const start = (received: string, cutoff?: number | null) =>
  local(normalizeStart(cal, new Date(received), cutoff));

describe('start: the received instant moved to the next working instant', () => {
  it.each([
    ['2025-03-03T06:45:00+07:00', '2025-03-03T07:30:00+07:00', 'before opening → opening'],
    ['2025-03-03T07:30:00+07:00', '2025-03-03T07:30:00+07:00', 'exactly at opening stays'],
    ['2025-03-03T09:12:00+07:00', '2025-03-03T09:12:00+07:00', 'inside working time stays'],
    ['2025-03-03T12:15:00+07:00', '2025-03-03T13:00:00+07:00', 'lunch break → afternoon opening'],
    ['2025-03-03T17:00:00+07:00', '2025-03-04T07:30:00+07:00', 'at closing → next working day'],
    ['2025-03-07T18:00:00+07:00', '2025-03-10T07:30:00+07:00', 'Friday evening → Monday'],
    ['2025-04-27T09:00:00+07:00', '2025-04-28T07:30:00+07:00', 'Sunday → Monday'],
    ['2025-04-26T09:00:00+07:00', '2025-04-26T09:00:00+07:00', 'the worked Saturday 26/4/2025 stays'],
    ['2025-04-29T17:30:00+07:00', '2025-05-05T07:30:00+07:00', 'before the 30/4–4/5/2025 break → Mon 5/5'],
    ['2026-02-13T17:10:00+07:00', '2026-02-23T07:30:00+07:00', 'before Tết 2026 → Mon 23/2'],
  ])('%s → %s (%s)', (received, expected) => {
    expect(start(received)).toBe(expected);
  });

  it('counts by the minute: seconds are dropped', () => {
    expect(start('2025-03-03T09:12:45+07:00')).toBe('2025-03-03T09:12:00+07:00');
  });

  describe('receipt cut-off 15:00', () => {
    const cutoff = parseClock('15:00');

    it('received at 15:00 starts at the next working day opening', () => {
      expect(start('2025-03-03T15:00:00+07:00', cutoff)).toBe('2025-03-04T07:30:00+07:00');
    });

    it('received at 14:59 (even 14:59:59) stays', () => {
      expect(start('2025-03-03T14:59:00+07:00', cutoff)).toBe('2025-03-03T14:59:00+07:00');
      expect(start('2025-03-03T14:59:59+07:00', cutoff)).toBe('2025-03-03T14:59:00+07:00');
    });

    it('received after the cut-off on the eve of Tết 2025 starts after Tết', () => {
      expect(start('2025-01-24T15:10:00+07:00', cutoff)).toBe('2025-02-03T07:30:00+07:00');
    });

    it('does not apply before opening or on a non-working day', () => {
      expect(start('2025-03-03T06:00:00+07:00', cutoff)).toBe('2025-03-03T07:30:00+07:00');
      expect(start('2025-03-08T16:00:00+07:00', cutoff)).toBe('2025-03-10T07:30:00+07:00');
    });

    it('null means no cut-off', () => {
      expect(start('2025-03-03T15:30:00+07:00', null)).toBe('2025-03-03T15:30:00+07:00');
    });

    it('refuses a cut-off that is not a minute of the day', () => {
      expect(() => normalizeStart(cal, new Date('2025-03-03T10:00:00+07:00'), 1440)).toThrow(RangeError);
    });
  });
});

describe('due in working hours', () => {
  it('skips the lunch break', () => {
    expect(due('2025-03-03T10:00:00+07:00', hours(2))).toBe('2025-03-03T13:30:00+07:00');
  });

  it('a result landing exactly at closing stays 17:00', () => {
    expect(due('2025-03-03T13:00:00+07:00', hours(4))).toBe('2025-03-03T17:00:00+07:00');
  });

  it('accepts fractions of an hour that are whole minutes', () => {
    expect(due('2025-03-03T10:00:00+07:00', hours(1.5))).toBe('2025-03-03T11:30:00+07:00');
    expect(() => due('2025-03-03T10:00:00+07:00', hours(0.01))).toThrow(RangeError);
  });
});

describe('due in working days', () => {
  it('one day from opening is the same day 17:00, not the next opening', () => {
    expect(due('2025-03-03T07:30:00+07:00', days(1))).toBe('2025-03-03T17:00:00+07:00');
  });

  it('across Tết 2025: Fri 24/1 16:00 + 1 day = Mon 3/2 16:00', () => {
    expect(due('2025-01-24T16:00:00+07:00', days(1))).toBe('2025-02-03T16:00:00+07:00');
  });

  it('across Tết 2026: Fri 13/2 10:00 + 3 days = Wed 25/2 10:00', () => {
    expect(due('2026-02-13T10:00:00+07:00', days(3))).toBe('2026-02-25T10:00:00+07:00');
  });

  it('30/4 swap 2024: Mon 29/4 is skipped and Sat 4/5 counts', () => {
    expect(due('2024-04-26T08:00:00+07:00', days(1))).toBe('2024-05-02T08:00:00+07:00');
    expect(due('2024-04-26T08:00:00+07:00', days(3))).toBe('2024-05-04T08:00:00+07:00');
  });

  it('30/4 swap 2025: Sat 26/4 counts and Fri 2/5 is skipped', () => {
    expect(due('2025-04-24T14:00:00+07:00', days(2))).toBe('2025-04-26T14:00:00+07:00');
    expect(due('2025-04-24T14:00:00+07:00', days(5))).toBe('2025-05-05T14:00:00+07:00');
  });

  it('half a day is 4 working hours', () => {
    expect(due('2025-03-03T07:30:00+07:00', days(0.5))).toBe('2025-03-03T11:30:00+07:00');
    expect(due('2025-03-03T10:00:00+07:00', days(0.5))).toBe('2025-03-03T15:30:00+07:00');
    expect(due('2025-03-03T14:00:00+07:00', days(0.5))).toBe('2025-03-04T08:30:00+07:00');
    expect(due('2025-01-24T15:00:00+07:00', days(0.5))).toBe('2025-02-03T09:30:00+07:00');
  });

  it('half a day of an odd-length day (custom hours, 465 min) rounds to the nearest minute', () => {
    const odd = buildCalendar({ overrides: [], workingHours: parseWorkingHours('08:00-12:00,13:00-16:45') });
    const from = new Date('2025-03-03T08:00:00+07:00');
    expect(local(computeDue(odd, from, days(0.5)))).toBe('2025-03-03T11:53:00+07:00'); // 233 min
    expect(local(computeDue(odd, from, days(1)))).toBe('2025-03-03T16:45:00+07:00');
  });

  it('0 days means the same day: closing time of the start day', () => {
    expect(due('2025-03-03T10:00:00+07:00', days(0))).toBe('2025-03-03T17:00:00+07:00');
  });

  it('refuses durations that are not multiples of 0.5 or are negative', () => {
    expect(() => due('2025-03-03T10:00:00+07:00', days(0.3))).toThrow(RangeError);
    expect(() => due('2025-03-03T10:00:00+07:00', days(-1))).toThrow(RangeError);
    expect(() => due('2025-03-03T10:00:00+07:00', days(Number.NaN))).toThrow(RangeError);
  });
});

describe('due in calendar days', () => {
  it('is the closing time of start date + d days', () => {
    expect(due('2025-03-03T10:00:00+07:00', calendarDays(3))).toBe('2025-03-06T17:00:00+07:00');
    expect(due('2025-03-03T10:00:00+07:00', calendarDays(0))).toBe('2025-03-03T17:00:00+07:00');
  });

  it('landing on a Tết holiday moves to the next working day closing', () => {
    expect(due('2025-01-24T10:00:00+07:00', calendarDays(3))).toBe('2025-02-03T17:00:00+07:00');
  });

  it('landing on a weekend moves to Monday closing', () => {
    expect(due('2025-03-03T10:00:00+07:00', calendarDays(5))).toBe('2025-03-10T17:00:00+07:00');
  });

  it('landing on the swapped Monday 29/4/2024 moves to Thu 2/5', () => {
    expect(due('2024-04-26T10:00:00+07:00', calendarDays(3))).toBe('2024-05-02T17:00:00+07:00');
  });

  it('landing on the worked Saturday 26/4/2025 stays', () => {
    expect(due('2025-04-22T10:00:00+07:00', calendarDays(4))).toBe('2025-04-26T17:00:00+07:00');
  });

  it('refuses fractional calendar days', () => {
    expect(() => due('2025-03-03T10:00:00+07:00', calendarDays(1.5))).toThrow(RangeError);
  });
});

describe('start and due together', () => {
  it('received on Friday evening before Tết 2025 with 0 days: due Mon 3/2 17:00', () => {
    const r = computeStartAndDue(cal, new Date('2025-01-24T17:30:00+07:00'), days(0));
    expect(local(r.startAt)).toBe('2025-02-03T07:30:00+07:00');
    expect(local(r.dueAt)).toBe('2025-02-03T17:00:00+07:00');
  });

  it('applies the cut-off before counting', () => {
    const r = computeStartAndDue(cal, new Date('2025-03-03T15:20:00+07:00'), days(2), parseClock('15:00'));
    expect(local(r.startAt)).toBe('2025-03-04T07:30:00+07:00');
    expect(local(r.dueAt)).toBe('2025-03-05T17:00:00+07:00');
  });

  it('a raw start in the lunch break is normalised before counting', () => {
    expect(due('2025-03-03T12:00:00+07:00', hours(0))).toBe('2025-03-03T13:00:00+07:00');
  });
});

describe('the terms of a channel', () => {
  const procedure = {
    durationValue: 5,
    durationUnit: 'working_days' as const,
    onlineDurationValue: 3,
    onlineDurationUnit: 'working_days' as const,
  };

  it('an online dossier takes the online time when the procedure has one, every other channel the statutory', () => {
    expect(durationForChannel(procedure, 'online')).toEqual(days(3));
    expect(durationForChannel(procedure, 'direct')).toEqual(days(5));
    expect(durationForChannel(procedure, 'postal')).toEqual(days(5));
    expect(durationForChannel(procedure, undefined)).toEqual(days(5));
  });

  it('an online dossier takes the statutory time when the procedure has no online time', () => {
    const plain = { ...procedure, onlineDurationValue: null, onlineDurationUnit: null };
    expect(durationForChannel(plain, 'online')).toEqual(days(5));
  });

  it('a stored cut-off reads as its minute of day, none as null', () => {
    expect(cutoffMinute('15:00')).toBe(900);
    expect(cutoffMinute(null)).toBeNull();
  });
});

describe('pause and resume', () => {
  // Started Mon 21/4/2025 08:00 with 5 working days: due Sat 26/4/2025 08:00 (the worked Saturday).
  const duration = days(5);
  const dueAt = new Date('2025-04-26T08:00:00+07:00');
  const pausedAt = new Date('2025-04-25T09:00:00+07:00');
  const resumedAt = new Date('2025-05-05T10:00:00+07:00');

  it('the example due is right', () => {
    expect(due('2025-04-21T08:00:00+07:00', duration)).toBe(local(dueAt));
  });

  it('restart across the 30/4 holiday: the full 5 days count again from the resume', () => {
    const r = resumeDue(cal, { policy: 'restart', pausedAt, resumedAt, dueAt, duration });
    expect(local(r.startAt!)).toBe('2025-05-05T10:00:00+07:00');
    expect(local(r.dueAt)).toBe('2025-05-12T10:00:00+07:00');
  });

  it('extend across the 30/4 holiday: the due moves by the working time paused (1980 min)', () => {
    // Paused: Fri 25/4 from 09:00 (390) + Sat 26/4, Mon 28/4, Tue 29/4 (3 × 480) + Mon 5/5 until 10:00 (150).
    const r = resumeDue(cal, { policy: 'extend', pausedAt, resumedAt, dueAt, duration });
    expect(r.startAt).toBeUndefined();
    expect(local(r.dueAt)).toBe('2025-05-06T09:00:00+07:00');
    // Equivalently: the 420 working minutes left when paused are left again when resumed.
    expect(workingMinutesBetween(cal, pausedAt, dueAt)).toBe(420);
    expect(workingMinutesBetween(cal, resumedAt, r.dueAt)).toBe(420);
  });

  it('restart applies a cut-off to the supplement receipt when given', () => {
    const late = new Date('2025-05-05T15:30:00+07:00');
    const r = resumeDue(cal, { policy: 'restart', pausedAt, resumedAt: late, dueAt, duration, cutoff: 900 });
    expect(local(r.startAt!)).toBe('2025-05-06T07:30:00+07:00');
  });

  it('a pause entirely over a weekend extends nothing', () => {
    const r = resumeDue(cal, {
      policy: 'extend',
      pausedAt: new Date('2025-03-08T09:00:00+07:00'),
      resumedAt: new Date('2025-03-09T16:00:00+07:00'),
      dueAt: new Date('2025-03-10T17:00:00+07:00'),
      duration,
    });
    expect(local(r.dueAt)).toBe('2025-03-10T17:00:00+07:00');
  });

  it('financial-obligation pauses extend, cycle after cycle', () => {
    let current = new Date('2025-03-10T17:00:00+07:00');
    const cycles = [
      ['2025-03-03T10:00:00+07:00', '2025-03-03T11:00:00+07:00'], // 60 min
      ['2025-03-04T16:00:00+07:00', '2025-03-05T08:00:00+07:00'], // 60 + 30 min
    ] as const;
    for (const [p, r] of cycles) {
      const input = { pausedAt: new Date(p), resumedAt: new Date(r), dueAt: current, duration };
      current = resumeDue(cal, { policy: 'extend', ...input }).dueAt;
    }
    expect(local(current)).toBe('2025-03-11T10:00:00+07:00');
  });

  it('refuses a resume before the pause', () => {
    expect(() =>
      resumeDue(cal, { policy: 'extend', pausedAt: resumedAt, resumedAt: pausedAt, dueAt, duration }),
    ).toThrow(RangeError);
  });
});

describe('due history', () => {
  const intake = {
    effectiveAt: new Date('2025-03-03T09:00:00+07:00'),
    dueAt: new Date('2025-03-05T09:00:00+07:00'),
  };
  const resume = {
    effectiveAt: new Date('2025-03-04T10:00:00+07:00'),
    dueAt: new Date('2025-03-06T10:00:00+07:00'),
  };

  it('the due in force at an instant is the last change effective by then', () => {
    const history = [intake, resume];
    expect(dueInForceAt(history, new Date('2025-03-03T08:59:00+07:00'))).toBeNull();
    expect(dueInForceAt(history, intake.effectiveAt)).toEqual(intake.dueAt);
    expect(dueInForceAt(history, new Date('2025-03-04T09:59:00+07:00'))).toEqual(intake.dueAt);
    expect(dueInForceAt(history, resume.effectiveAt)).toEqual(resume.dueAt);
    expect(dueInForceAt([resume, intake], new Date('2025-03-10T00:00:00+07:00'))).toEqual(resume.dueAt);
  });

  it('two changes at the same instant: the one recorded later wins', () => {
    const recalculated = { effectiveAt: resume.effectiveAt, dueAt: new Date('2025-03-07T10:00:00+07:00') };
    expect(dueInForceAt([intake, resume, recalculated], resume.effectiveAt)).toEqual(recalculated.dueAt);
  });

  it('paused at an instant: from the pause (included) to the resume (excluded)', () => {
    const cycles = [
      { pausedAt: new Date('2025-03-03T10:00:00+07:00'), resumedAt: new Date('2025-03-03T11:00:00+07:00') },
      { pausedAt: new Date('2025-03-04T10:00:00+07:00'), resumedAt: null },
    ];
    expect(isPausedAt(cycles, new Date('2025-03-03T09:59:00+07:00'))).toBe(false);
    expect(isPausedAt(cycles, new Date('2025-03-03T10:00:00+07:00'))).toBe(true);
    expect(isPausedAt(cycles, new Date('2025-03-03T11:00:00+07:00'))).toBe(false);
    expect(isPausedAt(cycles, new Date('2025-03-20T11:00:00+07:00'))).toBe(true);
  });
});
