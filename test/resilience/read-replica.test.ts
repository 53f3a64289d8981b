import { afterAll, describe, expect, it } from 'vitest';
import { load, query, setUpCounter, sleep, startApi, startPostgres, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** Transactions the replica has run so far (its own counter: a standby counts the reads it serves). */
async function replicaTransactions(url: string): Promise<number> {
  const [row] = await query<{ n: string }>(
    url,
    `select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`,
  );
  return Number(row!.n);
}

describe('a streaming read replica (DATABASE_REPLICA_URL)', () => {
  it('serves lists and statistics, falls back to the primary while stopped, and is used again once back', async () => {
    const primary = await startPostgres();
    cleanups.push(() => primary.destroy());
    const replica = await startPostgres({ replicaOf: primary });
    cleanups.push(() => replica.destroy());
    const [standby] = await query<{ recovering: boolean }>(
      replica.url,
      'select pg_is_in_recovery() as recovering',
    );
    expect(standby!.recovering).toBe(true);

    const api = await startApi({
      DATABASE_URL: primary.url,
      DATABASE_REPLICA_URL: replica.url,
      LOG_LEVEL: 'info',
    });
    cleanups.push(() => api.kill());
    const counter = await setUpCounter(api.base);
    const readyz = async () =>
      (await (await fetch(`${api.base}/readyz`)).json()) as { checks: { replica?: string } };
    await waitFor('the replica to be in use', async () => (await readyz()).checks?.replica === 'ok', 30_000);

    const list = () =>
      fetch(`${api.base}/v1/dossiers?unitCode=${counter.unitCode}&limit=200`, {
        headers: { authorization: `Bearer ${counter.clerk}` },
      });
    const stats = () =>
      fetch(`${api.base}/v1/stats?unitCode=${counter.unitCode}&period=2026`, {
        headers: { authorization: `Bearer ${counter.clerk}` },
      });

    // The workload: clerks take in dossiers while dashboards list and count them.
    let done = false;
    const writes = load(2, counter.intake, () => done);
    const reads = load(2, list, () => done);
    await sleep(2_000);
    const before = await replicaTransactions(replica.url);
    for (let i = 0; i < 30; i++) expect((await list()).status).toBe(200);
    expect((await stats()).status).toBe(200);
    // Thirty-one reads (and at most a few probes) ran on the replica.
    expect((await replicaTransactions(replica.url)) - before).toBeGreaterThanOrEqual(31);

    // The replica stops: reads go on, from the primary; readiness names it and stays ready.
    await replica.stop('fast');
    for (let i = 0; i < 10; i++) expect((await list()).status).toBe(200);
    expect((await stats()).status).toBe(200);
    await waitFor(
      'readiness to name the replica',
      async () => (await readyz()).checks?.replica === 'down',
      10_000,
    );
    const ready = await fetch(`${api.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', replica: 'down' } });

    // Back: it catches up and serves again.
    await replica.start();
    await waitFor(
      'the replica to be in use again',
      async () => (await readyz()).checks?.replica === 'ok',
      30_000,
    );
    // It catches up with what was written while it was away (reads stay on the primary while it lags), then
    // serves them again.
    await waitFor(
      'the replica to serve the reads again',
      async () => {
        const again = await replicaTransactions(replica.url);
        for (let i = 0; i < 10; i++) expect((await list()).status).toBe(200);
        return (await replicaTransactions(replica.url)) - again >= 10;
      },
      30_000,
    );

    done = true;
    const outcomes = [...(await writes), ...(await reads)];
    const failed = outcomes.filter((o) => !('status' in o) || o.status >= 400);
    expect(failed).toEqual([]);
    // Every dossier taken in is listed (the replica has replayed them all).
    const created = outcomes.filter((o) => 'status' in o && o.status === 201).length;
    await waitFor('the replica to list every dossier', async () => {
      const page = (await (await list()).json()) as { items: unknown[] };
      return page.items.length >= Math.min(created, 200);
    });
  });
});
