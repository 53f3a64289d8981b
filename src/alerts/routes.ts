import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import { allow } from '../auth/plugin.js';
import { formatInstant } from '../domain/local-time.js';
import { bearerSecurity, decodeCursor, errorResponses, pageOf, paginate } from '../http/schemas.js';
import { acknowledgeAlert } from './commands.js';
import { alertInScope, listAlerts, subtreePath, type AlertView } from './queries.js';
import { Alert, AlertParams, ListAlertsQuery } from './schemas.js';

const toAlert = ({ a, code }: AlertView) => ({
  id: a.id,
  kind: a.kind,
  target: a.target,
  dossierCode: code,
  dueAt: formatInstant(a.dueAt),
  stepCode: a.stepCode,
  officerCode: a.officerCode,
  unitCode: a.unitCode,
  createdAt: formatInstant(a.createdAt),
  acknowledgedAt: a.acknowledgedAt ? formatInstant(a.acknowledgedAt) : null,
});

export const alertRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get('/alerts', {
    schema: {
      operationId: 'listAlerts',
      summary: 'Deadline alerts',
      description:
        'due_soon and overdue alerts raised by the worker for the statutory and the rescheduled date, at most one ' +
        'per dossier, kind and due instant; step_due_soon and step_overdue for the step of the internal process ' +
        'running, at most one per step run and kind, naming the step and who held it. Newest first.',
      tags: ['alerts'],
      security: bearerSecurity,
      querystring: ListAlertsQuery,
      response: { 200: pageOf(Alert, 'AlertPage'), ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const { unitCode, cursor, limit, ...filter } = request.query;
      const path = await subtreePath(db, request.principal, unitCode);
      const before = decodeCursor(cursor, 1)?.[0];
      const found = await listAlerts(db, path, { ...filter, before }, limit + 1);
      return paginate(found, limit, (v) => [v.a.id], toAlert);
    },
  });

  app.post('/alerts/:id/ack', {
    preHandler: allow('clerk'),
    schema: {
      operationId: 'acknowledgeAlert',
      summary: 'Acknowledge an alert',
      description: 'Marks the alert seen; acknowledging again keeps the first acknowledgement.',
      tags: ['alerts'],
      security: bearerSecurity,
      params: AlertParams,
      response: { 200: Alert, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const view = await alertInScope(db, request.principal, request.params.id);
      return toAlert(await acknowledgeAlert(db, view, request.principal.keyId));
    },
  });
};
