import { sql } from 'drizzle-orm';
import { rows } from '../db/sql.js';
import { lookupUrl } from '../domain/lookup.js';
import type { JobContext, OutboxEvent } from '../jobs/context.js';
import { configuredChannels, send, type OutgoingMessage } from './senders.js';
import { isNotifyingEvent, messageFor, type MessageFacts } from './templates.js';

/**
 * Retry schedule: NOTIFICATION_RETRY_BASE_MS (30 s) doubling up to one hour; after 15 failed attempts the
 * notification is given up (`given_up`). With the 30 s base the 14 waits add up to about 8.8 hours.
 */
export const MAX_NOTIFICATION_ATTEMPTS = 15;
export function notificationRetryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

interface EventRow {
  dossier_id: string | number;
  type: string;
  occurred_at: Date | string;
  payload: { dossier?: Record<string, unknown> };
  consent: boolean;
  email: string | null;
  phone: string | null;
  lookup_secret: string;
  items: unknown;
  reason: string | null;
}

const instantOrNull = (value: unknown) => (typeof value === 'string' ? new Date(value) : null);

/**
 * What the message of an event says, from the dossier as the event left it (its outbox payload); the receipt
 * also carries the lookup secret and the lookup address (PUBLIC_BASE_URL).
 */
function factsOf(row: EventRow, publicBaseUrl: string): MessageFacts {
  const d = row.payload.dossier ?? {};
  const named = (v: unknown) => (v as { name?: string } | undefined)?.name ?? '';
  const code = String(d.code ?? '');
  const receipt = row.type === 'dossier.received';
  return {
    code,
    procedureName: named(d.procedure),
    unitName: named(d.unit),
    dueAt: instantOrNull(d.dueAt),
    rescheduledDueAt: instantOrNull(d.rescheduledDueAt),
    result: (d.result as MessageFacts['result']) ?? null,
    items: Array.isArray(row.items) ? row.items.map(String) : [],
    reason: row.reason,
    lookupSecret: receipt ? row.lookup_secret : null,
    lookupUrl: receipt ? lookupUrl(publicBaseUrl, code, row.lookup_secret) : null,
  };
}

/**
 * Event handler: the notifications an event owes the applicant. Only the notifying events (receipt,
 * supplement request, apology, result ready, return), only with the applicant's consent, and one per channel
 * that is configured (SMTP_URL, SMS_GATEWAY_URL) and that the contact has an address for: with neither
 * configured nothing is written, so nothing waits to be sent. The unique (outbox event, channel) key makes a
 * rerun harmless. A supplement request's items and an apology's reason come from the action's event. Returns
 * how many were created.
 */
export async function queueNotifications(ctx: JobContext, event: OutboxEvent): Promise<number> {
  if (!isNotifyingEvent(event.type) || event.dossierId === null) return 0;
  const channels = configuredChannels(ctx.config);
  if (channels.length === 0) return 0;
  const [row] = await rows<EventRow>(
    ctx.db,
    sql`
    select o.dossier_id, o.type, o.occurred_at, o.payload, d.contact_consent as consent,
      d.contact_email as email, d.contact_phone as phone, d.lookup_secret, e.data -> 'items' as items, e.data ->> 'reason' as reason
    from outbox o
    join dossiers d on d.id = o.dossier_id
    left join lateral (
      select ev.data from dossier_events ev
      where ev.dossier_id = o.dossier_id and ev.at <= o.occurred_at
        and ev.type = case o.type when 'dossier.awaiting_supplement' then 'request-supplement'
          when 'dossier.rescheduled' then 'reschedule' end
      order by ev.at desc, ev.id desc limit 1) e on true
    where o.id = ${event.id}`,
  );
  if (!row?.consent || !isNotifyingEvent(row.type)) return 0;
  const texts = messageFor(row.type, factsOf(row, ctx.config.PUBLIC_BASE_URL));
  const wanted = [
    ...(channels.includes('email') && row.email
      ? [{ channel: 'email', to: row.email, body: texts.email }]
      : []),
    ...(channels.includes('sms') && row.phone ? [{ channel: 'sms', to: row.phone, body: texts.sms }] : []),
  ];
  let created = 0;
  for (const n of wanted) {
    const inserted = await rows(
      ctx.db,
      sql`
      insert into notifications (dossier_id, outbox_id, event, channel, to_address, subject, body)
      values (${row.dossier_id}, ${event.id}, ${row.type}, ${n.channel}, ${n.to}, ${texts.subject}, ${n.body})
      on conflict (outbox_id, channel) do nothing
      returning id`,
    );
    created += inserted.length;
  }
  return created;
}

interface Claimed {
  id: string;
  channel: 'email' | 'sms';
  to_address: string;
  subject: string;
  body: string;
  attempts: number;
}

/**
 * Scheduled job: sends the notifications that are due on the channels configured. Each is claimed with a lease
 * (SKIP LOCKED), so two workers never send the same one at once; a worker that dies mid-send releases it when
 * the lease expires and it is sent again with the same id (at least once; the receiver drops the repeat).
 * Logs the notification's id, channel and status only. Returns how many were tried.
 */
export async function deliverNotifications(ctx: JobContext, batch = 20): Promise<number> {
  const channels = configuredChannels(ctx.config);
  if (channels.length === 0) return 0;
  const claimed = await rows<Claimed>(
    ctx.db,
    sql`
    update notifications set next_attempt_at = now() + interval '2 minutes'
    where id in (
      select id from notifications
      where status in ('pending', 'retrying') and next_attempt_at <= now()
        and channel in (${sql.join(
          channels.map((c) => sql`${c}`),
          sql`, `,
        )})
      order by next_attempt_at limit ${batch}
      for update skip locked)
    returning id, channel, to_address, subject, body, attempts`,
  );
  await Promise.all(
    claimed.map(async (n) => {
      const message: OutgoingMessage = {
        id: n.id,
        channel: n.channel,
        to: n.to_address,
        subject: n.subject,
        body: n.body,
      };
      const outcome = await send(ctx.config, message);
      const attempts = n.attempts + 1;
      if (outcome.ok) {
        await ctx.db.execute(sql`
          update notifications set status = 'sent', attempts = ${attempts}, sent_at = now(), last_error = null
          where id = ${n.id}`);
        ctx.log.info(
          { notificationId: n.id, channel: n.channel, status: 'sent', attempts },
          'notification sent',
        );
        return;
      }
      const givenUp = attempts >= MAX_NOTIFICATION_ATTEMPTS;
      const delay = notificationRetryDelayMs(attempts, ctx.config.NOTIFICATION_RETRY_BASE_MS);
      const status = givenUp ? 'given_up' : 'retrying';
      await ctx.db.execute(sql`
        update notifications set attempts = ${attempts}, last_error = ${outcome.error}, status = ${status},
          next_attempt_at = now() + ${`${delay} milliseconds`}::interval
        where id = ${n.id}`);
      ctx.log.warn(
        { notificationId: n.id, channel: n.channel, status, attempts, error: outcome.error },
        'notification not sent',
      );
    }),
  );
  return claimed.length;
}
