import { eq, max } from 'drizzle-orm';
import type { z } from 'zod';
import type { DbOrTx } from '../db/client.js';
import { procedureProcesses, procedures } from '../db/schema/index.js';
import type { Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import { processExcess } from '../domain/steps.js';
import { assertSystemAdmin } from '../procedures/commands.js';
import type { ProcessRow } from './queries.js';
import type { PutProcessBody } from './schemas.js';
import { announce } from '../db/cache-signals.js';

export type ProcessSteps = z.output<typeof PutProcessBody>['steps'];

/**
 * Replaces a procedure's internal process: the steps become the next version, which dossiers received from now
 * on follow (those received before keep theirs). The allotments must fit the procedure's statutory and online
 * times, counted in working minutes of a `dayLength`-minute working day. The procedure's row is locked while
 * the version is numbered, so two replacements at once get consecutive versions. System admin only, as the
 * catalogue.
 */
export async function replaceProcess(
  db: DbOrTx,
  principal: Principal,
  procedureCode: string,
  steps: ProcessSteps,
  dayLength: number,
): Promise<ProcessRow> {
  assertSystemAdmin(principal);
  return db.transaction(async (tx) => {
    const [procedure] = await tx
      .select()
      .from(procedures)
      .where(eq(procedures.code, procedureCode))
      .for('update');
    if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND', { code: procedureCode });
    const excess = processExcess(steps, procedure, dayLength);
    if (excess) {
      throw new DomainError('PROCESS_EXCEEDS_STATUTORY_TIME', { code: procedureCode, ...excess, dayLength });
    }
    const [latest] = await tx
      .select({ version: max(procedureProcesses.version) })
      .from(procedureProcesses)
      .where(eq(procedureProcesses.procedureCode, procedureCode));
    const [row] = await tx
      .insert(procedureProcesses)
      .values({
        procedureCode,
        version: (latest?.version ?? 0) + 1,
        steps: steps.map((s) => ({ ...s, onlineAllotment: s.onlineAllotment ?? null })),
        actorKeyId: principal.keyId,
      })
      .returning();
    // Intakes in every API process take the new version from now on.
    await announce(tx, 'intake-targets');
    return row!;
  });
}
