// How a notification leaves: an e-mail through SMTP (nodemailer) or an SMS through the province's gateway (a JSON
// POST). Each send reports success or an error code that names no person: never the address, never the text.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import { internationalPhone } from '../domain/contact.js';

export interface OutgoingMessage {
  /** The notification's id: the e-mail's Message-ID and the SMS body's `id`, for the receiver to drop repeats. */
  id: string;
  channel: 'email' | 'sms';
  to: string;
  subject: string;
  body: string;
}

/** Success, or what went wrong as a code (`SMTP 550`, `HTTP 500`, `ECONNREFUSED`, `timeout`). */
export type SendOutcome = { ok: true } | { ok: false; error: string };

/** The channels a configuration can send on. */
export function configuredChannels(config: Config): Array<'email' | 'sms'> {
  return [
    ...(config.SMTP_URL ? ['email' as const] : []),
    ...(config.SMS_GATEWAY_URL ? ['sms' as const] : []),
  ];
}

// One pooled SMTP transport per server address, for the life of the process.
const transports = new Map<string, Transporter>();
function transportFor(url: string): Transporter {
  let transport = transports.get(url);
  if (!transport) {
    transport = nodemailer.createTransport({
      url,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      // Never log the envelope or the message.
      logger: false,
      debug: false,
    });
    transports.set(url, transport);
  }
  return transport;
}

/** The domain of the sender address, for the Message-ID: "Xã <mot-cua@tanhoa.gov.vn>" → tanhoa.gov.vn. */
export function senderDomain(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'motcua.invalid';
}

/** The Message-ID of a notification's e-mail: the same on every attempt, so mail systems can drop repeats. */
export function messageIdOf(id: string, from: string): string {
  return `<${id}@${senderDomain(from)}>`;
}

/** A code for what went wrong, from an error's code or status: never its message, which may name the address. */
function errorCode(err: unknown): string {
  const e = err as { responseCode?: unknown; code?: unknown; name?: unknown; cause?: { code?: unknown } };
  if (typeof e.responseCode === 'number') return `SMTP ${e.responseCode}`;
  if (typeof e.cause?.code === 'string') return e.cause.code.slice(0, 40);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  if (typeof e.code === 'string') return e.code.slice(0, 40);
  return 'send failed';
}

async function sendEmail(config: Config, m: OutgoingMessage): Promise<SendOutcome> {
  try {
    await transportFor(config.SMTP_URL!).sendMail({
      from: config.SMTP_FROM!,
      to: m.to,
      subject: m.subject,
      text: m.body,
      messageId: messageIdOf(m.id, config.SMTP_FROM!),
      headers: { 'X-Motcua-Notification-Id': m.id },
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: errorCode(err) };
  }
}

/**
 * The SMS gateway's request: POST SMS_GATEWAY_URL, `Authorization: Bearer SMS_GATEWAY_TOKEN`,
 * `Idempotency-Key: <id>`, body `{"id": "<notification id>", "to": "84912345678", "text": "..."}`; any 2xx is
 * taken as accepted.
 */
async function sendSms(config: Config, m: OutgoingMessage): Promise<SendOutcome> {
  try {
    const res = await fetch(config.SMS_GATEWAY_URL!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${config.SMS_GATEWAY_TOKEN}`,
        'idempotency-key': m.id,
        'user-agent': 'motcua-notifications/1',
      },
      body: JSON.stringify({ id: m.id, to: internationalPhone(m.to), text: m.body }),
      signal: AbortSignal.timeout(10_000),
      redirect: 'manual',
    });
    await res.body?.cancel().catch(() => undefined);
    return res.ok ? { ok: true } : { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, error: errorCode(err) };
  }
}

/** Sends one notification on its channel. */
export function send(config: Config, m: OutgoingMessage): Promise<SendOutcome> {
  return m.channel === 'email' ? sendEmail(config, m) : sendSms(config, m);
}
