import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { createIsolatedDatabase } from './helpers/context.js';
import { freePort } from './helpers/wait.js';

describe('npm run worker', () => {
  it('connects to Redis, says it is ready, serves /metrics, /healthz and /readyz, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    // A database of its own: a worker relays every outbox row of its database, and on the run's shared one
    // it would take the events that test/worker.test.ts's workers wait for into its own queues.
    const database = await createIsolatedDatabase();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: inject('redisUrl'),
        REDIS_PREFIX: `${inject('redisPrefix')}-process`,
        WORKER_METRICS_PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const deadline = Date.now() + 90_000;
      while (!output.includes('worker ready')) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`worker did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('queue_jobs{queue="events"');
      const live = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await live.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('worker stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await database.drop();
    }
  }, 120_000);

  it('refuses to start without REDIS_URL', async () => {
    const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: inject('databaseUrl') };
    delete env.REDIS_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { env, stdio: 'ignore' });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
  });
});
