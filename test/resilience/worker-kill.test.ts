import { afterAll, describe, expect, it } from 'vitest';
import {
  alertsPerDossier,
  halfWrittenDossiers,
  query,
  sleep,
  startStack,
  startWorker,
  waitFor,
  waitUntilCaughtUp,
} from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const DOSSIERS = 150;

describe('the worker killed mid-job and restarted', () => {
  it('resumes: one alert per dossier and due, every delivery made', async () => {
    // A slow receiver, so the worker is in the middle of sending deliveries when it is killed.
    const { redis, database, receiver, env, counter } = await startStack(cleanups, 300);
    // A backlog in the outbox before any worker runs.
    const codes: string[] = [];
    for (let i = 0; i < DOSSIERS / 5; i++) {
      const batch = await Promise.all(Array.from({ length: 5 }, () => counter.intake()));
      for (const res of batch) {
        expect(res.status).toBe(201);
        codes.push(((await res.json()) as { code: string }).code);
      }
    }

    let worker = await startWorker(env);
    cleanups.push(() => worker.kill());
    // Killed while deliveries are on the wire (the receiver holds them) and events are still queued.
    await waitFor('deliveries in flight', async () => receiver.inFlight() > 0, 30_000, 5);
    await worker.kill('SIGKILL');
    const [{ at: killedAt } = { at: '' }] = await query<{ at: string }>(
      database.url,
      'select now()::text as at',
    );
    const atKill = {
      received: receiver.received.length,
      alerts: (await alertsPerDossier(database.url)).filter((r) => r.n > 0).length,
    };
    expect(atKill.received).toBeLessThan(DOSSIERS);

    await sleep(500);
    worker = await startWorker(env);
    cleanups.push(() => worker.kill());

    // Deliveries the killed worker had claimed keep their 2-minute lease; the restarted worker sends them when
    // it expires. The test does not wait two minutes: it lets those leases expire now, and again while it waits,
    // for a claim the killed worker's last statement committed after the kill (leases taken up to the kill
    // only; the restarted worker's own stay).
    const leased = new Set<string>();
    const expireDeadLeases = async () => {
      const rows = await query<{ id: string }>(
        database.url,
        `update webhook_deliveries set next_attempt_at = now()
         where status = 'pending' and next_attempt_at > now() + interval '30 seconds'
           and next_attempt_at <= $1::timestamptz + interval '2 minutes 1 second' returning id`,
        [killedAt],
      );
      for (const r of rows) leased.add(r.id);
    };
    await expireDeadLeases();
    const expiring = setInterval(() => void expireDeadLeases().catch(() => undefined), 1_000);
    cleanups.push(async () => clearInterval(expiring));

    // Jobs the killed worker held become stalled and run again once their lock has expired (BullMQ: 30 s) and
    // the restarted worker's stall check (every 30 s, a job seen in two checks) has moved them: up to 90 s after
    // the kill, then the deliveries they create take their turn at the slow receiver.
    await waitUntilCaughtUp({
      databaseUrl: database.url,
      redisUrl: redis.url,
      prefix: env.REDIS_PREFIX,
      worker,
      receiver,
      codes: codes,
      ms: 150_000,
    });
    await waitFor(
      'every delivery marked delivered',
      async () =>
        (
          await query<{ n: number }>(
            database.url,
            `select count(*)::int as n from webhook_deliveries where status <> 'delivered'`,
          )
        )[0]!.n === 0,
      30_000,
    );
    clearInterval(expiring);
    await sleep(1_500);

    const perDossier = await alertsPerDossier(database.url);
    expect(perDossier.length).toBe(DOSSIERS);
    expect(perDossier.filter((r) => r.n !== 1)).toEqual([]);
    const [dupes] = await query<{ n: number }>(
      database.url,
      `select count(*)::int as n from (select 1 from alerts group by dossier_id, kind, due_at having count(*) > 1) x`,
    );
    expect(dupes!.n).toBe(0);
    const deliveries = await query<{ id: string }>(database.url, 'select id from webhook_deliveries');
    expect(deliveries.length).toBe(DOSSIERS);
    expect(new Set(deliveries.map((d) => d.id))).toEqual(receiver.distinctIds());
    expect(await halfWrittenDossiers(database.url)).toEqual([]);
    expect(worker.alive(), worker.output()).toBe(true);
    console.log(
      `worker kill: killed after ${atKill.received} webhook requests and ${atKill.alerts} alerts; ` +
        `${leased.size} leases expired early; ${receiver.received.length} requests for ${DOSSIERS} deliveries`,
    );
  }, 240_000);
});
