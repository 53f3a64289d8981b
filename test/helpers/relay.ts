import { sql } from 'drizzle-orm';
import { isAfter, type OutboxPosition } from '../../src/db/outbox.js';
import { rows } from '../../src/db/sql.js';
import type { JobContext } from '../../src/jobs/context.js';
import { inProcessRelay } from '../../src/jobs/handlers.js';
import { waitFor } from './wait.js';

const position = (r: { txid: string; id: number | string }): OutboxPosition => ({
  txid: r.txid,
  id: Number(r.id),
});

/**
 * Relays in process until every outbox row committed before the call has been handled. A relay passes only rows
 * below the oldest transaction running anywhere on the PostgreSQL server, so one that hands on nothing may just
 * be held back by another test's transaction: it is asked again until its cursor reaches the newest row there was.
 */
export async function relayEverything(jobs: JobContext, ms = 30_000): Promise<void> {
  const [newest] = await rows<{ txid: string; id: number | string }>(
    jobs.db,
    sql`select txid::text as txid, id from outbox order by txid desc, id desc limit 1`,
  );
  await waitFor(
    'the in-process relay to hand on every outbox row',
    async () => {
      while ((await inProcessRelay(jobs)) > 0);
      if (!newest) return true;
      const [cursor] = await rows<{ txid: string; id: number | string }>(
        jobs.db,
        sql`select last_txid::text as txid, last_id as id from outbox_cursors where name = 'in-process'`,
      );
      return cursor !== undefined && !isAfter(position(newest), position(cursor));
    },
    ms,
    200,
    { rethrow: () => true }, // a handler that fails is the test's failure, not a wait
  );
}
