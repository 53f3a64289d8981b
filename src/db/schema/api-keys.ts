import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { officers } from './officers.js';
import { units } from './units.js';

/** API keys. Only the SHA-256 of the secret is stored; the secret is shown once at creation. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    role: text('role', { enum: ['admin', 'clerk', 'viewer', 'sync'] }).notNull(),
    /** Scope: this unit and its subtree; null = the whole system. */
    unitCode: text('unit_code').references(() => units.code),
    /** A personal key's officer: its actions are that officer's. Null = a unit-wide key. */
    officerCode: text('officer_code').references(() => officers.code),
    secretHash: text('secret_hash').notNull().unique(),
    /** The first characters of the secret, so people can tell keys apart. */
    prefix: text('prefix').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_unit_code_idx').on(t.unitCode)],
);
