import type { DbOrTx } from '../db/client.js';
import { buildCalendar, type Calendar, type WorkingHours } from '../domain/working-time.js';
import { calendarVersion, listAllOverrides } from './queries.js';

/**
 * The working-time calendar built from the database, rebuilt only when the overrides change. Other processes'
 * edits are noticed within `recheckMs` (a cheap count/max query); this process's own edits at once.
 */
export interface CalendarCache {
  current(db: DbOrTx): Promise<Calendar>;
  invalidate(): void;
}

export function createCalendarCache(workingHours: WorkingHours, recheckMs = 2_000): CalendarCache {
  let cached: { calendar: Calendar; version: string; checkedAt: number } | null = null;
  let building: Promise<Calendar> | null = null;

  async function rebuild(db: DbOrTx): Promise<Calendar> {
    const version = await calendarVersion(db);
    if (cached && cached.version === version) {
      cached.checkedAt = Date.now();
      return cached.calendar;
    }
    const overrides = await listAllOverrides(db);
    const calendar = buildCalendar({ overrides, workingHours });
    cached = { calendar, version, checkedAt: Date.now() };
    return calendar;
  }

  return {
    async current(db) {
      if (cached && Date.now() - cached.checkedAt < recheckMs) return cached.calendar;
      building ??= rebuild(db).finally(() => (building = null));
      return building;
    },
    invalidate() {
      if (cached) cached.checkedAt = 0;
    },
  };
}
