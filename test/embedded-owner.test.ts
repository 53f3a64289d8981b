import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../src/db/data-dir-lock.js';
import { freePort, waitFor } from './helpers/wait.js';

// These tests run the commands exactly as the README shows them: `npm start`, `npm run cli -- ...`.
let dataDir: string;
let env: Record<string, string | undefined>;
const started: number[] = []; // pids of the npm processes and their trees

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-owner-'));
  env = { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'BOOTSTRAP_ADMIN_KEY', 'npm_lifecycle_event'])
    delete env[name];
});
afterAll(async () => {
  // A failed test may leave a server behind: stop every process npm started, not npm alone.
  for (const pid of started.reverse()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start` on the shared data folder and a free port; resolves once it listens (or fails with its output). */
async function npmStart(): Promise<Started> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!/Server listening/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`npm start did not start (exit ${child.exitCode}):\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  started.push(...(await processTree(child.pid!)));
  return { child, base: `http://127.0.0.1:${port}`, output: () => output, exited };
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)('npm', args, { env: { ...env, PORT: '0' } }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

async function processes(): Promise<Array<[pid: number, ppid: number]>> {
  const { stdout } = await promisify(execFile)('ps', ['-e', '-o', 'pid=,ppid=']);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
}

const childrenOf = async (pid: number) => (await processes()).filter(([, pp]) => pp === pid).map(([p]) => p);

/** Every process in the tree under `pid`, `pid` included. */
async function processTree(pid: number): Promise<number[]> {
  const rows = await processes();
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [p, pp] of rows) if (pp === tree[i]) tree.push(p);
  return tree;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const lockPath = () => path.join(dataDir, LOCK_FILE);
const lockOwner = () => (JSON.parse(readFileSync(lockPath(), 'utf8')) as { pid: number }).pid;

const procedureCsv = (code: string) =>
  `code,name,fieldCode,fieldName,durationValue,durationUnit\n${code},Chứng thực bản sao,CT,Chứng thực,1,working_days\n`;

describe('one owner per embedded data folder', () => {
  let key: string;

  it('while npm start runs, the CLI and a second npm start refuse, name its pid, and the data stays intact', async () => {
    const server = await npmStart();
    key = /\n {4}(mc_[A-Za-z0-9_-]+)\n/.exec(server.output())![1]!;
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    // With one process between npm and node, npm's child is the server itself and owns the folder.
    const owner = lockOwner();
    expect(await childrenOf(server.child.pid!)).toEqual([owner]);

    const csv = path.join(dataDir, '..', `tthc-${path.basename(dataDir)}.csv`);
    await writeFile(csv, procedureCsv('1.000002'));
    const attempts = [
      await run(['run', 'cli', '--', 'procedures', 'import', csv]),
      await run(['run', 'cli', '--', 'keys', 'create', '--role', 'clerk', '--name', 'Quầy 1']),
      await run(['start']),
    ];
    await rm(csv);
    for (const attempt of attempts) {
      expect(attempt.code).not.toBe(0);
      expect(attempt.stdout).not.toMatch(/created|secret|Server listening/);
      expect(attempt.stderr).toContain(`Thư mục dữ liệu nhúng ${dataDir} đang được tiến trình ${owner}`);
      expect(attempt.stderr).toContain(`in use by process ${owner}`);
    }
    expect(lockOwner()).toBe(owner);

    // The server never saw the CLI's procedure and creates it once; every code is listed once.
    const create = await fetch(`${server.base}/v1/procedures`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        code: '1.000002',
        name: 'Chứng thực bản sao',
        field: { code: 'CT', name: 'Chứng thực' },
        duration: { value: 1, unit: 'working_days' },
      }),
    });
    expect(create.status).toBe(201);
    const list = (await (await fetch(`${server.base}/v1/procedures`, { headers: auth })).json()) as {
      items: Array<{ code: string }>;
    };
    expect(list.items.map((p) => p.code)).toEqual(['1.000002']);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(lockPath())).toBe(false);
  }, 240_000);

  it('with the server stopped the CLI works, and a lock left by a killed server does not block a restart', async () => {
    const csv = path.join(dataDir, '..', `tthc2-${path.basename(dataDir)}.csv`);
    await writeFile(csv, procedureCsv('1.000003'));
    const imported = await run(['run', 'cli', '--', 'procedures', 'import', csv]);
    await rm(csv);
    expect(imported.stdout).toContain('procedures: 1 created, 0 updated');
    expect(existsSync(lockPath())).toBe(false);

    const first = await npmStart();
    const owner = lockOwner();
    process.kill(owner, 'SIGKILL'); // no chance to release: the lock stays behind
    await first.exited;
    expect(lockOwner()).toBe(owner);
    expect(alive(owner)).toBe(false);

    const second = await npmStart();
    expect(lockOwner()).not.toBe(owner);
    const list = (await (
      await fetch(`${second.base}/v1/procedures`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { items: Array<{ code: string }> };
    expect(list.items.map((p) => p.code)).toEqual(['1.000002', '1.000003']);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 240_000);

  it('npm start stops on one SIGTERM to the npm process: the whole tree exits and the lock is released', async () => {
    const server = await npmStart();
    const tree = await processTree(server.child.pid!);
    expect(tree.length).toBeGreaterThan(1);
    process.kill(server.child.pid!, 'SIGTERM');
    await waitFor('every process of npm start to exit', () => tree.every((pid) => !alive(pid)), 10_000, 100);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('shutting down');
    expect(existsSync(lockPath())).toBe(false);
  }, 120_000);
});
