// Where the reads that tolerate lag go (the dossier list, statistics): the replica while it answers and keeps up,
// else the primary. A real streaming replica, stopped and restarted under load: test/resilience/read-replica.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { connectPostgres, type Database } from '../src/db/client.js';
import { routeReads, type ReadRouting, type ReplicaState } from '../src/db/replica.js';
import { bearer, createKey, createTestContext, createUnit, type TestContext } from './helpers/context.js';
import { freePort, waitFor } from './helpers/wait.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function appReadingFrom(
  replica: Database,
): Promise<{ app: FastifyInstance; reads: ReadRouting; states: ReplicaState[] }> {
  const states: ReplicaState[] = [];
  // Probes that may take a while: the other test files load the same server.
  const reads = routeReads(ctx.database, replica, (state) => states.push(state), {
    intervalMs: 200,
    timeoutMs: 10_000,
  });
  const app = await buildApp({
    config: ctx.config,
    db: ctx.database.db,
    reads,
    checks: { postgres: ctx.database.ping },
  });
  app.addHook('onClose', () => reads.close());
  return { app, reads, states };
}

describe('reads routed to a replica', () => {
  it('with the replica unreachable, lists and statistics come from the primary and /readyz says so, still ready', async () => {
    const replica = await connectPostgres(`postgres://postgres@127.0.0.1:${await freePort()}/none`, 1);
    const { app, reads } = await appReadingFrom(replica);
    const unit = await createUnit(ctx);
    const viewer = await createKey(ctx, 'viewer', unit.code);
    await waitFor('the probe to find it down', () => reads.replicaState() === 'down', 60_000);
    const list = await app.inject({
      method: 'GET',
      url: `/v1/dossiers?unitCode=${unit.code}`,
      headers: bearer(viewer),
    });
    expect(list.statusCode).toBe(200);
    const stats = await app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${unit.code}&period=2026`,
      headers: bearer(viewer),
    });
    expect(stats.statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', replica: 'down' } });
    await app.close();
  }, 90_000);

  it('a replica that answers and keeps up serves the reads; one that goes away mid-read hands them to the primary', async () => {
    const replica = await connectPostgres(inject('databaseUrl'), 2);
    const { app, reads, states } = await appReadingFrom(replica);
    await waitFor('the probe to find it usable', () => reads.replicaState() === 'ok', 60_000);
    const served: string[] = [];
    expect(await reads.read(async (db) => (served.push(db === replica.db ? 'replica' : 'primary'), 1))).toBe(
      1,
    );
    // A connection failure on the replica: the read runs again on the primary and the replica is marked down.
    const answer = await reads.read(async (db) => {
      served.push(db === replica.db ? 'replica' : 'primary');
      if (db === replica.db)
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
      return 'from the primary';
    });
    expect(answer).toBe('from the primary');
    expect(served).toEqual(['replica', 'replica', 'primary']);
    expect(states).toContain('down');
    // An error of the statement itself is the caller's, not a reason to leave the replica.
    await waitFor('the probe to find it usable again', () => reads.replicaState() === 'ok', 60_000);
    await expect(reads.read(async () => Promise.reject(new Error('syntax error')))).rejects.toThrow(
      'syntax error',
    );
    expect(reads.replicaState()).toBe('ok');
    await app.close();
  }, 90_000);
});
