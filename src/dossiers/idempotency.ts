// Idempotency-Key: a retried request gets the first response instead of doing the work twice.
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { idempotencyKeys } from '../db/schema/index.js';
import { DomainError } from '../domain/errors.js';

/** A key as the client sent it, owned by the API key that sent it (two API keys never share one). */
export interface IdempotencyKey {
  apiKeyId: string;
  key: string;
}

/** The keys are used by intake only, whose response is 201 Created: the status stored beside each body. */
const STORED_STATUS = 201;

/** A hash of the request's content: the same fields with the same values give the same hash, in any order. */
export function requestHash(request: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(request)))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!value || typeof value !== 'object') return value;
  const fields = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(fields)
      .sort()
      .map((k) => [k, canonical(fields[k])]),
  );
}

const keyIs = (key: IdempotencyKey) =>
  and(eq(idempotencyKeys.apiKeyId, key.apiKeyId), eq(idempotencyKeys.key, key.key));

/**
 * Runs `run` once per key, in one transaction with the key's claim and its stored response:
 * - a new key is claimed, `run` does the work and its response is stored with the request's hash;
 * - a key already answered with the same request replays the stored response (`replayed`);
 * - a key already used for another request → IDEMPOTENCY_KEY_REUSED;
 * - a key still in progress (claimed by a transaction not yet committed): the claim waits on the key's row, then
 *   replays the first response once it commits, or goes ahead itself if the first rolled back.
 */
export async function onceForKey<B>(
  db: Db,
  key: IdempotencyKey,
  request: unknown,
  run: (tx: Tx) => Promise<B>,
): Promise<{ body: B; replayed: boolean }> {
  const hash = requestHash(request);
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(idempotencyKeys)
      .values({ ...key, requestHash: hash, responseStatus: 0, responseBody: {} })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (!claimed.length) {
      const [prior] = await tx.select().from(idempotencyKeys).where(keyIs(key));
      if (!prior || prior.requestHash !== hash) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
      // Stored by this function from a B.
      return { body: prior.responseBody as B, replayed: true };
    }
    const body = await run(tx);
    await tx
      .update(idempotencyKeys)
      .set({ responseStatus: STORED_STATUS, responseBody: body })
      .where(keyIs(key));
    return { body, replayed: false };
  });
}
