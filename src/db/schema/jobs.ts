import { sql } from 'drizzle-orm';
import {
  bigint,
  customType,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { dossiers } from './dossiers.js';

const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/** How far each outbox reader has read, as a (txid, id) position: see src/jobs/relay.ts. */
export const outboxCursors = pgTable('outbox_cursors', {
  name: text('name').primaryKey(),
  lastTxid: xid8('last_txid')
    .notNull()
    .default(sql`'0'::xid8`),
  lastId: bigint('last_id', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Small state the scheduled jobs keep between runs (e.g. how far the alert scan has looked). */
export const jobState = pgTable('job_state', {
  name: text('name').primaryKey(),
  value: jsonb('value').$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Deadline alerts: at most one per (dossier, kind, due instant), so reruns and two workers never duplicate. */
export const alerts = pgTable(
  'alerts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    dossierId: bigint('dossier_id', { mode: 'number' })
      .notNull()
      .references(() => dossiers.id),
    kind: text('kind', { enum: ['due_soon', 'overdue'] }).notNull(),
    /** Which date the alert is about: the statutory due or the apology's rescheduled date. */
    target: text('target', { enum: ['statutory', 'rescheduled'] }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    acknowledgedBy: uuid('acknowledged_by'),
  },
  (t) => [
    unique('alerts_dossier_kind_due_unique').on(t.dossierId, t.kind, t.dueAt),
    index('alerts_dossier_idx').on(t.dossierId),
  ],
);
