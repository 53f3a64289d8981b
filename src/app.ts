import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { authPlugin, KeyCache } from './auth/plugin.js';
import { poolOf, type Db } from './db/client.js';
import { primaryOnly, type ReadRouting } from './db/replica.js';
import { listenForCacheSignals, type CacheSignal, type SignalListener } from './db/cache-signals.js';
import { apiKeyRoutes } from './auth/routes.js';
import { healthRoutes, type HealthChecks } from './http/health.js';
import { IntakeTargetsCache } from './dossiers/intake-targets.js';
import { UnitTreeCache } from './units/tree-cache.js';
import { genReqId, loggerOptions, logRequest } from './http/logging.js';
import { registerMetrics } from './http/metrics.js';
import { shedLoad } from './http/load-shedding.js';
import { publicRateLimitPlugin, rateLimitPlugin } from './http/rate-limit.js';
import { checkInputText } from './http/input.js';
import { encodedResponseSerializer } from './http/serializer.js';
import { finalizeOpenApi } from './http/openapi.js';
import { clientErrors, frameworkErrors, registerErrorHandling } from './http/problem.js';
import { unitRoutes } from './units/routes.js';
import { officerRoutes } from './officers/routes.js';
import { calendarRoutes } from './calendar/routes.js';
import { createCalendarCache, type CalendarCache } from './calendar/cache.js';
import { deadlineRoutes } from './deadlines/routes.js';
import { dossierRoutes } from './dossiers/routes.js';
import { StatsAnswerCache } from './stats/answer-cache.js';
import { statsRoutes } from './stats/routes.js';
import { formRoutes } from './forms/routes.js';
import { pdfRenderer } from './forms/render-pool.js';
import { serviceIndexRoutes } from './stats/service-index-routes.js';
import { alertRoutes } from './alerts/routes.js';
import { syncRoutes } from './sync/routes.js';
import { notificationRoutes } from './notifications/routes.js';
import { webhookRoutes } from './webhooks/routes.js';
import { procedureRoutes } from './procedures/routes.js';
import { processRoutes } from './processes/routes.js';
import { publicRoutes, ratingRoutes } from './citizen/routes.js';
import { dayLengthOf, parseWorkingHours } from './domain/working-time.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The connection hearing other processes' cache signals (null embedded, where there are none). */
    cacheSignals: SignalListener | null;
  }
}

export interface AppDeps {
  config: Config;
  db: Db;
  checks: HealthChecks;
  /** The calendar cache, when the caller shares it with in-process jobs; default a new one. */
  calendars?: CalendarCache;
  /** The clock (tests set it); default the system time. */
  clock?: () => Date;
  /**
   * Redis holding the rate-limit counts, shared with the caller (who closes it); default: a client of REDIS_URL
   * when set (closed with the app), else counts in this process's memory.
   */
  redis?: Redis;
  /** Where the reads that tolerate a moment of lag go (lists, statistics, exports); default the primary. */
  reads?: ReadRouting;
  /** Where log lines go (default stdout). */
  logStream?: NodeJS.WritableStream;
  /** The unit tree's cache (tests give it another time limit); default one on `db` with UNIT_TREE_TTL_MS. */
  unitTree?: UnitTreeCache;
}

export const apiInfo = {
  title: 'motcua API',
  version: '1.0.0',
  description:
    'Case tracking for Vietnamese one-stop shops (bộ phận một cửa): dossiers (hồ sơ) from intake to result, ' +
    'legal deadlines in working time, II.06a statistics, change feed and webhooks. Errors are ' +
    'application/problem+json with a stable `code`; `title`, `detail` and `errors[].message` are Vietnamese ' +
    'unless Accept-Language prefers English.',
  contact: { name: 'motcua maintainers' },
  license: { name: 'Apache License 2.0', identifier: 'Apache-2.0' },
};

/** Relative: the paths start at the root of whichever deployment serves the document; for outside clients. */
const servers = [
  {
    url: '/',
    description: 'The deployment serving this document (production, staging or local)',
    'x-internal': false,
  },
];

