import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apiKeys } from './api-keys.js';
import { units } from './units.js';

/** Webhook subscriptions: where to deliver which event types, for the dossiers of a unit subtree. */
export const webhooks = pgTable('webhooks', {
  id: uuid('id').primaryKey().defaultRandom(),
  url: text('url').notNull(),
  /** Event types or patterns: 'dossier.received', 'dossier.*', '*'. */
  events: text('events').array().notNull(),
  /** Standard Webhooks signing secret ('whsec_' + base64), shown once at creation. */
  secret: text('secret').notNull(),
  /** Scope: deliveries only for dossiers received or handled inside this unit's subtree; null = all. */
  unitCode: text('unit_code').references(() => units.code),
  createdBy: uuid('created_by').references(() => apiKeys.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  deletedAt: timestamp('deleted_at', { withTimezone: true }),
});
