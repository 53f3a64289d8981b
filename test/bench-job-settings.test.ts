import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobContext } from '../bench/stats-scenarios.js';
import { createIsolatedDatabase } from './helpers/context.js';

let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
beforeAll(async () => {
  database = await createIsolatedDatabase();
});
afterAll(() => database.drop());

describe("the benchmark's worker settings", () => {
  it('takes the interval of the snapshot of today from its environment, a setting given beside it over both', async () => {
    const intervalOf = async (env?: Record<string, string>) => {
      const jobs = await jobContext(database.url, env);
      try {
        return jobs.ctx.config.STATS_TODAY_INTERVAL_MS;
      } finally {
        await jobs.close();
      }
    };
    expect(await intervalOf()).toBe(15_000);
    process.env.STATS_TODAY_INTERVAL_MS = '600000';
    try {
      expect(await intervalOf()).toBe(600_000);
      expect(await intervalOf({ STATS_TODAY_INTERVAL_MS: '5000' })).toBe(5_000);
    } finally {
      delete process.env.STATS_TODAY_INTERVAL_MS;
    }
  });
});
