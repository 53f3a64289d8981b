import { asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.js';
import { dossierDeadlines, dossierPauses } from '../db/schema/index.js';
import { lastCommitted, readOutbox, type OutboxPosition, type OutboxRow } from '../db/outbox.js';
import { inSubtree } from '../db/sql.js';
import type { DossierSnapshot } from './schemas.js';

type Snapshot = z.infer<typeof DossierSnapshot>;
export type ChangeRow = OutboxRow & { payload: { dossier: Snapshot } };

/** A snapshot as stored: one written before dossiers had a resolving unit lacks it. */
type StoredSnapshot = Omit<Snapshot, 'resolvingUnit'> & { resolvingUnit?: Snapshot['resolvingUnit'] };

/** The snapshot as the feed shows it: a dossier of the time before resolving units was resolved where received. */
function completed(row: OutboxRow & { payload: { dossier: StoredSnapshot } }): ChangeRow {
  const { dossier } = row.payload;
  return {
    ...row,
    payload: {
      ...row.payload,
      dossier: { ...dossier, resolvingUnit: dossier.resolvingUnit ?? dossier.unit },
    },
  };
}

/**
 * Dossier changes of the outbox whose dossier was received, is handled or is resolved in the subtree (null =
 * everywhere).
 */
function dossierChangeIn(scopePath: string | null) {
  const scope =
    scopePath === null
      ? sql`true`
      : sql`exists (select 1 from dossiers d join units u on u.code = d.unit_code join units h on h.code = d.handling_unit_code
             join units r on r.code = d.resolving_unit_code
             where d.id = o.dossier_id and (${inSubtree(sql`u.path`, scopePath)} or ${inSubtree(sql`h.path`, scopePath)}
               or ${inSubtree(sql`r.path`, scopePath)}))`;
  return sql`o.type like 'dossier.%' and ${scope}`;
}

/**
 * One page of the change feed after `at`, in commit order, and the feed's high-water mark: when the page is not
 * full, everything visible has been read, and the mark moves past rows outside the scope too, so polling stays
 * cheap. One snapshot for both.
 */
export async function readChanges(
  db: Db,
  scopePath: string | null,
  at: OutboxPosition,
  limit: number,
): Promise<{ changes: ChangeRow[]; mark: OutboxPosition | null }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set transaction isolation level repeatable read`);
    const stored = (await readOutbox(tx, at, limit, {
      where: dossierChangeIn(scopePath),
      payload: true,
    })) as Array<OutboxRow & { payload: { dossier: StoredSnapshot } }>;
    const changes = stored.map(completed);
    const mark = changes.length < limit ? await lastCommitted(tx, at) : null;
    return { changes, mark };
  });
}

/** The deadline history and the pauses of a dossier, oldest first (the portal's supplement history). */
export async function deadlinesAndPauses(db: DbOrTx, dossierId: number) {
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
