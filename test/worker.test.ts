import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { alerts, dossiers, outbox } from '../src/db/schema/index.js';
import { createCalendarCache } from '../src/calendar/cache.js';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import { evaluateDossierAlerts, scanAlerts } from '../src/alerts/commands.js';
import type { JobContext, OutboxEvent } from '../src/jobs/context.js';
import { relayOutbox } from '../src/jobs/relay.js';
import { startQueueWorker } from '../src/jobs/queue-worker.js';
import { connectPostgres, type Database } from '../src/db/client.js';
import { rows } from '../src/db/sql.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createIsolatedDatabase,
  createUnit,
  intakeBody,
  testConfig,
  type TestContext,
} from './helpers/context.js';
import { freePort, waitFor } from './helpers/wait.js';

let now = new Date('2098-03-03T08:00:00+07:00'); // a Monday
let ctx: TestContext;
let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const extraDatabases: Database[] = [];

// A database of its own: the scans below look at every running dossier of their database, and the workers on
// the real clock relay every outbox row of theirs. On the run's shared database they would raise alerts on the
// other files' dossiers (received in 2025, overdue by the real clock) while those files count their alerts.
beforeAll(async () => {
  isolated = await createIsolatedDatabase();
  ctx = await createTestContext({ DATABASE_URL: isolated.url }, { clock: () => now, poolSize: 6 });
});
afterAll(async () => {
  for (const d of extraDatabases) await d.close();
  await ctx.close();
  await isolated.drop();
});

/** A job context of its own (its own pool), as a second worker process would have. */
async function jobContext(
  clock: () => Date = () => now,
  overrides: Record<string, string> = {},
): Promise<JobContext> {
  const config = testConfig({ DATABASE_URL: isolated.url, ...overrides });
  const database = await connectPostgres(config.DATABASE_URL!, 3);
  extraDatabases.push(database);
  return {
    db: database.db,
    config,
    calendars: createCalendarCache(DEFAULT_WORKING_HOURS),
    clock,
    log: silent,
  };
}

async function clerkWithProcedure(procedure: Record<string, unknown> = {}) {
  const unit = await createUnit(ctx);
  const clerk = await createKey(ctx, 'clerk', unit.code);
  const p = await createProcedure(ctx, procedure);
  const receive = async (body: Record<string, unknown> = {}) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerk),
      payload: intakeBody(p.code, body),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { code: string; dueAt: string };
  };
  return { unit: unit.code, clerk, procedure: p.code, receive };
}

async function alertsOf(codes: string[]) {
  return ctx.database.db
    .select({ code: dossiers.code, kind: alerts.kind, target: alerts.target, dueAt: alerts.dueAt })
    .from(alerts)
    .innerJoin(dossiers, eq(dossiers.id, alerts.dossierId))
    .where(inArray(dossiers.code, codes));
}

async function outboxIdsOf(codes: string[]) {
  const found = await ctx.database.db
    .select({ id: outbox.id })
    .from(outbox)
    .innerJoin(dossiers, eq(dossiers.id, outbox.dossierId))
    .where(inArray(dossiers.code, codes));
  return found.map((r) => r.id);
}

/**
 * Where the events of these dossiers are, for a test that timed out waiting for their delivery: their outbox
 * rows against the relay's cursor and the oldest running transaction (the relay reads only below it), that
 * transaction, and the queue's jobs.
 */
async function deliveryState(codes: string[], queue: Queue): Promise<string> {
  const codeList = sql.join(
    codes.map((c) => sql`${c}`),
    sql`, `,
  );
  const [state] = await rows<Record<string, unknown>>(
    ctx.database.db,
    sql`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin,
      (select json_agg(o) from (select o.id, o.txid::text, o.type from outbox o
        join dossiers d on d.id = o.dossier_id where d.code in (${codeList})) o) as events,
      (select row_to_json(c) from (select last_txid::text, last_id from outbox_cursors where name = 'queues') c)
        as cursor,
      (select json_agg(a) from (select datname, state, backend_xid::text as xid, xact_start, left(query, 120) as query
        from pg_stat_activity where backend_xid is not null order by xact_start limit 3) a) as oldest`,
  );
  // Raced against a timer: the queue's connection waits for Redis as long as it takes.
  const counts = await Promise.race([
    queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
    new Promise<string>((resolve) => setTimeout(() => resolve('Redis did not answer within 2 s'), 2000)),
  ]).catch((err: Error) => err.message);
  return JSON.stringify({ ...state, jobs: counts });
}

