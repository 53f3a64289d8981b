import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { DbOrTx } from '../db/client.js';
import { inSubtree, rows } from '../db/sql.js';
import { withAlertDossiers } from '../alerts/announcement.js';
import { formatInstant, formatInstantsIn } from '../domain/local-time.js';
import type { JobContext, OutboxEvent } from '../jobs/context.js';

/** A new signing secret in the Standard Webhooks form: 'whsec_' + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Whether a subscription pattern ('dossier.received', 'dossier.*', '*') covers an event type. */
export function eventMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/**
 * Retry schedule: 5 s (WEBHOOK_RETRY_BASE_MS) doubling up to one hour; after 33 failed attempts the delivery is
 * marked failed and listed, and can be redelivered. With the 5 s base the 32 waits add up to 84,315 s, so the
 * last attempt comes about 23.4 hours after the first.
 */
export const MAX_ATTEMPTS = 33;
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/**
 * Fan-out (event handler): one delivery per active webhook whose patterns match the event and whose scope
 * holds the dossier (by receiving, handling or resolving unit). The unique (webhook, outbox event) key makes a rerun
 * harmless. The body is built from the outbox row: {type, occurredAt, data}, an alert's data with its dossier.
 */
export async function fanOutToWebhooks(db: DbOrTx, event: OutboxEvent): Promise<number> {
  const targets = await rows<{
    webhook_id: string;
    events: string[];
    type: string;
    occurred_at: Date | string;
    payload: Record<string, unknown>;
    dossier_id: number | string | null;
  }>(
    db,
    sql`
    with event as (select id, type, occurred_at, payload, dossier_id from outbox where id = ${event.id}),
    targets as (
      select w.id as webhook_id, w.events from webhooks w, event e
      where w.deleted_at is null
        and (w.unit_code is null or exists (
          select 1 from dossiers d
          join units u on u.code = d.unit_code
          join units h on h.code = d.handling_unit_code
          join units r on r.code = d.resolving_unit_code
          join units s on s.code = w.unit_code
          where d.id = e.dossier_id and (${inSubtree(sql`u.path`, sql`s.path`)} or ${inSubtree(sql`h.path`, sql`s.path`)}
            or ${inSubtree(sql`r.path`, sql`s.path`)})))
    )
    select t.webhook_id, t.events, e.type, e.occurred_at, e.payload, e.dossier_id from targets t, event e`,
  );
  const matching = targets.filter((row) => row.events.some((p) => eventMatches(p, row.type)));
  if (matching.length === 0) return 0;
  // The outbox row's payload, an alert's with its dossier (left out when the dossier no longer exists).
  const { type, dossier_id, payload } = matching[0]!;
  const [announced] = await withAlertDossiers(db, [
    { type, dossierId: dossier_id === null ? null : Number(dossier_id), payload },
  ]);
  if (!announced) return 0;
  let created = 0;
  for (const row of matching) {
    const body = {
      type: row.type,
      occurredAt: formatInstant(new Date(row.occurred_at)),
      data: announced.payload,
    };
    const inserted = await rows(
      db,
      sql`
      insert into webhook_deliveries (webhook_id, outbox_id, type, body)
      values (${row.webhook_id}, ${event.id}, ${row.type}, ${JSON.stringify(body)}::jsonb)
      on conflict (webhook_id, outbox_id) do nothing
      returning id`,
    );
    created += inserted.length;
  }
  return created;
}

interface Claimed {
  id: string;
  url: string;
  secret: string;
  body: Record<string, unknown>;
  attempts: number;
}

/**
 * Scheduled job: sends the deliveries that are due. Each is claimed with a lease (SKIP LOCKED), so two workers
 * never send the same delivery at once; a worker that dies mid-send releases it when the lease expires.
 */
export async function deliverWebhooks(ctx: JobContext, batch = 20): Promise<number> {
  const claimed = await rows<Claimed & { deleted_at: Date | null }>(
    ctx.db,
    sql`
    update webhook_deliveries dl set next_attempt_at = now() + interval '2 minutes'
    from webhooks w
    where w.id = dl.webhook_id and dl.id in (
      select id from webhook_deliveries
      where status = 'pending' and next_attempt_at <= now()
      order by next_attempt_at limit ${batch}
      for update skip locked)
    returning dl.id, w.url, w.secret, dl.body, dl.attempts, w.deleted_at`,
  );
  await Promise.all(
    claimed.map(async (d) => {
      if (d.deleted_at) {
        await ctx.db.execute(
          sql`update webhook_deliveries set status = 'failed', last_error = 'webhook deleted' where id = ${d.id}`,
        );
        return;
      }
      const outcome = await send(d);
      const attempts = d.attempts + 1;
      if (outcome.ok) {
        await ctx.db.execute(sql`
          update webhook_deliveries set status = 'delivered', attempts = ${attempts}, delivered_at = now(),
            last_status_code = ${outcome.status}, last_error = null
          where id = ${d.id}`);
      } else {
        const failed = attempts >= MAX_ATTEMPTS;
        const delay = retryDelayMs(attempts, ctx.config.WEBHOOK_RETRY_BASE_MS);
        await ctx.db.execute(sql`
          update webhook_deliveries set attempts = ${attempts}, last_status_code = ${outcome.status},
            last_error = ${outcome.error}, status = ${failed ? 'failed' : 'pending'},
            next_attempt_at = now() + ${`${delay} milliseconds`}::interval
          where id = ${d.id}`);
      }
    }),
  );
  return claimed.length;
}

/**
 * One signed POST (Standard Webhooks: id, timestamp, HMAC-SHA256 signature of "id.timestamp.body"). Instants
 * in the body are written as every response writes them, also in bodies stored in another form.
 */
async function send(d: Claimed): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  const payload = JSON.stringify(formatInstantsIn(d.body));
  const timestamp = new Date();
  const signature = new Webhook(d.secret).sign(d.id, timestamp, payload);
  try {
    const res = await fetch(d.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'motcua-webhooks/1',
        'webhook-id': d.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: payload,
      signal: AbortSignal.timeout(10_000),
      redirect: 'manual',
    });
    await res.body?.cancel().catch(() => undefined);
    return res.ok
      ? { ok: true, status: res.status, error: null }
      : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, status: null, error: (err as Error).message.slice(0, 500) };
  }
}
