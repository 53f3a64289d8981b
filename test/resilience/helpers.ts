import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createIsolatedDatabase } from '../helpers/context.js';

/**
 * Helpers for the resilience tests: private Redis and PostgreSQL instances on free ports (so nothing on the
 * machine's own 5432/6379 is ever stopped), the API and the worker as child processes, a webhook receiver, and
 * the SQL that finds half-written dossiers. Everything listens on 127.0.0.1 only.
 */

const run = promisify(execFile);
export { freePort, sleep, waitFor } from '../helpers/wait.js';
import { freePort, sleep, waitFor } from '../helpers/wait.js';

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A private redis-server, append-only with fsync on every write, in a temp folder; restartable on its data. */
export async function startRedis() {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-res-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push('--appendonly', 'yes', '--appendfsync', 'always');
  let child: ChildProcess;
  const url = `redis://127.0.0.1:${port}`;
  const ping = async () => {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping']);
    return stdout.trim() === 'PONG';
  };
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(`redis on ${port}`, ping, 15_000, 100);
  };
  await start();
  return {
    url,
    start,
    /** SIGKILL: no shutdown save, exactly as a crash. */
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGKILL');
      await exited(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresBin(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql').catch(() => [] as string[])).sort(
    (a, b) => Number(b) - Number(a),
  );
  if (!versions.length) throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql/*/bin');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

/**
 * A private PostgreSQL cluster (initdb in a temp folder, trust auth, socket in that folder, TCP on 127.0.0.1
 * only). PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS user. With `replicaOf`, a
 * streaming replica of that cluster instead (pg_basebackup -R: a hot standby following it).
 */
export async function startPostgres(role: { replicaOf?: { port: number } } = {}) {
  const bin = await postgresBin();
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-res-pg-'));
  const data = path.join(dir, 'data');
  let asUser: string[] = [];
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
    asUser = ['runuser', '-u', 'postgres', '--'];
  }
  const exec = (file: string, args: string[]) => {
    const [cmd, ...rest] = [...asUser, file, ...args];
    return run(cmd!, rest, { cwd: dir });
  };
  if (role.replicaOf) {
    await exec(`${bin}/pg_basebackup`, [
      ...['-h', '127.0.0.1', '-p', String(role.replicaOf.port), '-U', 'postgres'],
      ...['-D', data, '-R', '-X', 'stream', '--no-sync'],
    ]);
  } else {
    await exec(`${bin}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  }
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50`;
  const start = () =>
    exec(`${bin}/pg_ctl`, [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '30',
      '-o',
      options,
      'start',
    ]);
  const stop = (mode: 'fast' | 'immediate' = 'fast') =>
    exec(`${bin}/pg_ctl`, ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async destroy() {
      await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Node with tsx on one of the entry points; output kept for failure messages. */
export function spawnEntry(entry: 'src/server.ts' | 'src/worker.ts', env: Record<string, string>) {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'BOOTSTRAP_ADMIN_KEY', 'PORT'])
    delete base[name];
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...base, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  return {
    child,
    output: () => output,
    exited: () => exited(child),
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited(child);
    },
  };
}
export type Spawned = ReturnType<typeof spawnEntry>;

export const ADMIN_KEY = 'resilience-admin-key-0123456789abcdef';

/** The API as a child process; resolves once /healthz answers. */
export async function startApi(env: Record<string, string>) {
  const port = await freePort();
  const api = spawnEntry('src/server.ts', {
    PORT: String(port),
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the API to listen',
    async () => {
      if (!api.alive()) throw new Error(`the API exited:\n${api.output()}`);
      return (await fetch(`${base}/healthz`)).ok;
    },
    60_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${api.output()}`);
  });
  return { ...api, base };
}

/** The worker as a child process; resolves once it says it is ready. */
export async function startWorker(env: Record<string, string>) {
  const worker = spawnEntry('src/worker.ts', { WORKER_METRICS_PORT: '0', LOG_LEVEL: 'info', ...env });
  await waitFor(
    'the worker to be ready',
    async () => {
      if (!worker.alive()) throw new Error(`the worker exited:\n${worker.output()}`);
      return worker.output().includes('worker ready');
    },
    60_000,
    100,
  );
  return worker;
}

export async function postJson(base: string, url: string, key: string, body: unknown) {
  return fetch(`${base}${url}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/**
 * A unit, a procedure of 4 working hours (so every dossier is due within the due-soon horizon whenever it is
 * received) and a clerk key for that unit.
 */
export async function setUpCounter(base: string) {
  const unitCode = '000.00.07.H56';
  const procedureCode = '1.000007';
  const check = async (res: Response, what: string) => {
    if (res.status !== 201) throw new Error(`${what}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  await check(await postJson(base, '/v1/units', ADMIN_KEY, { code: unitCode, name: 'Xã thử' }), 'unit');
  await check(
    await postJson(base, '/v1/procedures', ADMIN_KEY, {
      code: procedureCode,
      name: 'Chứng thực bản sao',
      field: { code: 'CT', name: 'Chứng thực' },
      duration: { value: 4, unit: 'working_hours' },
    }),
    'procedure',
  );
  const key = await check(
    await postJson(base, '/v1/api-keys', ADMIN_KEY, { name: 'quầy 1', role: 'clerk', unitCode }),
    'clerk key',
  );
  const clerk = key.key as string;
  const intake = () =>
    postJson(base, '/v1/dossiers', clerk, {
      procedureCode,
      channel: 'direct',
      applicant: { type: 'citizen', fullName: 'Nguyễn Văn An' },
    });
  return { unitCode, procedureCode, clerk, intake };
}

/** Runs `clients` loops of `request` until `until()` is true; returns every outcome. */
export async function load(
  clients: number,
  request: () => Promise<Response>,
  until: () => boolean,
): Promise<Array<{ status: number; body: string } | { error: string }>> {
  const outcomes: Array<{ status: number; body: string } | { error: string }> = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!until()) {
        try {
          const res = await request();
          outcomes.push({ status: res.status, body: await res.text() });
        } catch (err) {
          const cause = (err as { cause?: { code?: string; message?: string } }).cause;
          outcomes.push({ error: cause?.code ?? cause?.message ?? (err as Error).message });
          await sleep(20);
        }
      }
    }),
  );
  return outcomes;
}

/** A local webhook receiver: every request's webhook-id and dossier code, optionally answering slowly. */
export async function startReceiver(delayMs = 0) {
  const received: Array<{ id: string; type: string; code: string | undefined }> = [];
  let inFlight = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { type: string; data: { dossier?: { code?: string } } };
      received.push({
        id: String(req.headers['webhook-id']),
        type: parsed.type,
        code: parsed.data.dossier?.code,
      });
      inFlight += 1;
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(204).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    inFlight: () => inFlight,
    distinctIds: () => new Set(received.map((r) => r.id)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** SQL on a database, with a short-lived client. */
export async function query<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Dossiers missing their intake event, their statutory deadline row or their outbox row. */
export function halfWrittenDossiers(url: string) {
  return query<{ code: string }>(
    url,
    `select d.code from dossiers d
     where not exists (select 1 from dossier_events e where e.dossier_id = d.id and e.type = 'intake')
        or not exists (select 1 from dossier_deadlines x where x.dossier_id = d.id and x.kind = 'statutory')
        or not exists (select 1 from outbox o where o.dossier_id = d.id and o.type = 'dossier.received')`,
  );
}

export async function dossierCodes(url: string): Promise<string[]> {
  return (await query<{ code: string }>(url, 'select code from dossiers order by id')).map((r) => r.code);
}

/** Alerts per dossier (dossiers without one included, with 0). */
export function alertsPerDossier(url: string) {
  return query<{ code: string; n: number }>(
    url,
    `select d.code, count(a.id)::int as n from dossiers d left join alerts a on a.dossier_id = d.id
     group by d.code`,
  );
}

/** What the worker's state looks like, for a failure message: outbox cursor and tail, queues, schedulers. */
export async function workerDiagnostics(databaseUrl: string, redisUrl: string, prefix: string) {
  const { Queue } = await import('bullmq');
  const state: Record<string, unknown> = {
    cursors: await query(databaseUrl, 'select name, last_txid::text, last_id from outbox_cursors'),
    outboxTail: await query(databaseUrl, 'select id, txid::text, type from outbox order by id desc limit 3'),
    jobState: await query(databaseUrl, 'select name, value from job_state'),
  };
  for (const name of ['scheduled', 'events']) {
    const queue = new Queue(name, { connection: { url: redisUrl, maxRetriesPerRequest: 1 }, prefix });
    try {
      state[name] = {
        counts: await queue.getJobCounts(),
        schedulers: await queue.getJobSchedulers(),
        jobs: (await queue.getJobs(['active', 'waiting', 'delayed', 'failed'], 0, 20)).map((j) => ({
          id: j.id,
          name: j.name,
          timestamp: j.timestamp,
          failed: j.failedReason,
        })),
      };
    } catch (err) {
      state[name] = (err as Error).message;
    } finally {
      await queue.close();
    }
  }
  return JSON.stringify(state);
}

/**
 * Waits until every dossier has its alert and the receiver got a delivery for each of `codes`; on a time-out
 * the error carries the worker's state and output.
 */
export async function waitUntilCaughtUp(o: {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  worker: { output(): string };
  receiver: { received: Array<{ code: string | undefined }> };
  codes: string[];
  ms: number;
}): Promise<void> {
  const explain = async (err: Error) => {
    throw new Error(
      `${err.message}\n${await workerDiagnostics(o.databaseUrl, o.redisUrl, o.prefix)}\n${o.worker.output()}`,
    );
  };
  await waitFor(
    'an alert for every dossier',
    async () => (await alertsPerDossier(o.databaseUrl)).every((r) => r.n >= 1),
    o.ms,
  ).catch(explain);
  await waitFor(
    'a delivery for every dossier',
    async () => {
      const seen = new Set(o.receiver.received.map((r) => r.code));
      return o.codes.every((code) => seen.has(code));
    },
    o.ms,
  ).catch(explain);
}

/**
 * The stack the worker tests share: a private Redis, an isolated database, a webhook receiver (answering after
 * `receiverDelayMs`), the API on them, a counter clerk and a webhook for dossier.received. Each part is stopped
 * by `cleanups`, latest first. The worker is left to the test.
 */
export async function startStack(cleanups: Array<() => Promise<unknown>>, receiverDelayMs = 0) {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const database = await createIsolatedDatabase();
  cleanups.push(() => database.drop());
  const receiver = await startReceiver(receiverDelayMs);
  cleanups.push(() => receiver.close());
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'resilience',
    RELAY_INTERVAL_MS: '200',
    WEBHOOK_RETRY_BASE_MS: '500',
  };
  const api = await startApi(env);
  cleanups.push(() => api.kill());
  const counter = await setUpCounter(api.base);
  const hook = await postJson(api.base, '/v1/webhooks', ADMIN_KEY, {
    url: receiver.url,
    events: ['dossier.received'],
  });
  if (hook.status !== 201) throw new Error(`webhook not created: ${hook.status} ${await hook.text()}`);
  return { redis, database, receiver, env, api, counter };
}
