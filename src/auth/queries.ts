import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { apiKeys, units } from '../db/schema/index.js';
import { DomainError } from '../domain/errors.js';
import type { ApiKeyRow } from './keys.js';
import { scopeCondition, type Principal } from './plugin.js';

/** Keys visible to an admin: system admins see all; scoped admins the keys of units in their subtree. */
function keyScope(principal: Principal) {
  const cond = scopeCondition(principal, units.path);
  return cond ? and(sql`${apiKeys.unitCode} is not null`, cond) : undefined;
}

/** Up to `limit` keys of the admin's scope after the id `after`, revoked ones included, in id order. */
export async function listApiKeys(
  db: DbOrTx,
  principal: Principal,
  after: unknown,
  limit: number,
): Promise<ApiKeyRow[]> {
  const found = await db
    .select({ key: apiKeys })
    .from(apiKeys)
    .leftJoin(units, eq(units.code, apiKeys.unitCode))
    .where(and(keyScope(principal), typeof after === 'string' ? gt(apiKeys.id, after) : undefined))
    .orderBy(asc(apiKeys.id))
    .limit(limit);
  return found.map((r) => r.key);
}

/** The id of a key in the admin's scope; otherwise not found. */
export async function apiKeyInScope(db: DbOrTx, principal: Principal, id: string): Promise<string> {
  const [target] = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .leftJoin(units, eq(units.code, apiKeys.unitCode))
    .where(and(eq(apiKeys.id, id), keyScope(principal)))
    .limit(1);
  if (!target) throw new DomainError('API_KEY_NOT_FOUND', { id });
  return target.id;
}
