import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { units, webhookDeliveries, webhooks } from '../db/schema/index.js';
import { allow, inScope, scopeCondition, type Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import { formatInstant } from '../domain/local-time.js';
import {
  bearerSecurity,
  CursorQuery,
  decodeCursor,
  encodeCursor,
  errorResponses,
  InstantString,
  LimitQuery,
  pageOf,
} from '../http/schemas.js';
import { newWebhookSecret } from './delivery.js';

const tags = ['webhooks'];

const EventPattern = z
  .string()
  .regex(/^(\*|[a-z_]+\.(\*|[a-z_]+))$/, 'event_pattern')
  .max(100)
  .meta({ example: 'dossier.*' });

const WebhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string().meta({ example: 'https://dvc.example.gov.vn/hooks/motcua' }),
    events: z.array(EventPattern),
    unitCode: z
      .string()
      .nullable()
      .describe('Deliveries only for dossiers of this unit\u2019s subtree; null = all.'),
    createdAt: InstantString,
  })
  .meta({ id: 'Webhook' });

const CreatedWebhook = WebhookSchema.extend({
  secret: z.string().describe('Signing secret (whsec_…), shown only in this response.'),
}).meta({ id: 'CreatedWebhook' });

const CreateWebhookBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .meta({ example: 'https://dvc.example.gov.vn/hooks/motcua' }),
    events: z
      .array(EventPattern)
      .min(1)
      .max(50)
      .meta({ example: ['dossier.*', 'alert.overdue'] }),
  })
  .meta({ id: 'CreateWebhook' });

const Delivery = z
  .object({
    id: z.uuid().describe('Also the webhook-id header: drop duplicates by it.'),
    type: z.string().meta({ example: 'dossier.resolved' }),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: InstantString.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: InstantString,
    deliveredAt: InstantString.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

type WebhookRow = typeof webhooks.$inferSelect;
const toWebhook = (w: WebhookRow) => ({
  id: w.id,
  url: w.url,
  events: w.events,
  unitCode: w.unitCode,
  createdAt: formatInstant(w.createdAt),
});
const toDelivery = (d: typeof webhookDeliveries.$inferSelect) => ({
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

/** A webhook the caller may see: not deleted and inside its scope. */
async function visibleWebhook(db: Db, principal: Principal, id: string): Promise<WebhookRow> {
  const [row] = await db
    .select({ w: webhooks, path: units.path })
    .from(webhooks)
    .leftJoin(units, eq(units.code, webhooks.unitCode))
    .where(and(eq(webhooks.id, id), isNull(webhooks.deletedAt)))
    .limit(1);
  const visible =
    row && (principal.scopePath === null || (row.path !== null && inScope(principal, row.path)));
  if (!visible) throw new DomainError('NOT_FOUND');
  return row.w;
}

const Uuid = z.uuid().meta({ maxLength: 36 });
const IdParams = z.object({ id: Uuid });

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
      const [row] = await db
        .insert(webhooks)
        .values({
          url: request.body.url,
          events: request.body.events,
          secret,
          unitCode: request.principal.unitCode,
          createdBy: request.principal.keyId,
        })
        .returning();
      return reply.code(201).send({ ...toWebhook(row!), secret });
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
      querystring: z.object({ limit: LimitQuery, cursor: CursorQuery }),
      response: { 200: pageOf(WebhookSchema, 'WebhookPage'), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const after = decodeCursor(request.query.cursor, 1)?.[0];
      const scope = scopeCondition(request.principal, units.path);
      const rows = await db
        .select({ w: webhooks })
        .from(webhooks)
        .leftJoin(units, eq(units.code, webhooks.unitCode))
        .where(
          and(
            isNull(webhooks.deletedAt),
            scope ? and(sql`${webhooks.unitCode} is not null`, scope) : undefined,
            typeof after === 'string' ? lt(webhooks.id, after) : undefined,
          ),
        )
        .orderBy(desc(webhooks.id))
        .limit(request.query.limit + 1);
      const page = rows.slice(0, request.query.limit).map((r) => r.w);
      const last = page.at(-1);
      return {
        items: page.map(toWebhook),
        nextCursor: rows.length > request.query.limit && last ? encodeCursor([last.id]) : null,
      };
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
      await db
        .update(webhooks)
        .set({ deletedAt: sql`now()` })
        .where(eq(webhooks.id, w.id));
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
      querystring: z.object({
        status: z.enum(['pending', 'delivered', 'failed']).optional(),
        limit: LimitQuery,
        cursor: CursorQuery,
      }),
      response: { 200: pageOf(Delivery, 'WebhookDeliveryPage'), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const w = await visibleWebhook(db, request.principal, request.params.id);
      const { status, limit, cursor } = request.query;
      const after = decodeCursor(cursor, 2);
      const rows = await db
        .select()
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.webhookId, w.id),
            status ? eq(webhookDeliveries.status, status) : undefined,
            after
              ? sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (${String(after[0])}::timestamptz, ${String(after[1])}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toDelivery),
        nextCursor:
          rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
      };
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
      params: z.object({ id: Uuid, deliveryId: Uuid }),
      response: { 202: Delivery, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const w = await visibleWebhook(db, request.principal, request.params.id);
      const [row] = await db
        .update(webhookDeliveries)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, lastError: null })
        .where(
          and(eq(webhookDeliveries.id, request.params.deliveryId), eq(webhookDeliveries.webhookId, w.id)),
        )
        .returning();
      if (!row) throw new DomainError('NOT_FOUND');
      return reply.code(202).send(toDelivery(row));
    },
  });
};
