import { and, asc, between, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { calendarDays, calendarYears } from '../db/schema/index.js';
import { announce } from '../db/cache-signals.js';

export type CalendarDayRow = typeof calendarDays.$inferSelect;

export async function findYear(db: DbOrTx, year: number) {
  const [row] = await db.select().from(calendarYears).where(eq(calendarYears.year, year)).limit(1);
  return row;
}

export async function listDaysOfYear(db: DbOrTx, year: number): Promise<CalendarDayRow[]> {
  return db
    .select()
    .from(calendarDays)
    .where(between(calendarDays.date, `${year}-01-01`, `${year}-12-31`))
    .orderBy(asc(calendarDays.date));
}

export async function listAllOverrides(db: DbOrTx) {
  return db.select({ date: calendarDays.date, kind: calendarDays.kind }).from(calendarDays);
}

/** Changes whenever a day is added, edited or removed: the row count and the newest edit. */
export async function calendarVersion(db: DbOrTx): Promise<string> {
  const [row] = await db
    .select({
      n: sql<number>`count(*)::int`,
      latest: sql<string | null>`max(${calendarDays.updatedAt})::text`,
    })
    .from(calendarDays);
  return `${row?.n ?? 0}|${row?.latest ?? ''}`;
}

export async function upsertDay(
  db: DbOrTx,
  day: { date: string; kind: 'holiday' | 'day_off' | 'working_day'; name: string; source: string },
): Promise<CalendarDayRow> {
  const [row] = await db
    .insert(calendarDays)
    .values({ ...day, updatedAt: sql`clock_timestamp()` })
    .onConflictDoUpdate({
      target: calendarDays.date,
      set: { kind: day.kind, name: day.name, source: day.source, updatedAt: sql`clock_timestamp()` },
    })
    .returning();
  await announce(db, 'calendar');
  return row!;
}

export async function deleteDay(db: DbOrTx, date: string): Promise<boolean> {
  const rows = await db
    .delete(calendarDays)
    .where(and(eq(calendarDays.date, date)))
    .returning({ date: calendarDays.date });
  if (rows.length) await announce(db, 'calendar');
  return rows.length > 0;
}

export async function setYearStatus(db: DbOrTx, year: number, status: 'provisional' | 'confirmed') {
  const [row] = await db
    .insert(calendarYears)
    .values({ year, status })
    .onConflictDoUpdate({ target: calendarYears.year, set: { status, updatedAt: sql`now()` } })
    .returning();
  return row!;
}
