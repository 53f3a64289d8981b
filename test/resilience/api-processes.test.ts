import { get } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createIsolatedDatabase } from '../helpers/context.js';
import { ADMIN_KEY, postJson, sleep, startApi, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** The pids of the processes that logged "Server listening", in order. */
function listeningPids(output: string): number[] {
  return output
    .split('\n')
    .filter((line) => line.includes('Server listening'))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
}

/** One request on a connection of its own (so the cluster may hand it to any process). */
function readyz(base: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(`${base}/readyz`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    request.setTimeout(5_000, () => request.destroy(new Error('no answer within 5 s')));
    request.on('error', reject);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start with API_PROCESSES=2', () => {
  it('serves from two processes, replaces one that dies, and stops them all on SIGTERM', async () => {
    const database = await createIsolatedDatabase();
    cleanups.push(() => database.drop());
    const api = await startApi({ DATABASE_URL: database.url, API_PROCESSES: '2', LOG_LEVEL: 'info' });
    cleanups.push(() => api.kill());
    await waitFor('two API processes to listen', () => listeningPids(api.output()).length >= 2, 60_000);
    const [first, second] = listeningPids(api.output());

    // The supervisor migrated once and created the bootstrap key: an intake goes through.
    const unit = await postJson(api.base, '/v1/units', ADMIN_KEY, { code: '000.00.51.H99', name: 'Xã Thử' });
    expect(unit.status, await unit.clone().text()).toBe(201);
    const statuses = await Promise.all(Array.from({ length: 10 }, () => readyz(api.base)));
    expect(statuses.every((s) => s === 200)).toBe(true);

    process.kill(first!, 'SIGKILL');
    // The other one goes on serving while the supervisor starts a replacement (a connection handed to the dead
    // one in the instant before the supervisor noticed is lost, as behind any load balancer).
    await waitFor('the other process to answer', async () => (await readyz(api.base)) === 200, 10_000, 100);
    await waitFor('a replacement to listen', () => listeningPids(api.output()).length >= 3, 60_000);
    expect(api.output()).toContain('an API process died: starting another');
    const replacement = listeningPids(api.output())[2]!;
    expect(alive(replacement)).toBe(true);

    api.child.kill('SIGTERM');
    const code = await Promise.race([api.exited(), sleep(30_000).then(() => 'still running after 30 s')]);
    expect(code, api.output()).toBe(0);
    expect([second, replacement].filter((pid) => alive(pid!))).toEqual([]);
  });
});
