import { isIP } from 'node:net';
import { z } from 'zod';
import { parseWorkingHours } from './domain/working-time.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

function isWorkingHours(value: string): boolean {
  try {
    parseWorkingHours(value);
    return true;
  } catch {
    return false;
  }
}

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** An address or a CIDR block: 10.0.0.5, 10.0.0.0/8, ::1, fd00::/8. */
function isAddressOrBlock(value: string): boolean {
  const [address = '', bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY: the load balancers in front of the API, whose X-Forwarded-For names the client. A whole number is
 * how many proxies to trust from the nearest; otherwise their addresses or CIDR blocks, comma-separated.
 */
const trustProxy = z
  .string()
  .trim()
  .refine(
    (v) => /^\d{1,2}$/.test(v) || v.split(',').every((part) => isAddressOrBlock(part.trim())),
    'must be a number of proxies (1, 2, …) or addresses and CIDR blocks, e.g. 10.0.0.5,10.1.0.0/16',
  )
  .transform((v): number | string[] =>
    /^\d{1,2}$/.test(v) ? Number(v) : v.split(',').map((part) => part.trim()),
  );

/**
 * Every environment variable the service reads, described once. `npm start`, the worker, the CLI and the
 * tests all go through `loadConfig`.
 */
export const configSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'])
    .default('development')
    .describe('production: the dossier routes skip checking each response against its schema.'),
  DATABASE_URL: z
    .url()
    .optional()
    .describe('PostgreSQL connection string. Unset: embedded PGlite in DATA_DIR (no setup needed).'),
  DATABASE_REPLICA_URL: z
    .url()
    .optional()
    .describe(
      'A PostgreSQL streaming replica of DATABASE_URL for the dossier list, statistics and exports; unset: all on the primary.',
    ),
  DATA_DIR: z.string().min(1).default('./data').describe('Folder of the embedded PGlite database.'),
  DB_POOL_SIZE: intIn(1, 200)
    .optional()
    .describe(
      "Maximum connections in the PostgreSQL pool of each API process (and of the worker). Unset: 10 shared by the API's processes (10 / API_PROCESSES, at least 2 each), 10 for the worker.",
    ),
  API_PROCESSES: intIn(0, 64)
    .default(1)
    .describe(
      'API processes npm start runs on one port: 1 = itself, 0 = one per core. Above 1 needs DATABASE_URL.',
    ),
  MIGRATE_ON_START: bool.default(true).describe('Apply pending migrations when the API starts.'),
  REDIS_URL: z
    .url()
    .optional()
    .describe(
      'Redis for the job queues (worker) and the rate-limit counts; /readyz checks it when set. Unset: embedded mode.',
    ),
  REDIS_PREFIX: z
    .string()
    .min(1)
    .default('motcua')
    .describe('Key prefix of every queue and of the rate-limit counts in Redis.'),
  HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('Address the API listens on (0.0.0.0 in containers).'),
  PORT: intIn(0, 65535).default(3000).describe('Port the API listens on.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level.'),
  BOOTSTRAP_ADMIN_KEY: z
    .string()
    .min(24, 'must be at least 24 characters')
    .optional()
    .describe('When set, a system-admin API key with this secret exists (idempotent).'),
  RATE_LIMIT_PER_MINUTE: intIn(0, 1_000_000)
    .default(1200)
    .describe(
      'Requests per API key (or client IP, without a valid key) per minute, per API process; 0 = off.',
    ),
  MAX_REQUESTS_IN_PROGRESS: intIn(0, 100_000)
    .default(64)
    .describe(
      'Requests one API process works on at once; a request beyond is answered at once with 503 SERVER_BUSY and Retry-After (health checks and metrics always answer); 0 = no limit.',
    ),
  PUBLIC_RATE_LIMIT_PER_MINUTE: intIn(0, 1_000_000)
    .default(10)
    .describe(
      'Requests to the public (keyless) citizen routes per client IP per minute, counted across API processes with REDIS_URL; 0 = off.',
    ),
  TRUST_PROXY: trustProxy
    .optional()
    .describe(
      'The load balancers in front of the API: their addresses or CIDR blocks (comma-separated), or how many to trust; then the client IP of the keyless and public rate-limit budgets is taken from X-Forwarded-For. Unset: the connecting address.',
    ),
  PUBLIC_BASE_URL: z
    .url()
    .optional()
    .describe(
      'Where citizens reach this API from outside: the base of the lookup address on receipts, QR codes and SMS. Unset: http://localhost:PORT.',
    ),
  BODY_LIMIT_BYTES: intIn(1024, 50 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('Largest accepted request body.'),
  WORKING_HOURS: z
    .string()
    .refine(
      isWorkingHours,
      'must be sorted, non-overlapping HH:MM-HH:MM intervals, e.g. 07:30-11:30,13:00-17:00',
    )
    .default('07:30-11:30,13:00-17:00')
    .describe('Working intervals of a working day; their total is the length of one working day.'),
  OUTCOME_GRANULARITY: z
    .enum(['day', 'instant'])
    .default('day')
    .describe('Compare resolution with the due date by local date (day) or to the minute (instant).'),
  DUE_SOON_MINUTES: intIn(0, 100_000)
    .default(480)
    .describe('A live dossier is due soon when this many working minutes or fewer remain.'),
  RELAY_INTERVAL_MS: intIn(50, 60_000)
    .default(1000)
    .describe('How often the outbox is relayed to the queues.'),
  ALERT_SCAN_INTERVAL_MS: intIn(1000, 3_600_000)
    .default(60_000)
    .describe('How often the deadline-alert scan runs.'),
  WORKER_CONCURRENCY: intIn(1, 100).default(4).describe('Jobs one worker process runs at once.'),
  WORKER_METRICS_PORT: intIn(0, 65535)
    .default(9465)
    .describe("Port of the worker's /metrics (Prometheus); 0 = none."),
  STATS_REFRESH_INTERVAL_MS: intIn(1000, 3_600_000)
    .default(30_000)
    .describe('How often the worker closes days and recomputes changed statistics figures.'),
  STATS_TODAY_INTERVAL_MS: intIn(1000, 3_600_000)
    .default(15_000)
    .describe(
      "How often the worker takes a snapshot of today's statistics figures; a period not ended is answered as " +
        'of the newest snapshot while it is at most three intervals old, else counted at the moment of the answer.',
    ),
  WEBHOOK_RETRY_BASE_MS: intIn(10, 600_000)
    .default(5000)
    .describe('First webhook retry delay; it doubles per attempt up to one hour.'),
  SMTP_URL: z
    .url()
    .refine((u) => /^smtps?:\/\//.test(u), 'must start with smtp:// or smtps://')
    .optional()
    .describe(
      'SMTP server for e-mail notifications to applicants (smtp://user:pass@host:587, smtps://... for TLS); unset: no e-mail.',
    ),
  SMTP_FROM: z
    .string()
    .min(3)
    .optional()
    .describe(
      'Sender of the notification e-mails, e.g. "UBND xã Tân Hòa <mot-cua@tanhoa.gov.vn>"; needed with SMTP_URL.',
    ),
  SMS_GATEWAY_URL: z
    .url()
    .optional()
    .describe("The province's SMS gateway: a JSON POST {id, to, text} per message; unset: no SMS."),
  SMS_GATEWAY_TOKEN: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Bearer token sent to the SMS gateway (Authorization: Bearer ...); needed with SMS_GATEWAY_URL.',
    ),
  NOTIFICATION_RETRY_BASE_MS: intIn(10, 3_600_000)
    .default(30_000)
    .describe('First retry delay of a notification that failed; it doubles per attempt up to one hour.'),
  FORMS_RENDER_THREADS: intIn(0, 16)
    .default(1)
    .describe(
      'Worker threads of each API process that render the printable forms (PDF); 0 = on the event loop.',
    ),
  BACKDATE_WINDOW_DAYS: intIn(0, 60)
    .default(3)
    .describe('How far in the past receivedAt and action times may be entered late.'),
});

/** The environment as read, PUBLIC_BASE_URL filled in from PORT when unset. */
export type Config = Omit<z.infer<typeof configSchema>, 'PUBLIC_BASE_URL'> & { PUBLIC_BASE_URL: string };

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment; empty strings count as unset. Throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(configSchema.shape);
  const input = Object.fromEntries(
    known.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]),
  );
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`),
    );
  }
  if (parsed.data.DATABASE_REPLICA_URL && !parsed.data.DATABASE_URL) {
    throw new ConfigError([
      'DATABASE_REPLICA_URL: a read replica needs DATABASE_URL, the primary it follows',
    ]);
  }
  if (parsed.data.SMTP_URL && !parsed.data.SMTP_FROM) {
    throw new ConfigError(['SMTP_FROM: e-mail notifications (SMTP_URL) need a sender address']);
  }
  if (parsed.data.SMS_GATEWAY_URL && !parsed.data.SMS_GATEWAY_TOKEN) {
    throw new ConfigError(['SMS_GATEWAY_TOKEN: the SMS gateway (SMS_GATEWAY_URL) needs its token']);
  }
  if (parsed.data.API_PROCESSES !== 1 && !parsed.data.DATABASE_URL) {
    throw new ConfigError([
      'API_PROCESSES: several API processes need DATABASE_URL (an embedded database has a single owner)',
    ]);
  }
  return {
    ...parsed.data,
    PUBLIC_BASE_URL: parsed.data.PUBLIC_BASE_URL ?? `http://localhost:${parsed.data.PORT}`,
  };
}

/** For entry points: load the config or print every problem and exit non-zero. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
