import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.js';
import { dossierChildColumns } from './dossiers.js';

/** Pause cycles: supplementation (Form 02) and financial obligations; each cycle kept. */
export const dossierPauses = pgTable(
  'dossier_pauses',
  {
    ...dossierChildColumns(),
    kind: text('kind', { enum: ['supplement', 'payment'] }).notNull(),
    policy: text('policy', { enum: ['restart', 'extend'] }).notNull(),
    pausedAt: instant('paused_at').notNull(),
    resumedAt: instant('resumed_at'),
  },
  (t) => [index('dossier_pauses_dossier_idx').on(t.dossierId, t.pausedAt)],
);
