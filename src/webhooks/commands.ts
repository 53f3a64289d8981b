import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { webhookDeliveries, webhooks } from '../db/schema/index.js';
import type { Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import type { DeliveryRow, WebhookRow } from './queries.js';

/** A new subscription for the caller's unit (null = all units), with its signing secret. */
export async function createWebhook(
  db: DbOrTx,
  principal: Principal,
  input: { url: string; events: string[]; secret: string },
): Promise<WebhookRow> {
  const [row] = await db
    .insert(webhooks)
    .values({ ...input, unitCode: principal.unitCode, createdBy: principal.keyId })
    .returning();
  return row!;
}

/** Marks a webhook deleted: the delivery job then fails its pending deliveries instead of sending them. */
export async function deleteWebhook(db: DbOrTx, id: string): Promise<void> {
  await db
    .update(webhooks)
    .set({ deletedAt: sql`now()` })
    .where(eq(webhooks.id, id));
}

/** Queues a delivery of the webhook again now, with a fresh retry window; not found if it is not the webhook's. */
export async function redeliver(db: DbOrTx, webhookId: string, deliveryId: string): Promise<DeliveryRow> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, lastError: null })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, webhookId)))
    .returning();
  if (!row) throw new DomainError('WEBHOOK_DELIVERY_NOT_FOUND', { id: deliveryId });
  return row;
}
