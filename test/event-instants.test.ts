/**
 * Every instant inside an event payload is written as every response writes instants (RFC 3339 at +07:00, whole
 * seconds): the events of a dossier, the change feed and webhook bodies, over dossiers driven through every
 * action, a calendar change and an alert; also for an event stored in another form.
 */
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlerts } from '../src/alerts/commands.js';
import { dossierEvents, dossiers, outbox, webhookDeliveries, webhooks } from '../src/db/schema/index.js';
import type { OutboxEvent } from '../src/jobs/context.js';
import { fanOutToWebhooks } from '../src/webhooks/delivery.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';
import { waitFor } from './helpers/wait.js';

/** A Monday of a year no other test uses. */
const now = new Date('2096-06-04T08:00:00+07:00');
/** A Wednesday inside the open dossier's statutory time: made a day off and back. */
const dayOff = '2096-06-06';

let ctx: TestContext;
let province: string;
let communeB: string;
let clerk: string;
let sync: string;
let webhookId: string;
const codes: string[] = [];

const localInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/;

/** Every string of a JSON value that reads as an instant (a date and a time of day), with where it lies. */
function instantsIn(
  value: unknown,
  path: string,
  found: Array<[string, string]> = [],
): Array<[string, string]> {
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value)))
      found.push([path, value]);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => instantsIn(item, `${path}[${i}]`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) instantsIn(item, `${path}.${key}`, found);
  }
  return found;
}

const notLocal = (found: Array<[string, string]>) =>
  found.filter(([, v]) => !localInstant.test(v)).map(([p, v]) => `${p} = ${v}`);

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, key: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

