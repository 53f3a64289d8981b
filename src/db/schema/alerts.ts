import { index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { dossierChildColumns } from './dossiers.js';

/** Deadline alerts: at most one per (dossier, kind, due instant), so reruns and two workers never duplicate. */
export const alerts = pgTable(
  'alerts',
  {
    ...dossierChildColumns(),
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
