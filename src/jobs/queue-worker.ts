import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobContext, OutboxEvent } from './context.js';
import { handleEvent, queueRelay, scheduledJobs } from './handlers.js';
import type { Dispatch } from './relay.js';

export const queueNames = { events: 'events', scheduled: 'scheduled' } as const;

export interface QueueWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  registry?: Registry;
}

/**
 * The worker on Redis (BullMQ): the scheduled jobs of `scheduledJobs` (relay, alert scan, statistics
 * refresh, webhook and notification delivery) through Job Schedulers, and one queue of relayed outbox events. An event's job id
 * is its outbox id, so relaying it twice queues it once. close() lets running jobs finish, then closes the
 * queues and connections; the caller closes the database after.
 */
export async function startQueueWorker(ctx: JobContext, opts: QueueWorkerOptions) {
  const connections: Redis[] = [];
  // BullMQ wants maxRetriesPerRequest: null, and a connection of its own for each blocking worker.
  const connect = () => {
    const c = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    c.on('error', (err) => ctx.log.warn({ err: err.message }, 'redis connection error; retrying'));
    connections.push(c);
    return c;
  };
  const common = { prefix: opts.prefix };
  const events = new Queue<OutboxEvent>(queueNames.events, { connection: connect(), ...common });
  const scheduled = new Queue(queueNames.scheduled, { connection: connect(), ...common });
  for (const q of [events, scheduled])
    q.on('error', (err) => ctx.log.warn({ err: err.message, queue: q.name }, 'queue error'));
  for (const job of scheduledJobs) {
    await scheduled.upsertJobScheduler(job.name, { every: job.everyMs(ctx) }, { name: job.name, data: {} });
  }

  const dispatch: Dispatch = async (batch) => {
    await events.addBulk(
      batch.map((e) => ({
        name: e.type,
        data: e,
        opts: {
          jobId: `outbox-${e.id}`,
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 24 * 3600, count: 50_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
  };

  const relay = queueRelay(dispatch);
  const metrics = opts.registry ? jobMetrics(opts.registry, [events, scheduled]) : null;
  const timed = (run: (job: Job) => Promise<unknown>) => async (job: Job) => {
    const stop = metrics?.duration.startTimer({ queue: job.queueName, name: job.name });
    try {
      return await run(job);
    } finally {
      stop?.();
    }
  };

  const workers = [
    new Worker(
      queueNames.scheduled,
      timed(async (job) => {
        const def = scheduledJobs.find((j) => j.name === job.name);
        if (!def) throw new Error(`no scheduled job named ${job.name}`);
        return def.run(ctx, relay);
      }),
      { connection: connect(), ...common, concurrency: scheduledJobs.length },
    ),
    new Worker<OutboxEvent>(
      queueNames.events,
      timed((job) => handleEvent(ctx, job.data as OutboxEvent)),
      {
        connection: connect(),
        ...common,
        concurrency: opts.concurrency,
      },
    ),
  ];
  for (const w of workers) {
    w.on('failed', (job, err) => {
      metrics?.failures.inc({ queue: w.name, name: job?.name ?? 'unknown' });
      ctx.log.warn({ err: err.message, job: job?.name, id: job?.id }, 'job failed');
    });
    w.on('error', (err) => ctx.log.warn({ err: err.message }, 'worker error'));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));

  return {
    dispatch,
    queues: { events, scheduled },
    /** Resolves when every worker runs and Redis answers; rejects otherwise (a readiness check). */
    async check() {
      if (!workers.every((w) => w.isRunning())) throw new Error('a worker is not running');
      await connections[0]!.ping();
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([events.close(), scheduled.close()]);
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

function jobMetrics(registry: Registry, queues: Queue[]) {
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const q of queues) {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
      }
    },
  });
  return {
    duration: new Histogram({
      name: 'job_duration_seconds',
      help: 'Job run time by queue and job name',
      labelNames: ['queue', 'name'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'job_failures_total',
      help: 'Failed job runs by queue and job name',
      labelNames: ['queue', 'name'],
      registers: [registry],
    }),
  };
}
