import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { DomainError } from '../domain/errors.js';

const WINDOW_MS = 60_000;

/**
 * The clock minute `nowMs` falls in: its number (part of every counter's key, so a new minute starts new counts)
 * and the milliseconds left in it (the counter's lifetime, and what RateLimit-Reset and Retry-After round up).
 */
export function clockMinute(nowMs: number): { window: number; msLeft: number } {
  const window = Math.floor(nowMs / WINDOW_MS);
  return { window, msLeft: (window + 1) * WINDOW_MS - nowMs };
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Counts the request against its caller's budget (the API key, or the client IP before a key is known), sets
     * the RateLimit-* headers, and over the budget throws 429 RATE_LIMITED. Absent when RATE_LIMIT_PER_MINUTE is 0.
     */
    countRequest?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  }
}

export interface RateLimitOptions {
  perMinute: number;
  clock?: () => Date;
  /** Counts live here, shared by every API process using it; absent: in this process's memory. */
  redis?: Redis | undefined;
  /** Prefix of the counters' keys in Redis (REDIS_PREFIX). */
  redisPrefix: string;
}

/**
 * A request budget in fixed one-minute windows aligned on the clock, by @fastify/rate-limit, counted under
 * `caller(request)`; returns the hook that counts a request (sets the RateLimit-* headers, throws 429
 * RATE_LIMITED past the budget). When the Redis store cannot be reached, requests are served uncounted rather than
 * refused.
 */
async function registerBudget(
  app: FastifyInstance,
  opts: RateLimitOptions,
  budget: string,
  caller: (request: FastifyRequest) => string,
) {
  const now = opts.clock ? () => opts.clock!().getTime() : Date.now;
  await app.register(fastifyRateLimit, {
    global: false,
    max: opts.perMinute,
    keyGenerator: (request) => `${caller(request)}:${clockMinute(now()).window}`,
    timeWindow: () => clockMinute(now()).msLeft,
    enableDraftSpec: true,
    skipOnError: true,
    ...(opts.redis ? { redis: opts.redis, nameSpace: `${opts.redisPrefix}:${budget}:` } : {}),
    errorResponseBuilder: (_request, context) =>
      new DomainError('RATE_LIMITED', { retryAfter: Math.ceil(context.ttl / 1000) }),
  });
  return app.rateLimit();
}

/**
 * Per API key request budget (RATE_LIMIT_PER_MINUTE). Register right after the auth plugin: the key is known by
 * then. Requests that fail authentication are counted by client IP (the auth plugin calls countRequest before
 * refusing them), so guessing keys is limited too.
 */
export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app: FastifyInstance, opts) => {
    if (opts.perMinute <= 0) return;
    const countRequest = await registerBudget(app, opts, 'rate-limit', (request) => {
      const principal = request.principal as typeof request.principal | null;
      return principal ? `key:${principal.keyId}` : `ip:${request.ip}`;
    });
    app.decorate('countRequest', countRequest);
    app.addHook('onRequest', countRequest);
  },
  { name: 'motcua-rate-limit', dependencies: ['motcua-auth'] },
);

/**
 * The public (keyless) routes' budget per client IP (PUBLIC_RATE_LIMIT_PER_MINUTE), separate from and stricter
 * than the keys' own: every request counts, so guessing dossier codes and check values is slow. Its counters are
 * apart from the keys' (`{REDIS_PREFIX}:public-rate-limit:`), shared by every API process through Redis.
 */
export const publicRateLimitPlugin = fp<RateLimitOptions>(
  async (app: FastifyInstance, opts) => {
    if (opts.perMinute <= 0) return;
    app.addHook(
      'onRequest',
      await registerBudget(app, opts, 'public-rate-limit', (request) => `ip:${request.ip}`),
    );
  },
  { name: 'motcua-public-rate-limit' },
);
