import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendarCache } from '../src/calendar/cache.js';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import type { JobContext, OutboxEvent } from '../src/jobs/context.js';
import { relayOutbox } from '../src/jobs/relay.js';
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
