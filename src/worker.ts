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
import { readiness } from './http/health.js';

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

const metricsServer =
  config.WORKER_METRICS_PORT === 0
    ? null
    : createServer((req, res) => {
        const json = (status: number, body: object) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (req.url === '/healthz') return json(200, { status: 'ok' });
        if (req.url === '/readyz') {
          const checks = { postgres: () => database.ping(), redis: () => worker.check() };
          return void readiness(checks, 2_000).then(({ ok, body }) => json(ok ? 200 : 503, body));
        }
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
