import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { inSubtree } from '../db/sql.js';
import { apiKeys, units } from '../db/schema/index.js';
import { DomainError } from '../domain/errors.js';
import { TtlCache } from '../lib/ttl-cache.js';
import { hashSecret, touchLastUsed, type Role } from './keys.js';

/**
 * Who is calling: the API key's role and unit scope (the unit's subtree; null = everything) and, for a personal
 * key, its officer (absent or null: a unit-wide key, which names the acting officer per request).
 */
export interface Principal {
  keyId: string;
  role: Role;
  unitCode: string | null;
  scopePath: string | null;
  officerCode?: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyInstance {
    /** This process's cache of authenticated keys (see KeyCache). */
    keyCache: KeyCache;
  }
}

/** How long an authenticated key is trusted without asking the database again. */
export const KEY_CACHE_TTL_MS = 10_000;
const KEY_CACHE_MAX_ENTRIES = 10_000;

/**
 * Authenticated keys by secret hash, each kept for `ttlMs`, so a request costs no key lookup. Only valid keys
 * are kept (unknown secrets always go to the database). A revocation, made through any process, is announced
 * as a cache signal (src/db/cache-signals.ts) that makes every API process forget the key at once; `ttlMs` bounds
 * how long one goes unnoticed while a process cannot hear the signals.
 */
export class KeyCache extends TtlCache<string, Principal> {
  constructor(ttlMs: number = KEY_CACHE_TTL_MS, now: () => number = Date.now) {
    super(ttlMs, now, KEY_CACHE_MAX_ENTRIES);
  }

  /** Forgets a key (after it was revoked). */
  forget(keyId: string): void {
    this.deleteWhere((principal) => principal.keyId === keyId);
  }
}

async function authenticate(db: Db, cache: KeyCache, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw new DomainError('UNAUTHORIZED');
  const secretHash = hashSecret(match[1]);
  const cached = cache.get(secretHash);
  if (cached) return cached;
  const [row] = await db
    .select({
      id: apiKeys.id,
      role: apiKeys.role,
      unitCode: apiKeys.unitCode,
      officerCode: apiKeys.officerCode,
      path: units.path,
    })
    .from(apiKeys)
    .leftJoin(units, eq(units.code, apiKeys.unitCode))
    .where(and(eq(apiKeys.secretHash, secretHash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) throw new DomainError('UNAUTHORIZED');
  // Recorded when the key is (re)loaded, i.e. at most once per TTL; touchLastUsed itself writes once a minute.
  touchLastUsed(db, row.id).catch((err: unknown) => request.log.warn({ err }, 'could not record key use'));
  const principal: Principal = {
    keyId: row.id,
    role: row.role,
    unitCode: row.unitCode,
    scopePath: row.unitCode ? row.path : null,
    // Whether the officer is still active is checked by each write itself, never taken from here.
    officerCode: row.officerCode,
  };
  cache.set(secretHash, principal);
  return principal;
}

/** Requires a valid API key on every route registered inside the plugin's scope, cached in `keyCache`. */
export const authPlugin = fp<{ db: Db; keyCache: KeyCache }>(
  async (app: FastifyInstance, opts) => {
    const cache = opts.keyCache;
    app.decorate('keyCache', cache);
    // Declared empty (the onRequest hook below sets it before any handler runs); no other decorator needed.
    app.decorateRequest('principal', null, []);
    app.addHook('onRequest', async (request, reply) => {
      try {
        request.principal = await authenticate(opts.db, cache, request);
      } catch (err) {
        // Failed attempts count against the client IP, so guessing keys hits the rate limit (429) too.
        if (app.countRequest && err instanceof DomainError) await app.countRequest(request, reply);
        throw err;
      }
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
  return inSubtree(pathColumn, principal.scopePath);
}

/** Viewer keys (read-only dashboards) see applicants' personal data masked and may not look a person up. */
export function readsMasked(principal: Principal): boolean {
  return principal.role === 'viewer';
}

export function isSystemAdmin(principal: Principal): boolean {
  return principal.role === 'admin' && principal.unitCode === null;
}
