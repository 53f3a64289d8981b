import type { DbOrTx } from '../db/client.js';
import { buildCalendar, type Calendar, type WorkingHours } from '../domain/working-time.js';
import { TtlCache } from '../lib/ttl-cache.js';
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
  /** The calendar last built, with the overrides' version it was built from. */
  let built: { calendar: Calendar; version: string } | null = null;
  /** The built calendar while it is known current: for `recheckMs` after a check found it so. */
  const checked = new TtlCache<'calendar', Calendar>(recheckMs);
  let building: Promise<Calendar> | null = null;

  async function rebuild(db: DbOrTx): Promise<Calendar> {
    const version = await calendarVersion(db);
    if (built?.version !== version) {
      const overrides = await listAllOverrides(db);
      built = { calendar: buildCalendar({ overrides, workingHours }), version };
    }
    checked.set('calendar', built.calendar);
    return built.calendar;
  }

  return {
    async current(db) {
      const calendar = checked.get('calendar');
      if (calendar) return calendar;
      building ??= rebuild(db).finally(() => (building = null));
      return building;
    },
    invalidate() {
      checked.clear();
    },
  };
}
