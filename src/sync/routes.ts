import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import { outboxStart } from '../db/outbox.js';
import { allow } from '../auth/plugin.js';
import { formatInstant, formatInstantsIn } from '../domain/local-time.js';
import { bearerSecurity, decodeCursorAs, encodeCursorAs, errorResponses } from '../http/schemas.js';
import { DossierCodeParams } from '../dossiers/schemas.js';
import { readChanges, readDossierDvcqg } from './queries.js';
import { ChangePage, ChangesQuery, dvcqgDossier, feedPosition } from './schemas.js';

const tags = ['sync'];

export const syncRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get('/sync/changes', {
    preHandler: allow('sync'),
    schema: {
      operationId: 'listChanges',
      summary: 'Change feed',
      description:
        'Every committed dossier change and alert inside your scope, in commit order, behind an opaque cursor. A change ' +
        'whose transaction is still open is waited for, never skipped: a change that started first but committed ' +
        'last is delivered before anything after it. Poll with nextCursor.',
      tags,
      security: bearerSecurity,
      querystring: ChangesQuery,
      response: { 200: ChangePage, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const after = request.query.after;
      const at = after ? decodeCursorAs(feedPosition, after) : outboxStart;
      const { limit } = request.query;
      const { changes, next, hasMore } = await readChanges(db, request.principal.scopePath, at, limit);
      return {
        items: changes.map((r) => ({
          cursor: encodeCursorAs(feedPosition, r),
          type: r.type,
          occurredAt: formatInstant(r.occurredAt),
          // Changes recorded before dossiers had a holder, or steps, name none.
          dossier: formatInstantsIn({
            ...r.payload.dossier,
            holder: r.payload.dossier.holder ?? null,
            currentStep: r.payload.dossier.currentStep ?? null,
          }),
          ...(r.payload.alert ? { alert: r.payload.alert } : {}),
        })),
        nextCursor: next
          ? encodeCursorAs(feedPosition, next)
          : (after ?? encodeCursorAs(feedPosition, outboxStart)),
        hasMore,
      };
    },
  });

  app.get('/sync/dossiers/:code/dvcqg', {
    preHandler: allow('sync'),
    schema: {
      operationId: 'getDossierDvcqg',
      summary: 'A dossier in the national portal’s format',
      description:
        'The dossier with the national public-service portal\u2019s field names and codes only, for a provincial ' +
        'system to forward as it is: procedure and field, applicant and identifiers, dates as yyyyMMddHHmmss ' +
        'local time, status (TrangThaiHoSo 1\u201310), the supplement requests (DanhSachHoSoBoSung) with the ' +
        'appointment date before and after each, and the handovers (QuaTrinhXuLy).',
      tags,
      security: bearerSecurity,
      params: DossierCodeParams,
      response: {
        200: dvcqgDossier(),
        ...errorResponses(400, 401, 403, 404),
      },
    },
    handler: async (request) => readDossierDvcqg(db, request.principal, request.params.code),
  });
};
