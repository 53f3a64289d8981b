// Reads that tolerate a moment of lag (the dossier list, statistics and their exports) go to a PostgreSQL
// streaming replica when DATABASE_REPLICA_URL is set; everything a client must see right after its own write
// (a dossier, its events, the answer of an action) and the change feed stay on the primary. When the replica
// does not answer, or falls behind, those reads go to the primary until it is back.
import { sql } from 'drizzle-orm';
import type { Database, Db } from './client.js';
import { rows } from './sql.js';
import { withTimeout } from '../lib/timeout.js';

/** How often the replica is probed (that it answers, and how far behind it is), and how long a probe may take. */
const PROBE = { intervalMs: 1_000, timeoutMs: 1_000 };

export type ReplicaState = 'ok' | 'lagging' | 'down';

export interface ReadRouting {
  /** Runs a read on the replica when it is usable, else on the primary; a replica failing mid-read is retried on the primary. */
  read<T>(run: (db: Db) => Promise<T>): Promise<T>;
  /** The replica's state at the last probe; null without a replica. */
  replicaState(): ReplicaState | null;
  close(): Promise<void>;
}

/** Without a replica: every read on the primary. */
export function primaryOnly(primary: Db): ReadRouting {
  return { read: (run) => run(primary), replicaState: () => null, close: async () => {} };
}

/**
 * Failures of the replica rather than of the statement: the connection is gone or refused, or the standby
 * cancelled the read because of a conflict with what it was replaying.
 */
function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown };
  const code = e?.code ?? '';
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
      '08003',
      '40001',
    ].includes(code)
  )
    return true;
  if (
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(
      e?.message ?? '',
    )
  )
    return true;
  return e?.cause !== undefined && e.cause !== err && isConnectionFailure(e.cause);
}

/**
 * Routes reads between `primary` and `replica`. Each probe reads the primary's current WAL position and the
 * replica's replayed one: a replica that has not yet replayed what the primary had written at the previous
 * probe (one interval ago) is lagging, and reads stay on the primary until it catches up. So a read on the
 * replica never misses a write older than about two probe intervals.
 */
export function routeReads(
  primary: Database,
  replica: Database,
  onChange: (state: ReplicaState, err?: Error) => void,
  probeTiming: { intervalMs: number; timeoutMs: number } = PROBE,
): ReadRouting {
  let state: ReplicaState = 'down';
  let previousPrimaryLsn: string | null = null;
  let closed = false;

  const setState = (next: ReplicaState, err?: Error) => {
    if (next !== state) onChange(next, err);
    state = next;
  };

  async function probe(): Promise<void> {
    let primaryLsn: string;
    try {
      const [p] = await withTimeout(
        rows<{ lsn: string }>(primary.db, sql`select pg_current_wal_lsn()::text as lsn`),
        probeTiming.timeoutMs,
      );
      primaryLsn = p!.lsn;
    } catch {
      // A slow or absent primary says nothing about the replica: its state stays as it was until the next probe.
      return;
    }
    try {
      const [r] = await withTimeout(
        rows<{ behind: boolean | null }>(
          replica.db,
          previousPrimaryLsn === null
            ? sql`select false as behind`
            : sql`select pg_last_wal_replay_lsn() < ${previousPrimaryLsn}::pg_lsn as behind`,
        ),
        probeTiming.timeoutMs,
      );
      previousPrimaryLsn = primaryLsn;
      setState(r?.behind ? 'lagging' : 'ok');
    } catch (err) {
      setState('down', err as Error);
    }
  }

  let timer: NodeJS.Timeout | null = null;
  const loop = async () => {
    await probe();
    if (!closed) timer = setTimeout(() => void loop(), probeTiming.intervalMs).unref();
  };
  void loop();

  return {
    async read(run) {
      if (state !== 'ok') return run(primary.db);
      try {
        return await run(replica.db);
      } catch (err) {
        if (!isConnectionFailure(err)) throw err;
        setState('down', err as Error);
        return run(primary.db);
      }
    },
    replicaState: () => state,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await replica.close();
    },
  };
}
