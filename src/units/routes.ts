import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import type { IntakeTargetsCache } from '../dossiers/intake-targets.js';
import type { UnitTreeCache } from './tree-cache.js';
import { allow, inScope } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import { bearerSecurity, errorResponses, paginate, activeFlag, codeAfter } from '../http/schemas.js';
import { createUnit, updateUnit } from './commands.js';
import { findUnit, listUnits, toUnitResponse } from './queries.js';
import { CreateUnitBody, ListUnitsQuery, Unit, UnitCodeParams, UnitPage, UpdateUnitBody } from './schemas.js';

const tags = ['units'];

export const unitRoutes: FastifyPluginAsyncZod<{
  db: Db;
  intakeTargets: IntakeTargetsCache;
  unitTree: UnitTreeCache;
}> = async (app, { db, intakeTargets, unitTree }) => {
  app.post('/units', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'createUnit',
      summary: 'Create a unit',
      description: 'Adds a unit under a parent inside your scope. Root units: system admin only.',
      tags,
      security: bearerSecurity,
      body: CreateUnitBody,
      response: { 201: Unit, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => {
      const row = await createUnit(db, request.principal, request.body);
      unitTree.clear();
      return reply.code(201).send(toUnitResponse(row));
    },
  });

  app.get('/units', {
    schema: {
      operationId: 'listUnits',
      summary: 'List units in scope',
      description:
        'The units of your scope (your unit and its subtree; everything for a system admin), by code.',
      tags,
      security: bearerSecurity,
      querystring: ListUnitsQuery,
      response: { 200: UnitPage, ...errorResponses(400, 401) },
    },
    handler: async (request) => {
      const q = request.query;
      const rows = await listUnits(db, request.principal, {
        parentCode: q.parentCode,
        active: activeFlag(q.active),
        after: codeAfter(q.cursor),
        limit: q.limit + 1,
      });
      return paginate(rows, q.limit, (r) => [r.code], toUnitResponse);
    },
  });

  app.get('/units/:code', {
    schema: {
      operationId: 'getUnit',
      summary: 'Get a unit',
      description: 'A unit outside your scope answers 404, as if it did not exist.',
      tags,
      security: bearerSecurity,
      params: UnitCodeParams,
      response: { 200: Unit, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const row = await findUnit(db, request.params.code);
      if (!row || !inScope(request.principal, row.path)) {
        throw new DomainError('UNIT_NOT_FOUND', { code: request.params.code });
      }
      return toUnitResponse(row);
    },
  });

  app.patch('/units/:code', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'updateUnit',
      summary: 'Rename, move or deactivate a unit',
      description:
        'Admin keys, inside their scope. A move takes the subtree along; a move under its own subtree → 422.',
      tags,
      security: bearerSecurity,
      params: UnitCodeParams,
      body: UpdateUnitBody,
      response: { 200: Unit, ...errorResponses(400, 401, 403, 404, 422) },
    },
    handler: async (request) => {
      const unit = await updateUnit(db, request.principal, request.params.code, request.body);
      intakeTargets.clear();
      unitTree.clear();
      // A move changes the scope paths of keys in the subtree: authenticate them afresh.
      if (request.body.parentCode !== undefined) app.keyCache.clear();
      return toUnitResponse(unit);
    },
  });
};
