import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';

/** What a refused request is told to wait before retrying, in seconds. */
export const BUSY_RETRY_AFTER_S = 1;

/** Routes that answer however busy the process is: a load balancer must never take a busy process for a dead one. */
export const alwaysAnswered: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** This process's requests in progress and those it refused as busy, for the metrics. */
export interface LoadCounts {
  inProgress(): number;
  refused(): number;
}

/**
 * Load shedding: past `limit` requests in progress in this process, a new request is answered at once with 503
 * SERVER_BUSY and `Retry-After`. Without it, an overloaded process queues every request, answers each a little
 * later than the last, and ends up spending its cores on requests whose clients have already given up; with it,
 * the requests it takes are answered in time and the others learn at once to come back.
 *
 * A request counts once its body is read and its caller authenticated (preHandler), so a client sending its
 * request slowly holds no place, and until its response is sent or its connection closes (a client that goes
 * away frees its place at once, though the work already started runs to its end). A request is refused at
 * routing (onRequest) when the process is full, before authentication or any database work, and again before
 * its handler if the process filled up meanwhile. The routes of `alwaysAnswered` are never counted nor refused.
 * `limit` 0: no limit (requests are still counted).
 */
export function shedLoad(app: FastifyInstance, limit: number): LoadCounts {
  let inProgress = 0;
  let refused = 0;
  const busy = () => {
    refused += 1;
    return new DomainError('SERVER_BUSY', { retryAfter: BUSY_RETRY_AFTER_S });
  };
  const exempt = (request: FastifyRequest) => alwaysAnswered.has(request.routeOptions.url ?? '');
  const full = () => limit > 0 && inProgress >= limit;

  app.addHook('onRequest', (request, _reply, done) => done(full() && !exempt(request) ? busy() : undefined));
  app.addHook('preHandler', (request, reply, done) => {
    if (exempt(request)) return done();
    if (full()) return done(busy());
    // A client already gone has had its last 'close': nobody waits for this answer, so it holds no place.
    if (reply.raw.destroyed || request.raw.socket?.destroyed) return done();
    inProgress += 1;
    releaseOnClose(request, reply, () => (inProgress -= 1));
    done();
  });
  return { inProgress: () => inProgress, refused: () => refused };
}

/**
 * Calls `release` once, when the response has been sent or the connection has closed, whichever comes first: a
 * response queued behind others on a pipelining connection emits no 'close' of its own when the connection
 * closes, its socket does.
 */
function releaseOnClose(request: FastifyRequest, reply: FastifyReply, release: () => void): void {
  const socket = request.raw.socket as NodeJS.EventEmitter | null | undefined;
  // Both can come in one go: the socket's 'close' emits the response's, and a listener removed while an event
  // is being emitted is still called for it.
  let released = false;
  const once = () => {
    if (released) return;
    released = true;
    reply.raw.off('close', once);
    socket?.off('close', once);
    release();
  };
  reply.raw.on('close', once);
  socket?.on('close', once);
}
