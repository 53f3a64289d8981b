import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StatsAnswerCache } from '../stats/answer-cache.js';
import type { LoadCounts } from './load-shedding.js';

/**
 * Prometheus metrics: process metrics, an HTTP duration histogram by route and status, the requests in
 * progress and refused as busy (counted by the load shedding: src/http/load-shedding.ts), and the statistics
 * answers by how they were given (src/stats/answer-cache.ts).
 */
export function registerMetrics(
  app: FastifyInstance,
  load: LoadCounts,
  statsAnswers: StatsAnswerCache,
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'http_requests_in_progress',
    help: 'Requests this API process is working on (MAX_REQUESTS_IN_PROGRESS refuses more with 503 SERVER_BUSY)',
    registers: [registry],
    collect() {
      this.set(load.inProgress());
    },
  });
  new Counter({
    name: 'http_requests_refused_busy_total',
    help: 'Requests refused with 503 SERVER_BUSY because this API process had MAX_REQUESTS_IN_PROGRESS in progress',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(load.refused());
    },
  });
  new Counter({
    name: 'stats_answers_total',
    help: 'Statistics answers given by this API process: again while nothing they read changed (kept), read and kept, or read with a part counted live (live)',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [source, n] of Object.entries(statsAnswers.given)) this.inc({ source }, n);
    },
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, so label cardinality stays bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