async function ok(method: 'POST' | 'PUT' | 'DELETE', url: string, key: string, payload: object = {}) {
  const res = await call(method, url, key, method === 'DELETE' ? undefined : payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body ? (res.json() as { code: string }) : { code: '' };
}

async function receive(channel: 'direct' | 'online') {
  const { code } = await ok(
    'POST',
    '/v1/dossiers',
    clerk,
    intakeBody(procedureCode, { unitCode: province, channel }),
  );
  codes.push(code);
  return code;
}

let procedureCode: string;

beforeAll(async () => {
  ctx = await createTestContext({}, { clock: () => now });
  province = (await createUnit(ctx, { name: 'Tỉnh thời điểm' })).code;
  communeB = (await createUnit(ctx, { parentCode: province, name: 'Xã B' })).code;
  procedureCode = (await createProcedure(ctx, { duration: { value: 5, unit: 'working_days' } })).code;
  clerk = await createKey(ctx, 'clerk', province);
  sync = await createKey(ctx, 'sync', province);
  webhookId = (
    (
      await call('POST', '/v1/webhooks', sync, { url: 'http://127.0.0.1:9/event-instants', events: ['*'] })
    ).json() as {
      id: string;
    }
  ).id;

  // Every action once: online through acceptance, a handover, both pauses, an apology, the result, the return.
  const full = await receive('online');
  const act = (code: string, action: string, body: object = {}) =>
    ok('POST', `/v1/dossiers/${code}/${action}`, clerk, body);
  await act(full, 'accept');
  await act(full, 'assign', { handlingUnitCode: communeB, note: 'Chuyển xã B' });
  await act(full, 'request-supplement', { reason: 'Thiếu bản sao', items: ['Bản sao giấy khai sinh'] });
  await act(full, 'receive-supplement', { note: 'Đã bổ sung' });
  await act(full, 'request-payment', { amount: 50000 });
  await act(full, 'confirm-payment', { note: 'Đã nộp' });
  // An apology's new date sent in another form (UTC, milliseconds).
  await act(full, 'reschedule', { newDueAt: '2096-07-02T03:30:00.500Z', reason: 'Cần xác minh' });
  await act(full, 'resolve', { result: 'approved' });
  await act(full, 'return', { method: 'counter' });
  await act(await receive('online'), 'reject', { reason: 'Không thuộc thẩm quyền' });
  await act(await receive('direct'), 'withdraw', { reason: 'Người nộp rút' });
  await act(await receive('direct'), 'stop', { reason: 'Dừng xử lý' });
  // An open dossier whose due a day off moves, and moves back.
  const open = await receive('direct');
  await ok('PUT', `/v1/calendar/days/${dayOff}`, ctx.adminKey, {
    kind: 'day_off',
    name: 'Nghỉ thử',
    source: 'test',
  });
  await ok('DELETE', `/v1/calendar/days/${dayOff}`, ctx.adminKey);
  // An overdue alert on it (its outbox event carries the due).
  const [row] = await ctx.database.db
    .select({ id: dossiers.id })
    .from(dossiers)
    .where(eq(dossiers.code, open));
  const far = new Date('2100-01-01T00:00:00+07:00');
  expect(await raiseAlerts(ctx.database.db, { overdueBefore: far, soonUntil: far, dossierId: row!.id })).toBe(
    1,
  );
});

afterAll(async () => {
  await ctx.database.db.update(webhooks).set({ deletedAt: new Date() }).where(eq(webhooks.id, webhookId));
  await ctx.close();
});

describe('instants inside event payloads', () => {
  it('the events of every dossier carry them at +07:00, among them the new due of each action that moves it', async () => {
    const all: Array<[string, string]> = [];
    const types: string[] = [];
    for (const code of codes) {
      const items = (await call('GET', `/v1/dossiers/${code}/events`, clerk)).json().items as Array<{
        type: string;
        data: Record<string, unknown>;
      }>;
      types.push(...items.map((e) => e.type));
      items.forEach((e, i) => instantsIn(e.data, `${code} event ${i} (${e.type})`, all));
    }
    expect(new Set(types)).toEqual(
      new Set([
        'intake',
        'accept',
        'transferred',
        'request-supplement',
        'receive-supplement',
        'request-payment',
        'confirm-payment',
        'reschedule',
        'resolve',
        'return',
        'reject',
        'withdraw',
        'stop',
        'due_changed',
      ]),
    );
    expect(notLocal(all)).toEqual([]);
    const keys = all.map(([p]) => p.slice(p.lastIndexOf('.') + 1));
    for (const key of ['newDueAt', 'dueAt', 'previousDueAt']) expect(keys).toContain(key);
    expect(all.map(([, v]) => v)).toContain('2096-07-02T10:30:00+07:00');
    // Stored so too, not only read so.
    const stored = await ctx.database.db
      .select({ data: dossierEvents.data })
      .from(dossierEvents)
      .innerJoin(dossiers, eq(dossiers.id, dossierEvents.dossierId))
      .where(inArray(dossiers.code, codes));
    expect(notLocal(instantsIn(stored, 'stored'))).toEqual([]);
    expect(instantsIn(stored, 'stored')).toHaveLength(all.length);
  });

  it('the change feed carries them at +07:00', async () => {
    const mine = new Set(codes);
    const items = await waitFor('every change of the test dossiers in the feed', async () => {
      const seen: unknown[] = [];
      let after = '';
      for (;;) {
        const page = (await call('GET', `/v1/sync/changes?limit=1000${after}`, sync)).json() as {
          items: Array<{ dossier: { code: string } }>;
          nextCursor: string;
          hasMore: boolean;
        };
        seen.push(...page.items.filter((c) => mine.has(c.dossier.code)));
        if (!page.hasMore) break;
        after = `&after=${page.nextCursor}`;
      }
      // Intake and entered states of every dossier, the handover, the apology, two due changes.
      return seen.length >= 19 && seen;
    });
    const found = instantsIn(items, 'feed');
    expect(found.length).toBeGreaterThan(100);
    expect(notLocal(found)).toEqual([]);
  });

  it('webhook bodies carry them at +07:00, the alert’s due too', async () => {
    const ids = (
      await ctx.database.db.select({ id: dossiers.id }).from(dossiers).where(inArray(dossiers.code, codes))
    ).map((r) => r.id);
    const events = await ctx.database.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(inArray(outbox.dossierId, ids));
    for (const e of events) await fanOutToWebhooks(ctx.database.db, { id: Number(e.id) } as OutboxEvent);
    const bodies = (
      await ctx.database.db
        .select({ body: webhookDeliveries.body })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.webhookId, webhookId))
    ).map((r) => r.body as { type: string; occurredAt: string; data: Record<string, unknown> });
    expect(bodies).toHaveLength(events.length);
    const found = instantsIn(bodies, 'webhook');
    expect(found.filter(([p]) => p.endsWith('.occurredAt'))).toHaveLength(bodies.length);
    expect(found.filter(([p]) => p.endsWith('.alert.dueAt'))).toHaveLength(1);
    expect(notLocal(found)).toEqual([]);
  });

  it('an event stored with instants in another form reads at +07:00 like the others', async () => {
    const code = codes.at(-1)!;
    const [row] = await ctx.database.db
      .select({ id: dossiers.id })
      .from(dossiers)
      .where(eq(dossiers.code, code));
    await ctx.database.db.insert(dossierEvents).values({
      dossierId: row!.id,
      type: 'due_changed',
      fromStatus: 'received',
      toStatus: 'received',
      at: now,
      data: {
        reason: 'calendar_change',
        date: dayOff,
        previousDueAt: '2096-06-11T01:00:00.000Z',
        dueAt: '2096-06-12T01:00:00.000Z',
      },
    });
    const items = (await call('GET', `/v1/dossiers/${code}/events`, clerk)).json().items;
    expect(items.at(-1).data).toEqual({
      reason: 'calendar_change',
      date: dayOff,
      previousDueAt: '2096-06-11T08:00:00+07:00',
      dueAt: '2096-06-12T08:00:00+07:00',
    });
  });
});
