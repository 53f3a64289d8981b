import { afterAll, describe, expect, it } from 'vitest';
import {
  alertsPerDossier,
  dossierCodes,
  halfWrittenDossiers,
  load,
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

describe('Redis killed and restarted during intake load', () => {
  it('the API accepts every intake; afterwards each dossier has exactly one alert and its webhook, none lost', async () => {
    const { redis, database, receiver, env, api, counter } = await startStack(cleanups);
    const worker = await startWorker(env);
    cleanups.push(() => worker.kill());

    // Four clerks taking in dossiers for 6 s; Redis is killed at 1.5 s and comes back at 4 s.
    const started = Date.now();
    const outcomes = load(4, counter.intake, () => Date.now() - started > 6_000);
    await sleep(1_500);
    await redis.kill();
    await sleep(500);
    const duringOutage = await fetch(`${api.base}/readyz`);
    expect(duringOutage.status).toBe(503);
    expect(await duringOutage.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'failed' } });
    await sleep(2_000);
    await redis.start();
    const results = await outcomes;

    // Every intake was accepted, during the outage too.
    const statuses = results.map((r) => ('status' in r ? r.status : r.error));
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    const accepted = results.flatMap((r) =>
      'status' in r ? [(JSON.parse(r.body) as { code: string }).code] : [],
    );
    expect(accepted.length).toBeGreaterThan(20);
    const codes = await dossierCodes(database.url);
    expect(codes.sort()).toEqual([...accepted].sort());
    expect(await halfWrittenDossiers(database.url)).toEqual([]);

    // The worker catches up: one alert per dossier, and every dossier.received event delivered. A job BullMQ
    // handed out just as Redis died (the reply lost, the move persisted) waits for its lock to expire and the
    // stalled-job check to requeue it: up to lockDuration + stalledInterval (about 60 s) late, never lost.
    await waitUntilCaughtUp({
      databaseUrl: database.url,
      redisUrl: redis.url,
      prefix: env.REDIS_PREFIX,
      worker,
      receiver,
      codes: accepted,
      ms: 100_000,
    });
    await sleep(2_000); // more relay and scan ticks: still exactly one of each
    const perDossier = await alertsPerDossier(database.url);
    expect(perDossier.filter((r) => r.n !== 1)).toEqual([]);
    expect(perDossier.length).toBe(accepted.length);

    const [events] = await query<{ n: number }>(
      database.url,
      `select count(*)::int as n from outbox where type = 'dossier.received'`,
    );
    const deliveries = await query<{ id: string; status: string }>(
      database.url,
      'select id, status from webhook_deliveries',
    );
    expect(events!.n).toBe(accepted.length);
    expect(deliveries.length).toBe(events!.n); // one delivery per event, none lost, none doubled
    expect(receiver.distinctIds().size).toBe(events!.n);
    expect(new Set(deliveries.map((d) => d.id))).toEqual(receiver.distinctIds());
    await waitFor(
      'deliveries marked delivered',
      async () =>
        (
          await query<{ n: number }>(
            database.url,
            `select count(*)::int as n from webhook_deliveries where status <> 'delivered'`,
          )
        )[0]!.n === 0,
    );
    expect(worker.alive(), worker.output()).toBe(true);
    expect(api.alive(), api.output()).toBe(true);
    console.log(
      `redis restart: ${accepted.length} intakes accepted, ${receiver.received.length} webhook requests ` +
        `for ${receiver.distinctIds().size} deliveries`,
    );
  });
});
