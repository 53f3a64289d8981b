import { createServer, type IncomingMessage, type Server } from 'node:http';
import { and, eq, lt, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossiers, outbox, webhookDeliveries, webhooks } from '../src/db/schema/index.js';
import { intake } from '../src/dossiers/commands.js';
import { raiseAlerts } from '../src/alerts/commands.js';
import { formatInstantsIn } from '../src/domain/local-time.js';
import { createCalendarCache } from '../src/calendar/cache.js';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import { relayAndHandle } from '../src/jobs/relay.js';
import { deliverWebhooks, fanOutToWebhooks } from '../src/webhooks/delivery.js';
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
import { freePort, waitFor } from './helpers/wait.js';

let ctx: TestContext;
let province: string;
let communeA: string;
let communeB: string;
let clerkA: string;
let clerkB: string;
let syncA: string;
let procedure: string;

beforeAll(async () => {
  ctx = await createTestContext({}, { poolSize: 8 });
  province = (await createUnit(ctx)).code;
  communeA = (await createUnit(ctx, { parentCode: province })).code;
  communeB = (await createUnit(ctx, { parentCode: province })).code;
  clerkA = await createKey(ctx, 'clerk', communeA);
  clerkB = await createKey(ctx, 'clerk', communeB);
  syncA = await createKey(ctx, 'sync', communeA);
  procedure = (await createProcedure(ctx)).code;
});
afterAll(() => ctx.close());

