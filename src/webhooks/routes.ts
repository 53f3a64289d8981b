import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { allow } from '../auth/plugin.js';
import { formatInstant } from '../domain/local-time.js';
import { bearerSecurity, decodeCursor, errorResponses, pageOf, paginate } from '../http/schemas.js';
import { createWebhook, deleteWebhook, redeliver } from './commands.js';
import { newWebhookSecret } from './delivery.js';
import {
  listDeliveries,
  listWebhooks,
  visibleWebhook,
  type DeliveryRow,
  type WebhookRow,
} from './queries.js';
import {
  CreatedWebhook,
  CreateWebhookBody,
  Delivery,
  DeliveryParams,
  IdParams,
  ListDeliveriesQuery,
  ListWebhooksQuery,
  WebhookSchema,
} from './schemas.js';

const tags = ['webhooks'];

const toWebhook = (w: WebhookRow) => ({
  id: w.id,
  url: w.url,
  events: w.events,
  unitCode: w.unitCode,
  createdAt: formatInstant(w.createdAt),
});
const toDelivery = (d: DeliveryRow) => ({
  id: d.id,
  type: d.type,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? formatInstant(d.nextAttemptAt) : null,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: formatInstant(d.createdAt),
  deliveredAt: d.deliveredAt ? formatInstant(d.deliveredAt) : null,
});

export const webhookRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  const who = allow('sync', 'admin');

  app.post('/webhooks', {
    preHandler: who,
    schema: {
      operationId: 'createWebhook',
      summary: 'Subscribe a webhook',
      description:
        'Deliveries follow the Standard Webhooks specification: headers webhook-id, webhook-timestamp and ' +
        'webhook-signature (v1,<base64 HMAC-SHA256 of "id.timestamp.body">, keyed with the secret), body ' +
        '{type, occurredAt, data}. At least once, retried with exponential back-off for about 23 hours. The ' +
        'subscription covers the dossiers of the key\u2019s scope.',
      tags,
      security: bearerSecurity,
      body: CreateWebhookBody,
      response: { 201: CreatedWebhook, ...errorResponses(400, 401, 403) },
    },
    handler: async (request, reply) => {
      const secret = newWebhookSecret();
      const row = await createWebhook(db, request.principal, { ...request.body, secret });
      return reply.code(201).send({ ...toWebhook(row), secret });
    },
  });

  app.get('/webhooks', {
    preHandler: who,
    schema: {
      operationId: 'listWebhooks',
      summary: 'List webhooks in scope',
      description: 'Subscriptions of your scope, newest first, without their secrets.',
      tags,
      security: bearerSecurity,
      querystring: ListWebhooksQuery,
      response: { 200: pageOf(WebhookSchema, 'WebhookPage'), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const { limit, cursor } = request.query;
      const before = decodeCursor(cursor, 1)?.[0];
      const found = await listWebhooks(db, request.principal, before, limit + 1);
      return paginate(found, limit, (w) => [w.id], toWebhook);
    },
  });

  app.delete('/webhooks/:id', {
    preHandler: who,
    schema: {
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook',
      description: 'No further deliveries are made; pending ones are marked failed.',
      tags,
      security: bearerSecurity,
      params: IdParams,
      response: { 204: z.undefined().describe('Deleted'), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const w = await visibleWebhook(db, request.principal, request.params.id);
      await deleteWebhook(db, w.id);
      return reply.code(204).send();
    },
  });

  app.get('/webhooks/:id/deliveries', {
    preHandler: who,
    schema: {
      operationId: 'listWebhookDeliveries',
      summary: 'Deliveries of a webhook',
      description: 'Newest first; status=failed lists those that gave up after the retry window.',
      tags,
      security: bearerSecurity,
      params: IdParams,
      querystring: ListDeliveriesQuery,
      response: { 200: pageOf(Delivery, 'WebhookDeliveryPage'), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const w = await visibleWebhook(db, request.principal, request.params.id);
      const { status, limit, cursor } = request.query;
      const before = decodeCursor(cursor, 2);
      const found = await listDeliveries(db, w.id, { status, before }, limit + 1);
      return paginate(found, limit, (d) => [d.createdAt.toISOString(), d.id], toDelivery);
    },
  });

  app.post('/webhooks/:id/deliveries/:deliveryId/redeliver', {
    preHandler: who,
    schema: {
      operationId: 'redeliverWebhookDelivery',
      summary: 'Deliver again',
      description: 'Queues the delivery again now, with a fresh retry window (same webhook-id).',
      tags,
      security: bearerSecurity,
      params: DeliveryParams,
      response: { 202: Delivery, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const w = await visibleWebhook(db, request.principal, request.params.id);
      const row = await redeliver(db, w.id, request.params.deliveryId);
      return reply.code(202).send(toDelivery(row));
    },
  });
};
