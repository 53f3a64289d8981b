import { describe, expect, it } from 'vitest';
import { confirmedCalendars, seedYears, type SeedYear } from '../../src/domain/calendar-seed.js';
import { addDays, weekdayOf } from '../../src/domain/local-time.js';
import { lunarNewYear, solarToLunar } from '../../src/domain/lunar.js';
import {
  HOLIDAY_NAMES,
  nationalDayExtraDay,
  provisionalOverrides,
  type CalendarOverride,
} from '../../src/domain/provisional-calendar.js';

const isWeekend = (date: string): boolean => weekdayOf(date) === 0 || weekdayOf(date) === 6;
const summary = (rows: CalendarOverride[]): string[] => rows.map((r) => `${r.date} ${r.kind}`);

function checkShape(rows: CalendarOverride[], year: number): void {
  for (const [i, row] of rows.entries()) {
    expect(row.date.startsWith(`${year}-`), row.date).toBe(true);
    expect(row.name.length).toBeGreaterThan(0);
    expect(row.source.length).toBeGreaterThan(0);
    const next = rows[i + 1];
    if (next) expect(row.date < next.date, `${row.date} before ${next.date}`).toBe(true); // sorted, unique
  }
}

describe('provisionalOverrides', () => {
  it('2024: Tết eve + 4 days with two compensatory days, National Day Mon 2/9 + Tue 3/9', () => {
    expect(summary(provisionalOverrides(2024))).toEqual([
      '2024-01-01 holiday',
      '2024-02-09 holiday', // 30 Chạp Quý Mão
      '2024-02-10 holiday', // mùng 1, Saturday
      '2024-02-11 holiday', // Sunday
      '2024-02-12 holiday',
      '2024-02-13 holiday', // mùng 4
      '2024-02-14 day_off',
      '2024-02-15 day_off',
      '2024-04-18 holiday',
      '2024-04-30 holiday',
      '2024-05-01 holiday',
      '2024-09-02 holiday',
      '2024-09-03 holiday',
    ]);
  });

  it('2025: Tết from 29 Chạp (Tue 28/1), mùng 4 on Saturday made up on Mon 3/2, National Day Mon 1/9 + Tue 2/9', () => {
    expect(summary(provisionalOverrides(2025))).toEqual([
      '2025-01-01 holiday',
      '2025-01-28 holiday',
      '2025-01-29 holiday',
      '2025-01-30 holiday',
      '2025-01-31 holiday',
      '2025-02-01 holiday',
      '2025-02-03 day_off',
      '2025-04-07 holiday',
      '2025-04-30 holiday',
      '2025-05-01 holiday',
      '2025-09-01 holiday',
      '2025-09-02 holiday',
    ]);
  });

  it('2026: Hùng Kings on Sun 26/4 gives Mon 27/4 off; Tết Mon 16/2 – Fri 20/2', () => {
    const rows = provisionalOverrides(2026);
    expect(summary(rows)).toEqual([
      '2026-01-01 holiday',
      '2026-02-16 holiday',
      '2026-02-17 holiday',
      '2026-02-18 holiday',
      '2026-02-19 holiday',
      '2026-02-20 holiday',
      '2026-04-26 holiday',
      '2026-04-27 day_off',
      '2026-04-30 holiday',
      '2026-05-01 holiday',
      '2026-09-01 holiday',
      '2026-09-02 holiday',
    ]);
    expect(rows.find((r) => r.date === '2026-04-26')?.name).toBe(HOLIDAY_NAMES.hungKings);
    expect(rows.find((r) => r.date === '2026-04-27')).toMatchObject({
      kind: 'day_off',
      name: 'Nghỉ bù (Giỗ Tổ Hùng Vương)',
    });
    expect(rows.find((r) => r.date === '2026-02-17')).toMatchObject({
      name: 'Tết Nguyên đán',
      source: 'Bộ luật Lao động 2019, Điều 112 (provisional, generated)',
    });
  });

  it('skips holidays when placing a compensatory day (2023: Hùng Kings Sat 29/4, 30/4 Sun, 1/5 Mon)', () => {
    const may = provisionalOverrides(2023).filter((r) => r.date >= '2023-04-29' && r.date <= '2023-05-05');
    expect(summary(may)).toEqual([
      '2023-04-29 holiday',
      '2023-04-30 holiday',
      '2023-05-01 holiday',
      '2023-05-02 day_off',
      '2023-05-03 day_off',
    ]);
  });

  it('National Day extra day by weekday of 2/9, matching the announced years', () => {
    expect(nationalDayExtraDay(2021)).toBe('2021-09-03'); // Thu → Fri 3/9
    expect(nationalDayExtraDay(2022)).toBe('2022-09-01'); // Fri → Thu 1/9
    expect(nationalDayExtraDay(2023)).toBe('2023-09-01'); // Sat → Fri 1/9
    expect(nationalDayExtraDay(2024)).toBe('2024-09-03'); // Mon → Tue 3/9
    expect(nationalDayExtraDay(2025)).toBe('2025-09-01'); // Tue → Mon 1/9
    expect(nationalDayExtraDay(2026)).toBe('2026-09-01'); // Wed → Tue 1/9
    expect(nationalDayExtraDay(2029)).toBe('2029-09-03'); // Sun → Mon 3/9
    for (let year = 1990; year <= 2100; year++) expect(isWeekend(nationalDayExtraDay(year))).toBe(false);
  });

  it('for every year 1990–2100: own dates only, sorted and unique, 5 Tết days, each weekend holiday made up', () => {
    for (let year = 1990; year <= 2100; year++) {
      const rows = provisionalOverrides(year);
      checkShape(rows, year);
      expect(rows.some((r) => r.kind === 'working_day')).toBe(false);

      const tet = rows.filter((r) => r.name === HOLIDAY_NAMES.tet);
      const newYear = lunarNewYear(year);
      expect(tet.map((r) => r.date)).toEqual([-1, 0, 1, 2, 3].map((i) => addDays(newYear, i)));
      expect(solarToLunar(addDays(newYear, -1)).month).toBe(12); // the eve is the last day of month 12
      expect(tet.every((r) => r.kind === 'holiday')).toBe(true);

      const hungKings = rows.filter((r) => r.name === HOLIDAY_NAMES.hungKings);
      expect(hungKings).toHaveLength(1);
      expect(solarToLunar(hungKings[0]!.date)).toEqual({ year, month: 3, day: 10, leap: false });

      const holidays = rows.filter((r) => r.kind === 'holiday');
      expect(holidays).toHaveLength(11); // 1/1, 5 Tết, Hùng Kings, 30/4, 1/5, 2 National Day
      const weekendHolidays = holidays.filter((r) => isWeekend(r.date));
      const compensatory = rows.filter((r) => r.kind === 'day_off');
      expect(compensatory).toHaveLength(weekendHolidays.length);
      for (const [i, holiday] of weekendHolidays.entries()) {
        const day = compensatory[i]!;
        expect(isWeekend(day.date)).toBe(false);
        expect(day.date > holiday.date).toBe(true);
        expect(day.name).toBe(`${HOLIDAY_NAMES.compensatory} (${holiday.name})`);
        // "the next working day": every weekday between the holiday and its day in lieu is already off.
        for (let d = addDays(holiday.date, 1); d < day.date; d = addDays(d, 1)) {
          if (!isWeekend(d)) expect(rows.some((r) => r.date === d)).toBe(true);
        }
      }
    }
  });
});

