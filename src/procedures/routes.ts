import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import type { IntakeTargetsCache } from '../dossiers/intake-targets.js';
import { allow } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import { bearerSecurity, errorResponses, paginate, activeFlag, codeAfter } from '../http/schemas.js';
import { createProcedure, updateProcedure } from './commands.js';
import { findProcedure, listProcedures, toProcedureResponse } from './queries.js';
import {
  CreateProcedureBody,
  ListProceduresQuery,
  Procedure,
  ProcedureCodeParams,
  ProcedurePage,
  UpdateProcedureBody,
} from './schemas.js';

const tags = ['procedures'];

const systemAdminOnly =
  'System admin only (an admin key with no unit): the catalogue is one list shared by every unit, so a ' +
  'scoped admin gets 403.';

export const procedureRoutes: FastifyPluginAsyncZod<{ db: Db; intakeTargets: IntakeTargetsCache }> = async (
  app,
  { db, intakeTargets },
) => {
  app.post('/procedures', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'createProcedure',
      summary: 'Add a procedure to the catalogue',
      description: `Adds an administrative procedure (thủ tục hành chính) with its statutory times. ${systemAdminOnly}`,
      tags,
      security: bearerSecurity,
      body: CreateProcedureBody,
      response: { 201: Procedure, ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request, reply) => {
      const row = await createProcedure(db, request.principal, request.body);
      return reply.code(201).send(toProcedureResponse(row));
    },
  });

  app.get('/procedures', {
    schema: {
      operationId: 'listProcedures',
      summary: 'List procedures',
      description: 'The shared catalogue, ordered by code; every role may read it.',
      tags,
      security: bearerSecurity,
      querystring: ListProceduresQuery,
      response: { 200: ProcedurePage, ...errorResponses(400, 401) },
    },
    handler: async (request) => {
      const q = request.query;
      const rows = await listProcedures(db, {
        fieldCode: q.fieldCode,
        active: activeFlag(q.active),
        onlineLevel: q.onlineLevel,
        q: q.q,
        after: codeAfter(q.cursor),
        limit: q.limit + 1,
      });
      return paginate(rows, q.limit, (r) => [r.code], toProcedureResponse);
    },
  });

  app.get('/procedures/:code', {
    schema: {
      operationId: 'getProcedure',
      summary: 'Get a procedure',
      description: 'Any key; inactive procedures are readable too.',
      tags,
      security: bearerSecurity,
      params: ProcedureCodeParams,
      response: { 200: Procedure, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const row = await findProcedure(db, request.params.code);
      if (!row) throw new DomainError('PROCEDURE_NOT_FOUND', { code: request.params.code });
      return toProcedureResponse(row);
    },
  });

  app.patch('/procedures/:code', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'updateProcedure',
      summary: 'Change or deactivate a procedure',
      description:
        'Any subset of the fields; the code is immutable. Dossiers already received keep the deadlines ' +
        `computed at intake. ${systemAdminOnly}`,
      tags,
      security: bearerSecurity,
      params: ProcedureCodeParams,
      body: UpdateProcedureBody,
      response: { 200: Procedure, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const procedure = await updateProcedure(db, request.principal, request.params.code, request.body);
      intakeTargets.clear();
      return toProcedureResponse(procedure);
    },
  });
};
