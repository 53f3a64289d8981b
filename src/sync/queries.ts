import { asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.js';
import { dossierDeadlines, dossierPauses } from '../db/schema/index.js';
import { lastCommitted, readOutbox, type OutboxPosition, type OutboxRow } from '../db/outbox.js';
import { inSubtree } from '../db/sql.js';
import type { DossierSnapshot } from './schemas.js';

export type ChangeRow = OutboxRow & { payload: { dossier: z.infer<typeof DossierSnapshot> } };

/** Dossier changes of the outbox whose dossier was received or is handled in the subtree (null = everywhere). */
function dossierChangeIn(scopePath: string | null) {
  const scope =
    scopePath === null
      ? sql`true`
      : sql`exists (select 1 from dossiers d join units u on u.code = d.unit_code join units h on h.code = d.handling_unit_code
             where d.id = o.dossier_id and (${inSubtree(sql`u.path`, scopePath)} or ${inSubtree(sql`h.path`, scopePath)}))`;
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
    const changes = (await readOutbox(tx, at, limit, {
      where: dossierChangeIn(scopePath),
      payload: true,
    })) as ChangeRow[];
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
