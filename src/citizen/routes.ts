import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { CalendarCache } from '../calendar/cache.js';
import type { LiveSettings } from '../dossiers/representation.js';
import { errorResponses } from '../http/schemas.js';
import { openDossier, toCitizenView } from './queries.js';
import { CitizenDossier, LookupQuery, PublicDossierParams } from './schemas.js';

const tags = ['citizens'];

/**
 * The citizen's routes under /v1/public: no API key; every request counts against the client IP's public budget
 * (PUBLIC_RATE_LIMIT_PER_MINUTE, publicRateLimitPlugin). Answers are never cached on the way (they follow from a
 * secret in the address).
 */
export const publicRoutes: FastifyPluginAsyncZod<{
  db: Db;
  config: Config;
  calendars: CalendarCache;
  clock: () => Date;
}> = async (app, { db, config, calendars, clock }) => {
  const live = async (): Promise<LiveSettings> => ({
    calendar: await calendars.current(db),
    now: clock(),
    granularity: config.OUTCOME_GRANULARITY,
    dueSoonMinutes: config.DUE_SOON_MINUTES,
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get('/dossiers/:code', {
    schema: {
      operationId: 'lookUpDossier',
      summary: 'Look a dossier up, as a citizen (tra cứu hồ sơ)',
      description:
        'No API key. `check` is the lookup secret printed on the receipt (its QR code carries this address) or ' +
        'the last 4 digits of the applicant\u2019s phone or identifier. Answers the citizen\u2019s view only. A ' +
        'wrong check answers exactly as an unknown code does (404 DOSSIER_NOT_FOUND); every request counts ' +
        'against the client IP\u2019s public budget (PUBLIC_RATE_LIMIT_PER_MINUTE), 429 past it.',
      tags,
      security: [],
      params: PublicDossierParams,
      querystring: LookupQuery,
      response: { 200: CitizenDossier, ...errorResponses(400, 404, 429) },
    },
    handler: async (request) => {
      const view = await openDossier(db, request.params.code, request.query.check);
      return toCitizenView(view, await live());
    },
  });
};
