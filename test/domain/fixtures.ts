/**
 * The announced civil-service calendars of 2024–2026 (docs/domain.md §5), written out by hand so the
 * deadline tests do not depend on the seed or on the provisional-calendar generator.
 */
import { buildCalendar, type CalendarOverrideInput } from '../../src/domain/working-time.js';

const holiday = (...dates: string[]): CalendarOverrideInput[] =>
  dates.map((date) => ({ date, kind: 'holiday' }));
const dayOff = (...dates: string[]): CalendarOverrideInput[] =>
  dates.map((date) => ({ date, kind: 'day_off' }));
const workingDay = (...dates: string[]): CalendarOverrideInput[] =>
  dates.map((date) => ({ date, kind: 'working_day' }));

export const overrides2024: CalendarOverrideInput[] = [
  ...holiday('2024-01-01'),
  // Tết Giáp Thìn: Thu 8/2 – Wed 14/2.
  ...holiday('2024-02-08', '2024-02-09', '2024-02-12', '2024-02-13', '2024-02-14'),
  ...holiday('2024-04-18'), // Hùng Kings (10/3 lunar)
  // 30/4–1/5: off Sat 27/4 – Wed 1/5; Mon 29/4 swapped for the worked Saturday 4/5.
  ...holiday('2024-04-30', '2024-05-01'),
  ...dayOff('2024-04-29'),
  ...workingDay('2024-05-04'),
  ...holiday('2024-09-02', '2024-09-03'),
];

export const overrides2025: CalendarOverrideInput[] = [
  ...holiday('2025-01-01'),
  // Tết Ất Tỵ: Sat 25/1 – Sun 2/2, weekdays 27–31/1 off.
  ...holiday('2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'),
  ...holiday('2025-04-07'), // Hùng Kings
  // 30/4–1/5: off Wed 30/4 – Sun 4/5; Fri 2/5 swapped for the worked Saturday 26/4.
  ...holiday('2025-04-30', '2025-05-01'),
  ...dayOff('2025-05-02'),
  ...workingDay('2025-04-26'),
  ...holiday('2025-09-01', '2025-09-02'),
];

export const overrides2026: CalendarOverrideInput[] = [
  ...holiday('2026-01-01'),
  // Tết Bính Ngọ: Sat 14/2 – Sun 22/2, weekdays 16–20/2 off.
  ...holiday('2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'),
  // Hùng Kings falls on Sunday 26/4: Monday 27/4 is the compensatory day off.
  ...dayOff('2026-04-27'),
  ...holiday('2026-04-30', '2026-05-01'),
  // National Day: 2/9; the adjacent day is not announced yet, so only 2/9 here.
  ...holiday('2026-09-02'),
];

export const overrides2024To2026 = [...overrides2024, ...overrides2025, ...overrides2026];

/** The 2024–2026 calendar with the default hours 07:30–11:30, 13:00–17:00. */
export const vnCalendar = buildCalendar({ overrides: overrides2024To2026 });

/** Instants print as RFC 3339 with +07:00, so expectations read as local times. */
export { formatInstant as local } from '../../src/domain/local-time.js';
