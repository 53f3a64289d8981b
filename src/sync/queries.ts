import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.js';
import { dossierDeadlines, dossierPauses, procedures, units } from '../db/schema/index.js';
import { lastCommitted, readOutbox, type OutboxPosition, type OutboxRow } from '../db/outbox.js';
import { inSubtree } from '../db/sql.js';
import type { Principal } from '../auth/plugin.js';
import type { DossierStatus } from '../domain/lifecycle.js';
import { getDossierInScope, listEvents, listSteps } from '../dossiers/lookups.js';
import { handoversOf, toDvcqg, withStepRuns, type ReturnMethod } from './dvcqg.js';
import type { DossierSnapshot } from './schemas.js';
import type { RaisedAlert } from '../alerts/schemas.js';
import { withAlertDossiers } from '../alerts/announcement.js';

type Snapshot = z.infer<typeof DossierSnapshot>;
export type ChangeRow = OutboxRow & { payload: { dossier: Snapshot; alert?: z.infer<typeof RaisedAlert> } };

/** The fields a snapshot written by an earlier version may lack: each came with a later feature. */
type LaterFields = 'resolvingUnit' | 'contact' | 'payment' | 'hasDigitisedComponents' | 'electronicResult';

/** A snapshot as stored: one written before a field existed lacks it. */
type StoredSnapshot = Omit<Snapshot, LaterFields | 'components'> &
  Partial<Pick<Snapshot, LaterFields>> & {
    components: Array<Omit<Snapshot['components'][number], 'digitised'> & { digitised?: boolean }>;
  };

/**
 * The snapshot as the feed shows it. A change recorded before a field existed shows what the dossier was then: a
 * dossier of the time before resolving units was resolved where received; before contacts, payments and
 * digitisation were recorded, none was (no component digitised).
 */
function completed(row: OutboxRow & { payload: { dossier: StoredSnapshot } }): ChangeRow {
  const { dossier } = row.payload;
  return {
    ...row,
    payload: {
      ...row.payload,
      dossier: {
        ...dossier,
        resolvingUnit: dossier.resolvingUnit ?? dossier.unit,
        components: dossier.components.map((c) => ({ ...c, digitised: c.digitised ?? false })),
        contact: dossier.contact ?? { consent: false, email: null, phone: null },
        payment: dossier.payment ?? null,
        hasDigitisedComponents: dossier.hasDigitisedComponents ?? false,
        electronicResult: dossier.electronicResult ?? false,
      },
    },
  };
}

/**
 * Dossier changes and alerts of the outbox whose dossier was received, is handled or is resolved in the subtree
 * (null = everywhere).
 */
function dossierChangeIn(scopePath: string | null) {
  const scope =
    scopePath === null
      ? sql`true`
      : sql`exists (select 1 from dossiers d join units u on u.code = d.unit_code join units h on h.code = d.handling_unit_code
             join units r on r.code = d.resolving_unit_code
             where d.id = o.dossier_id and (${inSubtree(sql`u.path`, scopePath)} or ${inSubtree(sql`h.path`, scopePath)}
               or ${inSubtree(sql`r.path`, scopePath)}))`;
  return sql`(o.type like 'dossier.%' or o.type like 'alert.%') and ${scope}`;
}

/**
 * One page of the change feed after `at`, in commit order (each alert with its dossier: withAlertDossiers), where
 * the next page starts, and whether more is waiting: when the page is not full, everything visible has been read,
 * and the next page starts past rows outside the scope too (the feed's high-water mark), so polling stays cheap.
 * One snapshot for all of it.
 */
export async function readChanges(
  db: Db,
  scopePath: string | null,
  at: OutboxPosition,
  limit: number,
): Promise<{ changes: ChangeRow[]; next: OutboxPosition | null; hasMore: boolean }> {
  return db.transaction(
    async (tx) => {
      // The page's statement is prepared (preparedRows): its generic plan (the (txid, id) index walked from the
      // cursor, each row's dossier checked by key) is the plan every cursor gets, but PostgreSQL would judge it by
      // a third of the outbox after an unknown cursor and plan every poll again (0.7 ms, for 0.01 ms of work).
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      const stored = (await readOutbox(tx, at, limit, {
        where: dossierChangeIn(scopePath),
        payload: true,
      })) as Array<OutboxRow & { payload: { dossier: StoredSnapshot } }>;
      const changes = (await withAlertDossiers(tx, stored)).map(completed);
      const hasMore = stored.length === limit;
      const next = (hasMore ? null : await lastCommitted(tx, at)) ?? stored.at(-1) ?? null;
      return { changes, next, hasMore };
    },
    { isolationLevel: 'repeatable read' },
  );
}

