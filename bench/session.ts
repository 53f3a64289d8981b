/**
 * What every HTTP benchmark needs around its scenarios: the seeded database (checked), a restore point, the
 * API in its own process, keys for each role, and a sample of dossiers to ask for. closeSession stops the API
 * and puts the data back as the seed left it.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
import { connectPostgres, type Db } from '../src/db/client.js';
import { insertApiKey } from '../src/auth/keys.js';
import { startApi, stopApi, type ApiProcess } from './api-process.js';
import { assertLocal, BENCH_DATABASE, benchDatabaseUrl, PROVINCE_CODE, prng, readMarker } from './common.js';
import type { SeedMarker, Random } from './common.js';
import { statementLog } from './pg-activity.js';
import { KEY_PREFIX, restore, takeRestorePoint } from './restore.js';
import { today } from './results.js';
import { sampleDossiers, type DossierSample } from './workloads.js';

export interface Keys {
  /** A clerk of the province (its whole subtree). */
  clerk: string;
  viewer: string;
  /** Sync keys: the whole system, and the province's scope (checked row by row). */
  syncSystem: string;
  syncProvince: string;
}

export interface Session {
  url: string;
  client: pg.Client;
  marker: SeedMarker;
  dossierCount: number;
  api: ApiProcess;
  keys: Keys;
  sample: DossierSample;
  random: Random;
  /** Machine, versions and date, for RESULTS.md. */
  machine: string;
}

export const authorized = (key: string) => ({
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
});

async function createKeys(db: Db): Promise<Keys> {
  const key = async (name: string, role: 'clerk' | 'viewer' | 'sync', unitCode: string | null) =>
    (await insertApiKey(db, { name: `${KEY_PREFIX}${name}`, role, unitCode })).secret;
  return {
    clerk: await key('clerk', 'clerk', PROVINCE_CODE),
    viewer: await key('viewer', 'viewer', PROVINCE_CODE),
    syncSystem: await key('sync (system)', 'sync', null),
    syncProvince: await key('sync (province)', 'sync', PROVINCE_CODE),
  };
}

/** The machine's load when the benchmark process started, before it seeded or loaded anything. */
const loadAtStart = loadavg()[0]!;

/** Cores, memory, versions, the load when the command started and the date; PostgreSQL's version when reachable. */
export async function describeMachine(client?: pg.Client): Promise<string> {
  const rows = client
    ? (await client.query<{ v: string }>(`select current_setting('server_version') as v`)).rows
    : [];
  const cpu = cpus();
  const postgres = rows[0] ? `, PostgreSQL ${rows[0].v.split(' ')[0]} on the same machine` : '';
  return (
    `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
    `node ${process.version}${postgres}; load average ` +
    `${loadAtStart.toFixed(2)} when the command started; date ${today()}`
  );
}

/**
 * `apiProcesses`: how many API processes serve (API_PROCESSES; one unless asked). `logStatements`: the
 * database logs a sample of its statements with their durations (bench/pg-activity.ts), set before the API
 * opens its connections; off otherwise, so a run that died while profiling leaves nothing behind.
 */
export async function openSession({
  apiProcesses = 1,
  logStatements = false,
}: { apiProcesses?: number; logStatements?: boolean } = {}): Promise<Session> {
  const url = benchDatabaseUrl();
  assertLocal(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((err: Error) => {
    throw new Error(`cannot reach ${BENCH_DATABASE} (run npm run bench:seed first): ${err.message}`);
  });
  const marker = await readMarker(client);
  if (!marker) throw new Error(`${BENCH_DATABASE} holds no completed load: run npm run bench:seed first`);
  const setup = await connectPostgres(url, 2);
  await setup.migrate();
  await takeRestorePoint(client);
  const keys = await createKeys(setup.db);
  await setup.close();
  const random = prng(20261122);
  const sample = await sampleDossiers(client, random, 10_000);
  const { rows } = await client.query<{ n: string }>('select count(*) as n from dossiers');
  const machine = await describeMachine(client);
  await statementLog(client, BENCH_DATABASE, logStatements);
  const api = await startApi(url, {}, apiProcesses);
  return { url, client, marker, dossierCount: Number(rows[0]!.n), api, keys, sample, random, machine };
}

export async function closeSession(s: Session): Promise<void> {
  await stopApi(s.api);
  await statementLog(s.client, BENCH_DATABASE, false);
  await restore(s.client);
  await s.client.end();
}
