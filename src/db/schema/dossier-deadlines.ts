import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';
import { dossierChildColumns } from './dossiers.js';

/**
 * Deadline history: every change of a due date with the instant it took effect, so the due in force at any
 * past instant can be read back. `kind` statutory is the legal due; rescheduled is the apology's new date.
 */
export const dossierDeadlines = pgTable(
  'dossier_deadlines',
  {
    ...dossierChildColumns(),
    kind: text('kind', { enum: ['statutory', 'rescheduled'] }).notNull(),
    startAt: instant('start_at'),
    dueAt: instant('due_at').notNull(),
    effectiveAt: instant('effective_at').notNull(),
    reason: text('reason').notNull(),
    recordedAt: instant('recorded_at').notNull().defaultNow(),
  },
  (t) => [index('dossier_deadlines_dossier_idx').on(t.dossierId, t.effectiveAt)],
);
