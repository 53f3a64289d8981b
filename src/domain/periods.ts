/**
 * Reporting periods (docs/domain.md §9). Civil periods follow the calendar; official ones (kỳ báo cáo,
 * Circular 01/2020/TT-VPCP) run from the 15th of the month before to the 14th: month 2024-07 = 15/6–14/7; a
 * quarter from the 15th of the month before it to the 14th of its last month (Q1 = 15/12 – 14/3); H1 =
 * 15/12 – 14/6; M9 = 15/12 – 14/9; year = 15/12 – 14/12.
 */
import { addDays, daysInMonth, type LocalDate } from './local-time.js';

export type Reporting = 'civil' | 'official';

export interface Period {
  from: LocalDate;
  to: LocalDate;
}

const pad = (n: number) => String(n).padStart(2, '0');
const date = (y: number, m: number, d: number): LocalDate => `${y}-${pad(m)}-${pad(d)}`;

/** The months a period names: [first month, last month] as (year, month) pairs, month 1–12. */
function monthSpan(period: string): { year: number; first: number; last: number } | null {
  let m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (m) return { year: Number(m[1]), first: Number(m[2]), last: Number(m[2]) };
  m = /^(\d{4})-Q([1-4])$/.exec(period);
  if (m) return { year: Number(m[1]), first: Number(m[2]) * 3 - 2, last: Number(m[2]) * 3 };
  m = /^(\d{4})-H([12])$/.exec(period);
  if (m) return { year: Number(m[1]), first: Number(m[2]) * 6 - 5, last: Number(m[2]) * 6 };
  m = /^(\d{4})-M9$/.exec(period);
  if (m) return { year: Number(m[1]), first: 1, last: 9 };
  m = /^(\d{4})$/.exec(period);
  if (m) return { year: Number(m[1]), first: 1, last: 12 };
  return null;
}

/** The dates of a named period ('2024-07', '2024-Q3', '2024-H1', '2024-M9', '2024'), or null if malformed. */
export function periodDates(period: string, reporting: Reporting = 'civil'): Period | null {
  const span = monthSpan(period);
  if (!span) return null;
  const { year, first, last } = span;
  if (reporting === 'civil')
    return { from: date(year, first, 1), to: date(year, last, daysInMonth(year, last)) };
  const startYear = first === 1 ? year - 1 : year;
  const startMonth = first === 1 ? 12 : first - 1;
  return { from: date(startYear, startMonth, 15), to: date(year, last, 14) };
}

/** The first day of the month after `day`'s. */
export const nextMonthOf = (day: LocalDate): LocalDate =>
  `${addDays(`${day.slice(0, 8)}28`, 4).slice(0, 8)}01`;

/**
 * [from, to] as monthly figures read it: the whole months inside it (the first day of the first and the last day
 * of the last; null when it holds none) and the ranges of days outside them (at most two; all of [from, to] when
 * it holds no whole month). `lastWhole`: the month of `to` counts as whole (its figures hold no later day).
 */
export function wholeMonthsIn(
  from: LocalDate,
  to: LocalDate,
  lastWhole = false,
): { months: Period | null; days: Period[] } {
  const firstFull = from.endsWith('-01') ? from : nextMonthOf(from);
  const lastFullEnd = lastWhole || addDays(to, 1).endsWith('-01') ? to : addDays(`${to.slice(0, 8)}01`, -1);
  if (firstFull > lastFullEnd) return { months: null, days: [{ from, to }] };
  const days = [
    { from, to: addDays(firstFull, -1) },
    { from: addDays(lastFullEnd, 1), to },
  ].filter((d) => d.from <= d.to);
  return { months: { from: firstFull, to: lastFullEnd }, days };
}
