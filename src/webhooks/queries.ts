import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { units, webhookDeliveries, webhooks } from '../db/schema/index.js';
import { inScope, scopeCondition, type Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** A webhook the caller may see: not deleted and inside its scope; otherwise not found. */
export async function visibleWebhook(db: DbOrTx, principal: Principal, id: string): Promise<WebhookRow> {
  const [row] = await db
    .select({ w: webhooks, path: units.path })
    .from(webhooks)
    .leftJoin(units, eq(units.code, webhooks.unitCode))
    .where(and(eq(webhooks.id, id), isNull(webhooks.deletedAt)))
    .limit(1);
  const visible =
    row && (principal.scopePath === null || (row.path !== null && inScope(principal, row.path)));
  if (!visible) throw new DomainError('WEBHOOK_NOT_FOUND', { id });
  return row.w;
}

/** Up to `limit` webhooks of the caller's scope before the id `before`, newest first. */
export async function listWebhooks(
  db: DbOrTx,
  principal: Principal,
  before: unknown,
  limit: number,
): Promise<WebhookRow[]> {
  const scope = scopeCondition(principal, units.path);
  const found = await db
    .select({ w: webhooks })
    .from(webhooks)
    .leftJoin(units, eq(units.code, webhooks.unitCode))
    .where(
      and(
        isNull(webhooks.deletedAt),
        scope ? and(sql`${webhooks.unitCode} is not null`, scope) : undefined,
        typeof before === 'string' ? lt(webhooks.id, before) : undefined,
      ),
    )
    .orderBy(desc(webhooks.id))
    .limit(limit);
  return found.map((r) => r.w);
}

/** Up to `limit` deliveries of a webhook before the (createdAt, id) key `before`, newest first. */
export async function listDeliveries(
  db: DbOrTx,
  webhookId: string,
  filter: { status?: DeliveryRow['status']; before: unknown[] | null },
  limit: number,
): Promise<DeliveryRow[]> {
  const before = filter.before;
  return db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.webhookId, webhookId),
        filter.status ? eq(webhookDeliveries.status, filter.status) : undefined,
        before
          ? sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (${String(before[0])}::timestamptz, ${String(before[1])}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
}
