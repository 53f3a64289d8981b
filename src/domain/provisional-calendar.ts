/**
 * A provisional civil-service calendar generated from the Labour Code 2019 (Bộ luật Lao động 2019),
 * used for a year until an admin confirms the Government's announcement for it (docs/domain.md §5).
 *
 * Art. 112(1) public holidays:
 * - Tết Dương lịch: 1/1.
 * - Tết Âm lịch: 5 days. The Prime Minister picks them each year; the provisional rule is the last day of
 *   the lunar year plus the first four days of the new year.
 * - Giỗ Tổ Hùng Vương: 10/3 lunar.
 * - Ngày Chiến thắng: 30/4.
 * - Quốc tế Lao động: 1/5.
 * - Quốc khánh: 2/9 and one day next to it (see nationalDayExtraDay).
 * Art. 111(3): a holiday that falls on the weekly rest day (Saturday/Sunday for the civil service) gives a
 * compensatory day off on the next working day.
 *
 * Swaps of working days (a weekday off in exchange for a worked Saturday) are decided case by case by the
 * Prime Minister and cannot be predicted; the generator never produces 'working_day' rows. Announced
 * calendars also sometimes place a compensatory day before the holiday (Tết 2024: Thu 8/2) — the
 * confirmed seed data replaces the provisional year when that happens.
 */
import { addDays, weekdayOf, type LocalDate } from './local-time.js';
import { lunarNewYear, lunarToSolar } from './lunar.js';

export type CalendarOverrideKind = 'holiday' | 'day_off' | 'working_day';

export interface CalendarOverride {
  date: LocalDate;
  kind: CalendarOverrideKind;
  name: string;
  source: string;
}

export const PROVISIONAL_HOLIDAY_SOURCE = 'Bộ luật Lao động 2019, Điều 112 (provisional, generated)';
export const PROVISIONAL_COMPENSATORY_SOURCE =
  'Bộ luật Lao động 2019, Điều 111 khoản 3 (provisional, generated)';

export const HOLIDAY_NAMES = {
  newYear: 'Tết Dương lịch',
  tet: 'Tết Nguyên đán',
  hungKings: 'Giỗ Tổ Hùng Vương',
  victory: 'Ngày Chiến thắng',
  labour: 'Quốc tế Lao động',
  nationalDay: 'Quốc khánh',
  compensatory: 'Nghỉ bù',
} as const;

const pad = (n: number): string => String(n).padStart(2, '0');
const dateOf = (year: number, month: number, day: number): LocalDate => `${year}-${pad(month)}-${pad(day)}`;
const isWeekend = (date: LocalDate): boolean => {
  const weekday = weekdayOf(date);
  return weekday === 0 || weekday === 6;
};

/**
 * The day added to 2/9 for National Day. The law only says "one day next to it". The rule below matches
 * 2024 and 2025 (the confirmed seed years) and, as far as we know, the 2021–2023 announcements:
 * - the extra day is a weekday (one on a weekend would only be replaced by a compensatory day);
 * - of the weekday neighbours, take the one that joins the holiday to a weekend;
 * - Wednesday has no such neighbour: take 1/9 (Tuesday), leaving one day (Monday 31/8) to bridge, as the
 *   2026 plan reportedly does (not yet confirmed in our docs).
 *
 *   2/9 on   Sun      Mon         Tue         Wed   Thu         Fri         Sat
 *   extra    3/9 Mon  3/9 (2024)  1/9 (2025)  1/9   3/9 (2021)  1/9 (2022)  1/9 (2023)
 */
export function nationalDayExtraDay(year: number): LocalDate {
  const nationalDay = dateOf(year, 9, 2);
  // Indexed by weekday of 2/9, 0 = Sunday: is the extra day 3/9 (else 1/9)?
  const takeDayAfter = [true, true, false, false, true, false, false];
  return takeDayAfter[weekdayOf(nationalDay)] ? dateOf(year, 9, 3) : dateOf(year, 9, 1);
}

/** Tết of lunar year `lunarYear`: the last day of the previous lunar year and mùng 1 to mùng 4. */
function tetDays(lunarYear: number): LocalDate[] {
  const firstDay = lunarNewYear(lunarYear);
  return [-1, 0, 1, 2, 3].map((offset) => addDays(firstDay, offset));
}

interface Holiday {
  date: LocalDate;
  name: string;
}

/** Statutory holidays (Art. 112) whose Gregorian date lies in `year`, sorted. */
function statutoryHolidays(year: number): Holiday[] {
  const holidays: Holiday[] = [
    { date: dateOf(year, 1, 1), name: HOLIDAY_NAMES.newYear },
    { date: lunarToSolar({ year, month: 3, day: 10, leap: false }), name: HOLIDAY_NAMES.hungKings },
    { date: dateOf(year, 4, 30), name: HOLIDAY_NAMES.victory },
    { date: dateOf(year, 5, 1), name: HOLIDAY_NAMES.labour },
    { date: dateOf(year, 9, 2), name: HOLIDAY_NAMES.nationalDay },
    { date: nationalDayExtraDay(year), name: HOLIDAY_NAMES.nationalDay },
  ];
  // Tết always starts between 21/1 and 20/2, so only lunar year `year` really contributes; taking the
  // neighbouring lunar years too and filtering keeps each Gregorian year to its own dates by construction.
  for (const lunarYear of [year - 1, year, year + 1]) {
    for (const date of tetDays(lunarYear)) holidays.push({ date, name: HOLIDAY_NAMES.tet });
  }
  return holidays
    .filter((h) => h.date.startsWith(`${year}-`))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * The provisional overrides of Gregorian year `year`: every statutory holiday (also those on a weekend, so
 * that each compensatory day can be traced to its holiday) and the compensatory days off. Sorted by date,
 * one row per date.
 */
export function provisionalOverrides(year: number): CalendarOverride[] {
  const rows = new Map<LocalDate, CalendarOverride>();
  // Holidays whose day is lost (weekend, or the same date as another holiday) and needs a day in lieu.
  const needCompensation: Holiday[] = [];
  for (const holiday of statutoryHolidays(year)) {
    const existing = rows.get(holiday.date);
    if (existing) {
      // Two holidays on one date (possible when 10/3 lunar falls on 30/4 or 1/5): both names on the row,
      // and the second one, like a holiday on a weekend, is made up on the next working day.
      existing.name = `${existing.name}; ${holiday.name}`;
      needCompensation.push(holiday);
      continue;
    }
    rows.set(holiday.date, {
      date: holiday.date,
      kind: 'holiday',
      name: holiday.name,
      source: PROVISIONAL_HOLIDAY_SOURCE,
    });
    if (isWeekend(holiday.date)) needCompensation.push(holiday);
  }
  // Earlier holidays claim the earlier days, so a weekend inside Tết yields consecutive days after it.
  for (const holiday of needCompensation) {
    let date = addDays(holiday.date, 1);
    while (isWeekend(date) || rows.has(date)) date = addDays(date, 1);
    rows.set(date, {
      date,
      kind: 'day_off',
      name: `${HOLIDAY_NAMES.compensatory} (${holiday.name})`,
      source: PROVISIONAL_COMPENSATORY_SOURCE,
    });
  }
  // Compensatory days never leave the year (the last holiday is early September), but keep the contract.
  return [...rows.values()]
    .filter((row) => row.date.startsWith(`${year}-`))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
