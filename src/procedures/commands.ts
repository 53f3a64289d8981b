import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { DbOrTx } from '../db/client.js';
import { procedures } from '../db/schema/index.js';
import { isSystemAdmin, type Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import type { Duration } from '../domain/deadlines.js';
import type { ProcedureRow } from './queries.js';
import type { CreateProcedureBody, UpdateProcedureBody } from './schemas.js';
import { announce } from '../db/cache-signals.js';

export type CreateProcedureInput = z.output<typeof CreateProcedureBody>;
export type UpdateProcedureInput = z.output<typeof UpdateProcedureBody>;

/**
 * The catalogue is one list shared by every unit (procedures are issued nationally and by the province), so
 * only the system admin edits it; a scoped admin editing it would change every other unit's deadlines.
 */
export function assertSystemAdmin(principal: Principal): void {
  if (!isSystemAdmin(principal))
    throw new DomainError('FORBIDDEN', { role: principal.role === 'admin' ? 'unit_admin' : principal.role });
}

function onlineColumns(d: Duration | null) {
  return { onlineDurationValue: d?.value ?? null, onlineDurationUnit: d?.unit ?? null };
}

export async function createProcedure(
  db: DbOrTx,
  principal: Principal,
  input: CreateProcedureInput,
): Promise<ProcedureRow> {
  assertSystemAdmin(principal);
  const [row] = await db
    .insert(procedures)
    .values({
      code: input.code,
      name: input.name,
      fieldCode: input.field.code,
      fieldName: input.field.name,
      durationValue: input.duration.value,
      durationUnit: input.duration.unit,
      ...onlineColumns(input.onlineDuration ?? null),
      receiptCutoff: input.receiptCutoff ?? null,
      supplementPolicy: input.supplementPolicy,
      onlineLevel: input.onlineLevel,
      fee: input.fee ?? null,
      active: input.active,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new DomainError('PROCEDURE_ALREADY_EXISTS', { code: input.code });
  return row;
}

/** Changes the given fields only; null clears onlineDuration, receiptCutoff and fee. */
export async function updateProcedure(
  db: DbOrTx,
  principal: Principal,
  code: string,
  patch: UpdateProcedureInput,
): Promise<ProcedureRow> {
  assertSystemAdmin(principal);
  const [row] = await db
    .update(procedures)
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.field !== undefined ? { fieldCode: patch.field.code, fieldName: patch.field.name } : {}),
      ...(patch.duration !== undefined
        ? { durationValue: patch.duration.value, durationUnit: patch.duration.unit }
        : {}),
      ...(patch.onlineDuration !== undefined ? onlineColumns(patch.onlineDuration) : {}),
      ...(patch.receiptCutoff !== undefined ? { receiptCutoff: patch.receiptCutoff } : {}),
      ...(patch.supplementPolicy !== undefined ? { supplementPolicy: patch.supplementPolicy } : {}),
      ...(patch.onlineLevel !== undefined ? { onlineLevel: patch.onlineLevel } : {}),
      ...(patch.fee !== undefined ? { fee: patch.fee } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(procedures.code, code))
    .returning();
  await announce(db, 'intake-targets');
  if (!row) throw new DomainError('PROCEDURE_NOT_FOUND', { code });
  return row;
}
