import net from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { connectPostgres } from '../src/db/client.js';
import { seedReferenceData } from '../src/db/seed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1_000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const stopAfterRun: Array<() => Promise<unknown>> = [];

/** DATABASE_URL, else the local server, else Testcontainers, else stop with a message. */
async function findPostgres(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if ((await portOpen('127.0.0.1', 5432)) && (await postgresAnswers(LOCAL_POSTGRES))) return LOCAL_POSTGRES;
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    stopAfterRun.push(() => container.stop());
    return container.getConnectionUri();
  } catch (err) {
    throw new Error(
      'The tests need PostgreSQL: set DATABASE_URL, run one on 127.0.0.1:5432 (user postgres, trust auth), ' +
        `or provide a container runtime for Testcontainers. (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

async function findRedis(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  if (await portOpen('127.0.0.1', 6379)) return LOCAL_REDIS;
  try {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    stopAfterRun.push(() => container.stop());
    return container.getConnectionUrl();
  } catch (err) {
    throw new Error(
      'The tests need Redis: set REDIS_URL, run one on 127.0.0.1:6379, or provide a container runtime for ' +
        `Testcontainers. (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const serverUrl = await findPostgres();
  const redisUrl = await findRedis();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.ping();
  redis.disconnect();

  // A fresh database per run, migrated once; tests build their own data inside it.
  const name = `motcua_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const databaseUrl = withDatabase(serverUrl, name);
  const database = await connectPostgres(databaseUrl, 2);
  await database.migrate();
  await seedReferenceData(database.db);
  await database.close();

  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('redisPrefix', `motcua-test-${Date.now()}-${process.pid}`);

  return async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.end();
    for (const stop of stopAfterRun) await stop();
  };
}
