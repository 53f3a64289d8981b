import { bigint, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { dossiers } from './dossiers.js';

/**
 * One message to the applicant: one row per dossier event (its outbox row) and channel, so handling the event
 * again never makes a second one. Its id is the message's identity at the receiver (the e-mail's Message-ID,
 * the SMS body's `id`), so a message sent again after a crash can be dropped there. The address and the text
 * are kept to send it again the same; `last_error` holds only a status or error code, never personal data.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dossierId: bigint('dossier_id', { mode: 'number' })
      .notNull()
      .references(() => dossiers.id),
    outboxId: bigint('outbox_id', { mode: 'number' }).notNull(),
    /** The dossier event that caused it (the outbox type: dossier.received, dossier.rescheduled, ...). */
    event: text('event').notNull(),
    channel: text('channel', { enum: ['email', 'sms'] }).notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'retrying', 'sent', 'given_up'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    unique('notifications_once').on(t.outboxId, t.channel),
    index('notifications_dossier_idx').on(t.dossierId, t.createdAt),
    index('notifications_due_idx').on(t.status, t.nextAttemptAt),
  ],
);
