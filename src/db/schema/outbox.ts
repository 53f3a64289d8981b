import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { xid8 } from './columns.js';

/**
 * Transactional outbox: written in the same transaction as the change it announces; the worker relays it to
 * the queues and the change feed reads it. `txid` lets readers respect commit order.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    type: text('type').notNull(),
    dossierId: bigint('dossier_id', { mode: 'number' }),
    unitCode: text('unit_code'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    txid: xid8('txid')
      .notNull()
      .default(sql`pg_current_xact_id()`),
  },
  (t) => [index('outbox_txid_idx').on(t.txid, t.id)],
);
