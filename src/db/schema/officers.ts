import { boolean, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { units } from './units.js';

/**
 * Officers (cán bộ, công chức): the people who act on dossiers, each working in one unit (a commune, an agency or
 * a department below them). Never deleted: events and dossiers name them; a departed officer is deactivated.
 */
export const officers = pgTable(
  'officers',
  {
    code: text('code').primaryKey(),
    fullName: text('full_name').notNull(),
    /** Lower case without diacritics ("đ" → "d"), for the accent-insensitive name filter. */
    fullNameSearch: text('full_name_search').notNull(),
    /** Chức danh, e.g. "Công chức Tư pháp - Hộ tịch". */
    title: text('title').notNull(),
    unitCode: text('unit_code')
      .notNull()
      .references(() => units.code),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('officers_unit_code_idx').on(t.unitCode, t.code)],
);
