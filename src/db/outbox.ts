// The one commit-order read of the outbox, used by the relays (src/jobs/relay.ts) and the change feed
// (src/sync/routes.ts).
import { sql, type SQL } from 'drizzle-orm';
import { preparedRows, type DbOrTx } from './client.js';

/** A place in the outbox: the (txid, id) of the last row read. Rows are read in (txid, id) order after it. */
export interface OutboxPosition {
  txid: string;
  id: number;
}

export const outboxStart: OutboxPosition = { txid: '0', id: 0 };

export interface OutboxRow {
  id: number;
  txid: string;
  type: string;
  dossierId: number | null;
  unitCode: string | null;
  occurredAt: Date;
  /** Only when read with `payload: true`. */
  payload?: Record<string, unknown>;
}

interface Raw {
  id: number | string;
  txid: string;
  type: string;
  dossier_id: number | string | null;
  unit_code: string | null;
  occurred_at: Date | string;
  payload?: Record<string, unknown>;
}

/**
 * Rows after `at` whose transaction has committed in order: only below the oldest transaction still running
 * (pg_snapshot_xmin), so a transaction that began earlier but commits later is waited for rather than skipped,
 * since its rows could still appear below the position.
 */
function committedAfter(at: OutboxPosition): SQL {
  return sql`(o.txid, o.id) > (${at.txid}::xid8, ${at.id}::bigint) and o.txid < pg_snapshot_xmin(pg_current_snapshot())`;
}

/** Up to `limit` committed rows after `at`, in commit order, that also meet `where` (a condition on `o`). */
export async function readOutbox(
  db: DbOrTx,
  at: OutboxPosition,
  limit: number,
  options: { where?: SQL; payload?: boolean } = {},
): Promise<OutboxRow[]> {
  const found = await preparedRows<Raw>(
    db,
    sql`
      select o.id, o.txid::text as txid, o.type, o.dossier_id, o.unit_code, o.occurred_at
        ${options.payload ? sql`, o.payload` : sql``}
      from outbox o
      where ${committedAfter(at)} and ${options.where ?? sql`true`}
      order by o.txid, o.id -- the xid8 column: the text alias would sort '10' before '9'
      limit ${limit}`,
  );
  return found.map((r) => ({
    id: Number(r.id),
    txid: r.txid,
    type: r.type,
    dossierId: r.dossier_id === null ? null : Number(r.dossier_id),
    unitCode: r.unit_code,
    occurredAt: new Date(r.occurred_at),
    ...(options.payload ? { payload: r.payload } : {}),
  }));
}

/**
 * The last committed row (whatever its type): one descent of the (txid, id) index from the oldest running
 * transaction down. Asked as "the last committed row after `at`", a backward scan would stop only below `at`'s
 * txid, and so read every row of that transaction (a bulk load's hundreds of thousands) on each poll of an idle
 * feed.
 */
export const lastCommittedRow = sql`
  select o.txid::text as txid, o.id from outbox o where o.txid < pg_snapshot_xmin(pg_current_snapshot())
  order by o.txid desc, o.id desc limit 1`;

/** The position of the last committed row when it lies after `at` (whatever its type), else null. */
export async function lastCommitted(db: DbOrTx, at: OutboxPosition): Promise<OutboxPosition | null> {
  const [mark] = await preparedRows<{ txid: string; id: number | string }>(db, lastCommittedRow);
  if (!mark) return null;
  const position = { txid: mark.txid, id: Number(mark.id) };
  return isAfter(position, at) ? position : null;
}

/** Whether `a` comes after `b` in commit order (txid as a number, then id). */
export function isAfter(a: OutboxPosition, b: OutboxPosition): boolean {
  const ta = BigInt(a.txid);
  const tb = BigInt(b.txid);
  return ta !== tb ? ta > tb : a.id > b.id;
}
