import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { CalendarCache } from '../calendar/cache.js';
import type { LiveSettings } from '../dossiers/representation.js';
import { allow } from '../auth/plugin.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import { rateAsCitizen, recordPaperRating } from './commands.js';
import { openDossier, toCitizenView } from './queries.js';
import {
  CitizenDossier,
  CitizenRatingBody,
  LookupQuery,
  PaperRatingBody,
  PublicDossierParams,
  Rating,
} from './schemas.js';

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

  app.post('/dossiers/:code/rating', {
    schema: {
      operationId: 'rateDossier',
      summary: 'Rate the service, as a citizen (đánh giá mức độ hài lòng)',
      description:
        'No API key: the code and `check` open the dossier as for the lookup (a wrong check is 404 like an unknown ' +
        'code). Once per dossier, after the result was returned: before it 409 DOSSIER_NOT_RETURNED, a second ' +
        'rating (or one recorded from paper) 409 DOSSIER_ALREADY_RATED.',
      tags,
      security: [],
      params: PublicDossierParams,
      body: CitizenRatingBody,
      response: { 201: Rating, ...errorResponses(400, 404, 409, 429) },
    },
    handler: async (request, reply) => {
      const { check, ...rating } = request.body;
      const body = await rateAsCitizen(db, request.params.code, check, rating, clock());
      return reply.code(201).send(body);
    },
  });
};

/** The clerk's side of the ratings (under /v1, with a key). */
export const ratingRoutes: FastifyPluginAsyncZod<{ db: Db; clock: () => Date }> = async (
  app,
  { db, clock },
) => {
  app.post('/dossiers/:code/rating', {
    preHandler: allow('clerk'),
    schema: {
      operationId: 'recordPaperRating',
      summary: 'Record a rating given on a paper form',
      description:
        'A clerk enters the citizen’s paper satisfaction form (source `paper`, recording the key and the ' +
        'acting officer). The same rule as the citizen’s: once per dossier, after the return (409 ' +
        'DOSSIER_NOT_RETURNED, DOSSIER_ALREADY_RATED).',
      tags,
      security: bearerSecurity,
      params: PublicDossierParams,
      body: PaperRatingBody,
      response: { 201: Rating, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => {
      const body = await recordPaperRating(db, request.principal, request.params.code, request.body, clock());
      return reply.code(201).send(body);
    },
  });
};
