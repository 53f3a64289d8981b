import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withTimeout } from '../lib/timeout.js';
import type { ReplicaState } from '../db/replica.js';

export interface HealthChecks {
  /** Each check resolves when its service answers and rejects otherwise. */
  postgres: () => Promise<void>;
  redis?: (() => Promise<void>) | undefined;
}

const CheckResult = z.enum(['ok', 'failed']);
const Readiness = z
  .object({
    status: z.enum(['ok', 'unavailable']).meta({ example: 'ok' }),
    checks: z.object({
      postgres: CheckResult,
      redis: CheckResult.optional(),
      replica: z
        .enum(['ok', 'lagging', 'down'])
        .optional()
        .describe(
          'The read replica (DATABASE_REPLICA_URL), when configured. Lagging or down: the reads it serves go to ' +
            'the primary meanwhile, so it does not make the service unready.',
        ),
    }),
  })
  .meta({ id: 'Readiness' });

/**
 * Readiness, for the API's /readyz and the worker's: each check must answer within `timeoutMs`; the body names
 * every check ok or failed.
 */
export async function readiness(
  checks: HealthChecks,
  timeoutMs: number,
  onFailure: (name: string, err: Error) => void = () => {},
) {
  const entries = Object.entries(checks).filter(([, c]) => c) as Array<[string, () => Promise<void>]>;
  const results = await Promise.all(
    entries.map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'ok'] as const;
      } catch (err) {
        onFailure(name, err as Error);
        return [name, 'failed'] as const;
      }
    }),
  );
  const ok = results.every(([, r]) => r === 'ok');
  return {
    ok,
    body: {
      status: ok ? ('ok' as const) : ('unavailable' as const),
      checks: Object.fromEntries(results) as {
        postgres: 'ok' | 'failed';
        redis?: 'ok' | 'failed';
        replica?: ReplicaState;
      },
    },
  };
}

export const healthRoutes: FastifyPluginAsyncZod<{
  checks: HealthChecks;
  timeoutMs?: number;
  replicaState?: () => ReplicaState | null;
}> = async (app, { checks, timeoutMs = 2_000, replicaState }) => {
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
      description:
        '200 when PostgreSQL (and Redis, when configured) answer; 503 naming the one that failed. With a read ' +
        'replica, its state is named too.',
      tags: ['health'],
      security: [],
      response: {
        200: Readiness,
        503: Readiness.describe('Not ready: the failed check is named; retry later.'),
      },
    },
    handler: async (request, reply) => {
      const { ok, body } = await readiness(checks, timeoutMs, (name, err) =>
        request.log.warn({ check: name, err: err.message }, 'readiness check failed'),
      );
      const replica = replicaState?.();
      if (replica) body.checks.replica = replica;
      return reply.code(ok ? 200 : 503).send(body);
    },
  });
};
