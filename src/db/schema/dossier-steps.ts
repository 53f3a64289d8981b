import { index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';
import { dossierChildColumns } from './dossiers.js';
import { officers } from './officers.js';
import { units } from './units.js';

/** A pause inside a step as stored: RFC 3339 instants, `to` null while the pause lasts. */
export interface StoredPauseSpan {
  from: string;
  to: string | null;
  /** The step's due when the pause began (absent on pauses stored before it was kept). */
  dueBefore?: string;
}

/**
 * The step clock's rows (src/domain/steps.ts): one per step run of a dossier, in the order the steps started,
 * the rows of the control slip (Form 06). The open one (no end) moves on each pause, resume and handover; a
 * finished one never changes again, whatever the calendar does later.
 */
export const dossierSteps = pgTable(
  'dossier_steps',
  {
    ...dossierChildColumns(),
    /** 1, 2, … in the order the steps started. */
    seq: integer('seq').notNull(),
    stepCode: text('step_code').notNull(),
    stepName: text('step_name').notNull(),
    /** The step's allotment for the dossier's channel, in working minutes. */
    allotmentMinutes: integer('allotment_minutes').notNull(),
    /** The unit holding the dossier during the step. */
    unitCode: text('unit_code')
      .notNull()
      .references(() => units.code),
    /** Who handed the dossier over into the step (null for step 1, the receipt). */
    fromUnitCode: text('from_unit_code').references(() => units.code),
    fromOfficerCode: text('from_officer_code').references(() => officers.code),
    /** Who holds it during the step (null: nobody named). */
    toOfficerCode: text('to_officer_code').references(() => officers.code),
    /**
     * When the handover that started the step was made (for step 1, the receipt or the acceptance), as entered:
     * the step itself starts no earlier than the dossier's clock (`start_at`).
     */
    handedOverAt: instant('handed_over_at').notNull(),
    startAt: instant('start_at').notNull(),
    /** start + allotment + paused working time; moves on each resume while the step is open. */
    dueAt: instant('due_at').notNull(),
    endAt: instant('end_at'),
    outcome: text('outcome', { enum: ['early', 'on_time', 'overdue'] }),
    /** Working minutes of the finished pauses inside the step. */
    pausedMinutes: integer('paused_minutes').notNull().default(0),
    /** The pauses inside the step, kept so a calendar change can count them again. */
    pauses: jsonb('pauses').$type<StoredPauseSpan[]>().notNull().default([]),
    note: text('note'),
  },
  (t) => [
    uniqueIndex('dossier_steps_dossier_seq_idx').on(t.dossierId, t.seq),
    // The statistics' step figures: the step runs ended in a range of days, and those still open (null end).
    index('dossier_steps_end_idx').on(t.endAt),
  ],
);
