import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { apiKeys } from '../db/schema/index.js';
import { announce } from '../db/cache-signals.js';

export const roles = ['admin', 'clerk', 'viewer', 'sync'] as const;
export type Role = (typeof roles)[number];

/** A new secret: 'mc_' + 32 random bytes (base64url). */
export function generateSecret(): string {
  return `mc_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretPrefix(secret: string): string {
  return secret.slice(0, 10);
}

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(
  db: DbOrTx,
  input: { name: string; role: Role; unitCode: string | null; officerCode?: string | null; secret?: string },
): Promise<{ row: ApiKeyRow; secret: string }> {
  const secret = input.secret ?? generateSecret();
  const [row] = await db
    .insert(apiKeys)
    .values({
      name: input.name,
      role: input.role,
      unitCode: input.unitCode,
      officerCode: input.officerCode ?? null,
      secretHash: hashSecret(secret),
      prefix: secretPrefix(secret),
    })
    .returning();
  return { row: row!, secret };
}

export async function findActiveKeyBySecret(db: DbOrTx, secret: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.secretHash, hashSecret(secret)), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

/** Revokes a key at once; revoking a revoked key changes nothing. */
export async function revokeApiKey(db: DbOrTx, id: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
  await announce(db, `api-key:${id}`);
}

/** Touches lastUsedAt at most once a minute per key, so reads do not turn into a write each. */
export async function touchLastUsed(db: DbOrTx, id: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, id),
        sql`(${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < now() - interval '1 minute')`,
      ),
    );
}

/**
 * Makes sure a system-admin key exists at start-up. With a configured secret: that key exists (idempotent,
 * re-activated if it was revoked). Without: when no active system-admin key exists at all, one is created and
 * its secret returned so the caller can print it once.
 */
export async function ensureSystemAdminKey(
  db: DbOrTx,
  configuredSecret: string | undefined,
): Promise<{ createdSecret: string | null }> {
  if (configuredSecret) {
    await db
      .insert(apiKeys)
      .values({
        name: 'bootstrap admin (BOOTSTRAP_ADMIN_KEY)',
        role: 'admin',
        unitCode: null,
        secretHash: hashSecret(configuredSecret),
        prefix: secretPrefix(configuredSecret),
      })
      .onConflictDoUpdate({
        target: apiKeys.secretHash,
        set: { revokedAt: null, role: 'admin', unitCode: null },
      });
    return { createdSecret: null };
  }
  const [existing] = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.unitCode), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (existing) return { createdSecret: null };
  const { secret } = await insertApiKey(db, { name: 'first system admin', role: 'admin', unitCode: null });
  return { createdSecret: secret };
}
