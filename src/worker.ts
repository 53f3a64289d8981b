import closeWithGrace from 'close-with-grace';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfigOrExit } from './config.js';
import { redactPaths } from './http/logging.js';

const config = loadConfigOrExit();
const log = pino({ level: config.LOG_LEVEL, redact: { paths: redactPaths, censor: '[redacted]' } });

if (!config.REDIS_URL) {
  log.error('REDIS_URL is not set: the worker needs Redis (in embedded mode the API runs jobs itself)');
  process.exit(1);
}

// BullMQ requires maxRetriesPerRequest: null on the connections its workers block on.
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error; retrying'));
await redis.ping();
log.info({ prefix: config.REDIS_PREFIX }, 'worker ready: connected to Redis');

closeWithGrace({ delay: 30_000, logger: log }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'worker stopping after an error');
  else log.info({ signal }, 'worker stopping');
  await redis.quit();
});
