import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { dossierChildColumns } from './dossiers.js';

/**
 * Deadline alerts. A dossier alert (due_soon, overdue) is raised at most once per (dossier, kind, due instant); a
 * step alert (step_due_soon, step_overdue) at most once per (dossier, kind, step run), however its due moves; so
 * reruns and two workers never duplicate.
 */
export const alerts = pgTable(
  'alerts',
  {
    ...dossierChildColumns(),
    kind: text('kind', { enum: ['due_soon', 'overdue', 'step_due_soon', 'step_overdue'] }).notNull(),
    /** Which date the alert is about: the statutory due, the apology's rescheduled date, or the open step's due. */
    target: text('target', { enum: ['statutory', 'rescheduled', 'step'] }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    /** Step alerts: the step run (dossier_steps.seq), its code, and who held it then (officer and unit). */
    stepSeq: integer('step_seq'),
    stepCode: text('step_code'),
    officerCode: text('officer_code'),
    unitCode: text('unit_code'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    acknowledgedBy: uuid('acknowledged_by'),
  },
  (t) => [
    uniqueIndex('alerts_dossier_kind_due_idx')
      .on(t.dossierId, t.kind, t.dueAt)
      .where(sql`${t.stepSeq} is null`),
    uniqueIndex('alerts_dossier_kind_step_idx')
      .on(t.dossierId, t.kind, t.stepSeq)
      .where(sql`${t.stepSeq} is not null`),
    index('alerts_dossier_idx').on(t.dossierId),
  ],
);
