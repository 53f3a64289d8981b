import { sql, type SQLWrapper } from 'drizzle-orm';
import { type AnyPgColumn, customType, timestamp } from 'drizzle-orm/pg-core';

/** PostgreSQL's 64-bit transaction id: tells which changes committed before a reader's snapshot. */
export const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/** A snapshot of which transactions a reader saw (pg_current_snapshot()), as text: xmin:xmax:xip,... */
export const pgSnapshot = customType<{ data: string }>({ dataType: () => 'pg_snapshot' });

/** An instant column: timestamp with time zone. */
export const instant = (name: string) => timestamp(name, { withTimezone: true });

/** An instant as text, the way formatInstant writes it: RFC 3339 at +07:00, whole seconds. */
export const rfc3339Of = (value: SQLWrapper) =>
  sql`(to_char(${value} at time zone interval '+07:00', 'YYYY-MM-DD"T"HH24:MI:SS') || '+07:00')`;

/** The local (Vietnam) calendar day of an instant column, as the receipt-day index holds it. */
export const localDayOf = (column: AnyPgColumn) => sql`((${column} at time zone 'Asia/Ho_Chi_Minh')::date)`;
