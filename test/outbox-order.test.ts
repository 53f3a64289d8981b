import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendarCache } from '../src/calendar/cache.js';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import type { JobContext, OutboxEvent } from '../src/jobs/context.js';
import { relayOutbox } from '../src/jobs/relay.js';
import {
  isAfter,
  lastCommitted,
  lastCommittedRow,
  outboxStart,
  type OutboxPosition,
} from '../src/db/outbox.js';
import {
  bearer,
  createIsolatedDatabase,
  createKey,
  createTestContext,
  createUnit,
  type TestContext,
} from './helpers/context.js';

// Transaction ids are compared as numbers (xid8), never as text: the ids 9, 10, 99 and 100 cross a digit
// boundary, where text order ('10' < '100' < '9' < '99') would skip or repeat changes.
let ctx: TestContext;
let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let jobs: JobContext;

beforeAll(async () => {
  isolated = await createIsolatedDatabase();
  ctx = await createTestContext({ DATABASE_URL: isolated.url });
  jobs = {
    db: ctx.database.db,
    config: ctx.config,
    calendars: createCalendarCache(DEFAULT_WORKING_HOURS),
    clock: () => new Date(),
    log: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
  };
  for (const txid of ['10', '9', '100', '99']) {
    await ctx.database.db.execute(sql`
      insert into outbox (type, payload, occurred_at, txid)
      values ('dossier.test', ${JSON.stringify({ txid })}::jsonb, now(), ${txid}::xid8)`);
  }
});
afterAll(async () => {
  await ctx.close();
  await isolated.drop();
});

describe('commit order across transaction ids of different lengths', () => {
  it('the relay passes every row once, in numeric order, batch after batch', async () => {
    const seen: OutboxEvent[] = [];
    while ((await relayOutbox(jobs, async (events) => void seen.push(...events), 2, 'digits')) > 0);
    const ours = seen.filter((e) => e.type === 'dossier.test').map((e) => e.txid);
    expect(ours).toEqual(['9', '10', '99', '100']);
  });

  it("the feed's next cursor moves to the numerically last change, never back", async () => {
    const sync = await createKey(ctx, 'sync', (await createUnit(ctx)).code);
    const read = async (after?: string) => {
      const res = await ctx.app.inject({
        method: 'GET',
        url: `/v1/sync/changes${after ? `?after=${after}` : ''}`,
        headers: bearer(sync),
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { items: unknown[]; nextCursor: string };
    };
    // None of the rows is in this key's scope: the cursor still moves past all of them.
    const first = await read();
    expect(first.items).toEqual([]);
    const position = Buffer.from(first.nextCursor, 'base64url').toString();
    const [{ last } = { last: '' }] = (
      (await ctx.database.db.execute(
        sql`select (txid::text || ':' || id) as last from outbox order by outbox.txid desc, outbox.id desc limit 1`,
      )) as unknown as { rows: Array<{ last: string }> }
    ).rows;
    expect(position).toBe(last);
    expect((await read(first.nextCursor)).nextCursor).toBe(first.nextCursor);
  });
});

describe("the feed's high-water mark (lastCommitted)", () => {
  const positions = async (where = sql`true`) =>
    (
      (await ctx.database.db.execute(
        sql`select txid::text as txid, id::int as id from outbox where ${where} order by outbox.txid, outbox.id`,
      )) as unknown as { rows: OutboxPosition[] }
    ).rows;

  it('compares positions by txid as a number, then by id', () => {
    expect(isAfter({ txid: '10', id: 1 }, { txid: '9', id: 5 })).toBe(true);
    expect(isAfter({ txid: '9', id: 5 }, { txid: '10', id: 1 })).toBe(false);
    expect(isAfter({ txid: '10', id: 2 }, { txid: '10', id: 1 })).toBe(true);
    expect(isAfter({ txid: '10', id: 1 }, { txid: '10', id: 1 })).toBe(false);
  });

  it('is the last committed row when it lies after the position, else null, read in a few index pages', async () => {
    // 3,000 rows of one transaction, as a bulk load writes them.
    await ctx.database.db.execute(sql`
      insert into outbox (type, payload, occurred_at)
      select 'dossier.bulk', '{}'::jsonb, now() from generate_series(1, 3000)`);
    const bulk = await positions(sql`type = 'dossier.bulk'`);
    const last = bulk.at(-1)!;
    // Another test file's transaction may hold the cluster's oldest running transaction back for a moment.
    await expect.poll(() => lastCommitted(ctx.database.db, outboxStart), { timeout: 10_000 }).toEqual(last);
    expect(await lastCommitted(ctx.database.db, bulk[1_500]!)).toEqual(last);
    expect(await lastCommitted(ctx.database.db, last)).toBeNull();
    // One descent of the index, not a walk over the bulk transaction's rows.
    const [plan] = (
      (await ctx.database.db.execute(
        sql`explain (analyze, buffers, format json) ${lastCommittedRow}`,
      )) as unknown as {
        rows: Array<{
          'QUERY PLAN': Array<{ Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }>;
        }>;
      }
    ).rows;
    const { Plan: read } = plan!['QUERY PLAN'][0]!;
    expect(read['Shared Hit Blocks'] + read['Shared Read Blocks']).toBeLessThan(10);
  });

  it('leaves out a row committed after a transaction still running began, until it ends', async () => {
    const [before] = (await positions()).slice(-1);
    await expect.poll(() => lastCommitted(ctx.database.db, outboxStart), { timeout: 10_000 }).toEqual(before);
    const { default: pg } = await import('pg');
    const other = new pg.Client({ connectionString: isolated.url });
    await other.connect();
    try {
      // The running transaction holds a transaction id from its insert on.
      await other.query('begin');
      await other.query(
        `insert into outbox (type, payload, occurred_at) values ('dossier.running', '{}', now())`,
      );
      await ctx.database.db.execute(
        sql`insert into outbox (type, payload, occurred_at) values ('dossier.after', '{}', now())`,
      );
      const [after] = await positions(sql`type = 'dossier.after'`);
      expect(after).toBeDefined();
      expect(await lastCommitted(ctx.database.db, outboxStart)).toEqual(before);
      expect(await lastCommitted(ctx.database.db, before!)).toBeNull();
      await other.query('commit');
      await expect.poll(() => lastCommitted(ctx.database.db, before!), { timeout: 10_000 }).toEqual(after);
    } finally {
      await other.end();
    }
  });
});
