import { getLunarDate } from '@dqcai/vn-lunar';
import { describe, expect, it } from 'vitest';
import { addDays, dayNumberOf, localDateOfDayNumber } from '../../src/domain/local-time.js';
import {
  lunarCalendarFor,
  lunarNewYear,
  lunarToSolar,
  solarToLunar,
  type LunarDate,
} from '../../src/domain/lunar.js';

const FIRST_DAY = dayNumberOf('1990-01-01');
const LAST_DAY = dayNumberOf('2100-12-31');

function* everyDay(from = FIRST_DAY, to = LAST_DAY): Generator<string> {
  for (let d = from; d <= to; d++) yield localDateOfDayNumber(d);
}

describe('Vietnamese lunar calendar: known dates', () => {
  it.each([
    ['1990-01-27', 1990],
    ['2007-02-17', 2007],
    ['2024-02-10', 2024],
    ['2025-01-29', 2025],
    ['2026-02-17', 2026],
    // Not 3/2 as in China: the new moon is at 23:08 on 2/2 in UTC+7 (00:08 on 3/2 in UTC+8).
    ['2030-02-02', 2030],
  ])('Tết is %s in %i', (date, year) => {
    expect(lunarNewYear(year)).toBe(date);
    expect(solarToLunar(date)).toEqual({ year, month: 1, day: 1, leap: false });
  });

  it.each([
    ['2024-04-18', 2024],
    ['2025-04-07', 2025],
    ['2026-04-26', 2026],
  ])("Hùng Kings' day (10/3) is %s in %i", (date, year) => {
    expect(lunarToSolar({ year, month: 3, day: 10, leap: false })).toBe(date);
    expect(solarToLunar(date)).toEqual({ year, month: 3, day: 10, leap: false });
  });

  it('knows leap months (tháng nhuận)', () => {
    // Quý Mão 2023 had a leap 2nd month, Canh Tý 2020 a leap 4th, Ất Tỵ 2025 a leap 6th.
    expect(solarToLunar('2023-03-22')).toEqual({ year: 2023, month: 2, day: 1, leap: true });
    expect(solarToLunar('2020-05-23')).toEqual({ year: 2020, month: 4, day: 1, leap: true });
    expect(solarToLunar('2025-07-25')).toEqual({ year: 2025, month: 6, day: 1, leap: true });
    expect(lunarToSolar({ year: 2025, month: 6, day: 1, leap: false })).toBe('2025-06-25');
  });

  it('puts the last months of a lunar year in the next Gregorian year', () => {
    expect(solarToLunar('2025-01-28')).toEqual({ year: 2024, month: 12, day: 29, leap: false });
    expect(solarToLunar('2024-12-31')).toEqual({ year: 2024, month: 12, day: 1, leap: false });
  });

  it('rejects lunar dates that do not exist', () => {
    expect(() => lunarToSolar({ year: 2024, month: 6, day: 1, leap: true })).toThrow(RangeError);
    // Month 12 of Giáp Thìn has 29 days (Tết Ất Tỵ follows 29 Chạp).
    expect(() => lunarToSolar({ year: 2024, month: 12, day: 30, leap: false })).toThrow(RangeError);
    expect(() => lunarToSolar({ year: 2024, month: 1, day: 0, leap: false })).toThrow(RangeError);
  });

  it('round-trips every day from 1990 to 2100, one day after another', () => {
    let previous: LunarDate | undefined;
    for (const date of everyDay()) {
      const lunar = solarToLunar(date);
      expect(lunarToSolar(lunar)).toBe(date);
      if (previous && lunar.day !== 1) expect(lunar.day).toBe(previous.day + 1);
      if (lunar.day === 1 && previous) expect([29, 30]).toContain(previous.day);
      previous = lunar;
    }
  });

  it('has Tết between 21 January and 20 February, 353–385 days apart', () => {
    for (let year = 1990; year <= 2100; year++) {
      const tet = lunarNewYear(year);
      expect(tet >= `${year}-01-21` && tet <= `${year}-02-20`).toBe(true);
      const length = dayNumberOf(lunarNewYear(year + 1)) - dayNumberOf(tet);
      expect([353, 354, 355, 383, 384, 385]).toContain(length);
    }
  });
});

