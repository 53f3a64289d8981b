import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { ReadRouting } from '../db/replica.js';
import { fieldError } from '../http/messages.js';
import { builtResponseSerializer } from '../http/serializer.js';
import { periodDates } from '../domain/periods.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import type { IntakeTargetsCache } from '../dossiers/intake-targets.js';
import { unitInScope, type UnitTreeCache } from '../units/tree-cache.js';
import type { StatsAnswerCache } from './answer-cache.js';
import { statsCsv, statsXlsx } from './export.js';
import { answerStatistics } from './serving.js';
import { SNAPSHOT_INTERVALS_FRESH } from './today.js';
import { Stats, StatsQuery } from './schemas.js';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A file download; a Buffer is sent as it is (the response schema documents it as a binary string). */
function sendFile(reply: FastifyReply, type: string, fileName: string, body: string | Buffer): FastifyReply {
  return reply.type(type).header('content-disposition', `attachment; filename="${fileName}"`).send(body);
}

export const statsRoutes: FastifyPluginAsyncZod<{
  reads: ReadRouting;
  config: Config;
  unitTree: UnitTreeCache;
  /** Cleared when a procedure, unit or officer changes, as the unit tree is when a unit does: the kept answers' labels. */
  intakeTargets: IntakeTargetsCache;
  /** The answers this process gives again (and its counts of how each answer was given, for /metrics). */
  statsAnswers: StatsAnswerCache;
  clock: () => Date;
}> = async (app, { reads, config, unitTree, intakeTargets, statsAnswers, clock }) => {
  app.get('/stats', {
    // The answer is built in its schema's order (answerStatistics): no zod encode in production.
    serializerCompiler: builtResponseSerializer(config.NODE_ENV !== 'production'),
    schema: {
      operationId: 'getStats',
      summary: 'Period statistics (form II.06a)',
      description:
        'Received (carried over, new by channel), resolved early / on time / overdue, withdrawn, stopped and ' +
        'pending (not yet due / overdue, judged at the end of the period with the due date in force then, or at ' +
        'asOf while the period has not ended: nothing after asOf counts) for a unit subtree: the dossiers whose ' +
        'resolving unit lies in it (attribution=resolving, the default) or whose receiving unit does ' +
        '(attribution=receiving). Every row also carries the step figures (who is late): the step runs of its ' +
        'dossiers ended early / on time / overdue and those open past their due; groupBy=officer or step gives ' +
        'one row per officer holding step runs or per step, with only those figures (the totals keep the ' +
        'II.06a columns of the whole scope). format=csv or xlsx returns a file (the xlsx is form II.06a with ' +
        'Vietnamese headings, withdrawn and stopped counted as on time with a footnote). The period is either ' +
        '`period` or both `from` and `to` (from ≤ to), never both; anything else → 400.',
      tags: ['stats'],
      security: bearerSecurity,
      querystring: StatsQuery,
      response: {
        200: {
          description: 'The figures (JSON), or the file for csv/xlsx.',
          content: {
            'application/json': { schema: Stats },
            'text/csv': { schema: z.string() },
            [xlsxType]: {
              schema: z.string().meta({ format: 'binary' }),
            },
          },
        },
        ...errorResponses(400, 401, 404),
      },
    },
    handler: async (request, reply) => {
      const q = request.query;
      const period = q.period ? periodDates(q.period, q.reporting) : { from: q.from!, to: q.to! };
      if (!period) throw fieldError('querystring.period', 'period_unknown');
      const principal = request.principal;
      const unitCode = q.unitCode ?? principal.unitCode;
      const unit = unitCode ? (await unitInScope(unitTree, principal, unitCode)).unit : null;
      // Taken once: an answer read again on the primary (replica failed) is given at the same instant.
      const now = clock();
      const answer = await reads.read((replica) =>
        answerStatistics(replica, {
          unit: unit ?? null,
          ...period,
          reporting: q.reporting,
          attribution: q.attribution,
          groupBy: q.groupBy,
          granularity: config.OUTCOME_GRANULARITY,
          now,
          // A period not ended is answered as of the newest snapshot of today's figures, when the worker keeps them.
          snapshotMaxAgeMs: SNAPSHOT_INTERVALS_FRESH * config.STATS_TODAY_INTERVAL_MS,
          kept: { answers: statsAnswers, names: `${unitTree.clears}.${intakeTargets.clears}` },
        }),
      );
      if (q.format === 'json') return answer;
      const fileName = `ii06a-${unit?.code ?? 'all'}-${period.from}-${period.to}.${q.format}`;
      return q.format === 'csv'
        ? sendFile(reply, 'text/csv; charset=utf-8', fileName, statsCsv(answer))
        : sendFile(reply, xlsxType, fileName, await statsXlsx(answer, unit?.name ?? 'Toàn hệ thống'));
    },
  });
};
