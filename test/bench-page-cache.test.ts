import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIntoPageCache } from '../bench/common.js';
import { createIsolatedDatabase } from './helpers/context.js';

let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
beforeAll(async () => {
  database = await createIsolatedDatabase();
});
afterAll(() => database.drop());

describe("the benchmark's page cache read", () => {
  it('reads every table and index of the database but the daily figures, and says how many bytes', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // Pages in the daily figures and in a table and index that are read, so that neither sum is zero.
      await client.query(`insert into stats_daily (day, unit_code, resolving_unit_code, procedure_code, channel)
        select date '2025-01-01' + i, '000.00.00.H56', '000.00.00.H56', 'P', 'direct' from generate_series(0, 999) i`);
      const { rows } = await client.query<{ kept: string; left: string }>(
        `select sum(pg_relation_size(c.oid)) filter (where c.relname not like 'stats\\_%daily%') as kept,
                sum(pg_relation_size(c.oid)) filter (where c.relname like 'stats\\_%daily%') as left
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'i', 'm')`,
      );
      expect(Number(rows[0]!.left)).toBeGreaterThan(0);
      expect(Number(rows[0]!.kept)).toBeGreaterThan(0);
      expect(await readIntoPageCache(database.url)).toBe(Number(rows[0]!.kept));
    } finally {
      await client.end();
    }
  });
});