/** Fastify's trustProxy for TRUST_PROXY: the listed proxies, or the nearest `hops` whatever their address. */
const trustProxyOf = (trusted: number | string[]) =>
  typeof trusted === 'number' ? (_address: string, hop: number) => hop < trusted : trusted;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, db } = deps;
  const app = Fastify({
    logger: { ...loggerOptions(config.LOG_LEVEL), ...(deps.logStream ? { stream: deps.logStream } : {}) },
    genReqId,
    requestIdHeader: false,
    // One line per request, written when it completes (logRequest): half the logging cost of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Behind load balancers, request.ip is the client X-Forwarded-For names (only as far as TRUST_PROXY trusts).
    ...(config.TRUST_PROXY !== undefined ? { trustProxy: trustProxyOf(config.TRUST_PROXY) } : {}),
    ajv: { customOptions: { coerceTypes: false } },
    frameworkErrors,
    clientErrorHandler: clientErrors,
    // On shutdown, a request already sent on an open keep-alive connection is served (with Connection: close)
    // rather than answered by Fastify's own non-problem 503; close-with-grace bounds the drain.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(encodedResponseSerializer);
  registerErrorHandling(app);
  const load = shedLoad(app, config.MAX_REQUESTS_IN_PROGRESS);
  app.addHook('preValidation', checkInputText);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  app.addHook('onResponse', logRequest);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: apiInfo,
      servers,
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'units', description: 'The unit tree (đơn vị)' },
        { name: 'officers', description: 'Officers (cán bộ) who act on dossiers' },
        { name: 'api-keys', description: 'API keys, roles and scopes; personal keys act as their officer' },
        { name: 'procedures', description: 'Procedures catalogue (thủ tục hành chính)' },
        { name: 'calendar', description: 'Working-time calendar: holidays, days off, worked weekend days' },
        { name: 'deadlines', description: 'Start and due dates in working time' },
        { name: 'dossiers', description: 'Dossiers (hồ sơ): intake, actions, reads, receipts' },
        { name: 'forms', description: 'Printable forms (Circular 03/2025/TT-VPCP): PDF or their data' },
        { name: 'stats', description: 'Period statistics (form II.06a)' },
        { name: 'alerts', description: 'Deadline alerts (due soon, overdue)' },
        { name: 'sync', description: 'Change feed and the national portal format' },
        { name: 'webhooks', description: 'Signed, retried deliveries of changes' },
        {
          name: 'citizens',
          description: 'The citizen\u2019s side: lookup by code and check, satisfaction ratings (no API key)',
        },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key: Authorization: Bearer <key>' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    transformSpecification: (spec) => finalizeOpenApi(spec),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => finalizeOpenApi(app.swagger()));

  const workingHours = parseWorkingHours(config.WORKING_HOURS);
  const calendars = deps.calendars ?? createCalendarCache(workingHours);
  const clock = deps.clock ?? (() => new Date());
  const intakeTargets = new IntakeTargetsCache();
  const unitTree = deps.unitTree ?? new UnitTreeCache(db);
  const keyCache = new KeyCache();
  listenToCacheSignals(app, db, (signal) => {
    if (signal === 'all' || signal === 'api-keys') keyCache.clear();
    else if (signal.startsWith('api-key:')) keyCache.forget(signal.slice('api-key:'.length));
    if (signal === 'all' || signal === 'intake-targets') intakeTargets.clear();
    if (signal === 'all' || signal === 'units') unitTree.clear();
    if (signal === 'all' || signal === 'calendar') calendars.invalidate();
  });

  const statsAnswers = new StatsAnswerCache();
  registerMetrics(app, load, statsAnswers);
  const reads = deps.reads ?? primaryOnly(db);
  const renderer = pdfRenderer(config.FORMS_RENDER_THREADS);
  app.addHook('onClose', () => renderer.close());
  const limited = config.RATE_LIMIT_PER_MINUTE > 0 || config.PUBLIC_RATE_LIMIT_PER_MINUTE > 0;
  const redis = limited ? (deps.redis ?? ownRedis(app, config.REDIS_URL)) : undefined;
  await app.register(healthRoutes, { checks: deps.checks, replicaState: () => reads.replicaState() });
  await app.register(
    async (v1) => {
      await v1.register(authPlugin, { db, keyCache });
      await v1.register(rateLimitPlugin, {
        perMinute: config.RATE_LIMIT_PER_MINUTE,
        clock,
        redis,
        redisPrefix: config.REDIS_PREFIX,
      });
      await v1.register(unitRoutes, { db, intakeTargets, unitTree });
      await v1.register(officerRoutes, { db, intakeTargets });
      await v1.register(apiKeyRoutes, { db });
      await v1.register(procedureRoutes, { db, intakeTargets });
      await v1.register(processRoutes, { db, intakeTargets, dayLength: dayLengthOf(workingHours) });
      await v1.register(calendarRoutes, {
        db,
        calendars,
        workingHours,
        granularity: config.OUTCOME_GRANULARITY,
        clock,
      });
      await v1.register(deadlineRoutes, { db, calendars });
      await v1.register(dossierRoutes, { db, reads, config, calendars, intakeTargets, unitTree, clock });
      await v1.register(formRoutes, { db, renderer, publicBaseUrl: config.PUBLIC_BASE_URL });
      await v1.register(statsRoutes, { reads, config, unitTree, intakeTargets, statsAnswers, clock });
      await v1.register(serviceIndexRoutes, { reads, config, unitTree, clock });
      await v1.register(alertRoutes, { db });
      await v1.register(syncRoutes, { db });
      await v1.register(webhookRoutes, { db });
      await v1.register(notificationRoutes, { db });
      await v1.register(ratingRoutes, { db, clock });
    },
    { prefix: '/v1' },
  );
  // The citizen's routes: no key, a stricter budget per client IP of their own.
  await app.register(
    async (open) => {
      await open.register(publicRateLimitPlugin, {
        perMinute: config.PUBLIC_RATE_LIMIT_PER_MINUTE,
        clock,
        redis,
        redisPrefix: config.REDIS_PREFIX,
      });
      await open.register(publicRoutes, { db, config, calendars, clock });
    },
    { prefix: '/v1/public' },
  );
  return app;
}

/**
 * On PostgreSQL, this process hears the cache signals every process announces (a revoked key, a changed procedure,
 * unit or calendar) and drops what they name; embedded (PGlite) there is only this process.
 */
function listenToCacheSignals(app: FastifyInstance, db: Db, drop: (signal: CacheSignal) => void): void {
  const pool = poolOf(db);
  app.decorate('cacheSignals', null);
  if (!pool) return;
  const listener = listenForCacheSignals(pool, drop, (err) =>
    app.log.warn({ err }, 'not hearing cache signals: caches fall back to their time limits'),
  );
  app.cacheSignals = listener;
  app.addHook('onClose', () => listener.close());
}

/**
 * A Redis client of the app's own, closed with it (absent without a URL). Commands fail at once while Redis is
 * unreachable instead of waiting in a queue, so a request never waits on it.
 */
function ownRedis(app: FastifyInstance, url: string | undefined): Redis | undefined {
  if (!url) return undefined;
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {
    // Unreachable Redis only suspends rate limiting: requests are served uncounted until it is back.
  });
  app.addHook('onClose', () => redis.disconnect());
  return redis;
}