describe('deadline alerts', () => {
  it('two workers scanning again and again raise each alert once, for both dates, and none for finished or paused dossiers', async () => {
    const { clerk, receive } = await clerkWithProcedure({ duration: { value: 2, unit: 'working_days' } });
    now = new Date('2098-03-03T08:00:00+07:00');
    const running = await receive(); // due Wednesday 05/03 08:00
    const rescheduled = await receive();
    await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${rescheduled.code}/reschedule`,
      headers: bearer(clerk),
      payload: { newDueAt: '2098-03-06T17:00:00+07:00', reason: 'Xin lỗi' },
    });
    const finished = await receive();
    await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${finished.code}/resolve`,
      headers: bearer(clerk),
      payload: { result: 'approved' },
    });
    const paused = await receive();
    await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${paused.code}/request-supplement`,
      headers: bearer(clerk),
      payload: { reason: 'x' },
    });
    const codes = [running.code, rescheduled.code, finished.code, paused.code];

    const [a, b] = [await jobContext(), await jobContext()];
    const state = `alerts-scan-test-${Date.now()}`;
    // Tuesday 09:00: the statutory dues are within a working day.
    now = new Date('2098-03-04T09:00:00+07:00');
    await Promise.all([
      scanAlerts(a, state),
      scanAlerts(b, state),
      scanAlerts(a, state),
      scanAlerts(b, state),
    ]);
    let raised = await alertsOf(codes);
    expect(raised.map((r) => `${r.code}:${r.kind}:${r.target}`).sort()).toEqual(
      [`${running.code}:due_soon:statutory`, `${rescheduled.code}:due_soon:statutory`].sort(),
    );
    // Thursday: the statutory dues are past (overdue), the rescheduled one is due soon.
    now = new Date('2098-03-06T09:00:00+07:00');
    await Promise.all([scanAlerts(a, state), scanAlerts(b, state)]);
    await Promise.all([scanAlerts(b, state), scanAlerts(a, state)]);
    raised = await alertsOf(codes);
    expect(raised.map((r) => `${r.code}:${r.kind}:${r.target}`).sort()).toEqual(
      [
        `${running.code}:due_soon:statutory`,
        `${running.code}:overdue:statutory`,
        `${rescheduled.code}:due_soon:statutory`,
        `${rescheduled.code}:overdue:statutory`,
        `${rescheduled.code}:due_soon:rescheduled`,
      ].sort(),
    );
    // Each alert was announced once in the outbox (for webhooks).
    const [announced] = await ctx.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(outbox)
      .where(
        sql`${outbox.type} like 'alert.%' and ${outbox.dossierId} in (select id from dossiers where code in ${codes})`,
      );
    expect(announced!.n).toBe(5);
  });

  it('an event for a changed dossier raises its alert without waiting for the scan', async () => {
    const { receive } = await clerkWithProcedure({ duration: { value: 4, unit: 'working_hours' } });
    now = new Date('2098-03-03T08:00:00+07:00');
    const d = await receive();
    const [row] = await ctx.database.db
      .select({ id: dossiers.id })
      .from(dossiers)
      .where(eq(dossiers.code, d.code));
    const worker = await jobContext();
    expect(await evaluateDossierAlerts(worker, row!.id)).toBe(1);
    expect(await evaluateDossierAlerts(worker, row!.id)).toBe(0);
    expect((await alertsOf([d.code])).map((a) => a.kind)).toEqual(['due_soon']);
  });

  it('GET /v1/alerts lists in scope with filters; ack is idempotent', async () => {
    const { unit, clerk, receive } = await clerkWithProcedure({
      duration: { value: 4, unit: 'working_hours' },
    });
    now = new Date('2098-03-03T08:00:00+07:00');
    const d = await receive();
    const [row] = await ctx.database.db
      .select({ id: dossiers.id })
      .from(dossiers)
      .where(eq(dossiers.code, d.code));
    await evaluateDossierAlerts(await jobContext(), row!.id);
    const list = await ctx.app.inject({
      method: 'GET',
      url: `/v1/alerts?unitCode=${unit}&acknowledged=false`,
      headers: bearer(clerk),
    });
    expect(list.statusCode).toBe(200);
    const [alert] = list.json().items;
    expect(alert).toMatchObject({
      kind: 'due_soon',
      target: 'statutory',
      dossierCode: d.code,
      dueAt: d.dueAt,
      acknowledgedAt: null,
    });
    const ack = await ctx.app.inject({
      method: 'POST',
      url: `/v1/alerts/${alert.id}/ack`,
      headers: bearer(clerk),
    });
    expect(ack.statusCode).toBe(200);
    const first = ack.json().acknowledgedAt;
    expect(first).not.toBeNull();
    expect(
      (
        await ctx.app.inject({ method: 'POST', url: `/v1/alerts/${alert.id}/ack`, headers: bearer(clerk) })
      ).json().acknowledgedAt,
    ).toBe(first);
    expect(
      (
        await ctx.app.inject({
          method: 'GET',
          url: `/v1/alerts?unitCode=${unit}&acknowledged=false`,
          headers: bearer(clerk),
        })
      ).json().items,
    ).toEqual([]);
    const outsider = await createKey(ctx, 'clerk', (await createUnit(ctx)).code);
    expect(
      (await ctx.app.inject({ method: 'POST', url: `/v1/alerts/${alert.id}/ack`, headers: bearer(outsider) }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await ctx.app.inject({
          method: 'GET',
          url: `/v1/alerts?dossierCode=${d.code}`,
          headers: bearer(outsider),
        })
      ).json().items,
    ).toEqual([]);
    const viewer = await createKey(ctx, 'viewer', unit);
    expect(
      (await ctx.app.inject({ method: 'POST', url: `/v1/alerts/${alert.id}/ack`, headers: bearer(viewer) }))
        .statusCode,
    ).toBe(403);
  });
});

describe('outbox relay', () => {
  it('a transaction that started first but committed last is still relayed, and in order', async () => {
    const worker = await jobContext();
    const cursor = `test-order-${Date.now()}`;
    const seen: OutboxEvent[] = [];
    const collect = async (events: OutboxEvent[]) => void seen.push(...events);
    while ((await relayOutbox(worker, collect, 500, cursor)) > 0); // catch up with everything before
    seen.length = 0;
    const tag = `test.order.${Date.now()}`;
    const early = new pg.Client({ connectionString: ctx.config.DATABASE_URL });
    await early.connect();
    await early.query('begin');
    await early.query(`insert into outbox (type, payload, occurred_at) values ($1, '{}', now())`, [
      `${tag}.first`,
    ]);
    await ctx.database.db
      .insert(outbox)
      .values({ type: `${tag}.second`, payload: {}, occurredAt: new Date() });
    await relayOutbox(worker, collect, 500, cursor);
    expect(seen.filter((e) => e.type.startsWith(tag))).toEqual([]); // waits for the open transaction
    await early.query('commit');
    await early.end();
    while ((await relayOutbox(worker, collect, 500, cursor)) > 0);
    expect(seen.filter((e) => e.type.startsWith(tag)).map((e) => e.type)).toEqual([
      `${tag}.first`,
      `${tag}.second`,
    ]);
  });

  it('a failed dispatch leaves the cursor where it was: nothing is lost', async () => {
    const worker = await jobContext();
    const cursor = `test-fail-${Date.now()}`;
    while ((await relayOutbox(worker, async () => {}, 500, cursor)) > 0);
    const tag = `test.fail.${Date.now()}`;
    await ctx.database.db.insert(outbox).values({ type: tag, payload: {}, occurredAt: new Date() });
    await expect(
      relayOutbox(worker, async () => Promise.reject(new Error('redis down')), 500, cursor),
    ).rejects.toThrow('redis down');
    const seen: string[] = [];
    while (
      (await relayOutbox(
        worker,
        async (events) => void seen.push(...events.map((e) => e.type)),
        500,
        cursor,
      )) > 0
    );
    expect(seen.filter((t) => t === tag)).toEqual([tag]);
  });

  it('a dispatch waiting on the queues holds back no one: later commits are visible to the change feed', async () => {
    const worker = await jobContext();
    const cursor = `test-wait-${Date.now()}`; // a new cursor: its row is created by this first run
    await ctx.database.db.insert(outbox).values({ type: 'test.wait', payload: {}, occurredAt: new Date() });
    let release!: () => void;
    let entered!: () => void;
    const inDispatch = new Promise<void>((r) => (entered = r));
    const relaying = relayOutbox(
      worker,
      () => (entered(), new Promise<void>((r) => (release = r))),
      500,
      cursor,
    );
    await inDispatch;
    const [later] = await ctx.database.db
      .insert(outbox)
      .values({ type: 'test.wait.later', payload: {}, occurredAt: new Date() })
      .returning({ id: outbox.id });
    // Visible once no older transaction runs anywhere on the server: other test files' short ones may
    // delay it for a moment; the waiting relay must not.
    await waitFor(
      'the later commit to be visible to readers',
      async () => {
        const result = (await ctx.database.db.execute(
          sql`select o.txid < pg_snapshot_xmin(pg_current_snapshot()) as visible from outbox o where o.id = ${later!.id}`,
        )) as unknown as { rows: Array<{ visible: boolean }> };
        return result.rows[0]!.visible;
      },
      5_000,
    );
    release();
    expect(await relaying).toBeGreaterThan(0);
  });

  it('relays racing on one cursor: every event goes, first seen in order, and the cursor never moves back', async () => {
    const workers = [await jobContext(), await jobContext()];
    const cursor = `test-turns-${Date.now()}`;
    while ((await relayOutbox(workers[0]!, async () => {}, 500, cursor)) > 0);
    const tag = `test.turns.${Date.now()}`;
    await ctx.database.db
      .insert(outbox)
      .values(
        Array.from({ length: 30 }, (_, i) => ({ type: `${tag}.${i}`, payload: {}, occurredAt: new Date() })),
      );
    const seen: string[] = [];
    const slowCollect = async (events: OutboxEvent[]) => {
      await new Promise((r) => setTimeout(r, 20));
      seen.push(...events.map((e) => e.type).filter((t) => t.startsWith(tag)));
    };
    const drain = async (w: JobContext) => {
      while ((await relayOutbox(w, slowCollect, 7, cursor)) > 0);
    };
    await Promise.all([drain(workers[0]!), drain(workers[1]!), drain(workers[0]!)]);
    // A batch two relays read at once goes twice (the queue takes it once: its job ids); a batch is read only
    // after the one before it went, so the first sightings keep the outbox order.
    expect([...new Set(seen)]).toEqual(Array.from({ length: 30 }, (_, i) => `${tag}.${i}`));
    expect(await relayOutbox(workers[1]!, slowCollect, 7, cursor)).toBe(0);
  });

  it('a dispatch unanswered in time gives up and leaves the cursor; the next run relays the batch', async () => {
    const worker = await jobContext();
    const cursor = `test-timeout-${Date.now()}`;
    while ((await relayOutbox(worker, async () => {}, 500, cursor)) > 0);
    const tag = `test.timeout.${Date.now()}`;
    await ctx.database.db.insert(outbox).values({ type: tag, payload: {}, occurredAt: new Date() });
    const never = () => new Promise<void>(() => {});
    await expect(relayOutbox(worker, never, 500, cursor, 100)).rejects.toThrow(
      /^the queues did not take \d+ events within 100 ms$/,
    );
    const seen: string[] = [];
    await relayOutbox(worker, async (events) => void seen.push(...events.map((e) => e.type)), 500, cursor);
    expect(seen.filter((t) => t === tag)).toEqual([tag]);
  });
});

describe('the worker on Redis (BullMQ)', () => {
  it('two workers relay outbox events to alerts exactly once', async () => {
    const { receive } = await clerkWithProcedure({ duration: { value: 4, unit: 'working_hours' } });
    const prefix = `${inject('redisPrefix')}-two-${Date.now()}`;
    const overrides = { RELAY_INTERVAL_MS: '200', ALERT_SCAN_INTERVAL_MS: '1000' };
    const realClock = () => new Date();
    const workers = [
      await startQueueWorker(await jobContext(realClock, overrides), {
        redisUrl: inject('redisUrl'),
        prefix,
        concurrency: 4,
      }),
      await startQueueWorker(await jobContext(realClock, overrides), {
        redisUrl: inject('redisUrl'),
        prefix,
        concurrency: 4,
      }),
    ];
    try {
      now = new Date();
      const received = await Promise.all(Array.from({ length: 8 }, () => receive()));
      const codes = received.map((d) => d.code);
      const raised = await waitFor('alerts', async () => {
        const rows = await alertsOf(codes);
        return rows.length >= codes.length && rows;
      });
      await new Promise((r) => setTimeout(r, 1500)); // more relay and scan ticks: still no duplicates
      const again = await alertsOf(codes);
      expect(again.length).toBe(codes.length);
      expect(new Set(raised.map((r) => r.code))).toEqual(new Set(codes));
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  }, 60_000);

  it('with Redis down the API still receives; once Redis is back everything is delivered, once', async () => {
    const port = await freePort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-redis-'));
    let redisOutput = '';
    const startRedis = () => {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      for (const stream of [child.stdout, child.stderr])
        stream.on('data', (c: Buffer) => (redisOutput = (redisOutput + c.toString()).slice(-4000)));
      return child;
    };
    let redisProcess: ChildProcess = startRedis();
    const redisUrl = `redis://127.0.0.1:${port}`;
    const probe = new Redis(redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 200,
    });
    probe.on('error', () => undefined);
    await waitFor('redis', async () => (await probe.ping().catch(() => null)) === 'PONG');
    const prefix = `${inject('redisPrefix')}-restart-${Date.now()}`;
    const worker = await startQueueWorker(await jobContext(() => new Date(), { RELAY_INTERVAL_MS: '200' }), {
      redisUrl,
      prefix,
      concurrency: 2,
    });
    const jobsConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    jobsConnection.on('error', () => undefined);
    const queue = new Queue('events', { connection: jobsConnection, prefix });
    queue.on('error', () => undefined); // while Redis is down
    try {
      const { receive } = await clerkWithProcedure({ duration: { value: 4, unit: 'working_hours' } });
      now = new Date();
      const before = await receive();
      await waitFor('first alert', async () => (await alertsOf([before.code])).length === 1);

      redisProcess.kill('SIGKILL');
      await new Promise((r) => redisProcess.once('exit', r));
      const during = await Promise.all(Array.from({ length: 5 }, () => receive())); // the API does not need Redis
      await new Promise((r) => setTimeout(r, 1000));

      redisProcess = startRedis();
      const restarted = redisProcess;
      const codes = during.map((d) => d.code);
      await waitFor(
        'alerts after restart',
        async () => {
          // A Redis that could not start again (its port taken meanwhile) fails the test at once, saying so.
          if (restarted.exitCode !== null || restarted.signalCode !== null)
            throw new Error(`redis exited again:\n${redisOutput}`);
          return (await alertsOf(codes)).length === codes.length;
        },
        // Generous: the worker's connections retry on their own schedule, and BullMQ waits 15 s before it tries
        // again a fetch that failed on the lost connection; on a loaded machine these can add up.
        75_000,
        200,
        {
          rethrow: (err) => err.message.startsWith('redis exited'),
          explain: () => deliveryState(codes, queue),
        },
      );
      await new Promise((r) => setTimeout(r, 1500));
      expect((await alertsOf([before.code, ...codes])).length).toBe(codes.length + 1);
      // Each outbox event of these dossiers became exactly one job.
      const ids = await outboxIdsOf(codes);
      const jobs = await waitFor('jobs completed', async () => {
        const done = await queue.getJobs(['completed']);
        const mine = done.filter((j) => ids.some((id) => j.id === `outbox-${id}`));
        return mine.length === ids.length && mine;
      });
      expect(new Set(jobs.map((j) => j.id)).size).toBe(ids.length);
    } finally {
      await queue.close();
      jobsConnection.disconnect();
      await worker.close();
      probe.disconnect();
      redisProcess.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