/** Whether a date is worked under a seed year's rows (docs/domain.md §5). */
function isWorkingDay(year: SeedYear, date: string): boolean {
  const row = year.days.find((d) => d.date === date);
  if (row) return row.kind === 'working_day';
  return !isWeekend(date);
}

function seedYear(year: number): SeedYear {
  const found = seedYears().find((y) => y.year === year);
  if (!found) throw new Error(`no seed for ${year}`);
  return found;
}

function dates(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Weekdays off and weekend days worked, the only rows that change the working-time engine's view. */
function effectiveChanges(year: SeedYear): string[] {
  return year.days
    .filter((d) => (d.kind === 'working_day' ? isWeekend(d.date) : !isWeekend(d.date)))
    .map((d) => `${d.date} ${d.kind === 'working_day' ? 'worked' : 'off'}`);
}

describe('confirmed calendar seed', () => {
  it('has 2024 and 2025 confirmed, 2026 provisional, each well-formed', () => {
    expect(seedYears().map((y) => [y.year, y.status])).toEqual([
      [2024, 'confirmed'],
      [2025, 'confirmed'],
      [2026, 'provisional'],
    ]);
    for (const year of seedYears()) {
      checkShape(year.days, year.year);
      for (const day of year.days) {
        if (day.kind === 'working_day') expect(isWeekend(day.date), day.date).toBe(true);
        if (day.kind === 'day_off') expect(isWeekend(day.date), day.date).toBe(false);
      }
    }
  });

  it('2024 exactly as announced', () => {
    const y = seedYear(2024);
    expect(effectiveChanges(y)).toEqual([
      '2024-01-01 off',
      '2024-02-08 off',
      '2024-02-09 off',
      '2024-02-12 off',
      '2024-02-13 off',
      '2024-02-14 off',
      '2024-04-18 off',
      '2024-04-29 off',
      '2024-04-30 off',
      '2024-05-01 off',
      '2024-05-04 worked',
      '2024-09-02 off',
      '2024-09-03 off',
    ]);
    // Tết Thu 8/2 – Wed 14/2; 30/4–1/5 off Sat 27/4 – Wed 1/5 with Mon 29/4 swapped to Sat 4/5.
    expect(dates('2024-02-08', '2024-02-14').some((d) => isWorkingDay(y, d))).toBe(false);
    expect(isWorkingDay(y, '2024-02-07') && isWorkingDay(y, '2024-02-15')).toBe(true);
    expect(dates('2024-04-27', '2024-05-01').some((d) => isWorkingDay(y, d))).toBe(false);
    expect(isWorkingDay(y, '2024-05-02') && isWorkingDay(y, '2024-05-04')).toBe(true);
    expect(y.days.find((d) => d.date === '2024-04-29')?.kind).toBe('day_off');
    expect(y.days.find((d) => d.date === '2024-05-04')?.kind).toBe('working_day');
    expect(y.days.find((d) => d.date === '2024-04-18')?.kind).toBe('holiday');
    expect(y.days.filter((d) => d.name === HOLIDAY_NAMES.nationalDay).map((d) => d.date)).toEqual([
      '2024-09-02',
      '2024-09-03',
    ]);
  });

  it('2025 exactly as announced', () => {
    const y = seedYear(2025);
    expect(effectiveChanges(y)).toEqual([
      '2025-01-01 off',
      '2025-01-27 off',
      '2025-01-28 off',
      '2025-01-29 off',
      '2025-01-30 off',
      '2025-01-31 off',
      '2025-04-07 off',
      '2025-04-26 worked',
      '2025-04-30 off',
      '2025-05-01 off',
      '2025-05-02 off',
      '2025-09-01 off',
      '2025-09-02 off',
    ]);
    // Tết Sat 25/1 – Sun 2/2; 30/4–1/5 off Wed 30/4 – Sun 4/5 with Fri 2/5 swapped to Sat 26/4.
    expect(dates('2025-01-25', '2025-02-02').some((d) => isWorkingDay(y, d))).toBe(false);
    expect(isWorkingDay(y, '2025-01-24') && isWorkingDay(y, '2025-02-03')).toBe(true);
    expect(dates('2025-04-30', '2025-05-04').some((d) => isWorkingDay(y, d))).toBe(false);
    expect(isWorkingDay(y, '2025-04-26') && isWorkingDay(y, '2025-05-05')).toBe(true);
    expect(y.days.find((d) => d.date === '2025-05-02')?.kind).toBe('day_off');
    expect(y.days.find((d) => d.date === '2025-04-26')?.kind).toBe('working_day');
  });

  it('2026 (provisional) has the known facts and agrees with the generator', () => {
    const y = seedYear(2026);
    expect(y.days.find((d) => d.date === '2026-04-26')).toMatchObject({
      kind: 'holiday',
      name: HOLIDAY_NAMES.hungKings,
    });
    expect(y.days.find((d) => d.date === '2026-04-27')?.kind).toBe('day_off');
    expect(dates('2026-02-14', '2026-02-22').some((d) => isWorkingDay(y, d))).toBe(false);
    expect(summary(y.days)).toEqual(summary(provisionalOverrides(2026)));
    const extra = y.days.find((d) => d.date === nationalDayExtraDay(2026));
    expect(extra?.source).toMatch(/to be confirmed/);
  });

  it('seedYears returns copies', () => {
    const years = seedYears();
    years[0]!.days[0]!.name = 'changed';
    expect(confirmedCalendars[0]!.days[0]!.name).toBe(HOLIDAY_NAMES.newYear);
  });
});
