/**
 * Local time in Vietnam. Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving), so local calendar
 * arithmetic is plain integer arithmetic on a fixed offset: no time-zone database needed.
 *
 * Vocabulary used across src/domain:
 * - instant: a JavaScript `Date` (UTC inside).
 * - LocalDate: 'YYYY-MM-DD' in Vietnamese local time.
 * - day number: whole days since 1970-01-01 (local), so weekday and date steps are integer maths.
 * - minute of day: minutes since local midnight, 0..1439.
 */
export type LocalDate = string;

export const LOCAL_OFFSET_MINUTES = 7 * 60;
const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

const localDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written 'YYYY-MM-DD' (rejects 2025-02-30, 2025-13-01, ...). */
export function isValidLocalDate(value: string): boolean {
  const m = localDatePattern.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whole local days since 1970-01-01 for a 'YYYY-MM-DD' date. */
export function dayNumberOf(date: LocalDate): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

export function localDateOfDayNumber(dayNumber: number): LocalDate {
  return new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOfDayNumber(dayNumber: number): number {
  // 1970-01-01 was a Thursday.
  return (((dayNumber + 4) % 7) + 7) % 7;
}

export function weekdayOf(date: LocalDate): number {
  return weekdayOfDayNumber(dayNumberOf(date));
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return localDateOfDayNumber(dayNumberOf(date) + days);
}

/** Minutes since 1970-01-01 00:00 local time. */
export function localMinutesOf(instant: Date): number {
  return Math.floor(instant.getTime() / MINUTE_MS) + LOCAL_OFFSET_MINUTES;
}

/** Instant for a count of local minutes since 1970-01-01 00:00 local. */
export function instantOfLocalMinutes(localMinutes: number): Date {
  return new Date((localMinutes - LOCAL_OFFSET_MINUTES) * MINUTE_MS);
}

export function localDateOf(instant: Date): LocalDate {
  return localDateOfDayNumber(Math.floor(localMinutesOf(instant) / DAY_MINUTES));
}

export function dayNumberOfInstant(instant: Date): number {
  return Math.floor(localMinutesOf(instant) / DAY_MINUTES);
}

export function minuteOfDayOf(instant: Date): number {
  return ((localMinutesOf(instant) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
}

/** The instant of a local date at a minute of that day. */
export function instantAt(date: LocalDate, minuteOfDay: number): Date {
  return instantOfLocalMinutes(dayNumberOf(date) * DAY_MINUTES + minuteOfDay);
}

/** 'HH:MM' → minute of day; throws on a malformed value. */
export function parseClock(value: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!m) throw new RangeError(`not a clock time HH:MM: ${value}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function formatClock(minuteOfDay: number): string {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** RFC 3339 with the +07:00 offset, as every response writes instants; seconds kept, milliseconds dropped. */
export function formatInstant(instant: Date): string {
  // Every response writes a dozen of these: the date part is cached per local day, the time assembled.
  const localMs = instant.getTime() + LOCAL_OFFSET_MINUTES * MINUTE_MS;
  const day = Math.floor(localMs / DAY_MS);
  let date = formattedDays.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (formattedDays.size >= FORMATTED_DAYS_MAX) formattedDays.clear();
    formattedDays.set(day, date);
  }
  const seconds = Math.floor((localMs - day * DAY_MS) / 1000);
  const minutes = Math.floor(seconds / 60);
  return `${date}T${twoDigits[Math.floor(minutes / 60)]}:${twoDigits[minutes % 60]}:${twoDigits[seconds % 60]}+07:00`;
}

/** An ISO 8601 / RFC 3339 date-time with an offset (`Z`, `+00:00`, `+07:00`...), seconds and fraction optional. */
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** An instant already as formatInstant writes it. */
const localInstantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/;

/**
 * A JSON payload (event data, outbox payload) with every string that is an instant rewritten as formatInstant
 * writes it, at any depth; everything else (local dates such as '2025-05-01', free text) as it is. Applied
 * where payloads are read, so rows stored in another form read the same as new ones.
 */
export function formatInstantsIn<T>(value: T): T {
  if (typeof value === 'string') {
    if (localInstantPattern.test(value) || !instantPattern.test(value)) return value;
    const instant = new Date(value);
    return (Number.isNaN(instant.getTime()) ? value : formatInstant(instant)) as T;
  }
  if (Array.isArray(value)) return value.map(formatInstantsIn) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = formatInstantsIn(item);
    return out as T;
  }
  return value;
}

const DAY_MS = DAY_MINUTES * MINUTE_MS;
const FORMATTED_DAYS_MAX = 20_000;
const formattedDays = new Map<number, string>();
const twoDigits = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
