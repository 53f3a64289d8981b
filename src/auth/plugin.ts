import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { apiKeys, units } from '../db/schema/index.js';
import { DomainError } from '../domain/errors.js';
import { hashSecret, touchLastUsed, type Role } from './keys.js';

/** Who is calling: the API key's role and unit scope (the unit's subtree; null = everything). */
export interface Principal {
  keyId: string;
  role: Role;
  unitCode: string | null;
  scopePath: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

async function authenticate(db: Db, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw new DomainError('UNAUTHORIZED');
  const [row] = await db
    .select({ id: apiKeys.id, role: apiKeys.role, unitCode: apiKeys.unitCode, path: units.path })
    .from(apiKeys)
    .leftJoin(units, eq(units.code, apiKeys.unitCode))
    .where(and(eq(apiKeys.secretHash, hashSecret(match[1])), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) throw new DomainError('UNAUTHORIZED');
  touchLastUsed(db, row.id).catch((err: unknown) => request.log.warn({ err }, 'could not record key use'));
  return { keyId: row.id, role: row.role, unitCode: row.unitCode, scopePath: row.unitCode ? row.path : null };
}

/** Requires a valid API key on every route registered inside the plugin's scope. */
export const authPlugin = fp<{ db: Db }>(
  async (app: FastifyInstance, opts) => {
    app.decorateRequest('principal', null as unknown as Principal);
    app.addHook('onRequest', async (request) => {
      request.principal = await authenticate(opts.db, request);
    });
  },
  { name: 'motcua-auth' },
);

/** preHandler: only these roles may call the route; others get 403. */
export function allow(...allowed: Role[]): preHandlerHookHandler {
  return async (request) => {
    if (!allowed.includes(request.principal.role)) {
      throw new DomainError('FORBIDDEN', { role: request.principal.role });
    }
  };
}

/** True when a unit (by its materialised path) lies inside the caller's scope. */
export function inScope(principal: Principal, unitPath: string): boolean {
  return principal.scopePath === null || unitPath.startsWith(principal.scopePath);
}

/** SQL condition restricting a path column to the caller's scope (undefined = no restriction). */
export function scopeCondition(principal: Principal, pathColumn: AnyPgColumn | SQL): SQL | undefined {
  if (principal.scopePath === null) return undefined;
  return sql`${pathColumn} like ${escapeLike(principal.scopePath) + '%'}`;
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function isSystemAdmin(principal: Principal): boolean {
  return principal.role === 'admin' && principal.unitCode === null;
}
