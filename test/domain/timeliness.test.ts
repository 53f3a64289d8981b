import { describe, expect, it } from 'vitest';
import {
  liveTimeliness,
  outcomeOf,
  overdueBefore,
  pendingStateAt,
  remainingWorkingMinutes,
  type LiveTimelinessInput,
} from '../../src/domain/timeliness.js';
import { vnCalendar as cal } from './fixtures.js';

// Received Fri 24/1/2025 16:00 with 1 working day: due Mon 3/2/2025 16:00, after Tết.
const dueAt = new Date('2025-02-03T16:00:00+07:00');
const t = (iso: string) => new Date(iso);

describe('outcome of a resolved dossier', () => {
  it('resolved on a date before the due date is early, whatever the granularity', () => {
    expect(outcomeOf(t('2025-01-24T16:30:00+07:00'), dueAt, 'day')).toBe('early');
    expect(outcomeOf(t('2025-01-24T16:30:00+07:00'), dueAt, 'instant')).toBe('early');
  });

  it('resolved on the due date before the due instant is on time', () => {
    expect(outcomeOf(t('2025-02-03T08:00:00+07:00'), dueAt, 'day')).toBe('on_time');
    expect(outcomeOf(t('2025-02-03T16:00:00+07:00'), dueAt, 'instant')).toBe('on_time');
  });

  it('resolved at 17:05 on the due date: on time by day, overdue by instant', () => {
    const resolved = t('2025-02-03T17:05:00+07:00');
    expect(outcomeOf(resolved, dueAt, 'day')).toBe('on_time');
    expect(outcomeOf(resolved, dueAt, 'instant')).toBe('overdue');
  });

  it('granularity defaults to day', () => {
    expect(outcomeOf(t('2025-02-03T17:05:00+07:00'), dueAt)).toBe('on_time');
  });

  it('resolved on a later date is overdue', () => {
    expect(outcomeOf(t('2025-02-04T07:45:00+07:00'), dueAt, 'day')).toBe('overdue');
  });

  it('compares local dates, not UTC dates', () => {
    // 23:30 local on 3/2 is still 3/2 (16:30 UTC); 00:30 local on 4/2 is 17:30 UTC on 3/2 but 4/2 in Vietnam.
    expect(outcomeOf(t('2025-02-03T23:30:00+07:00'), dueAt, 'day')).toBe('on_time');
    expect(outcomeOf(t('2025-02-04T00:30:00+07:00'), dueAt, 'day')).toBe('overdue');
    expect(outcomeOf(t('2025-02-02T23:30:00+07:00'), dueAt, 'day')).toBe('early');
  });
});

describe('state of a pending dossier', () => {
  it('by day: overdue only once the due date has passed', () => {
    expect(pendingStateAt(t('2025-02-03T23:59:00+07:00'), dueAt, false, 'day')).toBe('not_yet_due');
    expect(pendingStateAt(t('2025-02-04T00:00:00+07:00'), dueAt, false, 'day')).toBe('overdue');
  });

  it('by instant: overdue once the due instant has passed', () => {
    expect(pendingStateAt(t('2025-02-03T16:00:00+07:00'), dueAt, false, 'instant')).toBe('not_yet_due');
    expect(pendingStateAt(t('2025-02-03T16:01:00+07:00'), dueAt, false, 'instant')).toBe('overdue');
  });

  it('a paused dossier is not yet due', () => {
    expect(pendingStateAt(t('2025-02-10T10:00:00+07:00'), dueAt, true, 'day')).toBe('not_yet_due');
  });

  it('the overdue-before threshold is the local midnight of the day (day) or the instant itself (instant)', () => {
    const at = t('2025-02-04T06:30:00+07:00'); // 3/2 23:30 UTC: the local date is already 4/2
    expect(overdueBefore(at, 'day')).toEqual(t('2025-02-04T00:00:00+07:00'));
    expect(overdueBefore(at, 'instant')).toEqual(at);
  });
});

describe('remaining working time', () => {
  it('counts working minutes to the due, skipping Tết', () => {
    expect(remainingWorkingMinutes(cal, t('2025-01-24T16:00:00+07:00'), dueAt)).toBe(480);
  });

  it('is zero at the due and negative past it (working minutes since the due)', () => {
    expect(remainingWorkingMinutes(cal, dueAt, dueAt)).toBe(0);
    expect(remainingWorkingMinutes(cal, t('2025-02-04T08:30:00+07:00'), dueAt)).toBe(-120);
  });
});

describe('live timeliness', () => {
  const live = (now: string, extra: Partial<LiveTimelinessInput> = {}) =>
    liveTimeliness({ cal, now: t(now), dueAt, paused: false, finished: false, ...extra });

  it('due soon when at most one working day remains (the default threshold)', () => {
    expect(live('2025-01-24T16:00:00+07:00')).toBe('due_soon'); // exactly 480 min left
    expect(live('2025-01-24T15:59:00+07:00')).toBe('on_track'); // 481 min left
  });

  it('the threshold is configurable', () => {
    expect(live('2025-01-24T16:00:00+07:00', { dueSoonMinutes: 240 })).toBe('on_track');
    expect(live('2025-02-03T12:00:00+07:00', { dueSoonMinutes: 240 })).toBe('due_soon');
  });

  it('past the due instant on the due date: due soon by day, overdue by instant', () => {
    expect(live('2025-02-03T16:30:00+07:00')).toBe('due_soon');
    expect(live('2025-02-03T16:30:00+07:00', { granularity: 'instant' })).toBe('overdue');
  });

  it('overdue after the due date', () => {
    expect(live('2025-02-04T08:00:00+07:00')).toBe('overdue');
  });

  it('paused dossiers are flagged paused, finished ones have no flag', () => {
    expect(live('2025-02-04T08:00:00+07:00', { paused: true })).toBe('paused');
    expect(live('2025-02-04T08:00:00+07:00', { finished: true })).toBeNull();
  });
});
