import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/wait.js';

let child: ChildProcess | undefined;

/** Starts `src/server.ts` as `npm start` does and waits until it listens; returns everything it printed. */
async function startServer(env: Record<string, string | undefined>): Promise<() => string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!/Server listening/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return () => output;
}

async function stopServer(): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  child!.kill('SIGTERM');
  return exited;
}
let dataDir: string | undefined;
afterAll(async () => {
  child?.kill('SIGTERM');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('embedded default (no DATABASE_URL)', () => {
  it('boots on PGlite, says so first, prints an admin key once, serves /readyz and a unit round trip', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-embedded-'));
    const port = await freePort();
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      RELAY_INTERVAL_MS: '200',
    } as Record<string, string | undefined>;
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'BOOTSTRAP_ADMIN_KEY']) delete env[name];
    const output = (await startServer(env))();
    const firstLogLine = output.split('\n').find((l) => l.startsWith('{'))!;
    expect(JSON.parse(firstLogLine).msg).toContain('embedded mode: PGlite database in');
    expect(firstLogLine).toContain(dataDir);
    const key = /\n {4}(mc_[A-Za-z0-9_-]+)\n/.exec(output)?.[1];
    expect(key).toBeDefined();

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = await fetch(`${base}/v1/units`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ code: '000.00.00.H56', name: 'Tỉnh nhúng' }),
    });
    expect(created.status).toBe(201);
    const read = await fetch(`${base}/v1/units/000.00.00.H56`, { headers: auth });
    expect(await read.json()).toMatchObject({ code: '000.00.00.H56', name: 'Tỉnh nhúng', parentCode: null });
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string };
    expect(doc.openapi).toBe('3.1.0');

    // Without Redis the worker's jobs run in-process: an intake due within a working day raises its alert.
    await fetch(`${base}/v1/procedures`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        code: '1.000001',
        name: 'Chứng thực',
        field: { code: 'CT', name: 'Chứng thực' },
        duration: { value: 4, unit: 'working_hours' },
      }),
    });
    const clerkKey = await fetch(`${base}/v1/api-keys`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'quầy', role: 'clerk', unitCode: '000.00.00.H56' }),
    });
    const clerk = {
      authorization: `Bearer ${((await clerkKey.json()) as { key: string }).key}`,
      'content-type': 'application/json',
    };
    const intake = await fetch(`${base}/v1/dossiers`, {
      method: 'POST',
      headers: clerk,
      body: JSON.stringify({
        procedureCode: '1.000001',
        channel: 'direct',
        applicant: { type: 'citizen', fullName: 'Trần An' },
      }),
    });
    expect(intake.status).toBe(201);
    const { code } = (await intake.json()) as { code: string };
    const deadline = Date.now() + 20_000;
    let items: Array<{ dossierCode: string; kind: string }> = [];
    while (!items.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      items = (
        (await (await fetch(`${base}/v1/alerts?dossierCode=${code}`, { headers: clerk })).json()) as {
          items: typeof items;
        }
      ).items;
    }
    expect(items).toEqual([expect.objectContaining({ dossierCode: code, kind: 'due_soon' })]);

    // Exits cleanly on SIGTERM.
    expect(await stopServer()).toBe(0);

    // A restart on the same data keeps the unit and prints no new key.
    const again = await startServer(env);
    expect(again()).not.toMatch(/mc_[A-Za-z0-9_-]{20,}/);
    const kept = await fetch(`${base}/v1/units/000.00.00.H56`, { headers: auth });
    expect(kept.status).toBe(200);
    expect(await stopServer()).toBe(0);
  }, 120_000);
});
