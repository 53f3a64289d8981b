/**
 * Runs the API for the benchmarks as production does: the compiled entry point (`dist/server.js`, built
 * first with `npm run build`) with the image's node flags, NODE_ENV=production, logging at info, with Redis (so no jobs run in it), in
 * its own process so its memory and CPU are its own. Its log lines are written (that cost is part of every
 * request) to /dev/null.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedPoolSize } from '../src/api-processes.js';
import { freePort, waitFor } from '../test/helpers/wait.js';
import { childPids } from './load.js';

export interface ApiProcess {
  child: ChildProcess;
  port: number;
  /** Connections of each API process's pool. */
  poolSize: number;
  /** API processes serving (API_PROCESSES): more than one run under a supervisor, `child`. */
  processes: number;
  base: string;
}

export interface Memory {
  rss: number;
  maxRss: number;
}

const root = path.resolve(import.meta.dirname, '..');

let built = false;

/** The pool the API gives each of `processes`: DB_POOL_SIZE when the run sets it, else its share of the default. */
export function apiPoolOf(processes: number, env: Record<string, string> = {}): number {
  const explicit = env.DB_POOL_SIZE ?? process.env.DB_POOL_SIZE;
  return explicit ? Number(explicit) : sharedPoolSize(processes);
}

/**
 * The compiled API against `url`, as `processes` API processes (API_PROCESSES); `env` adds to or overrides the
 * process's environment (a bootstrap key, another rate limit or prefix).
 */
export async function startApi(
  url: string,
  env: Record<string, string> = {},
  processes = 1,
): Promise<ApiProcess> {
  if (!built) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    built = true;
  }
  const port = await freePort();
  // BENCH_API_NODE_ARGS passes node flags to the API process, e.g. `--cpu-prof --cpu-prof-dir=prof` to profile it.
  const nodeArgs = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // The young generation the image and `npm start` give the API (docs/operations.md, "Memory and garbage
  // collection"); a BENCH_API_NODE_ARGS flag given after it wins.
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=64', ...nodeArgs, path.join(root, 'dist/server.js')],
    {
      cwd: root,
      // The benchmark's few keys send every request: the per-key rate limit is off, as for a trusted integration.
      env: {
        ...process.env,
        DATABASE_URL: url,
        HOST: '127.0.0.1',
        PORT: String(port),
        API_PROCESSES: String(processes),
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
        RATE_LIMIT_PER_MINUTE: '0',
        // As in production beside a worker: the API only serves HTTP and leaves the jobs (relay, alerts,
        // statistics figures) to the worker, which the benchmark runs itself where it measures them.
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: 'motcua-bench',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`API process exited with ${code}`))),
  );
  const ready = waitFor(
    'the API to answer /healthz',
    () => fetch(`${base}/healthz`).then((r) => r.ok),
    120_000,
  );
  await Promise.race([ready, exited]);
  if (processes > 1)
    await waitFor('every API process to start', () => childPids(child.pid!).length >= processes, 120_000);
  return { child, port, poolSize: apiPoolOf(processes, env), processes, base };
}

/**
 * The API's resident memory now and its peak so far (from /proc): of its one process, or with several of
 * the largest of them (each process is its own heap; the supervisor, which serves nothing, is left out).
 */
export async function memoryOf(api: ApiProcess): Promise<Memory> {
  const pids = api.processes > 1 ? childPids(api.child.pid!) : [api.child.pid!];
  let rss = 0;
  let maxRss = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      rss = Math.max(rss, kb('VmRSS') * 1024);
      maxRss = Math.max(maxRss, kb('VmHWM') * 1024);
    } catch {
      // a process restarting
    }
  }
  return { rss, maxRss };
}

export async function stopApi(api: ApiProcess): Promise<void> {
  if (api.child.exitCode !== null) return;
  const exited = new Promise((resolve) => api.child.once('exit', resolve));
  api.child.kill('SIGTERM');
  await exited;
}

export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024).toLocaleString('en')} MB`;
