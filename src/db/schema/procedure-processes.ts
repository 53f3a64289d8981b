import { integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { ProcessStep } from '../../domain/steps.js';
import { instant } from './columns.js';
import { procedures } from './procedures.js';

/**
 * Internal processes (quy trình nội bộ), one row per version of a procedure's process: replacing it adds the
 * next version, so a dossier keeps the version in force when it was received (dossiers.process_version). A
 * procedure with no row has the implicit single step.
 */
export const procedureProcesses = pgTable(
  'procedure_processes',
  {
    procedureCode: text('procedure_code')
      .notNull()
      .references(() => procedures.code),
    version: integer('version').notNull(),
    /** The ordered steps as the API takes them: `[{code, name, allotment, onlineAllotment}]`. */
    steps: jsonb('steps').$type<ProcessStep[]>().notNull(),
    createdAt: instant('created_at').notNull().defaultNow(),
    /** The API key that put this version, or `cli` for the command line. */
    actorKeyId: text('actor_key_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.procedureCode, t.version] })],
);
