import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import { DomainError } from '../domain/errors.js';
import { formatInstant } from '../domain/local-time.js';
import { bearerSecurity, decodeCursor, errorResponses, paginate } from '../http/schemas.js';
import { checkOfficerUnder } from '../officers/commands.js';
import { findUnit } from '../units/queries.js';
import { insertApiKey, revokeApiKey, type ApiKeyRow } from './keys.js';
import { allow, inScope, isSystemAdmin, type Principal } from './plugin.js';
import { apiKeyInScope, listApiKeys } from './queries.js';
import { ApiKeyIdParams, ApiKeyPage, CreateApiKeyBody, CreatedApiKey, ListApiKeysQuery } from './schemas.js';

const tags = ['api-keys'];

function toApiKeyResponse(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    unitCode: row.unitCode,
    officerCode: row.officerCode,
    prefix: row.prefix,
    createdAt: formatInstant(row.createdAt),
    lastUsedAt: row.lastUsedAt ? formatInstant(row.lastUsedAt) : null,
    revokedAt: row.revokedAt ? formatInstant(row.revokedAt) : null,
  };
}

/** The scope a new key gets, its unit's code and path: inside the creator's own scope, never wider. */
async function scopeForNewKey(
  db: Db,
  principal: Principal,
  unitCode: string | null | undefined,
): Promise<{ unitCode: string | null; path: string | null }> {
  if (unitCode === undefined) return { unitCode: principal.unitCode, path: principal.scopePath };
  if (unitCode === null) {
    if (!isSystemAdmin(principal))
      throw new DomainError('FORBIDDEN', {
        role: principal.role === 'admin' ? 'unit_admin' : principal.role,
      });
    return { unitCode: null, path: null };
  }
  const unit = await findUnit(db, unitCode);
  if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code: unitCode });
  return { unitCode: unit.code, path: unit.path };
}

export const apiKeyRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.post('/api-keys', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'createApiKey',
      summary: 'Create an API key',
      description:
        'The secret is returned once, in this response only. Keys are stored hashed. With `officerCode`, a ' +
        'personal key: its actions are that officer\u2019s.',
      tags,
      security: bearerSecurity,
      body: CreateApiKeyBody,
      response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const { officerCode } = request.body;
      const scope = await scopeForNewKey(db, request.principal, request.body.unitCode);
      if (officerCode) await checkOfficerUnder(db, officerCode, scope.path, 'officer_in_key_unit');
      const { row, secret } = await insertApiKey(db, {
        name: request.body.name,
        role: request.body.role,
        unitCode: scope.unitCode,
        officerCode,
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
      const found = await listApiKeys(db, request.principal, after, limit + 1);
      return paginate(found, limit, (k) => [k.id], toApiKeyResponse);
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
      const id = await apiKeyInScope(db, request.principal, request.params.id);
      await revokeApiKey(db, id);
      app.keyCache.forget(id);
      return reply.code(204).send();
    },
  });
};
