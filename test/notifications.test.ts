/**
 * Notifications to the applicant, end to end against real servers on 127.0.0.1: an SMTP server (smtp-server) and
 * an HTTP receiver playing the province's SMS gateway, which first refuses connections, then answers 500, then
 * accepts. The worker's part is pumped here on relay cursors of its own, twice over (two relays, two senders), so
 * every event is handled twice and every due notification raced for.
 */
import http from 'node:http';
import { PassThrough } from 'node:stream';
import { eq, sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createCalendarCache } from '../src/calendar/cache.js';
import { dossiers, notifications } from '../src/db/schema/index.js';
import { rows } from '../src/db/sql.js';
import { lookupUrl } from '../src/domain/lookup.js';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import type { JobContext } from '../src/jobs/context.js';
import { eventHandlers, scheduledJobs } from '../src/jobs/handlers.js';
import { relayAndHandle } from '../src/jobs/relay.js';
import { deliverNotifications, queueNotifications } from '../src/notifications/commands.js';
import { formatAppointment } from '../src/notifications/templates.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  testConfig,
  type TestContext,
} from './helpers/context.js';
import { freePort, sleep, waitFor } from './helpers/wait.js';

let ctx: TestContext;
let app: Awaited<ReturnType<typeof buildApp>>;
/** Every log line of the API and of the worker's jobs in this file. */
let logs = '';

