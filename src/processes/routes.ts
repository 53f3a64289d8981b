import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import type { IntakeTargetsCache } from '../dossiers/intake-targets.js';
import { allow } from '../auth/plugin.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import { ProcedureCodeParams } from '../procedures/schemas.js';
import { replaceProcess } from './commands.js';
import { getProcess, toProcessResponse } from './queries.js';
import { Process, ProcessQuery, PutProcessBody } from './schemas.js';

const tags = ['procedures'];

export const processRoutes: FastifyPluginAsyncZod<{
  db: Db;
  intakeTargets: IntakeTargetsCache;
  /** Working minutes in one working day: what a day of allotment and of statutory time is worth. */
  dayLength: number;
}> = async (app, { db, intakeTargets, dayLength }) => {
  app.put('/procedures/:code/process', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'putProcedureProcess',
      summary: 'Replace the internal process of a procedure',
      description:
        'Puts the ordered steps of the internal process (quy trình nội bộ) as its next version. Dossiers ' +
        'received from now on follow it; those received before keep the version they were received under. The ' +
        'allotments together may not exceed the procedure’s statutory time, nor the online allotments (a step ' +
        'without one counts its allotment) the online time (400 PROCESS_EXCEEDS_STATUTORY_TIME), counted in ' +
        'working minutes with a working day of the calendar’s length. System admin only, as the catalogue.',
      tags,
      security: bearerSecurity,
      params: ProcedureCodeParams,
      body: PutProcessBody,
      response: { 200: Process, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const row = await replaceProcess(
        db,
        request.principal,
        request.params.code,
        request.body.steps,
        dayLength,
      );
      intakeTargets.clear();
      return toProcessResponse(row);
    },
  });

  app.get('/procedures/:code/process', {
    schema: {
      operationId: 'getProcedureProcess',
      summary: 'Get the internal process of a procedure',
      description:
        'The version in force, or a past one with `version`. A procedure without a process answers its implicit ' +
        `single step (\`implicit: true\`, \`version: null\`) holding the whole statutory time. Any key.`,
      tags,
      security: bearerSecurity,
      params: ProcedureCodeParams,
      querystring: ProcessQuery,
      response: { 200: Process, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => getProcess(db, request.params.code, request.query.version),
  });
};
