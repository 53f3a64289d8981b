import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import type { IntakeTargetsCache } from '../dossiers/intake-targets.js';
import { allow } from '../auth/plugin.js';
import { bearerSecurity, errorResponses, paginate, activeFlag, codeAfter } from '../http/schemas.js';
import { createOfficer, updateOfficer } from './commands.js';
import { getOfficerInScope, listOfficers, toOfficerResponse } from './queries.js';
import {
  CreateOfficerBody,
  ListOfficersQuery,
  Officer,
  OfficerCodeParams,
  OfficerPage,
  UpdateOfficerBody,
} from './schemas.js';

const tags = ['officers'];

export const officerRoutes: FastifyPluginAsyncZod<{ db: Db; intakeTargets: IntakeTargetsCache }> = async (
  app,
  { db, intakeTargets },
) => {
  app.post('/officers', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'createOfficer',
      summary: 'Add an officer',
      description:
        'Admin keys: an officer (cán bộ) of an active unit inside your scope. A code already taken → 409 ' +
        'OFFICER_EXISTS.',
      tags,
      security: bearerSecurity,
      body: CreateOfficerBody,
      response: { 201: Officer, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => {
      const row = await createOfficer(db, request.principal, request.body);
      return reply.code(201).send(toOfficerResponse(row));
    },
  });

  app.get('/officers', {
    schema: {
      operationId: 'listOfficers',
      summary: 'List officers in scope',
      description:
        'The officers of your scope\u2019s units, by code. Every role reads them: names of staff are not ' +
        'personal data of applicants.',
      tags,
      security: bearerSecurity,
      querystring: ListOfficersQuery,
      response: { 200: OfficerPage, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const q = request.query;
      const rows = await listOfficers(db, request.principal, {
        unitCode: q.unitCode,
        active: activeFlag(q.active),
        q: q.q,
        after: codeAfter(q.cursor),
        limit: q.limit + 1,
      });
      return paginate(rows, q.limit, (r) => [r.code], toOfficerResponse);
    },
  });

  app.get('/officers/:code', {
    schema: {
      operationId: 'getOfficer',
      summary: 'Get an officer',
      description: 'An officer working outside your scope answers 404, as if there were none.',
      tags,
      security: bearerSecurity,
      params: OfficerCodeParams,
      response: { 200: Officer, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) =>
      toOfficerResponse(await getOfficerInScope(db, request.principal, request.params.code)),
  });

  app.patch('/officers/:code', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'updateOfficer',
      summary: 'Rename, move or deactivate an officer',
      description:
        'Admin keys, inside their scope. A deactivated officer may no longer act: their personal keys get 403 ' +
        'KEY_OFFICER_INACTIVE on writes, and unit-wide keys may not name them.',
      tags,
      security: bearerSecurity,
      params: OfficerCodeParams,
      body: UpdateOfficerBody,
      response: { 200: Officer, ...errorResponses(400, 401, 403, 404, 422) },
    },
    handler: async (request) => {
      const row = await updateOfficer(db, request.principal, request.params.code, request.body);
      // Intakes reuse the officers they named for a moment: this process forgets them at once (the others on the
      // signal updateOfficer sends).
      intakeTargets.clear();
      return toOfficerResponse(row);
    },
  });
};
