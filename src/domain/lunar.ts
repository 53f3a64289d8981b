/**
 * The Vietnamese lunisolar calendar (âm lịch), computed astronomically.
 *
 * Vietnam and China use the same rules but Vietnam applies them to the local date in UTC+7 (since 1968),
 * China in UTC+8. When a new moon or a solar term falls between 23:00 and 24:00 UTC+7 the two calendars
 * differ by a day (or by a whole month/year), e.g. Tết 2007 (VN 17/2, CN 18/2) and Tết 2030 (VN 2/2,
 * CN 3/2). So never use a Chinese lunar library here.
 *
 * The rules (as formulated by Hồ Ngọc Đức, "Thuật toán tính âm lịch"):
 * 1. A lunar month starts on the local day that contains a new moon (true conjunction).
 * 2. Month 11 is the month that contains the winter solstice (sun longitude 270°).
 * 3. Between two consecutive months 11 there are normally 12 months. When there are 13, the first month
 *    after month 11 that contains no major solar term (sun longitude a multiple of 30°) is a leap month
 *    and takes the number of the month before it.
 * 4. Lunar year Y begins with month 1 (Tết) and runs to the end of the following month 12.
 *
 * Astronomy: the low-precision series of Jean Meeus, "Astronomical Algorithms" (1998): chapter 49 for new
 * moons (the terms that matter to well under a minute), chapter 25 for the apparent solar longitude. The
 * coefficients are those of Hồ Ngọc Đức's published reference implementation, so the results agree with
 * the calendars printed in Vietnam. Accurate for roughly 1800–2199; this service needs 1990–2100.
 */
import { dayNumberOf, localDateOfDayNumber, type LocalDate } from './local-time.js';

export interface LunarDate {
  /** Lunar year (the Gregorian year in which its month 1 begins). */
  year: number;
  /** 1..12; a leap month carries the number of the month it follows. */
  month: number;
  /** 1..30 */
  day: number;
  leap: boolean;
}

/** Julian Day Number (JDN) at noon of 1970-01-01: JDN = our day number + this. */
const JDN_OF_DAY_ZERO = 2440588;
/** Mean length of a synodic month in days. */
const SYNODIC_MONTH = 29.530588853;
/** JD of the new moon of 1900-01-01 (~13:51 UT), new moon number k = 0 in Meeus' 1900-based series. */
const NEW_MOON_EPOCH_JD = 2415021.076998695;
const RAD = Math.PI / 180;

/**
 * Instant (Julian Date, UT) of the k-th new moon after the one of 1900-01-01. Meeus ch. 49, the periodic
 * terms with an amplitude of at least ~0.0004 day (35 s), then ΔT (TT - UT) removed with a polynomial fit.
 */
function newMoonJulianDate(k: number): number {
  const T = k / 1236.85; // Julian centuries since 1900 January 0.5
  const T2 = T * T;
  const T3 = T2 * T;
  // Mean new moon.
  let jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * RAD);
  // Mean anomalies of the sun (M) and moon (Mpr) and the moon's argument of latitude (F), in degrees.
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
  const s = (deg: number): number => Math.sin(deg * RAD);
  // Correction from the mean to the true conjunction (mostly the eccentricities of both orbits).
  const correction =
    (0.1734 - 0.000393 * T) * s(M) +
    0.0021 * s(2 * M) -
    0.4068 * s(Mpr) +
    0.0161 * s(2 * Mpr) -
    0.0004 * s(3 * Mpr) +
    0.0104 * s(2 * F) -
    0.0051 * s(M + Mpr) -
    0.0074 * s(M - Mpr) +
    0.0004 * s(2 * F + M) -
    0.0004 * s(2 * F - M) -
    0.0006 * s(2 * F + Mpr) +
    0.001 * s(2 * F - Mpr) +
    0.0005 * s(2 * Mpr + M);
  // ΔT in days; the series above is in dynamical time, calendars are kept in civil (UT-based) time.
  const deltaT =
    T < -11
      ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3
      : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd + correction - deltaT;
}

