/**
 * The announced civil-service calendars shipped as seed data (docs/domain.md §5).
 *
 * What a row is:
 * - 'holiday': a statutory public holiday (Labour Code 2019, Art. 112). Listed even when it falls on a
 *   Saturday or Sunday, because that is what entitles a compensatory day, and the row keeps the year
 *   traceable to the announcement. The working-time engine treats weekends as non-working anyway.
 * - 'day_off': a weekday off that is not itself a statutory holiday: compensatory (nghỉ bù) or swapped
 *   (hoán đổi) days.
 * - 'working_day': a Saturday or Sunday worked in exchange for a swapped day.
 * Plain weekends inside a holiday period (e.g. Sat 25/1 and Sun 26/1/2025) have no row.
 *
 * Which of the announced Tết days are the five statutory ones follows each announcement (the Prime Minister
 * chooses them; it is not always "eve + 4 days" as the provisional generator assumes):
 * - 2024: 29 Chạp – mùng 3 (Thu 8/2 – Mon 12/2, two of them on the weekend), made up on Tue 13/2 and
 *   Wed 14/2;
 * - 2025: 28 Chạp – mùng 3 (Mon 27/1 – Fri 31/1), nothing to make up;
 * - 2026: 29 Chạp – mùng 4 (Mon 16/2 – Fri 20/2), nothing to make up.
 *
 * Sources cite a document number only where we are confident of it; otherwise they name the announcement.
 */
import type { CalendarOverride, CalendarOverrideKind } from './provisional-calendar.js';
import { HOLIDAY_NAMES } from './provisional-calendar.js';

export type CalendarYearStatus = 'provisional' | 'confirmed';

export interface SeedYear {
  year: number;
  status: CalendarYearStatus;
  days: CalendarOverride[];
}

const LAW = 'Bộ luật Lao động 2019, Điều 112';
const LAW_COMPENSATORY = 'Bộ luật Lao động 2019, Điều 111 khoản 3';

const SOURCE_2024_TET_NATIONAL_DAY =
  'Thông báo của Bộ LĐTBXH về lịch nghỉ Tết Âm lịch (Giáp Thìn) và Quốc khánh năm 2024 đối với cán bộ, công chức, viên chức';
const SOURCE_2024_MAY =
  'Công văn 2450/VPCP-KGVX ngày 12/4/2024 của Văn phòng Chính phủ (hoán đổi ngày làm việc dịp 30/4–1/5/2024)';
const SOURCE_2025 =
  'Thông báo 6150/TB-LĐTBXH (2024) của Bộ LĐTBXH; Công văn 8726/VPCP-KGVX ngày 26/11/2024 của Văn phòng Chính phủ (nghỉ Tết Ất Tỵ và các dịp lễ năm 2025)';
const SOURCE_2026_TET =
  'Government announcement for civil servants, 2026 (Tết Bính Ngọ: Sat 14/2 – Sun 22/2)';
const SOURCE_2026_NATIONAL_DAY =
  'Provisional: the extra National Day day is the generator rule (nationalDayExtraDay) under Bộ luật Lao động 2019, Điều 112; to be confirmed from the 2026 announcement';

const day = (date: string, kind: CalendarOverrideKind, name: string, source: string): CalendarOverride => ({
  date,
  kind,
  name,
  source,
});
const holiday = (date: string, name: string, source: string): CalendarOverride =>
  day(date, 'holiday', name, source);

const { newYear, tet, hungKings, victory, labour, nationalDay, compensatory } = HOLIDAY_NAMES;

