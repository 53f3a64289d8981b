import { asc, eq, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { dossierDeadlines, dossierPauses } from '../db/schema/index.js';
import { allow } from '../auth/plugin.js';
import { escapeLike } from '../db/sql.js';
import { fieldError } from '../http/messages.js';
import type { DossierStatus } from '../domain/lifecycle.js';
import { formatInstant, formatInstantsIn } from '../domain/local-time.js';
import { bearerSecurity, errorResponses, InstantString } from '../http/schemas.js';
import { getDossierInScope, listEvents } from '../dossiers/lookups.js';
import { Dossier, DossierCodeParams } from '../dossiers/schemas.js';
import { toDvcqg } from './dvcqg.js';

const tags = ['sync'];

/** The national portal's instants: yyyyMMddHHmmss in Vietnamese local time (not RFC 3339). */
const PortalTime = z.string().nullable().meta({
  pattern: '^\\d{14}$',
  maxLength: 14,
  description: 'yyyyMMddHHmmss, Vietnamese local time (the portal\u2019s format).',
});

const DossierSnapshot = Dossier.omit({ timeliness: true, remainingWorkingMinutes: true }).meta({
  id: 'DossierSnapshot',
  description: 'The dossier as it was right after the change.',
});

const Change = z
  .object({
    cursor: z.string().describe('Resume after this change.'),
    type: z.string().meta({ example: 'dossier.received' }),
    occurredAt: InstantString,
    dossier: DossierSnapshot,
  })
  .meta({ id: 'Change' });

const ChangePage = z
  .object({
    items: z.array(Change),
    nextCursor: z
      .string()
      .describe('Pass as `after` for the next page; also when items is empty (poll with it).'),
    hasMore: z.boolean().describe('True when more changes are already waiting.'),
  })
  .meta({ id: 'ChangePage' });

/** Feed positions are (txid, id) of outbox rows, opaque to clients. */
function encodePosition(txid: string, id: number): string {
  return Buffer.from(`${txid}:${id}`).toString('base64url');
}

function decodePosition(cursor: string | undefined): { txid: string; id: number } {
  if (!cursor) return { txid: '0', id: 0 };
  const m = /^(\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) {
    throw fieldError('querystring.after', 'feed_cursor');
  }
  return { txid: m[1]!, id: Number(m[2]) };
}

interface FeedRow {
  id: number | string;
  txid: string;
  type: string;
  occurred_at: Date | string;
  payload: { dossier: z.infer<typeof DossierSnapshot> };
}

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
      querystring: z.object({
        after: z
          .string()
          .max(200)
          .optional()
          .describe('nextCursor of the previous page; omit to start at the beginning.'),
        limit: z.coerce.number().int().min(1).max(1000).default(100).describe('1–1000, default 100.'),
      }),
      response: { 200: ChangePage, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const at = decodePosition(request.query.after);
      const limit = request.query.limit;
      const scopePath = request.principal.scopePath;
      const scope =
        scopePath === null
          ? sql`true`
          : sql`exists (select 1 from dossiers d join units u on u.code = d.unit_code join units h on h.code = d.handling_unit_code
                 where d.id = o.dossier_id and (u.path like ${escapeLike(scopePath) + '%'} or h.path like ${escapeLike(scopePath) + '%'}))`;
      return db.transaction(async (tx) => {
        // One snapshot for the page and its high-water mark.
        await tx.execute(sql`set transaction isolation level repeatable read`);
        const rows = (
          (await tx.execute(sql`
            select o.id, o.txid::text as txid, o.type, o.occurred_at, o.payload from outbox o
            where (o.txid, o.id) > (${at.txid}::xid8, ${at.id}::bigint)
              and o.txid < pg_snapshot_xmin(pg_current_snapshot())
              and o.type like 'dossier.%' and ${scope}
            order by o.txid, o.id -- the xid8 column, not the text alias
            limit ${limit}`)) as unknown as { rows: FeedRow[] }
        ).rows;
        let next = rows.length
          ? encodePosition(rows.at(-1)!.txid, Number(rows.at(-1)!.id))
          : (request.query.after ?? encodePosition('0', 0));
        if (rows.length < limit) {
          // Everything visible has been read: move past rows outside the scope too, so polling stays cheap.
          const mark = (
            (await tx.execute(sql`
              select o.txid::text as txid, o.id from outbox o
              where o.txid < pg_snapshot_xmin(pg_current_snapshot()) and (o.txid, o.id) > (${at.txid}::xid8, ${at.id}::bigint)
              order by o.txid desc, o.id desc limit 1`)) as unknown as {
              rows: Array<{ txid: string; id: number | string }>;
            }
          ).rows[0];
          if (mark) next = encodePosition(mark.txid, Number(mark.id));
        }
        return {
          items: rows.map((r) => ({
            cursor: encodePosition(r.txid, Number(r.id)),
            type: r.type,
            occurredAt: formatInstant(new Date(r.occurred_at)),
            dossier: formatInstantsIn(r.payload.dossier),
          })),
          nextCursor: next,
          hasMore: rows.length === limit,
        };
      });
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
        200: z
          .object({
            MaHoSo: z.string(),
            MaTTHC: z.string(),
            TenTTHC: z.string(),
            MaDonVi: z.string(),
            TenDonVi: z.string(),
            ChuHoSo: z.string(),
            SoGiayToChuHoSo: z.string().nullable(),
            KenhThucHien: z.number().int(),
            TrangThaiHoSo: z.number().int(),
            NgayTiepNhan: PortalTime.meta({ example: '20250429163000' }),
            NgayHenTra: PortalTime.meta({ example: '20250506163000' }),
            NgayHenTraMoi: PortalTime,
            NgayKetThucXuLy: PortalTime,
            NgayTra: PortalTime,
            KetQuaXuLy: z.number().int().nullable().describe('1 approved, 0 refused'),
            DanhSachBoSung: z.array(z.record(z.string(), z.unknown())),
            QuaTrinhXuLy: z.array(z.record(z.string(), z.unknown())),
          })
          .meta({ id: 'DvcqgDossier' }),
        ...errorResponses(400, 401, 403, 404),
      },
    },
    handler: async (request) => {
      const view = await getDossierInScope(db, request.principal, request.params.code);
      const d = view.d;
      const [events, deadlines, pauses] = await Promise.all([
        listEvents(db, d.id),
        db
          .select()
          .from(dossierDeadlines)
          .where(eq(dossierDeadlines.dossierId, d.id))
          .orderBy(asc(dossierDeadlines.id)),
        db
          .select()
          .from(dossierPauses)
          .where(eq(dossierPauses.dossierId, d.id))
          .orderBy(asc(dossierPauses.pausedAt)),
      ]);
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
