import { asc, eq } from 'drizzle-orm';
import type { Principal } from '../auth/plugin.js';
import type { Db } from '../db/client.js';
import { notifications } from '../db/schema/index.js';
import { maskAddress } from '../domain/contact.js';
import { formatInstant } from '../domain/local-time.js';
import { getDossierInScope } from '../dossiers/lookups.js';
import type { NotifyingEvent } from './templates.js';

/** GET /v1/dossiers/{code}/notifications: what the applicant was (or is to be) sent, the address masked. */
export async function readDossierNotifications(db: Db, principal: Principal, code: string) {
  const view = await getDossierInScope(db, principal, code);
  const found = await db
    .select()
    .from(notifications)
    .where(eq(notifications.dossierId, view.d.id))
    .orderBy(asc(notifications.createdAt), asc(notifications.channel));
  return {
    items: found.map((n) => ({
      id: n.id,
      channel: n.channel,
      event: n.event as NotifyingEvent,
      to: maskAddress(n.channel, n.toAddress),
      status: n.status,
      attempts: n.attempts,
      lastError: n.lastError,
      createdAt: formatInstant(n.createdAt),
      sentAt: n.sentAt ? formatInstant(n.sentAt) : null,
    })),
  };
}