export const confirmedCalendars: readonly SeedYear[] = [
  {
    year: 2024,
    status: 'confirmed',
    days: [
      holiday('2024-01-01', newYear, LAW),
      // Tết Giáp Thìn: off Thu 8/2 – Wed 14/2.
      holiday('2024-02-08', tet, SOURCE_2024_TET_NATIONAL_DAY),
      holiday('2024-02-09', tet, SOURCE_2024_TET_NATIONAL_DAY),
      holiday('2024-02-10', tet, SOURCE_2024_TET_NATIONAL_DAY),
      holiday('2024-02-11', tet, SOURCE_2024_TET_NATIONAL_DAY),
      holiday('2024-02-12', tet, SOURCE_2024_TET_NATIONAL_DAY),
      day('2024-02-13', 'day_off', `${compensatory} (${tet})`, SOURCE_2024_TET_NATIONAL_DAY),
      day('2024-02-14', 'day_off', `${compensatory} (${tet})`, SOURCE_2024_TET_NATIONAL_DAY),
      holiday('2024-04-18', hungKings, LAW),
      // Off Sat 27/4 – Wed 1/5: Mon 29/4 swapped with Sat 4/5.
      day('2024-04-29', 'day_off', 'Hoán đổi ngày làm việc (nghỉ, làm bù thứ Bảy 4/5)', SOURCE_2024_MAY),
      holiday('2024-04-30', victory, LAW),
      holiday('2024-05-01', labour, LAW),
      day('2024-05-04', 'working_day', 'Làm bù cho thứ Hai 29/4', SOURCE_2024_MAY),
      holiday('2024-09-02', nationalDay, SOURCE_2024_TET_NATIONAL_DAY),
      holiday('2024-09-03', nationalDay, SOURCE_2024_TET_NATIONAL_DAY),
    ],
  },
  {
    year: 2025,
    status: 'confirmed',
    days: [
      holiday('2025-01-01', newYear, LAW),
      // Tết Ất Tỵ: off Sat 25/1 – Sun 2/2, the weekdays 27–31/1 being the five Tết days.
      holiday('2025-01-27', tet, SOURCE_2025),
      holiday('2025-01-28', tet, SOURCE_2025),
      holiday('2025-01-29', tet, SOURCE_2025),
      holiday('2025-01-30', tet, SOURCE_2025),
      holiday('2025-01-31', tet, SOURCE_2025),
      holiday('2025-04-07', hungKings, LAW),
      // Off Wed 30/4 – Sun 4/5: Fri 2/5 swapped with Sat 26/4.
      day('2025-04-26', 'working_day', 'Làm bù cho thứ Sáu 2/5', SOURCE_2025),
      holiday('2025-04-30', victory, LAW),
      holiday('2025-05-01', labour, LAW),
      day('2025-05-02', 'day_off', 'Hoán đổi ngày làm việc (nghỉ, làm bù thứ Bảy 26/4)', SOURCE_2025),
      holiday('2025-09-01', nationalDay, SOURCE_2025),
      holiday('2025-09-02', nationalDay, SOURCE_2025),
    ],
  },
  {
    year: 2026,
    status: 'provisional',
    days: [
      holiday('2026-01-01', newYear, LAW),
      // Tết Bính Ngọ: off Sat 14/2 – Sun 22/2, the weekdays 16–20/2 being the five Tết days.
      holiday('2026-02-16', tet, SOURCE_2026_TET),
      holiday('2026-02-17', tet, SOURCE_2026_TET),
      holiday('2026-02-18', tet, SOURCE_2026_TET),
      holiday('2026-02-19', tet, SOURCE_2026_TET),
      holiday('2026-02-20', tet, SOURCE_2026_TET),
      // 10/3 Bính Ngọ is a Sunday; the compensatory day is the next working day.
      holiday('2026-04-26', hungKings, LAW),
      day('2026-04-27', 'day_off', `${compensatory} (${hungKings})`, LAW_COMPENSATORY),
      holiday('2026-04-30', victory, LAW),
      holiday('2026-05-01', labour, LAW),
      // 2/9 is a Wednesday: the generator adds Tue 1/9 (see nationalDayExtraDay).
      holiday('2026-09-01', nationalDay, SOURCE_2026_NATIONAL_DAY),
      holiday('2026-09-02', nationalDay, LAW),
    ],
  },
];

/** The seed years for the migration/seed code: fresh copies, so callers may change them freely. */
export function seedYears(): SeedYear[] {
  return confirmedCalendars.map((y) => ({
    year: y.year,
    status: y.status,
    days: y.days.map((d) => ({ ...d })),
  }));
}
