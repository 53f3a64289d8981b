import type { DbOrTx } from '../db/client.js';
import { cutoffMinute, durationForChannel, type Channel, type Duration } from '../domain/deadlines.js';
import { DomainError } from '../domain/errors.js';
import { fieldError } from '../http/messages.js';
import { findProcedure } from '../procedures/queries.js';

export interface DeadlineTerms {
  duration: Duration;
  /** The receipt cut-off as a minute of day, null for none. */
  cutoff: number | null;
}

/**
 * The processing time and receipt cut-off a preview uses: the procedure's (its online time for the online
 * channel when it has one, and its cut-off) when a procedure code is given, else the ones given directly.
 */
export async function deadlineTermsFor(
  db: DbOrTx,
  body: {
    procedureCode?: string | undefined;
    duration?: Duration | undefined;
    receiptCutoff?: string | undefined;
    channel?: Channel | undefined;
  },
): Promise<DeadlineTerms> {
  if (body.procedureCode === undefined) {
    if (!body.duration) {
      throw fieldError('body.duration', 'procedure_or_duration');
    }
    return { duration: body.duration, cutoff: cutoffMinute(body.receiptCutoff ?? null) };
  }
  const procedure = await findProcedure(db, body.procedureCode);
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND', { code: body.procedureCode });
  return {
    duration: durationForChannel(procedure, body.channel),
    cutoff: cutoffMinute(procedure.receiptCutoff),
  };
}
