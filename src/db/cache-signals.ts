// Cache signals: an edit that makes the API processes' caches stale (a revoked key, a changed procedure, unit or
// calendar) is announced through PostgreSQL, which every process shares, so each drops what it holds at once.
// NOTIFY is delivered when the announcing transaction commits, and only then: no process can re-read the old
// row after hearing the signal.
import { sql } from 'drizzle-orm';
import type { Client, Pool } from 'pg';
import type { DbOrTx } from './client.js';

export const CACHE_SIGNAL_CHANNEL = 'motcua_caches';

/**
 * What became stale: one API key (`api-key:<id>`, revoked), every key's principal (a unit moved, so scopes
 * changed), the procedures, units and officers intakes read and statistics answers name (`intake-targets`), the
 * unit tree (`units`: a unit created, edited or moved), the calendar. `all` is never sent: a listener hears it
 * when it (re)connects, since it may have missed signals while it was away.
 */
export type CacheSignal = `api-key:${string}` | 'api-keys' | 'intake-targets' | 'units' | 'calendar' | 'all';

/** Announces that `signal`'s caches are stale, delivered to every listening process when `db`'s transaction commits. */
export async function announce(db: DbOrTx, signal: Exclude<CacheSignal, 'all'>): Promise<void> {
  await db.execute(sql`select pg_notify(${CACHE_SIGNAL_CHANNEL}, ${signal})`);
}

export interface SignalListener {
  /** True while the listening connection is up (signals arrive as they are sent). */
  listening(): boolean;
  close(): Promise<void>;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/** A signal as received: anything else on the channel (a stray NOTIFY) is ignored. */
export function parseSignal(payload: string | undefined): CacheSignal | null {
  if (payload === 'api-keys' || payload === 'intake-targets' || payload === 'units' || payload === 'calendar')
    return payload;
  if (payload?.startsWith('api-key:') && payload.length > 'api-key:'.length)
    return payload as `api-key:${string}`;
  return null;
}

/**
 * Holds one connection of its own (with the pool's settings, outside the pool) that LISTENs for cache signals and
 * calls `onSignal` for each. When the connection is lost it reconnects with back-off, and on every (re)connection
 * calls `onSignal('all')`; while it is away the caches' own time limits bound how stale they get.
 */
export function listenForCacheSignals(
  pool: Pool,
  onSignal: (signal: CacheSignal) => void,
  onError: (err: Error) => void,
): SignalListener {
  let client: Client | null = null;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let timer: NodeJS.Timeout | null = null;

  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  const lost = (c: Client, err: Error) => {
    if (client === c) client = null;
    void c.end().catch(() => {});
    if (closed) return;
    onError(err);
    retry();
  };

  async function connect(): Promise<void> {
    const { default: pg } = await import('pg');
    const c = new pg.Client(pool.options);
    c.on('error', (err) => lost(c, err));
    c.on('end', () => {
      if (client === c) lost(c, new Error('the cache-signal connection ended'));
    });
    c.on('notification', (message) => {
      const signal = message.channel === CACHE_SIGNAL_CHANNEL ? parseSignal(message.payload) : null;
      if (signal) onSignal(signal);
    });
    try {
      await c.connect();
      await c.query(`listen ${CACHE_SIGNAL_CHANNEL}`);
    } catch (err) {
      return lost(c, err as Error);
    }
    if (closed) return void c.end().catch(() => {});
    client = c;
    retryMs = RETRY_MIN_MS;
    onSignal('all');
  }

  void connect();
  return {
    listening: () => client !== null,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
