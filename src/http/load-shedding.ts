import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/errors.js';

/** What a refused request is told to wait before retrying, in seconds. */
export const BUSY_RETRY_AFTER_S = 1;

/**
 * Load shedding: past `limit` requests in progress in this process, a new request is answered at once with 503
 * SERVER_BUSY and `Retry-After`, before authentication or any database work. Without it, an overloaded process
 * queues every request, answers each a little later than the last, and ends up spending its cores on requests
 * whose clients have already given up; with it, the requests it takes are answered in time and the others learn
 * at once to come back. A request counts from its routing until its response is sent or its connection closes.
 * The routes in `exempt` (health checks, metrics) always answer, so a load balancer never takes a busy process for
 * a dead one. `limit` 0: no limit. Returns the number of requests in progress, for the metrics.
 */
export function shedLoad(app: FastifyInstance, limit: number, exempt: ReadonlySet<string>): () => number {
  let inProgress = 0;
  const release = () => {
    inProgress -= 1;
  };
  app.addHook('onRequest', (request, reply, done) => {
    if (exempt.has(request.routeOptions.url ?? '')) return done();
    if (limit > 0 && inProgress >= limit) {
      return done(new DomainError('SERVER_BUSY', { retryAfter: BUSY_RETRY_AFTER_S }));
    }
    inProgress += 1;
    // 'close' comes once per response: after it was sent, or when the client went away before.
    reply.raw.once('close', release);
    done();
  });
  return () => inProgress;
}
