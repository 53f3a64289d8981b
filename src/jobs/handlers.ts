import { evaluateDossierAlerts, scanAlerts } from '../alerts/commands.js';
import { deliverWebhooks, fanOutToWebhooks } from '../webhooks/delivery.js';
import { markStatsDirty, refreshStats } from '../stats/maintenance.js';
import { takeTodaySnapshot } from '../stats/today.js';
import { deliverNotifications, queueNotifications } from '../notifications/commands.js';
import { isNotifyingEvent } from '../notifications/templates.js';
import { markServiceFactsDirty, serviceFactEvents } from '../stats/service-figures.js';
import type { JobContext, OutboxEvent } from './context.js';
import { relayAndHandle, relayOutbox, type Dispatch } from './relay.js';

/**
 * The explicit registry of what the worker does. Event handlers run for each relayed outbox event whose type
 * matches; scheduled jobs run on their interval. Every handler is safe to run twice: it reads the current
 * state from PostgreSQL and writes through unique keys.
 */
export const eventHandlers: Array<{
  name: string;
  matches: (type: string) => boolean;
  run: (ctx: JobContext, e: OutboxEvent) => Promise<unknown>;
}> = [
  {
    name: 'evaluate-alerts',
    matches: (type) => type.startsWith('dossier.'),
    run: (ctx, e) => (e.dossierId === null ? Promise.resolve() : evaluateDossierAlerts(ctx, e.dossierId)),
  },
  { name: 'fan-out-webhooks', matches: () => true, run: (ctx, e) => fanOutToWebhooks(ctx.db, e) },
  { name: 'queue-notifications', matches: isNotifyingEvent, run: queueNotifications },
  {
    name: 'mark-stats-dirty',
    matches: (type) => type.startsWith('dossier.'),
    run: (ctx, e) => markStatsDirty(ctx.db, e),
  },
  {
    name: 'mark-service-facts-dirty',
    matches: (type) => serviceFactEvents.includes(type),
    run: (ctx, e) => markServiceFactsDirty(ctx.db, e),
  },
];

export async function handleEvent(ctx: JobContext, event: OutboxEvent): Promise<void> {
  for (const handler of eventHandlers) if (handler.matches(event.type)) await handler.run(ctx, event);
}

/** How a relay run hands events on: to the queues (worker) or straight to the handlers (embedded mode). */
export type Relay = (ctx: JobContext) => Promise<number>;

export interface ScheduledJob {
  name: string;
  everyMs: (ctx: Pick<JobContext, 'config'>) => number;
  run: (ctx: JobContext, relay: Relay) => Promise<number>;
}

export const scheduledJobs: ScheduledJob[] = [
  {
    name: 'relay-outbox',
    everyMs: (c) => c.config.RELAY_INTERVAL_MS,
    run: (ctx, relay) => drain(ctx, relay),
  },
  { name: 'scan-alerts', everyMs: (c) => c.config.ALERT_SCAN_INTERVAL_MS, run: (ctx) => scanAlerts(ctx) },
  {
    name: 'refresh-stats',
    everyMs: (c) => c.config.STATS_REFRESH_INTERVAL_MS,
    run: (ctx) => refreshStats(ctx),
  },
  {
    name: 'snapshot-today',
    everyMs: (c) => c.config.STATS_TODAY_INTERVAL_MS,
    run: (ctx) => takeTodaySnapshot(ctx),
  },
  {
    name: 'deliver-webhooks',
    everyMs: (c) => Math.min(c.config.RELAY_INTERVAL_MS, 1000),
    run: (ctx) => deliverAll(ctx),
  },
  {
    name: 'deliver-notifications',
    everyMs: (c) => Math.min(c.config.RELAY_INTERVAL_MS, 1000),
    run: (ctx) => untilIdle(() => deliverNotifications(ctx), 20),
  },
];

/** Sends due deliveries until none is due (bounded). */
const deliverAll = (ctx: JobContext) => untilIdle(() => deliverWebhooks(ctx), 20);

/** Relays until the outbox is drained (up to a bound, so one run never holds on forever). */
const drain = (ctx: JobContext, relay: Relay) => untilIdle(() => relay(ctx), 50);

/** Runs `step` until it reports no work done, at most `rounds` times; the total work done. */
async function untilIdle(step: () => Promise<number>, rounds: number): Promise<number> {
  let total = 0;
  for (let round = 0; round < rounds; round++) {
    const n = await step();
    total += n;
    if (n === 0) break;
  }
  return total;
}

/** Relay for the queue worker: batches to the queues. */
export const queueRelay =
  (dispatch: Dispatch): Relay =>
  (ctx) =>
    relayOutbox(ctx, dispatch);

/** Relay for embedded mode: each event straight to its handlers. */
export const inProcessRelay: Relay = (ctx) =>
  relayAndHandle(ctx, async (events) => {
    for (const e of events) await handleEvent(ctx, e);
  });
