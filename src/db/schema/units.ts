import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, type AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * Administrative units (đơn vị) as an arbitrary tree. `path` is the materialised chain of codes from the
 * root, each followed by '/', e.g. '000.00.00.H56/000.17.22.H56/', so "inside the subtree of X" is a
 * prefix test that an index answers.
 */
export const units = pgTable(
  'units',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    parentCode: text('parent_code').references((): AnyPgColumn => units.code),
    path: text('path').notNull(),
    active: boolean('active').notNull().default(true),
    /**
     * Unit-wide keys must name the acting officer on dossiers handled (for intake: received) here or anywhere
     * below (see unitRequiresOfficer).
     */
    requireOfficer: boolean('require_officer').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('units_parent_code_idx').on(t.parentCode),
    index('units_path_idx').on(sql`${t.path} text_pattern_ops`),
  ],
);