/** The deadline history and the pauses of a dossier, oldest first (the portal's supplement history). */
async function deadlinesAndPauses(db: DbOrTx, dossierId: number) {
  return Promise.all([
    db
      .select()
      .from(dossierDeadlines)
      .where(eq(dossierDeadlines.dossierId, dossierId))
      .orderBy(asc(dossierDeadlines.id)),
    db
      .select()
      .from(dossierPauses)
      .where(eq(dossierPauses.dossierId, dossierId))
      .orderBy(asc(dossierPauses.pausedAt)),
  ]);
}

/** The field (lĩnh vực) of a procedure, as the catalogue names it. */
async function procedureField(db: DbOrTx, code: string) {
  const [field] = await db
    .select({ code: procedures.fieldCode, name: procedures.fieldName })
    .from(procedures)
    .where(eq(procedures.code, code));
  return field!;
}

async function unitNames(db: DbOrTx, codes: string[]): Promise<Map<string, string>> {
  const found = codes.length
    ? await db.select({ code: units.code, name: units.name }).from(units).where(inArray(units.code, codes))
    : [];
  return new Map(found.map((u) => [u.code, u.name]));
}

/** GET /v1/sync/dossiers/{code}/dvcqg: the dossier in the national portal's format (404 outside the scope). */
export async function readDossierDvcqg(db: DbOrTx, principal: Principal, code: string) {
  const view = await getDossierInScope(db, principal, code);
  const d = view.d;
  const [trail, [deadlines, pauses], field, steps] = await Promise.all([
    listEvents(db, d.id),
    deadlinesAndPauses(db, d.id),
    procedureField(db, d.procedureCode),
    listSteps(db, d.id),
  ]);
  const events = trail.map((t) => t.e);
  // The names of the units it was transferred to (the receiving and the handling unit's come with the dossier).
  const transferredTo = events.flatMap((e) =>
    typeof e.data.toUnitCode === 'string' ? [e.data.toUnitCode] : [],
  );
  const known = [d.unitCode, d.handlingUnitCode];
  const names = await unitNames(db, [...new Set(transferredTo.filter((u) => !known.includes(u)))]);
  names.set(d.unitCode, view.unitName).set(d.handlingUnitCode, view.handlingName);
  const statutory = deadlines.filter((x) => x.kind === 'statutory');
  const dueAt = (t: Date) => statutory.filter((x) => x.effectiveAt <= t).at(-1)?.dueAt ?? null;
  const returned = events.findLast((e) => e.type === 'return');
  return toDvcqg({
    code: d.code,
    procedureCode: d.procedureCode,
    procedureName: view.procedureName,
    fieldCode: field.code,
    fieldName: field.name,
    handlingUnitName: view.handlingName,
    status: d.status as DossierStatus,
    channel: d.channel,
    applicantType: d.applicantType,
    applicantName: d.applicantName,
    applicantIdNumber: d.applicantIdNumber,
    summary: d.summary,
    submittedAt: d.submittedAt,
    receivedAt: d.receivedAt,
    dueAt: d.dueAt,
    finishedAt: d.finishedAt,
    returnedAt: d.returnedAt,
    returnMethod: (returned?.data.method as ReturnMethod | undefined) ?? null,
    paymentMethod: d.paymentMethod,
    components: d.components.map((c) => ({ name: c.name, digitised: c.digitised ?? false })),
    supplements: pauses
      .filter((p) => p.kind === 'supplement')
      .map((p) => ({
        requestedAt: p.pausedAt,
        receivedAt: p.resumedAt,
        reason:
          (events.find((e) => e.type === 'request-supplement' && e.at.getTime() === p.pausedAt.getTime())
            ?.data.reason as string | undefined) ?? null,
        dueBefore: dueAt(p.pausedAt),
        dueAfter: p.resumedAt ? dueAt(p.resumedAt) : null,
      })),
    handovers: withStepRuns(
      handoversOf(
        events.map((e) => ({ ...e, toStatus: e.toStatus as DossierStatus })),
        d.unitCode,
        (unit) => names.get(unit) ?? unit,
        dueAt,
      ),
      steps.map(({ s, unitName, toOfficer }) => ({
        handedOverAt: s.handedOverAt,
        startAt: s.startAt,
        dueAt: s.dueAt,
        unitName,
        officer: toOfficer && { fullName: toOfficer.fullName, title: toOfficer.title },
      })),
    ),
  });
}
