import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import { outboxStart } from '../db/outbox.js';
import { allow } from '../auth/plugin.js';
import type { DossierStatus } from '../domain/lifecycle.js';
import { formatInstant, formatInstantsIn } from '../domain/local-time.js';
import { bearerSecurity, decodeCursorAs, encodeCursorAs, errorResponses } from '../http/schemas.js';
import { getDossierInScope, listEvents } from '../dossiers/lookups.js';
import { DossierCodeParams } from '../dossiers/schemas.js';
import { toDvcqg } from './dvcqg.js';
import { deadlinesAndPauses, readChanges } from './queries.js';
import { ChangePage, ChangesQuery, dvcqgDossier, feedPosition } from './schemas.js';

const tags = ['sync'];

export const syncRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get('/sync/changes', {
    preHandler: allow('sync'),
    schema: {
      operationId: 'listChanges',
      summary: 'Change feed',
      description:
        'Every committed dossier change inside your scope, in commit order, behind an opaque cursor. A change ' +
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
      const { changes, mark } = await readChanges(db, request.principal.scopePath, at, limit);
      const last = mark ?? changes.at(-1);
      return {
        items: changes.map((r) => ({
          cursor: encodeCursorAs(feedPosition, r),
          type: r.type,
          occurredAt: formatInstant(r.occurredAt),
          // Changes recorded before dossiers had a holder name none.
          dossier: formatInstantsIn({ ...r.payload.dossier, holder: r.payload.dossier.holder ?? null }),
        })),
        nextCursor: last
          ? encodeCursorAs(feedPosition, last)
          : (after ?? encodeCursorAs(feedPosition, outboxStart)),
        hasMore: changes.length === limit,
      };
    },
  });

  app.get('/sync/dossiers/:code/dvcqg', {
    preHandler: allow('sync'),
    schema: {
      operationId: 'getDossierDvcqg',
      summary: 'A dossier in the national portal’s format',
      description:
        'Field names and codes of the national public-service portal (MaHoSo, MaTTHC, NgayTiepNhan, NgayHenTra, ' +
        'TrangThaiHoSo, NgayKetThucXuLy, NgayTra, KenhThucHien 1 direct / 2 online / 3 postal), dates as ' +
        'yyyyMMddHHmmss local time, with the supplement history (old and new appointment dates) and the steps.',
      tags,
      security: bearerSecurity,
      params: DossierCodeParams,
      response: {
        200: dvcqgDossier(),
        ...errorResponses(400, 401, 403, 404),
      },
    },
    handler: async (request) => {
      const view = await getDossierInScope(db, request.principal, request.params.code);
      const d = view.d;
      const [trail, [deadlines, pauses]] = await Promise.all([
        listEvents(db, d.id),
        deadlinesAndPauses(db, d.id),
      ]);
      const events = trail.map((t) => t.e);
      const statutory = deadlines.filter((x) => x.kind === 'statutory');
      const dueAt = (t: Date) => statutory.filter((x) => x.effectiveAt <= t).at(-1)?.dueAt ?? null;
      return toDvcqg({
        code: d.code,
        procedureCode: d.procedureCode,
        procedureName: view.procedureName,
        unitCode: d.unitCode,
        unitName: view.unitName,
        status: d.status as DossierStatus,
        channel: d.channel,
        applicantName: d.applicantName,
        applicantIdNumber: d.applicantIdNumber,
        receivedAt: d.receivedAt,
        dueAt: d.dueAt,
        rescheduledDueAt: d.rescheduledDueAt,
        finishedAt: d.finishedAt,
        returnedAt: d.returnedAt,
        result: d.result,
        supplements: pauses
          .filter((p) => p.kind === 'supplement')
          .map((p) => ({
            requestedAt: p.pausedAt,
            receivedAt: p.resumedAt,
            reason:
              (events.find((e) => e.type === 'request-supplement' && e.at.getTime() === p.pausedAt.getTime())
                ?.data.reason as string) ?? null,
            oldDueAt: dueAt(new Date(p.pausedAt.getTime())),
            newDueAt: p.resumedAt ? dueAt(p.resumedAt) : null,
          })),
        steps: events.map((e) => ({
          at: e.at,
          type: e.type,
          fromStatus: e.fromStatus as DossierStatus | null,
          toStatus: e.toStatus as DossierStatus,
          unitCode: (e.data.toUnitCode as string | undefined) ?? null,
          note: ((e.data.note ?? e.data.reason) as string | undefined) ?? null,
        })),
      });
    },
  });
};
