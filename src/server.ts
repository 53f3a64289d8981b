import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import closeWithGrace from 'close-with-grace';
import { Redis } from 'ioredis';
import { buildApp } from './app.js';
import { loadConfigOrExit, type Config } from './config.js';
import { connectDatabaseOrExit, connectPostgres, type Database } from './db/client.js';
import { primaryOnly, routeReads, type ReplicaState } from './db/replica.js';
import { ensureSystemAdminKey } from './auth/keys.js';
import { seedReferenceData } from './db/seed.js';
import { createCalendarCache } from './calendar/cache.js';
import { parseWorkingHours } from './domain/working-time.js';
import { startInProcessJobs } from './jobs/in-process.js';
import { apiPoolSize, apiProcessCount, isFirstApiProcess, superviseApiProcesses } from './api-processes.js';

// The heap grows by 30 % over what survives a full collection, not by V8's default factor (up to 4× when
// allocation is fast): under load the old space then stays near the live set instead of filling with garbage.
// A soft policy: the heap still grows as far as a large export needs.
setFlagsFromString('--heap-growing-percent=30');

const config = loadConfigOrExit();
const processes = apiProcessCount(config);

if (processes > 1 && cluster.isPrimary) {
  // The supervisor migrates once and creates the bootstrap key, then runs the API processes on one port.
  await superviseApiProcesses(config, processes, prepareDatabase);
} else {
  await serve(config, { prepared: cluster.isWorker });
}

/**
 * Applies pending migrations and seeds reference data (MIGRATE_ON_START), and makes sure the bootstrap
 * system-admin key exists, printing its secret when it was just created.
 */
async function prepareDatabase(database: Database, log: (message: string) => void): Promise<void> {
  if (config.MIGRATE_ON_START) {
    await database.migrate();
    await seedReferenceData(database.db);
    log('database migrated');
  }
  const { createdSecret } = await ensureSystemAdminKey(database.db, config.BOOTSTRAP_ADMIN_KEY);
  if (createdSecret) {
    // Shown once, on the terminal only (not through the logger), so it does not land in log storage.
    process.stdout.write(
      `\n  A system-admin API key was created. It is shown only this once; store it now:\n\n    ${createdSecret}\n\n` +
        `  Use it as: Authorization: Bearer <key>. Set BOOTSTRAP_ADMIN_KEY to choose your own.\n\n`,
    );
  }
}

/** One API process: `prepared` when a supervisor already prepared the database. */
async function serve(config: Config, { prepared }: { prepared: boolean }): Promise<void> {
  const poolSize = apiPoolSize(config);
  const database = await connectDatabaseOrExit({ ...config, DB_POOL_SIZE: poolSize });
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false })
    : null;
  redis?.on('error', () => {
    // Redis being down only delays alerts and webhooks and suspends rate limiting; /readyz reports it.
  });

  const calendars = createCalendarCache(parseWorkingHours(config.WORKING_HOURS));
  const replica = config.DATABASE_REPLICA_URL
    ? await connectPostgres(config.DATABASE_REPLICA_URL, poolSize)
    : null;
  let logReplica: (state: ReplicaState, err?: Error) => void = () => {};
  const reads = replica
    ? routeReads(database, replica, (state, err) => logReplica(state, err))
    : primaryOnly(database.db);
  const app = await buildApp({
    config,
    db: database.db,
    reads,
    calendars,
    ...(redis ? { redis } : {}),
    checks: { postgres: database.ping, redis: redis ? async () => void (await redis.ping()) : undefined },
  });

  app.log.info(
    database.kind === 'pglite'
      ? { mode: 'embedded', dataDir: database.location }
      : { mode: 'postgres', database: database.location },
    database.kind === 'pglite'
      ? `embedded mode: PGlite database in ${database.location} (set DATABASE_URL to use PostgreSQL)`
      : `using PostgreSQL at ${database.location}`,
  );
  logReplica = (state, err) =>
    state === 'ok'
      ? app.log.info('read replica in use: lists and statistics read from it')
      : app.log.warn({ err, state }, 'read replica not usable: its reads go to the primary');
  if (replica)
    app.log.info({ replica: replica.location, state: reads.replicaState() }, 'read replica configured');
  if (!prepared) await prepareDatabase(database, (message) => app.log.info(message));

  // Without Redis the worker's jobs run in the API, on timers: in the first API process only.
  const jobs =
    redis || !isFirstApiProcess()
      ? null
      : startInProcessJobs({ db: database.db, config, calendars, clock: () => new Date(), log: app.log });

  closeWithGrace({ delay: 10_000, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close(); // stops accepting, lets in-flight requests finish
    await jobs?.close();
    await reads.close();
    redis?.disconnect();
    await database.close();
  });

  await app.listen({ host: config.HOST, port: config.PORT });
}