const receive = async (key: string, body: Record<string, unknown> = {}) => {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(key),
    payload: intakeBody(procedure, body),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { code: string };
};
const act = (key: string, code: string, action: string, body: object = {}) =>
  ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${code}/${action}`,
    headers: bearer(key),
    payload: body,
  });

type Page = {
  items: Array<{
    cursor: string;
    type: string;
    dossier: { code: string; status: string; dueAt: string | null };
  }>;
  nextCursor: string;
  hasMore: boolean;
};
async function readFeed(key: string, after?: string, limit = 100): Promise<Page> {
  const res = await ctx.app.inject({
    method: 'GET',
    url: `/v1/sync/changes?limit=${limit}${after ? `&after=${after}` : ''}`,
    headers: bearer(key),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Pages to the end of the feed; returns the items and the cursor to poll with. */
async function drainFeed(key: string, after?: string, limit = 100) {
  const items: Page['items'] = [];
  let cursor = after;
  for (;;) {
    const page = await readFeed(key, cursor, limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!page.hasMore) return { items, cursor };
  }
}

describe('GET /v1/sync/changes', () => {
  it('every change in scope, in order, resumable by cursor, nothing outside the scope', async () => {
    const start = (await drainFeed(syncA)).cursor;
    const d = await receive(clerkA);
    await act(clerkA, d.code, 'assign', {});
    await act(clerkA, d.code, 'resolve', { result: 'approved' });
    await receive(clerkB); // another commune: not in syncA's feed
    const first = await readFeed(syncA, start, 2);
    expect(first.items.map((i) => i.type)).toEqual(['dossier.received', 'dossier.processing']);
    expect(first.hasMore).toBe(true);
    const rest = await drainFeed(syncA, first.nextCursor, 2);
    expect(rest.items.map((i) => i.type)).toEqual(['dossier.handed_over', 'dossier.resolved']);
    expect(rest.items[1]!.dossier).toMatchObject({ code: d.code, status: 'resolved' });
    expect((await readFeed(syncA, rest.cursor)).items).toEqual([]);
    // Only sync keys read the feed.
    expect(
      (await ctx.app.inject({ method: 'GET', url: '/v1/sync/changes', headers: bearer(clerkA) })).statusCode,
    ).toBe(403);
    expect(
      (await ctx.app.inject({ method: 'GET', url: '/v1/sync/changes?after=bogus', headers: bearer(syncA) }))
        .statusCode,
    ).toBe(400);
  });

  it('a page that is not full moves the cursor past the changes outside the scope too', async () => {
    const start = (await drainFeed(syncA)).cursor;
    await receive(clerkA);
    await receive(clerkB); // after the last change in scope, outside it
    const page = await readFeed(syncA, start);
    expect(page.items.map((i) => i.type)).toEqual(['dossier.received']);
    expect(page.hasMore).toBe(false);
    expect(page.nextCursor).not.toBe(page.items[0]!.cursor);
    const again = await readFeed(syncA, page.nextCursor);
    expect(again.items).toEqual([]);
    expect(again.nextCursor).toBe(page.nextCursor);
  });

  it('an alert raised on a dossier is a change of the feed and a webhook event: alert.<kind>, the dossier and the alert', async () => {
    const start = (await drainFeed(syncA)).cursor;
    const { code } = await receive(clerkA);
    const [row] = await ctx.database.db.select().from(dossiers).where(eq(dossiers.code, code));
    // An alert stored by an earlier version, which named no step, officer or unit on a dossier's own alert.
    await ctx.database.db.insert(outbox).values({
      type: 'alert.due_soon',
      dossierId: row!.id,
      unitCode: row!.unitCode,
      payload: {
        alert: {
          id: 0,
          kind: 'due_soon',
          target: 'statutory',
          dossierCode: code,
          dueAt: '2025-05-06T16:30:00+07:00',
        },
      },
      occurredAt: new Date(),
    });
    const far = new Date('2100-01-01T00:00:00+07:00');
    expect(
      await raiseAlerts(ctx.database.db, { overdueBefore: far, soonUntil: far, dossierId: row!.id }),
    ).toBe(1);
    const items = (await drainFeed(syncA, start)).items as Array<Page['items'][number] & { alert?: unknown }>;
    expect(items.map((i) => i.type)).toEqual(['dossier.received', 'alert.due_soon', 'alert.overdue']);
    const [received, earlier, raised] = items;
    // The dossier as it is (an alert changes nothing of it: the same version as its latest change).
    expect(earlier!.dossier).toEqual(received!.dossier);
    expect(raised!.dossier).toEqual(received!.dossier);
    expect(earlier!.alert).toEqual({
      id: 0,
      kind: 'due_soon',
      target: 'statutory',
      dossierCode: code,
      dueAt: '2025-05-06T16:30:00+07:00',
      stepCode: null,
      officerCode: null,
      unitCode: null,
    });
    expect(raised!.alert).toEqual({
      id: expect.any(Number),
      kind: 'overdue',
      target: 'statutory',
      dossierCode: code,
      dueAt: received!.dossier.dueAt,
      stepCode: null,
      officerCode: null,
      unitCode: null,
    });
    expect(received).not.toHaveProperty('alert');

    // A webhook for alerts gets the same: data holds the dossier and the alert.
    const hook = await ctx.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: bearer(syncA),
      payload: { url: 'http://127.0.0.1:9/never', events: ['alert.*'] },
    });
    expect(hook.statusCode, hook.body).toBe(201);
    try {
      const [event] = await ctx.database.db
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.dossierId, row!.id), eq(outbox.type, 'alert.overdue')));
      await fanOutToWebhooks(ctx.database.db, { id: event!.id } as Parameters<typeof fanOutToWebhooks>[1]);
      const [delivery] = await ctx.database.db
        .select({ body: webhookDeliveries.body })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.webhookId, hook.json().id));
      const body = delivery!.body as { type: string; data: { dossier: object; alert: object } };
      expect(body.type).toBe('alert.overdue');
      expect(formatInstantsIn(body.data)).toEqual({ dossier: received!.dossier, alert: raised!.alert });
    } finally {
      // Nothing of this test is ever sent.
      await ctx.database.db.delete(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.json().id));
      await ctx.database.db
        .update(webhooks)
        .set({ deletedAt: new Date() })
        .where(eq(webhooks.id, hook.json().id));
    }
  });

  it('a change whose transaction started first but committed last is still delivered, before what follows', async () => {
    const start = (await drainFeed(syncA)).cursor;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const begun = new Promise<void>((r) => (started = r));
    const principal = {
      keyId: '00000000-0000-0000-0000-000000000001',
      role: 'clerk' as const,
      unitCode: communeA,
      scopePath: null,
    };
    const slow = ctx.database.db.transaction(async (tx) => {
      const result = await intake(
        {
          db: tx as never,
          calendars: createCalendarCache(DEFAULT_WORKING_HOURS),
          config: ctx.config,
          principal,
          now: new Date(),
        },
        intakeBody(procedure, { unitCode: communeA, summary: 'slow' }) as never,
      );
      started();
      await gate; // hold the transaction open
      return result.body.code;
    });
    await begun;
    // Another unit in the same scope, so the fast intake does not wait for the slow one's day counter.
    const ward = (await createUnit(ctx, { parentCode: communeA })).code;
    const fast = await receive(clerkA, { summary: 'fast', unitCode: ward });
    const during = await drainFeed(syncA, start);
    expect(during.items.map((i) => i.dossier.code)).not.toContain(fast.code); // waits for the open transaction
    release();
    const slowCode = await slow;
    const after = await drainFeed(syncA, during.cursor);
    expect(after.items.map((i) => i.dossier.code)).toEqual([slowCode, fast.code]);
  });
});

interface Received {
  id: string;
  body: { type: string; data: { dossier?: { code: string } } };
  headers: IncomingMessage['headers'];
  raw: string;
}

/** A local receiver that records what it gets and answers with `status()`. */
function receiver(port: number, got: Received[], status: () => number): Promise<Server> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const code = status();
      if (code < 300)
        got.push({ id: String(req.headers['webhook-id']), body: JSON.parse(raw), headers: req.headers, raw });
      res.writeHead(code).end();
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('a dossier received for a unit outside the receiving clerk’s subtree', () => {
  /** A centre receiving for a department that lies under another root, and a sibling of the department. */
  async function centreAndDepartment() {
    const centre = (await createUnit(ctx, { parentCode: province })).code;
    const elsewhere = (await createUnit(ctx)).code;
    const department = (await createUnit(ctx, { parentCode: elsewhere })).code;
    const sibling = (await createUnit(ctx, { parentCode: elsewhere })).code;
    const clerk = await createKey(ctx, 'clerk', centre);
    const d = await receive(clerk, { unitCode: centre, resolvingUnitCode: department });
    return { centre, department, sibling, clerk, d };
  }

  it('is in the resolving unit’s change feed, not in its sibling’s', async () => {
    const { department, sibling, centre, d } = await centreAndDepartment();
    const syncDepartment = await createKey(ctx, 'sync', department);
    const syncSibling = await createKey(ctx, 'sync', sibling);
    const syncCentre = await createKey(ctx, 'sync', centre);
    const seen = async (key: string) =>
      (await drainFeed(key, undefined, 1000)).items.map((i) => i.dossier.code);
    expect(await seen(syncDepartment)).toEqual([d.code]);
    expect(await seen(syncCentre)).toEqual([d.code]);
    expect(await seen(syncSibling)).toEqual([]);
    const [item] = (await drainFeed(syncDepartment, undefined, 1000)).items;
    expect(item!.dossier).toMatchObject({ resolvingUnit: { code: department } });
  });

  it('a change stored before dossiers had a resolving unit reads as resolved where it was received', async () => {
    const { department, d } = await centreAndDepartment();
    const syncDepartment = await createKey(ctx, 'sync', department);
    const [row] = await ctx.database.db
      .select({ id: outbox.id, payload: outbox.payload })
      .from(outbox)
      .where(sql`${outbox.payload} -> 'dossier' ->> 'code' = ${d.code}`);
    const { resolvingUnit: _gone, ...before } = row!.payload.dossier as Record<string, unknown>;
    await ctx.database.db
      .update(outbox)
      .set({ payload: { dossier: before } })
      .where(eq(outbox.id, row!.id));
    const [item] = (await drainFeed(syncDepartment, undefined, 1000)).items;
    expect(item!.dossier).toMatchObject({ code: d.code, resolvingUnit: before.unit as object });
  });

  it('a change stored before holders, steps, contacts, payments and digitisation reads as having none of them (no component digitised)', async () => {
    const { department, d } = await centreAndDepartment();
    const syncDepartment = await createKey(ctx, 'sync', department);
    const [row] = await ctx.database.db
      .select({ id: outbox.id, payload: outbox.payload })
      .from(outbox)
      .where(sql`${outbox.payload} -> 'dossier' ->> 'code' = ${d.code}`);
    const {
      holder: _holder,
      currentStep: _step,
      contact: _contact,
      payment: _payment,
      hasDigitisedComponents: _digitised,
      electronicResult: _electronic,
      ...before
    } = row!.payload.dossier as Record<string, unknown>;
    // Components as stored before the digitised flag.
    const components = [{ name: 'Tờ khai đăng ký khai sinh', copies: 1 }];
    await ctx.database.db
      .update(outbox)
      .set({ payload: { dossier: { ...before, components } } })
      .where(eq(outbox.id, row!.id));
    const page = await ctx.app.inject({
      method: 'GET',
      url: '/v1/sync/changes?limit=1000',
      headers: bearer(syncDepartment),
    });
    expect(page.statusCode).toBe(200);
    const item = (page.json().items as Array<{ dossier: Record<string, unknown> }>).find(
      (i) => i.dossier.code === d.code,
    );
    expect(item!.dossier).toMatchObject({
      code: d.code,
      holder: null,
      currentStep: null,
      contact: { consent: false, email: null, phone: null },
      payment: null,
      hasDigitisedComponents: false,
      electronicResult: false,
      components: components.map((c) => ({ ...c, digitised: false })),
    });
  });

  it('is delivered to the resolving unit’s webhooks, not to its sibling’s', async () => {
    const { department, sibling, d } = await centreAndDepartment();
    const hooks: string[] = [];
    for (const unit of [department, sibling]) {
      const created = await ctx.app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: bearer(await createKey(ctx, 'sync', unit)),
        payload: { url: 'http://127.0.0.1:9/never', events: ['dossier.*'] },
      });
      expect(created.statusCode, created.body).toBe(201);
      hooks.push(created.json().id);
    }
    try {
      const [event] = await ctx.database.db
        .select({ id: outbox.id })
        .from(outbox)
        .innerJoin(dossiers, eq(dossiers.id, outbox.dossierId))
        .where(eq(dossiers.code, d.code));
      await fanOutToWebhooks(ctx.database.db, { id: event!.id } as Parameters<typeof fanOutToWebhooks>[1]);
      const delivered = await ctx.database.db
        .select({ webhookId: webhookDeliveries.webhookId })
        .from(webhookDeliveries)
        .where(sql`${webhookDeliveries.webhookId} in (${hooks[0]}, ${hooks[1]})`);
      expect(delivered.map((r) => r.webhookId)).toEqual([hooks[0]]);
    } finally {
      // Nothing of this test is ever sent.
      await ctx.database.db.execute(
        sql`delete from ${webhookDeliveries} where ${webhookDeliveries.webhookId} in (${hooks[0]}, ${hooks[1]})`,
      );
      await ctx.database.db
        .update(webhooks)
        .set({ deletedAt: new Date() })
        .where(sql`${webhooks.id} in (${hooks[0]}, ${hooks[1]})`);
    }
  });
});

describe('webhooks', () => {
  it('signed deliveries; a receiver that is down for a while loses nothing; failed ones can be redelivered', async () => {
    // The webhook part of the worker, pumped on its own relay cursor so other test files' jobs are untouched.
    const jobCtx = {
      db: ctx.database.db,
      config: testConfig({ WEBHOOK_RETRY_BASE_MS: '100' }),
      calendars: createCalendarCache(DEFAULT_WORKING_HOURS),
      clock: () => new Date(),
      log: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
    };
    const cursor = `webhook-test-${Date.now()}`;
    let pumping = true;
    const pump = (async () => {
      while (pumping) {
        await relayAndHandle(
          jobCtx,
          async (events) => {
            for (const e of events) await fanOutToWebhooks(jobCtx.db, e);
          },
          500,
          cursor,
        );
        await deliverWebhooks(jobCtx);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const jobs = { close: async () => ((pumping = false), await pump) };
    const port = await freePort();
    const got: Received[] = [];
    let answer = 200;
    let server = await receiver(port, got, () => answer);
    try {
      const created = await ctx.app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: bearer(syncA),
        payload: { url: `http://127.0.0.1:${port}/hook`, events: ['dossier.*'] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const hook = created.json();
      expect(hook.secret).toMatch(/^whsec_/);
      expect(hook.unitCode).toBe(communeA);

      const d = await receive(clerkA);
      await receive(clerkB); // outside the webhook's scope
      const first = await waitFor('first delivery', () =>
        got.find((g) => g.body.data.dossier?.code === d.code),
      );
      expect(first.body.type).toBe('dossier.received');
      // The signature verifies with the Standard Webhooks reference implementation.
      expect(() =>
        new Webhook(hook.secret).verify(first.raw, {
          'webhook-id': String(first.headers['webhook-id']),
          'webhook-timestamp': String(first.headers['webhook-timestamp']),
          'webhook-signature': String(first.headers['webhook-signature']),
        }),
      ).not.toThrow();

      // The receiver goes away; changes keep coming.
      await new Promise((r) => server.close(r));
      const during = [await receive(clerkA), await receive(clerkA)];
      await act(clerkA, during[0]!.code, 'assign', {});
      await new Promise((r) => setTimeout(r, 1500));
      const [retrying] = await ctx.database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(webhookDeliveries)
        .where(
          sql`${webhookDeliveries.webhookId} = ${hook.id} and ${webhookDeliveries.status} = 'pending' and ${webhookDeliveries.attempts} > 0`,
        );
      expect(retrying!.n).toBeGreaterThan(0);
      server = await receiver(port, got, () => answer);
      const expected = [
        `${during[0]!.code}:dossier.received`,
        `${during[1]!.code}:dossier.received`,
        `${during[0]!.code}:dossier.processing`,
      ];
      await waitFor('deliveries after the outage', () =>
        expected.every((e) => got.some((g) => `${g.body.data.dossier?.code}:${g.body.type}` === e)),
      );
      expect(got.every((g) => g.body.data.dossier?.code !== undefined)).toBe(true);
      expect(got.some((g) => g.body.data.dossier?.code.startsWith(communeB))).toBe(false);

      // A receiver that keeps failing: the delivery gives up after the retry window and is listed as failed.
      answer = 500;
      const doomed = await receive(clerkA);
      const deliveryOf = async () =>
        (await ctx.database.db.execute(sql`
          select dl.id, dl.status from webhook_deliveries dl join outbox o on o.id = dl.outbox_id
          join dossiers d on d.id = o.dossier_id where d.code = ${doomed.code}`)) as unknown as {
          rows: Array<{ id: string; status: string }>;
        };
      const pending = await waitFor('delivery row', async () => (await deliveryOf()).rows[0]);
      // Skip to the last attempt. A send already in flight may write its own count back after this update,
      // so the update is applied again until the last attempt has been made.
      await waitFor('failed', async () => {
        if ((await deliveryOf()).rows[0]?.status === 'failed') return true;
        await ctx.database.db
          .update(webhookDeliveries)
          .set({ attempts: 32 })
          .where(and(eq(webhookDeliveries.id, pending.id), lt(webhookDeliveries.attempts, 32)));
        return false;
      });
      const failed = await ctx.app.inject({
        method: 'GET',
        url: `/v1/webhooks/${hook.id}/deliveries?status=failed`,
        headers: bearer(syncA),
      });
      expect(failed.json().items.map((i: { id: string }) => i.id)).toContain(pending.id);
      answer = 200;
      const again = await ctx.app.inject({
        method: 'POST',
        url: `/v1/webhooks/${hook.id}/deliveries/${pending.id}/redeliver`,
        headers: bearer(syncA),
      });
      expect(again.statusCode).toBe(202);
      await waitFor('redelivered', () => got.find((g) => g.id === pending.id));

      // Listing and deleting.
      const list = await ctx.app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(syncA) });
      expect(list.json().items.map((w: { id: string }) => w.id)).toContain(hook.id);
      expect(list.json().items[0].secret).toBeUndefined();
      const syncB = await createKey(ctx, 'sync', communeB);
      expect(
        (await ctx.app.inject({ method: 'DELETE', url: `/v1/webhooks/${hook.id}`, headers: bearer(syncB) }))
          .statusCode,
      ).toBe(404);
      expect(
        (await ctx.app.inject({ method: 'DELETE', url: `/v1/webhooks/${hook.id}`, headers: bearer(syncA) }))
          .statusCode,
      ).toBe(204);
      expect(
        (
          await ctx.app.inject({
            method: 'POST',
            url: '/v1/webhooks',
            headers: bearer(clerkA),
            payload: { url: 'http://127.0.0.1:1/x', events: ['*'] },
          })
        ).statusCode,
      ).toBe(403);
    } finally {
      await jobs.close();
      server.close();
    }
  }, 90_000);
});
