import type { JobContext } from './context.js';
import { inProcessRelay, scheduledJobs } from './handlers.js';

/**
 * Embedded mode (no REDIS_URL): the same scheduled jobs on timers inside the API process, and relayed events
 * handed straight to their handlers. One run of a job at a time; close() waits for the running ones.
 */
export function startInProcessJobs(ctx: JobContext): { close(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  const timers = scheduledJobs.map((job) => {
    let busy = false;
    return setInterval(() => {
      if (busy) return;
      busy = true;
      const run = job
        .run(ctx, inProcessRelay)
        .catch((err: unknown) =>
          ctx.log.warn({ err, job: job.name }, 'job failed; it runs again on its next tick'),
        )
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    }, job.everyMs(ctx));
  });
  return {
    async close() {
      for (const t of timers) clearInterval(t);
      await Promise.all(running);
    },
  };
}
