import { date, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/** Per unit and local day, the last number handed out; rolled back with its intake, so codes have no gaps. */
export const dossierCodeCounters = pgTable(
  'dossier_code_counters',
  {
    unitCode: text('unit_code').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.unitCode, t.day] })],
);
