import { sql } from 'drizzle-orm';
import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { xid8 } from './columns.js';

/** How far each outbox reader has read, as a (txid, id) position: see src/jobs/relay.ts. */
export const outboxCursors = pgTable('outbox_cursors', {
  name: text('name').primaryKey(),
  lastTxid: xid8('last_txid')
    .notNull()
    .default(sql`'0'::xid8`),
  lastId: bigint('last_id', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
