import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import { apiKeys, units } from '../db/schema/index.js';
import { DomainError } from '../domain/errors.js';
import { formatInstant } from '../domain/local-time.js';
import { bearerSecurity, decodeCursor, encodeCursor, errorResponses } from '../http/schemas.js';
import { findUnit } from '../units/queries.js';
import { insertApiKey, type ApiKeyRow } from './keys.js';
import { allow, inScope, isSystemAdmin, scopeCondition, type Principal } from './plugin.js';
import { ApiKeyIdParams, ApiKeyPage, CreateApiKeyBody, CreatedApiKey, ListApiKeysQuery } from './schemas.js';

const tags = ['api-keys'];

function toApiKeyResponse(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    unitCode: row.unitCode,
    prefix: row.prefix,
    createdAt: formatInstant(row.createdAt),
    lastUsedAt: row.lastUsedAt ? formatInstant(row.lastUsedAt) : null,
    revokedAt: row.revokedAt ? formatInstant(row.revokedAt) : null,
  };
}

/** The scope a new key gets: inside the creator's own scope, never wider. */
async function scopeForNewKey(db: Db, principal: Principal, unitCode: string | null | undefined) {
  if (unitCode === undefined) return principal.unitCode;
  if (unitCode === null) {
    if (!isSystemAdmin(principal))
      throw new DomainError('FORBIDDEN', {
        role: principal.role === 'admin' ? 'unit_admin' : principal.role,
      });
    return null;
  }
  const unit = await findUnit(db, unitCode);
  if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code: unitCode });
  return unit.code;
}

/** Keys visible to an admin: system admins see all; scoped admins the keys of units in their subtree. */
function keyScope(principal: Principal) {
  const cond = scopeCondition(principal, units.path);
  return cond ? and(sql`${apiKeys.unitCode} is not null`, cond) : undefined;
}

export const apiKeyRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.post('/api-keys', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'createApiKey',
      summary: 'Create an API key',
      description: 'The secret is returned once, in this response only. Keys are stored hashed.',
      tags,
      security: bearerSecurity,
      body: CreateApiKeyBody,
      response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const unitCode = await scopeForNewKey(db, request.principal, request.body.unitCode);
      const { row, secret } = await insertApiKey(db, {
        name: request.body.name,
        role: request.body.role,
        unitCode,
      });
      return reply.code(201).send({ ...toApiKeyResponse(row), key: secret });
    },
  });

  app.get('/api-keys', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'listApiKeys',
      summary: 'List API keys in scope',
      description: 'Admin keys: the keys of your scope, revoked ones included, never their secrets.',
      tags,
      security: bearerSecurity,
      querystring: ListApiKeysQuery,
      response: { 200: ApiKeyPage, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const { limit, cursor } = request.query;
      const after = decodeCursor(cursor, 1)?.[0];
      const rows = await db
        .select({ key: apiKeys })
        .from(apiKeys)
        .leftJoin(units, eq(units.code, apiKeys.unitCode))
        .where(
          and(keyScope(request.principal), typeof after === 'string' ? gt(apiKeys.id, after) : undefined),
        )
        .orderBy(asc(apiKeys.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit).map((r) => r.key);
      const last = page.at(-1);
      return {
        items: page.map(toApiKeyResponse),
        nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null,
      };
    },
  });

  app.delete('/api-keys/:id', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      description: 'The key stops working at once. Revoking twice is harmless.',
      tags,
      security: bearerSecurity,
      params: ApiKeyIdParams,
      response: { 204: z.undefined().describe('Revoked'), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const [target] = await db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .leftJoin(units, eq(units.code, apiKeys.unitCode))
        .where(and(eq(apiKeys.id, request.params.id), keyScope(request.principal)))
        .limit(1);
      if (!target) throw new DomainError('API_KEY_NOT_FOUND', { id: request.params.id });
      await db
        .update(apiKeys)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(apiKeys.id, target.id), isNull(apiKeys.revokedAt)));
      app.keyCache.forget(target.id);
      return reply.code(204).send();
    },
  });
};
