import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../domain/errors.js';

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows aligned on the clock: each caller may make `limit` requests per window. Counts live in
 * this process only (each API process counts on its own); a new window starts from an empty map, so memory is
 * bounded by the callers seen in one minute.
 */
export class FixedWindowLimiter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `caller`. */
  take(caller: string): { allowed: boolean; remaining: number; resetSeconds: number } {
    const now = this.now();
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(caller) ?? 0) + 1;
    this.counts.set(caller, count);
    return {
      allowed: count <= this.limit,
      remaining: Math.max(0, this.limit - count),
      resetSeconds: Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000)),
    };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Per-caller request budget of the /v1 routes (absent when RATE_LIMIT_PER_MINUTE is 0). */
    rateLimiter?: FixedWindowLimiter;
  }
}

/** Counts a request of `caller`: sets the RateLimit-* headers, and over the budget throws 429 RATE_LIMITED. */
export function consume(limiter: FixedWindowLimiter, caller: string, reply: FastifyReply): void {
  const { allowed, remaining, resetSeconds } = limiter.take(caller);
  reply.header('ratelimit-limit', String(limiter.limit));
  reply.header('ratelimit-remaining', String(remaining));
  reply.header('ratelimit-reset', String(resetSeconds));
  if (!allowed) throw new DomainError('RATE_LIMITED', { retryAfter: resetSeconds });
}

/**
 * Per API key request budget. Register right after the auth plugin: the key is known by then. Requests that fail
 * authentication are counted by client IP (see the auth plugin), so guessing keys is limited too.
 */
export const rateLimitPlugin = fp<{ perMinute: number; clock?: () => Date }>(
  async (app: FastifyInstance, opts) => {
    if (opts.perMinute <= 0) return;
    const clock = opts.clock;
    const limiter = new FixedWindowLimiter(opts.perMinute, clock ? () => clock().getTime() : Date.now);
    app.decorate('rateLimiter', limiter);
    app.addHook('onRequest', async (request, reply) => {
      const principal = request.principal as typeof request.principal | null;
      consume(limiter, principal ? `key:${principal.keyId}` : `ip:${request.ip}`, reply);
    });
  },
  { name: 'motcua-rate-limit', dependencies: ['motcua-auth'] },
);