/** Apparent ecliptic longitude of the sun at Julian Date jd, in radians within [0, 2π). Meeus ch. 25. */
function sunLongitude(jd: number): number {
  const T = (jd - 2451545.0) / 36525; // Julian centuries since J2000.0
  const T2 = T * T;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2; // mean anomaly
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2; // mean longitude
  // Equation of the centre.
  const C =
    (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(M * RAD) +
    (0.019993 - 0.000101 * T) * Math.sin(2 * M * RAD) +
    0.00029 * Math.sin(3 * M * RAD);
  const L = (L0 + C) * RAD;
  return L - 2 * Math.PI * Math.floor(L / (2 * Math.PI));
}

/** The three conversions, bound to one time zone. */
export interface LunarCalendar {
  solarToLunar(date: LocalDate): LunarDate;
  lunarToSolar(lunar: LunarDate): LocalDate;
  lunarNewYear(year: number): LocalDate;
}

interface LunarMonth {
  year: number;
  month: number;
  leap: boolean;
  /** Day number (days since 1970-01-01) of the first day. */
  start: number;
  length: number;
}

/**
 * The lunar calendar as kept in a time zone `offsetHours` east of UTC. Vietnam is 7; 8 gives the
 * Chinese reckoning of the same rules, exposed only so tests can show the two differ.
 */
export function lunarCalendarFor(offsetHours: number): LunarCalendar {
  const zone = offsetHours / 24;

  /** Local day number of the day on which the k-th new moon falls. */
  const newMoonDay = (k: number): number => Math.floor(newMoonJulianDate(k) + 0.5 + zone) - JDN_OF_DAY_ZERO;

  /**
   * Which 30° sector (0..11) of the ecliptic the sun is in at local midnight starting `day`. Sector
   * boundaries are the major solar terms (trung khí), so a month contains a major term exactly when the
   * sector at its first day differs from the sector at the first day of the next month.
   */
  const sunSector = (day: number): number => {
    const jdAtLocalMidnight = day + JDN_OF_DAY_ZERO - 0.5 - zone;
    return Math.floor((sunLongitude(jdAtLocalMidnight) / Math.PI) * 6);
  };

  /** k of the lunar month that contains `day` (its new moon day ≤ day < next new moon day). */
  const lunationContaining = (day: number): number => {
    // The mean lunation is within a day of the true one; step to correct the estimate.
    let k = Math.floor((day + JDN_OF_DAY_ZERO - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH);
    while (newMoonDay(k + 1) <= day) k++;
    while (newMoonDay(k) > day) k--;
    return k;
  };

  /**
   * k of month 11 around the end of Gregorian year `gregorianYear`: the month containing the December
   * solstice. The solstice is always 20–23 December, so the month containing 31 December is month 11 or
   * month 12; it is month 12 when the sun had already passed 270° when it began.
   */
  const month11Lunation = (gregorianYear: number): number => {
    const k = lunationContaining(dayNumberOf(`${gregorianYear}-12-31`));
    return sunSector(newMoonDay(k)) >= 9 ? k - 1 : k;
  };

  /**
   * The months from month 11 of (gregorianYear - 1) up to, not including, month 11 of gregorianYear:
   * months 11 and 12 of lunar year gregorianYear - 1, then months 1..10 of lunar year gregorianYear.
   */
  const cache = new Map<number, LunarMonth[]>();
  const monthsBetweenSolstices = (gregorianYear: number): LunarMonth[] => {
    const cached = cache.get(gregorianYear);
    if (cached) return cached;
    const first = month11Lunation(gregorianYear - 1);
    const count = month11Lunation(gregorianYear) - first; // 12, or 13 in a leap year
    // Index (0 = month 11) of the leap month, or none: the first month without a major solar term.
    let leapIndex = Infinity;
    if (count === 13) {
      for (let i = 1; i < count; i++) {
        if (sunSector(newMoonDay(first + i)) === sunSector(newMoonDay(first + i + 1))) {
          leapIndex = i;
          break;
        }
      }
    }
    const months: LunarMonth[] = [];
    for (let i = 0; i < count; i++) {
      // Position in the ordinary sequence 11, 12, 1, 2, ...: a leap month repeats the previous number.
      const ordinal = i >= leapIndex ? i - 1 : i;
      const start = newMoonDay(first + i);
      months.push({
        year: ordinal < 2 ? gregorianYear - 1 : gregorianYear,
        month: ((ordinal + 10) % 12) + 1,
        leap: i === leapIndex,
        start,
        length: newMoonDay(first + i + 1) - start,
      });
    }
    cache.set(gregorianYear, months);
    return months;
  };

  const solarToLunar = (date: LocalDate): LunarDate => {
    const day = dayNumberOf(date);
    const gregorianYear = Number(date.slice(0, 4));
    // A date after this year's month-11 start belongs to the span that ends at next year's solstice.
    const span = [...monthsBetweenSolstices(gregorianYear + 1), ...monthsBetweenSolstices(gregorianYear)];
    const month = span.find((m) => m.start <= day && day < m.start + m.length);
    if (!month) throw new RangeError(`no lunar month found for ${date}`);
    return { year: month.year, month: month.month, day: day - month.start + 1, leap: month.leap };
  };

  /** All months of lunar year `year`, from month 1 to month 12 (13 entries with a leap month). */
  const monthsOfLunarYear = (year: number): LunarMonth[] =>
    [...monthsBetweenSolstices(year), ...monthsBetweenSolstices(year + 1)].filter((m) => m.year === year);

  const lunarToSolar = ({ year, month, day, leap }: LunarDate): LocalDate => {
    const found = monthsOfLunarYear(year).find((m) => m.month === month && m.leap === leap);
    if (!found) {
      throw new RangeError(`lunar year ${year} has no ${leap ? 'leap ' : ''}month ${month}`);
    }
    if (!Number.isInteger(day) || day < 1 || day > found.length) {
      throw new RangeError(`lunar month ${month}/${year} has ${found.length} days, not day ${day}`);
    }
    return localDateOfDayNumber(found.start + day - 1);
  };

  const lunarNewYear = (year: number): LocalDate => lunarToSolar({ year, month: 1, day: 1, leap: false });

  return { solarToLunar, lunarToSolar, lunarNewYear };
}

const vietnam = lunarCalendarFor(7);

/** The Vietnamese lunar date of a Gregorian local date. */
export function solarToLunar(date: LocalDate): LunarDate {
  return vietnam.solarToLunar(date);
}

/** The Gregorian date of a Vietnamese lunar date; RangeError for a month or day that does not exist. */
export function lunarToSolar(lunar: LunarDate): LocalDate {
  return vietnam.lunarToSolar(lunar);
}

/** Tết: the Gregorian date of 1/1 of lunar year `year` (always between 21 January and 20 February). */
export function lunarNewYear(year: number): LocalDate {
  return vietnam.lunarNewYear(year);
}
