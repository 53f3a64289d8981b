import { date, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsUnits } from './stats-counts.js';

/**
 * The service index's own counts (Decision 766; see src/stats/service-figures.ts), per closed local day and
 * receiving and resolving unit: `digitised`, the dossiers received that day with a digitised component; `paid`
 * and `paidOnline`, the dossiers whose (last) payment was confirmed that day, and of them those paid online.
 */
export const serviceCounts = () => ({
  digitised: integer('digitised').notNull().default(0),
  paid: integer('paid').notNull().default(0),
  paidOnline: integer('paid_online').notNull().default(0),
});

export const statsServiceDaily = pgTable(
  'stats_service_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...statsUnits(),
    ...serviceCounts(),
  },
  (t) => [primaryKey({ name: 'stats_service_daily_pk', columns: [t.day, t.unitCode, t.resolvingUnitCode] })],
);
