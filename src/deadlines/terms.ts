import type { DbOrTx } from '../db/client.js';
import type { Duration } from '../domain/deadlines.js';

export interface DeadlineTerms {
  duration: Duration;
  receiptCutoff: string | null;
}

/** The processing time and receipt cut-off a preview uses: given directly. */
export async function deadlineTermsFor(
  _db: DbOrTx,
  body: { duration?: Duration | undefined; receiptCutoff?: string | undefined },
): Promise<DeadlineTerms> {
  return { duration: body.duration!, receiptCutoff: body.receiptCutoff ?? null };
}
