import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { CalendarCache } from '../calendar/cache.js';

/** What every job handler gets: the database, settings, the calendar, the clock and a logger. */
export interface JobContext {
  db: Db;
  config: Config;
  calendars: CalendarCache;
  clock: () => Date;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
}

/** One outbox row as handlers see it. */
export interface OutboxEvent {
  id: number;
  txid: string;
  type: string;
  dossierId: number | null;
  unitCode: string | null;
  occurredAt: string;
}
