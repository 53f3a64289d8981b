import { and, desc, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.js';
import { alerts, dossiers, units } from '../db/schema/index.js';
import { allow, inScope, type Principal } from '../auth/plugin.js';
import { escapeLike } from '../db/sql.js';
import { DomainError } from '../domain/errors.js';
import { formatInstant } from '../domain/local-time.js';
import {
  bearerSecurity,
  CursorQuery,
  decodeCursor,
  encodeCursor,
  errorResponses,
  InstantString,
  LimitQuery,
  pageOf,
} from '../http/schemas.js';
import { UnitCode } from '../units/schemas.js';

const Alert = z
  .object({
    id: z.number().int(),
    kind: z.enum(['due_soon', 'overdue']),
    target: z
      .enum(['statutory', 'rescheduled'])
      .describe('The statutory due or the apology\u2019s rescheduled date.'),
    dossierCode: z.string().meta({ example: '000.17.22.H56-250429-0001' }),
    dueAt: InstantString.meta({ example: '2025-05-06T16:30:00+07:00' }),
    createdAt: InstantString,
    acknowledgedAt: InstantString.nullable(),
  })
  .meta({ id: 'Alert' });

const ListAlertsQuery = z.object({
  unitCode: UnitCode.optional().describe('Dossiers received or handled in this unit\u2019s subtree.'),
  kind: z.enum(['due_soon', 'overdue']).optional(),
  acknowledged: z.enum(['true', 'false']).optional(),
  dossierCode: z.string().max(60).optional(),
  limit: LimitQuery,
  cursor: CursorQuery,
});

const handling = alias(units, 'handling_unit');

function selectAlerts(db: DbOrTx) {
  return db
    .select({ a: alerts, code: dossiers.code, unitPath: units.path, handlingPath: handling.path })
    .from(alerts)
    .innerJoin(dossiers, eq(dossiers.id, alerts.dossierId))
    .innerJoin(units, eq(units.code, dossiers.unitCode))
    .innerJoin(handling, eq(handling.code, dossiers.handlingUnitCode));
}

type AlertView = Awaited<ReturnType<ReturnType<typeof selectAlerts>['limit']>>[number];

const toAlert = ({ a, code }: AlertView) => ({
  id: a.id,
  kind: a.kind,
  target: a.target,
  dossierCode: code,
  dueAt: formatInstant(a.dueAt),
  createdAt: formatInstant(a.createdAt),
  acknowledgedAt: a.acknowledgedAt ? formatInstant(a.acknowledgedAt) : null,
});

async function subtreePrefix(
  db: DbOrTx,
  principal: Principal,
  unitCode: string | undefined,
): Promise<string | null> {
  if (!unitCode) return principal.scopePath;
  const [unit] = await db.select({ path: units.path }).from(units).where(eq(units.code, unitCode)).limit(1);
  if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code: unitCode });
  return unit.path;
}

export const alertRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get('/alerts', {
    schema: {
      operationId: 'listAlerts',
      summary: 'Deadline alerts',
      description:
        'due_soon and overdue alerts raised by the worker for the statutory and the rescheduled date, newest first; ' +
        'at most one per dossier, kind and due instant.',
      tags: ['alerts'],
      security: bearerSecurity,
      querystring: ListAlertsQuery,
      response: { 200: pageOf(Alert, 'AlertPage'), ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const q = request.query;
      const prefix = await subtreePrefix(db, request.principal, q.unitCode);
      const after = decodeCursor(q.cursor, 1)?.[0];
      const like = prefix === null ? undefined : `${escapeLike(prefix)}%`;
      const rows = await selectAlerts(db)
        .where(
          and(
            like ? or(sql`${units.path} like ${like}`, sql`${handling.path} like ${like}`) : undefined,
            q.kind ? eq(alerts.kind, q.kind) : undefined,
            q.acknowledged === 'true' ? isNotNull(alerts.acknowledgedAt) : undefined,
            q.acknowledged === 'false' ? isNull(alerts.acknowledgedAt) : undefined,
            q.dossierCode ? eq(dossiers.code, q.dossierCode) : undefined,
            typeof after === 'number' ? lt(alerts.id, after) : undefined,
          ),
        )
        .orderBy(desc(alerts.id))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map(toAlert),
        nextCursor: rows.length > q.limit && last ? encodeCursor([last.a.id]) : null,
      };
    },
  });

  app.post('/alerts/:id/ack', {
    preHandler: allow('clerk'),
    schema: {
      operationId: 'acknowledgeAlert',
      summary: 'Acknowledge an alert',
      description: 'Marks the alert seen; acknowledging again keeps the first acknowledgement.',
      tags: ['alerts'],
      security: bearerSecurity,
      params: z.object({ id: z.coerce.number().int().positive() }),
      response: { 200: Alert, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const [view] = await selectAlerts(db)
        .where(inArray(alerts.id, [request.params.id]))
        .limit(1);
      if (
        !view ||
        !(inScope(request.principal, view.unitPath) || inScope(request.principal, view.handlingPath))
      ) {
        throw new DomainError('NOT_FOUND');
      }
      const [updated] = await db
        .update(alerts)
        .set({
          acknowledgedAt: sql`coalesce(${alerts.acknowledgedAt}, now())`,
          acknowledgedBy: sql`coalesce(${alerts.acknowledgedBy}, ${request.principal.keyId}::uuid)`,
        })
        .where(eq(alerts.id, view.a.id))
        .returning();
      return toAlert({ ...view, a: updated! });
    },
  });
};
