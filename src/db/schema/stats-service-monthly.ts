import { date, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { statsUnits } from './stats-counts.js';
import { serviceCounts } from './stats-service-daily.js';

/** The service index's counts per month (first day of the month), summed from stats_service_daily. */
export const statsServiceMonthly = pgTable(
  'stats_service_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...statsUnits(),
    ...serviceCounts(),
  },
  (t) => [
    primaryKey({ name: 'stats_service_monthly_pk', columns: [t.month, t.unitCode, t.resolvingUnitCode] }),
  ],
);
