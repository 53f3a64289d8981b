import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { ReadRouting } from '../db/replica.js';
import { periodDates } from '../domain/periods.js';
import { fieldError } from '../http/messages.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import { unitInScope, type UnitTreeCache } from '../units/tree-cache.js';
import { answerServiceIndex } from './service-index.js';
import { ServiceIndex, ServiceIndexQuery } from './service-index-schemas.js';

export const serviceIndexRoutes: FastifyPluginAsyncZod<{
  reads: ReadRouting;
  config: Config;
  unitTree: UnitTreeCache;
  clock: () => Date;
}> = async (app, { reads, config, unitTree, clock }) => {
  app.get('/stats/service-index', {
    schema: {
      operationId: 'getServiceIndex',
      summary: 'Service index ratios (Decision 766/QĐ-TTg)',
      description:
        'Per resolving unit in a unit subtree and for a period: progress (with its points, ratio × 20, an ' +
        'estimate of the official score), online share, online payment share, digitised share and ' +
        'satisfaction, each ratio with its numerator and denominator (null when the denominator is 0). The ' +
        'period is either `period` (civil or official reporting periods) or both `from` and `to` (from ≤ to), ' +
        'never both; anything else → 400. Every role may read it.',
      tags: ['stats'],
      security: bearerSecurity,
      querystring: ServiceIndexQuery,
      response: { 200: ServiceIndex, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const q = request.query;
      const period = q.period ? periodDates(q.period, q.reporting) : { from: q.from!, to: q.to! };
      if (!period) throw fieldError('querystring.period', 'period_unknown');
      const principal = request.principal;
      const unitCode = q.unitCode ?? principal.unitCode;
      const unit = unitCode ? (await unitInScope(unitTree, principal, unitCode)).unit : null;
      const asOf = clock();
      return reads.read((replica) =>
        answerServiceIndex(replica, {
          unit: unit ?? null,
          ...period,
          reporting: q.reporting,
          granularity: config.OUTCOME_GRANULARITY,
          asOf,
        }),
      );
    },
  });
};
