/**
 * Timeliness (docs/domain.md §8): the outcome of a resolved dossier, the state of a pending one, and the
 * live flag dashboards and alerts show. Always against the statutory due: a reschedule (Form 04) never makes
 * a late dossier on time.
 *
 * Granularity `day` (the default, as inspectors count) compares local dates in Vietnam; `instant` also
 * compares the time on the due date.
 */
import { dayNumberOfInstant, instantAt, localDateOf } from './local-time.js';
import { workingMinutesBetween, type Calendar } from './working-time.js';

export type Granularity = 'day' | 'instant';
export type Outcome = 'early' | 'on_time' | 'overdue';
export type PendingState = 'not_yet_due' | 'overdue';
export type LiveTimeliness = 'on_track' | 'due_soon' | 'overdue' | 'paused';

/**
 * early if resolved on a local date before the due date; on_time on the due date (with `instant`: and at or
 * before the due instant); overdue otherwise.
 */
export function outcomeOf(resolvedAt: Date, dueAt: Date, granularity: Granularity = 'day'): Outcome {
  const resolvedDay = dayNumberOfInstant(resolvedAt);
  const dueDay = dayNumberOfInstant(dueAt);
  if (resolvedDay < dueDay) return 'early';
  if (resolvedDay > dueDay) return 'overdue';
  return granularity === 'day' || resolvedAt.getTime() <= dueAt.getTime() ? 'on_time' : 'overdue';
}

/**
 * The "overdue before" threshold: a dossier pending at `at` is overdue when its due lies before this instant,
 * the midnight beginning `at`'s local date (`day`: its due date is past) or `at` itself (`instant`: its due
 * instant is past). The statistics' SQL uses the same threshold (overdueBeforeSql in src/stats/rule.ts).
 */
export function overdueBefore(at: Date, granularity: Granularity = 'day'): Date {
  return granularity === 'day' ? instantAt(localDateOf(at), 0) : at;
}

/**
 * A pending dossier at `at` is overdue once its due date is past (with `instant`: once the due instant is
 * past); a paused dossier is never overdue while paused, its clock is stopped.
 */
export function pendingStateAt(
  at: Date,
  dueAt: Date,
  paused: boolean,
  granularity: Granularity = 'day',
): PendingState {
  if (paused) return 'not_yet_due';
  return dueAt.getTime() < overdueBefore(at, granularity).getTime() ? 'overdue' : 'not_yet_due';
}

/** Working minutes left until the due; negative past it (minus the working minutes since the due). */
export function remainingWorkingMinutes(cal: Calendar, now: Date, dueAt: Date): number {
  if (now.getTime() <= dueAt.getTime()) return workingMinutesBetween(cal, now, dueAt);
  const late = workingMinutesBetween(cal, dueAt, now);
  return late === 0 ? 0 : -late; // never -0: it would print and compare oddly
}

export interface LiveTimelinessInput {
  cal: Calendar;
  now: Date;
  dueAt: Date;
  paused: boolean;
  finished: boolean;
  /** Due-soon threshold in working minutes; default one working day of the calendar. */
  dueSoonMinutes?: number;
  granularity?: Granularity;
}

/**
 * The flag of a live dossier: null once finished (its outcome says the rest); paused while paused; overdue
 * by the pending rule; due_soon when the remaining working time is at most the threshold (this includes a
 * dossier past its due instant but still on its due date under `day` granularity); on_track otherwise.
 */
export function liveTimeliness(input: LiveTimelinessInput): LiveTimeliness | null {
  const { cal, now, dueAt, granularity = 'day' } = input;
  if (input.finished) return null;
  if (input.paused) return 'paused';
  if (pendingStateAt(now, dueAt, false, granularity) === 'overdue') return 'overdue';
  const threshold = input.dueSoonMinutes ?? cal.dayLength;
  return remainingWorkingMinutes(cal, now, dueAt) <= threshold ? 'due_soon' : 'on_track';
}
