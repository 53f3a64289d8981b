import { and, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { procedureProcesses, procedures } from '../db/schema/index.js';
import { DomainError } from '../domain/errors.js';
import { formatInstant } from '../domain/local-time.js';
import { implicitProcess, type ProcessStep } from '../domain/steps.js';
import { findProcedure, type ProcedureRow } from '../procedures/queries.js';

export type ProcessRow = typeof procedureProcesses.$inferSelect;

/** The version of a procedure's process in force now (null: none), beside a select from `procedures`. */
export const currentProcessVersion = sql<number | null>`(
  select max(${procedureProcesses.version}) from ${procedureProcesses}
  where ${procedureProcesses.procedureCode} = ${procedures.code})`;

/** The steps of that version (null: none), beside a select from `procedures`. */
export const currentProcessSteps = sql<ProcessStep[] | null>`(
  select ${procedureProcesses.steps} from ${procedureProcesses}
  where ${procedureProcesses.procedureCode} = ${procedures.code}
  order by ${procedureProcesses.version} desc limit 1)`;

/** A version of a procedure's process (the latest when `version` is absent), or undefined. */
export async function findProcessVersion(
  db: DbOrTx,
  procedureCode: string,
  version?: number,
): Promise<ProcessRow | undefined> {
  const [row] = await db
    .select()
    .from(procedureProcesses)
    .where(
      and(
        eq(procedureProcesses.procedureCode, procedureCode),
        version === undefined ? undefined : eq(procedureProcesses.version, version),
      ),
    )
    .orderBy(desc(procedureProcesses.version))
    .limit(1);
  return row;
}

/**
 * A procedure's process as the API shows it: the version asked for, or the one in force, or (with none and no
 * version asked for) the implicit single step. An unknown procedure or version is a 404.
 */
export async function getProcess(db: DbOrTx, procedureCode: string, version?: number) {
  const procedure = await findProcedure(db, procedureCode);
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND', { code: procedureCode });
  const row = await findProcessVersion(db, procedureCode, version);
  if (row) return toProcessResponse(row);
  if (version !== undefined)
    throw new DomainError('PROCESS_VERSION_NOT_FOUND', { code: procedureCode, version });
  return implicitProcessResponse(procedure);
}

const stepView = (s: ProcessStep) => ({
  code: s.code,
  name: s.name,
  allotment: s.allotment,
  onlineAllotment: s.onlineAllotment ?? null,
});

export function toProcessResponse(row: ProcessRow) {
  return {
    procedureCode: row.procedureCode,
    version: row.version,
    steps: row.steps.map(stepView),
    implicit: false,
    createdAt: formatInstant(row.createdAt),
  };
}

function implicitProcessResponse(procedure: ProcedureRow) {
  return {
    procedureCode: procedure.code,
    version: null,
    steps: implicitProcess(procedure).map(stepView),
    implicit: true,
    createdAt: null,
  };
}
