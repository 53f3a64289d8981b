import { afterAll, describe, expect, it } from 'vitest';
import {
  dossierCodes,
  halfWrittenDossiers,
  load,
  setUpCounter,
  sleep,
  startApi,
  startPostgres,
  waitFor,
} from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('PostgreSQL restarted under the API', () => {
  it('503 during the outage (readiness and writes), recovery on its own, no half-written dossier', async () => {
    const postgres = await startPostgres();
    cleanups.push(() => postgres.destroy());
    // No Redis: the API's jobs run in-process, on the same database.
    const api = await startApi({ DATABASE_URL: postgres.url, DB_POOL_SIZE: '4' });
    cleanups.push(() => api.kill());
    const counter = await setUpCounter(api.base);

    // Two clerks keep taking in dossiers while PostgreSQL stops (fast shutdown) and starts again.
    let done = false;
    const outcomes = load(2, counter.intake, () => done);
    await sleep(1_000);
    await postgres.stop('fast');

    const ready = await fetch(`${api.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', checks: { postgres: 'failed' } });
    const write = await counter.intake();
    expect(write.status).toBe(503);
    expect(write.headers.get('content-type')).toContain('application/problem+json');
    expect(await write.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    await sleep(1_000);

    await postgres.start();
    await waitFor('readyz 200 after the restart', async () => (await fetch(`${api.base}/readyz`)).ok, 30_000);
    await sleep(1_000);
    done = true;
    const results = await outcomes;
    const after = await counter.intake();
    expect(after.status, await after.clone().text()).toBe(201);

    // While it was down, every answer was a 503 problem (never a 500); the rest were accepted.
    const statuses = results.map((r) => ('status' in r ? r.status : r.error));
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    const unavailable = results.filter((r) => 'status' in r && r.status === 503);
    for (const r of unavailable)
      expect(JSON.parse((r as { body: string }).body).code).toBe('SERVICE_UNAVAILABLE');
    expect(unavailable.length).toBeGreaterThan(0);

    const accepted = results.flatMap((r) =>
      'status' in r && r.status === 201 ? [(JSON.parse(r.body) as { code: string }).code] : [],
    );
    accepted.push(((await after.json()) as { code: string }).code);
    const stored = await dossierCodes(postgres.url);
    // Every accepted dossier is stored; a 503 may hide a commit whose answer was lost, never a partial one.
    expect(accepted.filter((c) => !stored.includes(c))).toEqual([]);
    expect(await halfWrittenDossiers(postgres.url)).toEqual([]);
    expect(api.alive(), api.output()).toBe(true);
    console.log(
      `postgres restart: ${accepted.length} accepted, ${unavailable.length} answered 503, ${stored.length} stored`,
    );
  });
});