describe('uses Vietnamese (UTC+7) lunar dates, not Chinese', () => {
  const chinese = lunarCalendarFor(8);

  it('differs from a UTC+8 reckoning on Tết 2007, 2030 and 2053', () => {
    // In each year the new moon that starts the year falls between 23:00 and midnight in Hà Nội.
    const cases: Array<[number, string, string]> = [
      [2007, '2007-02-17', '2007-02-18'],
      [2030, '2030-02-02', '2030-02-03'],
      [2053, '2053-02-18', '2053-02-19'],
    ];
    for (const [year, vietnam, china] of cases) {
      expect(lunarNewYear(year)).toBe(vietnam);
      expect(chinese.lunarNewYear(year)).toBe(china);
    }
  });

  it('agrees with UTC+8 on the other Tết days from 1990 to 2100', () => {
    const differing: number[] = [];
    for (let year = 1990; year <= 2100; year++) {
      if (lunarNewYear(year) !== chinese.lunarNewYear(year)) differing.push(year);
    }
    expect(differing).toEqual([2007, 2030, 2053]);
  });

  it('also differs inside a year (e.g. the leap month of 1995 starts a day earlier)', () => {
    expect(solarToLunar('1995-09-24')).toEqual({ year: 1995, month: 8, day: 1, leap: true });
    expect(chinese.solarToLunar('1995-09-24')).toEqual({ year: 1995, month: 8, day: 30, leap: false });
  });
});

/**
 * Cross-check against @dqcai/vn-lunar: Hồ Ngọc Đức's precomputed tables for Vietnam (UTC+7 from 1968),
 * a method independent of the formulas in src/domain/lunar.ts.
 *
 * They disagree on three lunar months, each because its new moon falls within about a minute of midnight
 * in UTC+7; which day is right depends on ΔT (Earth rotation) in the 2050s–2070s, which nobody can know
 * yet. A higher-precision ephemeris (astronomy-engine 2.1) puts the new moons at 2054-05-08 00:01:09,
 * 2072-12-09 23:59:23 and 2077-11-16 00:00:37 (UTC+7): it sides with us in 2054 and 2077 and with the
 * table in 2072. Nothing in the period of operational interest (today to 2053) differs.
 */
const KNOWN_DISAGREEMENTS: Array<{ from: string; days: number; ours: LunarDate; table: LunarDate }> = [
  {
    from: '2054-05-07',
    days: 30,
    ours: { year: 2054, month: 3, day: 30, leap: false },
    table: { year: 2054, month: 4, day: 1, leap: false },
  },
  {
    from: '2072-12-09',
    days: 30,
    ours: { year: 2072, month: 10, day: 30, leap: false },
    table: { year: 2072, month: 11, day: 1, leap: false },
  },
  {
    from: '2077-11-15',
    days: 30,
    ours: { year: 2077, month: 9, day: 30, leap: false },
    table: { year: 2077, month: 10, day: 1, leap: false },
  },
];

function tableLunarDate(date: string): LunarDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const lunar = getLunarDate(day, month, year);
  return { year: lunar.year, month: lunar.month, day: lunar.day, leap: Boolean(lunar.leap) };
}

describe('cross-check with a second Vietnamese implementation (@dqcai/vn-lunar)', () => {
  it('the table is the Vietnamese one (Tết 2030 on 2/2, Tết 1985 on 21/1)', () => {
    expect(tableLunarDate('2030-02-02')).toEqual({ year: 2030, month: 1, day: 1, leap: false });
    expect(tableLunarDate('1985-01-21')).toEqual({ year: 1985, month: 1, day: 1, leap: false });
  });

  it('agrees on every day from 1990 to 2100 except the three documented near-midnight new moons', () => {
    const disagreements: string[] = [];
    for (const date of everyDay()) {
      const ours = solarToLunar(date);
      const table = tableLunarDate(date);
      if (
        ours.year !== table.year ||
        ours.month !== table.month ||
        ours.day !== table.day ||
        ours.leap !== table.leap
      ) {
        disagreements.push(date);
      }
    }
    const expected = KNOWN_DISAGREEMENTS.flatMap(({ from, days }) =>
      Array.from({ length: days }, (_, i) => addDays(from, i)),
    );
    expect(disagreements).toEqual(expected);
    for (const { from, ours, table } of KNOWN_DISAGREEMENTS) {
      expect(solarToLunar(from)).toEqual(ours);
      expect(tableLunarDate(from)).toEqual(table);
    }
  });

  it('agrees on every Tết and Hùng Kings day from 1990 to 2100', () => {
    for (let year = 1990; year <= 2100; year++) {
      expect(tableLunarDate(lunarNewYear(year))).toEqual({ year, month: 1, day: 1, leap: false });
      const hungKings = lunarToSolar({ year, month: 3, day: 10, leap: false });
      expect(tableLunarDate(hungKings)).toEqual({ year, month: 3, day: 10, leap: false });
    }
  });
});
