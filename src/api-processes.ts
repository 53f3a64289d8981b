// Several API processes on one port (API_PROCESSES), with node:cluster: the supervisor prepares the database
// once, starts the processes, restarts one that dies, and on SIGTERM/SIGINT stops them all gracefully. The
// processes share nothing in memory: rate limits live in Redis, caches hear each other's edits through
// PostgreSQL (src/db/cache-signals.ts).
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import pino from 'pino';
import type { Config } from './config.js';
import { connectDatabaseOrExit, type Database } from './db/client.js';
import { redactPersonal, safeError } from './http/logging.js';

/** How many API processes to run: API_PROCESSES, 0 meaning one per core. */
export function apiProcessCount(config: Config): number {
  return config.API_PROCESSES === 0 ? availableParallelism() : config.API_PROCESSES;
}

/** The connections the API's processes share when DB_POOL_SIZE is unset. */
export const API_CONNECTIONS = 10;

/**
 * The PostgreSQL pool of each API process: DB_POOL_SIZE, else API_CONNECTIONS shared by the processes (at least 2
 * each). On two cores, two processes with 10 connections each answered the mix at 360 req/s in 110–341 ms at the
 * p95, with 5 each in 39–63 ms: twenty server processes contend for the cores that ten keep busy (bench/RESULTS.md).
 */
export function apiPoolSize(config: Config): number {
  return config.DB_POOL_SIZE ?? sharedPoolSize(apiProcessCount(config));
}

/** Each process's part of API_CONNECTIONS among `processes` (at least 2). */
export function sharedPoolSize(processes: number): number {
  return Math.max(2, Math.ceil(API_CONNECTIONS / processes));
}

const INDEX_VARIABLE = 'MOTCUA_API_PROCESS_INDEX';

/** True in a lone API process, and in the first of several (the one that runs in-process jobs). */
export function isFirstApiProcess(): boolean {
  return !cluster.isWorker || process.env[INDEX_VARIABLE] === '0';
}

/** A process dying more often than this within a minute is a crash loop: the supervisor gives up. */
const MAX_RESTARTS_PER_MINUTE = 5;
const RESTART_DELAY_MS = 1_000;
/** How long the processes get to finish their requests after SIGTERM before they are killed. */
const STOP_GRACE_MS = 15_000;

export async function superviseApiProcesses(
  config: Config,
  count: number,
  prepare: (database: Database, log: (message: string) => void) => Promise<void>,
): Promise<void> {
  const log = pino({
    level: config.LOG_LEVEL,
    formatters: { log: redactPersonal },
    serializers: { err: safeError },
  });
  const database = await connectDatabaseOrExit(config);
  try {
    await prepare(database, (message) => log.info(message));
  } finally {
    await database.close();
  }

  const byIndex = new Map<number, Worker>();
  const restarts: number[] = [];
  let stopping = false;
  let exitCode = 0;

  const start = (index: number) => {
    const worker = cluster.fork({ [INDEX_VARIABLE]: String(index) });
    byIndex.set(index, worker);
    worker.on('exit', (code, signal) => {
      if (byIndex.get(index) === worker) byIndex.delete(index);
      if (stopping) {
        if (byIndex.size === 0) process.exit(exitCode);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        log.fatal({ index, code, signal }, 'API processes keep dying: stopping them all');
        stop('crash loop', 1);
        return;
      }
      log.error({ index, code, signal }, 'an API process died: starting another');
      setTimeout(() => stopping || start(index), RESTART_DELAY_MS).unref();
    });
  };

  const stop = (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.info({ reason, processes: byIndex.size }, 'stopping the API processes');
    if (byIndex.size === 0) process.exit(exitCode);
    for (const worker of byIndex.values()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of byIndex.values()) worker.process.kill('SIGKILL');
      process.exit(exitCode || 1);
    }, STOP_GRACE_MS).unref();
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let index = 0; index < count; index++) start(index);
  log.info({ processes: count, port: config.PORT }, `running ${count} API processes on port ${config.PORT}`);
}
