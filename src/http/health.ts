import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface HealthChecks {
  /** Each check resolves when its service answers and rejects otherwise. */
  postgres: () => Promise<void>;
  redis?: (() => Promise<void>) | undefined;
}

const CheckResult = z.enum(['ok', 'failed']);
const Readiness = z
  .object({
    status: z.enum(['ok', 'unavailable']).meta({ example: 'ok' }),
    checks: z.object({ postgres: CheckResult, redis: CheckResult.optional() }),
  })
  .meta({ id: 'Readiness' });

function withTimeout(check: () => Promise<void>, ms: number): Promise<void> {
  return Promise.race([
    check(),
    new Promise<void>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);
}

export const healthRoutes: FastifyPluginAsyncZod<{ checks: HealthChecks; timeoutMs?: number }> = async (
  app,
  { checks, timeoutMs = 2_000 },
) => {
  app.get('/healthz', {
    schema: {
      operationId: 'healthz',
      summary: 'Liveness',
      description: 'Answers while the process is up; does not look at backing services.',
      tags: ['health'],
      security: [],
      response: { 200: z.object({ status: z.literal('ok').meta({ example: 'ok' }) }) },
    },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    schema: {
      operationId: 'readyz',
      summary: 'Readiness',
      description: '200 when PostgreSQL (and Redis, when configured) answer; 503 naming the one that failed.',
      tags: ['health'],
      security: [],
      response: {
        200: Readiness,
        503: Readiness.describe('Not ready: the failed check is named; retry later.'),
      },
    },
    handler: async (request, reply) => {
      const entries = Object.entries(checks).filter(([, c]) => c) as Array<[string, () => Promise<void>]>;
      const results = await Promise.all(
        entries.map(async ([name, check]) => {
          try {
            await withTimeout(check, timeoutMs);
            return [name, 'ok'] as const;
          } catch (err) {
            request.log.warn({ check: name, err: (err as Error).message }, 'readiness check failed');
            return [name, 'failed'] as const;
          }
        }),
      );
      const ok = results.every(([, r]) => r === 'ok');
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'unavailable',
        checks: Object.fromEntries(results) as { postgres: 'ok' | 'failed'; redis?: 'ok' | 'failed' },
      });
    },
  });
};
