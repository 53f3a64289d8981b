import { createServer } from 'node:http';
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadConfigOrExit } from './config.js';
import { connectDatabaseOrExit } from './db/client.js';
import { createCalendarCache } from './calendar/cache.js';
import { parseWorkingHours } from './domain/working-time.js';
import { redactPersonal, safeError } from './http/logging.js';
import { startQueueWorker } from './jobs/queue-worker.js';
import { withTimeout } from './lib/timeout.js';

const config = loadConfigOrExit();
const log = pino({
  level: config.LOG_LEVEL,
  formatters: { log: redactPersonal },
  serializers: { err: safeError },
});

if (!config.REDIS_URL) {
  log.error('REDIS_URL is not set: the worker needs Redis (in embedded mode the API runs the jobs itself)');
  process.exit(1);
}

const database = await connectDatabaseOrExit(config);
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const worker = await startQueueWorker(
  {
    db: database.db,
    config,
    calendars: createCalendarCache(parseWorkingHours(config.WORKING_HOURS)),
    clock: () => new Date(),
    log,
  },
  {
    redisUrl: config.REDIS_URL,
    prefix: config.REDIS_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    registry,
  },
);

/** Like the API's /readyz: 200 while the database and Redis answer and the workers run, else 503. */
async function readiness(): Promise<{ status: number; body: object }> {
  const outcome = (check: Promise<void>) =>
    withTimeout(check, 2_000).then(
      () => 'ok' as const,
      () => 'failed' as const,
    );
  const [postgres, redis] = await Promise.all([outcome(database.ping()), outcome(worker.check())]);
  const ok = postgres === 'ok' && redis === 'ok';
  return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'unavailable', checks: { postgres, redis } } };
}

const metricsServer =
  config.WORKER_METRICS_PORT === 0
    ? null
    : createServer((req, res) => {
        const json = (status: number, body: object) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (req.url === '/healthz') return json(200, { status: 'ok' });
        if (req.url === '/readyz') return void readiness().then(({ status, body }) => json(status, body));
        if (req.url !== '/metrics') return void res.writeHead(404).end();
        registry
          .metrics()
          .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
          .catch(() => res.writeHead(500).end());
      }).listen(config.WORKER_METRICS_PORT, config.HOST);

log.info(
  { prefix: config.REDIS_PREFIX, metricsPort: config.WORKER_METRICS_PORT || null },
  'worker ready: connected to Redis',
);

closeWithGrace({ delay: 30_000, logger: log }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'worker stopping after an error');
  else log.info({ signal }, 'worker stopping: letting running jobs finish');
  metricsServer?.close();
  await worker.close(); // workers first, so no job loses its database mid-run
  await database.close();
  log.info('worker stopped');
});
