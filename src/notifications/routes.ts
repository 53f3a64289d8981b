import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { allow } from '../auth/plugin.js';
import type { Db } from '../db/client.js';
import { DossierCodeParams } from '../dossiers/schemas.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import { readDossierNotifications } from './queries.js';
import { NotificationList } from './schemas.js';

export const notificationRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get('/dossiers/:code/notifications', {
    preHandler: allow('clerk', 'sync'),
    schema: {
      operationId: 'listDossierNotifications',
      summary: 'What the applicant was sent (e-mail and SMS)',
      description:
        'One entry per notifying event (receipt, supplement request, apology, result ready, return) and channel, ' +
        'when the applicant consented and the channel is configured: its status, attempts and when it was sent, ' +
        'the address masked. Clerk and sync keys, in scope.',
      tags: ['dossiers'],
      security: bearerSecurity,
      params: DossierCodeParams,
      response: { 200: NotificationList, ...errorResponses(400, 401, 403, 404) },
    },
    handler: (request) => readDossierNotifications(db, request.principal, request.params.code),
  });
};
