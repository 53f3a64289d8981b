import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { readOutbox, type OutboxPosition } from '../db/outbox.js';
import { rows } from '../db/sql.js';
import { withTimeout } from '../lib/timeout.js';
import type { JobContext, OutboxEvent } from './context.js';

/** Hands a batch of events on (to the queues, or straight to the handlers in embedded mode); throws on failure. */
export type Dispatch = (events: OutboxEvent[]) => Promise<void>;

async function ensureCursor(db: DbOrTx, name: string): Promise<void> {
  await db.execute(sql`insert into outbox_cursors (name) values (${name}) on conflict do nothing`);
}

async function readCursor(db: DbOrTx, name: string): Promise<OutboxPosition> {
  const [row] = await rows<{ last_txid: string; last_id: number | string }>(
    db,
    sql`select last_txid::text as last_txid, last_id from outbox_cursors where name = ${name}`,
  );
  return { txid: row!.last_txid, id: Number(row!.last_id) };
}

/** The next committed rows after the cursor's position, in commit order, as handlers see them. */
async function readAfter(db: DbOrTx, at: OutboxPosition, batchSize: number): Promise<OutboxEvent[]> {
  return (await readOutbox(db, at, batchSize)).map((r) => ({
    id: r.id,
    txid: r.txid,
    type: r.type,
    dossierId: r.dossierId,
    unitCode: r.unitCode,
    occurredAt: r.occurredAt.toISOString(),
  }));
}

/** Moves the cursor past `last`, only if it is still at `from` (so a concurrent reader never moves it back). */
async function advance(db: DbOrTx, name: string, from: OutboxPosition, last: OutboxEvent): Promise<void> {
  await db.execute(sql`
    update outbox_cursors set last_txid = ${last.txid}::xid8, last_id = ${last.id}, updated_at = now()
    where name = ${name} and last_txid = ${from.txid}::xid8 and last_id = ${from.id}`);
}

/** How long a relay waits for the queues to take a batch before it gives up and leaves it for the next run. */
export const DISPATCH_TIMEOUT_MS = 10_000;

/**
 * Relays committed outbox rows to the queues, in order, at least once: read the batch after the cursor,
 * dispatch it, then advance the cursor only if it is still where the batch was read from. No lock and no
 * transaction is held while Redis takes the batch, so a dispatch waiting on Redis holds back no one (the
 * change feed and the relays read only below the oldest running transaction id) and a worker killed mid-way
 * leaves nothing held. Two workers that read the same batch both dispatch it; the queue takes each event once
 * (its job id is the outbox id) and only one of them moves the cursor. A failed dispatch (Redis down), or one
 * still unanswered after `timeoutMs`, leaves the cursor where it was, to be retried. Returns how many rows went.
 */
export async function relayOutbox(
  ctx: JobContext,
  dispatch: Dispatch,
  batchSize = 500,
  cursorName = 'queues',
  timeoutMs = DISPATCH_TIMEOUT_MS,
): Promise<number> {
  return relayOnce(
    ctx,
    (events) => withTimeout(dispatch(events), timeoutMs, `the queues did not take ${events.length} events`),
    batchSize,
    cursorName,
  );
}

/**
 * The same for handlers that use the database themselves (embedded mode, one process): handle, then advance.
 * A crash between handling and advancing handles the batch again: at least once.
 */
export async function relayAndHandle(
  ctx: JobContext,
  handle: Dispatch,
  batchSize = 100,
  cursorName = 'in-process',
): Promise<number> {
  return relayOnce(ctx, handle, batchSize, cursorName);
}

async function relayOnce(ctx: JobContext, dispatch: Dispatch, batchSize: number, cursorName: string) {
  await ensureCursor(ctx.db, cursorName);
  const at = await readCursor(ctx.db, cursorName);
  const events = await readAfter(ctx.db, at, batchSize);
  if (!events.length) return 0;
  await dispatch(events);
  await advance(ctx.db, cursorName, at, events.at(-1)!);
  return events.length;
}