beforeAll(async () => {
  ctx = await createTestContext();
  // The API as the server builds it, logging everything (trace) into `logs`.
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  app = await buildApp({
    config: testConfig({ LOG_LEVEL: 'trace' }),
    db: ctx.database.db,
    checks: { postgres: ctx.database.ping },
    logStream: stream,
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await ctx.close();
});

/** A job context whose log lines go to `logs`, as the worker's would. */
function jobContext(overrides: Record<string, string>): JobContext {
  const line =
    (level: string) =>
    (obj: unknown, msg?: string): void => {
      logs += `${JSON.stringify({ level, ...(typeof obj === 'object' ? obj : { msg: obj }), msg })}\n`;
    };
  return {
    db: ctx.database.db,
    config: testConfig(overrides),
    calendars: createCalendarCache(DEFAULT_WORKING_HOURS),
    clock: () => new Date(),
    log: { info: line('info'), warn: line('warn'), error: line('error'), debug: line('debug') },
  } as JobContext;
}

/** The worker's notification part, pumped until closed: relays on `cursors` (each event once per cursor), sends. */
function pump(jobCtx: JobContext, cursors: string[], senders = 2) {
  let running = true;
  const loops = [
    ...cursors.map(async (cursor) => {
      while (running) {
        await relayAndHandle(
          jobCtx,
          async (events) => {
            for (const e of events) await queueNotifications(jobCtx, e);
          },
          500,
          cursor,
        );
        await sleep(30);
      }
    }),
    ...Array.from({ length: senders }, async () => {
      while (running) {
        await deliverNotifications(jobCtx);
        await sleep(30);
      }
    }),
  ];
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

async function call(key: string, method: 'GET' | 'POST', url: string, payload?: object) {
  return app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
}

async function setup() {
  const unit = await createUnit(ctx, { name: 'UBND xã Tân Hòa' });
  const p = await createProcedure(ctx, { name: 'Đăng ký khai sinh' });
  const clerk = await createKey(ctx, 'clerk', unit.code);
  const receive = async (contact?: object) => {
    const res = await call(clerk, 'POST', '/v1/dossiers', intakeBody(p.code, contact ? { contact } : {}));
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { code: string; dueAt: string; contact: object };
  };
  const act = async (code: string, action: string, body: object = {}) => {
    const res = await call(clerk, 'POST', `/v1/dossiers/${code}/${action}`, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { dueAt: string; rescheduledDueAt: string | null };
  };
  return { unit: unit.code, clerk, receive, act };
}

async function rowsOf(code: string) {
  return ctx.database.db
    .select({
      id: notifications.id,
      event: notifications.event,
      channel: notifications.channel,
      status: notifications.status,
      attempts: notifications.attempts,
      lastError: notifications.lastError,
    })
    .from(notifications)
    .innerJoin(dossiers, eq(dossiers.id, notifications.dossierId))
    .where(eq(dossiers.code, code));
}

interface Mail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

/** A real SMTP server on 127.0.0.1 that answers 451 (try again later) to the first `refuse` messages. */
async function smtpServer(refuse: number) {
  const port = await freePort();
  const accepted: Mail[] = [];
  let refused = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      void simpleParser(stream).then((mail) => {
        if (refused < refuse) {
          refused++;
          const err = Object.assign(new Error('try again later'), { responseCode: 451 });
          return callback(err);
        }
        accepted.push({
          messageId: mail.messageId ?? '',
          to: (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text ?? '',
          subject: mail.subject ?? '',
          text: mail.text ?? '',
        });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    refused: () => refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Sms {
  id: string;
  to: string;
  text: string;
  authorization: string | undefined;
  status: number;
}

/** The SMS gateway on `port`: answers 500 to the first `fail` requests, then 200; records every request. */
async function smsGateway(port: number, fail: number, seen: Sms[]) {
  let failed = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { id: string; to: string; text: string };
      const status = failed < fail ? 500 : 200;
      if (status === 500) failed++;
      seen.push({ ...body, authorization: req.headers.authorization, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

const email = 'an.nguyen@example.vn';
const phoneTyped = '+84 912 345 678';
const phone = '0912345678';
const items = ['Bản sao giấy chứng sinh', 'Giấy đăng ký kết hôn của cha mẹ'];

describe('notifications to the applicant', () => {
  it('every notifying event reaches the consenting applicant by e-mail and SMS through failures, each once, in Vietnamese; the contact never reaches a log', async () => {
    const { clerk, unit, receive, act } = await setup();
    const smtp = await smtpServer(1);
    const smsPort = await freePort();
    const sms: Sms[] = [];
    const jobCtx = jobContext({
      SMTP_URL: smtp.url,
      SMTP_FROM: 'UBND xã Tân Hòa <mot-cua@tanhoa.gov.vn>',
      SMS_GATEWAY_URL: `http://127.0.0.1:${smsPort}/sms`,
      SMS_GATEWAY_TOKEN: 'gateway-token',
      NOTIFICATION_RETRY_BASE_MS: '50',
    });
    const stamp = Date.now();
    const stop = pump(jobCtx, [`notify-a-${stamp}`, `notify-b-${stamp}`]);
    let closeSms: (() => Promise<void>) | null = null;
    try {
      const a = await receive({ consent: true, email, phone: phoneTyped });
      expect(a.contact).toEqual({ consent: true, email, phone });
      const refusing = await receive({ consent: false, email: 'b.tran@example.vn', phone: '0987654321' });
      const silent = await receive();
      expect(silent.contact).toEqual({ consent: false, email: null, phone: null });

      await act(a.code, 'request-supplement', { reason: 'Thiếu giấy tờ', items });
      await act(a.code, 'receive-supplement');
      const current = (await call(clerk, 'GET', `/v1/dossiers/${a.code}`)).json() as { dueAt: string };
      const newDueAt = new Date(new Date(current.dueAt).getTime() + 7 * 86_400_000);
      await act(a.code, 'reschedule', { newDueAt: newDueAt.toISOString(), reason: 'Cần xác minh thêm' });
      await act(a.code, 'resolve', { result: 'approved' });
      await act(a.code, 'return');
      await act(refusing.code, 'resolve', { result: 'approved' });

      // The gateway is down (connection refused): the SMS are tried and kept for later.
      const smsDown = await waitFor('every SMS retrying while the gateway is down', async () => {
        const found = (await rowsOf(a.code)).filter((n) => n.channel === 'sms');
        return found.length === 5 && found.every((n) => n.status === 'retrying') && found;
      });
      expect(smsDown.every((n) => n.attempts >= 1 && n.lastError === 'ECONNREFUSED')).toBe(true);
      const down = smsDown[0]!;
      // Then it answers 500 three times, then accepts.
      closeSms = await smsGateway(smsPort, 3, sms);

      const events = [
        'dossier.received',
        'dossier.awaiting_supplement',
        'dossier.rescheduled',
        'dossier.resolved',
        'dossier.returned',
      ];
      const all = await waitFor(
        'every notification sent',
        async () => {
          const found = await rowsOf(a.code);
          return found.length === events.length * 2 && found.every((n) => n.status === 'sent') && found;
        },
        30_000,
      );
      // One per event and channel, though every event was handled twice.
      expect(all.map((n) => `${n.event}:${n.channel}`).sort()).toEqual(
        events.flatMap((e) => [`${e}:email`, `${e}:sms`]).sort(),
      );
      // The SMS went through the outage and the 500s: each took several attempts.
      expect(all.filter((n) => n.channel === 'sms').every((n) => n.attempts >= 2)).toBe(true);
      expect(smtp.refused()).toBe(1);
      expect(all.filter((n) => n.channel === 'email').some((n) => n.attempts === 2)).toBe(true);

      // E-mail: one accepted message per notification, its Message-ID the notification's id.
      const emailIds = all.filter((n) => n.channel === 'email').map((n) => n.id);
      const mails = smtp.accepted.filter((m) => m.text.includes(a.code));
      expect(mails.map((m) => m.messageId).sort()).toEqual(
        emailIds.map((id) => `<${id}@tanhoa.gov.vn>`).sort(),
      );
      expect(mails.every((m) => m.to === email)).toBe(true);
      // SMS: the gateway accepted each id once; the request carried the token and the international number.
      const smsIds = all.filter((n) => n.channel === 'sms').map((n) => n.id);
      const acceptedSms = sms.filter((s) => s.status === 200 && s.text.includes(a.code));
      expect(acceptedSms.map((s) => s.id).sort()).toEqual([...smsIds].sort());
      expect(acceptedSms.every((s) => s.to === '84912345678')).toBe(true);
      expect(sms.every((s) => s.authorization === 'Bearer gateway-token')).toBe(true);

      // The Vietnamese texts: whole sentences with diacritics, the missing papers listed, the new date.
      const mailOf = (subject: string) => mails.find((m) => m.subject.startsWith(subject))!;
      const smsOf = (needle: string) => acceptedSms.find((s) => s.text.includes(needle))!;
      const receipt = mailOf('Tiếp nhận hồ sơ');
      expect(receipt.subject).toBe(`Tiếp nhận hồ sơ ${a.code}`);
      expect(receipt.text).toContain(
        `UBND xã Tân Hòa đã tiếp nhận hồ sơ ${a.code} của Ông/Bà về thủ tục "Đăng ký khai sinh".`,
      );
      expect(receipt.text).toContain(`Thời gian hẹn trả kết quả: ${formatAppointment(new Date(a.dueAt))}.`);
      expect(receipt.text).toMatch(/\d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4}/);
      // The receipt carries the lookup secret and address, as the printed receipt does.
      const slip = (await call(clerk, 'GET', `/v1/dossiers/${a.code}/receipt`)).json() as {
        lookup: { secret: string; url: string };
      };
      expect(slip.lookup.url).toBe(lookupUrl(jobCtx.config.PUBLIC_BASE_URL, a.code, slip.lookup.secret));
      expect(receipt.text).toContain(
        `Ông/Bà có thể tra cứu tình trạng hồ sơ tại ${slip.lookup.url} với mã tra cứu ${slip.lookup.secret}.`,
      );
      expect(smsOf('đã tiếp nhận').text).toContain(`Tra cứu: ${slip.lookup.url} mã ${slip.lookup.secret}.`);
      const supplement = mailOf('Yêu cầu bổ sung hồ sơ');
      expect(supplement.text).toContain('Lý do: Thiếu giấy tờ.');
      expect(supplement.text).toContain(`Các giấy tờ cần bổ sung:\n- ${items[0]}\n- ${items[1]}`);
      expect(smsOf('cần bổ sung').text).toBe(
        `Hồ sơ ${a.code} cần bổ sung: ${items.join('; ')}. Ông/Bà vui lòng nộp bổ sung để hồ sơ được tiếp tục giải quyết.`,
      );
      const apology = mailOf('Thư xin lỗi và hẹn lại ngày trả kết quả');
      expect(apology.text).toContain(`Thời gian hẹn trả kết quả mới: ${formatAppointment(newDueAt)}.`);
      expect(smsOf('xin lỗi').text).toContain(`Hẹn trả kết quả mới: ${formatAppointment(newDueAt)}.`);
      expect(mailOf(`Hồ sơ ${a.code} đã có kết quả`).text).toContain(
        'Kết quả: hồ sơ được giải quyết theo đề nghị của Ông/Bà.',
      );
      expect(mailOf('Đã trả kết quả').text).toContain('đã được trả cho Ông/Bà.');

      // At least once: a send whose success was not recorded (a worker killed after the gateway took it) goes
      // again with the same id, so the gateway drops the repeat.
      const again = smsIds[0]!;
      await ctx.database.db.execute(
        sql`update notifications set status = 'retrying', next_attempt_at = now() where id = ${again}`,
      );
      await waitFor(
        'sent again',
        async () => sms.filter((s) => s.id === again && s.status === 200).length === 2,
      );
      const afterDedupe = new Map(sms.filter((s) => s.status === 200).map((s) => [s.id, s]));
      expect([...afterDedupe.keys()].filter((id) => smsIds.includes(id)).sort()).toEqual([...smsIds].sort());

      // No consent, or no contact: nothing written, nothing sent.
      await sleep(300);
      expect(await rowsOf(refusing.code)).toEqual([]);
      expect(await rowsOf(silent.code)).toEqual([]);
      const texts = [...smtp.accepted.map((m) => m.text), ...sms.map((s) => s.text)].join('\n');
      expect(texts).not.toContain(refusing.code);
      expect(texts).not.toContain(silent.code);

      // The list: clerk and sync keys in scope, the address masked.
      const list = await call(clerk, 'GET', `/v1/dossiers/${a.code}/notifications`);
      expect(list.statusCode, list.body).toBe(200);
      const listed = list.json().items as Array<Record<string, unknown>>;
      expect(listed).toHaveLength(10);
      expect(new Set(listed.map((n) => n.to))).toEqual(new Set(['a***@example.vn', '******5678']));
      expect(listed.every((n) => n.status === 'sent' && typeof n.sentAt === 'string')).toBe(true);
      expect(listed.find((n) => n.id === down!.id)!.attempts).toBeGreaterThanOrEqual(2);
      const sync = await createKey(ctx, 'sync', unit);
      expect((await call(sync, 'GET', `/v1/dossiers/${a.code}/notifications`)).statusCode).toBe(200);
      const viewer = await createKey(ctx, 'viewer', unit);
      expect((await call(viewer, 'GET', `/v1/dossiers/${a.code}/notifications`)).statusCode).toBe(403);
      const elsewhere = await createKey(ctx, 'clerk', (await createUnit(ctx)).code);
      expect((await call(elsewhere, 'GET', `/v1/dossiers/${a.code}/notifications`)).statusCode).toBe(404);
      // A viewer sees the contact masked on the dossier.
      const seen = (await call(viewer, 'GET', `/v1/dossiers/${a.code}`)).json();
      expect(seen.contact).toEqual({ consent: true, email: 'a***@example.vn', phone: '******5678' });

      // Logs name notifications by id and status, never the contact or the text.
      expect(logs).toContain(`"notificationId":"${again}"`);
      for (const secret of [email, phone, '84912345678', '912 345 678', items[0]!, 'Cần xác minh thêm']) {
        expect(logs).not.toContain(secret);
      }
      const stored = await ctx.database.db
        .select({ lastError: notifications.lastError })
        .from(notifications)
        .where(sql`${notifications.lastError} is not null`);
      for (const { lastError } of stored)
        expect(lastError).toMatch(/^(SMTP \d{3}|HTTP \d{3}|[A-Z_]+|timeout)$/);
    } finally {
      await stop();
      await closeSms?.();
      await smtp.close();
    }
  });

  it('with neither SMTP_URL nor SMS_GATEWAY_URL configured nothing is written or sent, so nothing piles up', async () => {
    const { receive, act } = await setup();
    const jobCtx = jobContext({});
    const d = await receive({ consent: true, email, phone });
    await act(d.code, 'resolve', { result: 'approved' });
    const stop = pump(jobCtx, [`notify-none-${Date.now()}`], 1);
    try {
      // The relay has passed the dossier's events once the resolve's outbox row is behind its cursor.
      await waitFor('events relayed', async () => {
        const [row] = await rows<{ n: number }>(
          ctx.database.db,
          sql`
            select count(*)::int as n from outbox o join dossiers x on x.id = o.dossier_id
            join outbox_cursors c on c.name like 'notify-none-%' and (o.txid, o.id) <= (c.last_txid, c.last_id)
            where x.code = ${d.code}`,
        );
        return row!.n === 2;
      });
      expect(await rowsOf(d.code)).toEqual([]);
      expect(await deliverNotifications(jobCtx)).toBe(0);
    } finally {
      await stop();
    }
  });
});

describe('the worker runs notifications', () => {
  it('its registry writes them for exactly the notifying events and sends them on a schedule', () => {
    const handler = eventHandlers.find((h) => h.name === 'queue-notifications')!;
    expect(
      [
        'dossier.received',
        'dossier.awaiting_supplement',
        'dossier.rescheduled',
        'dossier.resolved',
        'dossier.returned',
      ].every((t) => handler.matches(t)),
    ).toBe(true);
    for (const other of [
      'dossier.submitted',
      'dossier.processing',
      'dossier.awaiting_payment',
      'alert.overdue',
    ])
      expect(handler.matches(other), other).toBe(false);
    expect(scheduledJobs.map((j) => j.name)).toContain('deliver-notifications');
  });
});

describe('the contact at intake', () => {
  it('an invalid e-mail or a number that is no Vietnamese mobile is refused with nothing stored', async () => {
    const unit = await createUnit(ctx);
    const p = await createProcedure(ctx);
    const clerk = await createKey(ctx, 'clerk', unit.code);
    const before = await ctx.database.db.$count(dossiers, eq(dossiers.unitCode, unit.code));
    for (const [contact, path] of [
      [{ consent: true, email: 'not-an-email' }, 'body.contact.email'],
      [{ consent: true, phone: '024 3825 1234' }, 'body.contact.phone'],
      [{ consent: true, phone: '0112345678' }, 'body.contact.phone'],
      [{ email }, 'body.contact.consent'],
    ] as const) {
      const res = await call(clerk, 'POST', '/v1/dossiers', intakeBody(p.code, { contact }));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await ctx.database.db.$count(dossiers, eq(dossiers.unitCode, unit.code))).toBe(before);
  });

  it('a mobile number typed in any usual form is stored as 0xxxxxxxxx', async () => {
    const unit = await createUnit(ctx);
    const p = await createProcedure(ctx);
    const clerk = await createKey(ctx, 'clerk', unit.code);
    for (const typed of ['0912 345 678', '84912345678', '+84-912-345-678', '091.234.5678']) {
      const res = await call(
        clerk,
        'POST',
        '/v1/dossiers',
        intakeBody(p.code, { contact: { consent: true, phone: typed } }),
      );
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().contact).toEqual({ consent: true, email: null, phone: '0912345678' });
    }
  });
});
