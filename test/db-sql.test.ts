import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPglite, prepared, type Database } from '../src/db/client.js';
import { escapeLike, inSubtree, rows, rowsOf } from '../src/db/sql.js';
import { createTestContext, type TestContext } from './helpers/context.js';

let ctx: TestContext;
let embedded: Database;
beforeAll(async () => {
  ctx = await createTestContext();
  embedded = await connectPglite('memory://');
});
afterAll(async () => {
  await embedded.close();
  await ctx.close();
});

describe('the SQL toolkit', () => {
  it('rows() answers the typed rows of a raw statement on PostgreSQL and on PGlite alike', async () => {
    for (const db of [ctx.database.db, embedded.db]) {
      const got = await rows<{ n: number; s: string }>(
        db,
        sql`select n::int as n, 'x' || n as s from generate_series(1, 3) n order by n`,
      );
      expect(got).toEqual([
        { n: 1, s: 'x1' },
        { n: 2, s: 'x2' },
        { n: 3, s: 'x3' },
      ]);
    }
  });

  it('rowsOf() refuses a result that has no rows instead of answering nothing', () => {
    expect(() => rowsOf({})).toThrow(TypeError);
    expect(() => rowsOf(null)).toThrow(TypeError);
    expect(rowsOf({ rows: [] })).toEqual([]);
  });

  it('inSubtree() matches a path and everything below it, taking %, _ and \\ literally', async () => {
    const paths = ['/A/', '/A/B/', '/A_/', '/A%/', '/AB/', '/X/A/'];
    const inTree = async (root: string) =>
      (
        await rows<{ p: string }>(
          ctx.database.db,
          sql`select p from unnest(${`{${paths.join(',')}}`}::text[]) p where ${inSubtree(sql`p`, root)} order by p`,
        )
      ).map((r) => r.p);
    expect(await inTree('/A/')).toEqual(['/A/', '/A/B/']);
    expect(await inTree('/A_/')).toEqual(['/A_/']);
    expect(await inTree('/A%/')).toEqual(['/A%/']);
    expect(escapeLike('a\\b%c_d')).toBe('a\\\\b\\%c\\_d');
  });

  it('inSubtree() compares two path expressions', async () => {
    const got = await rows<{ inside: boolean }>(
      ctx.database.db,
      sql`select ${inSubtree(sql`'/A/B/'::text`, sql`'/A/'::text`)} as inside
          union all select ${inSubtree(sql`'/AB/'::text`, sql`'/A/'::text`)}`,
    );
    expect(got.map((r) => r.inside)).toEqual([true, false]);
  });
});

const statement = sql`select n::int as n, ${sql.placeholder('label')} || n as label
  from generate_series(1, ${sql.placeholder('upTo')}::int) n order by n`;

describe('prepared(): the one use of drizzle internals', () => {
  it('runs a named prepared statement with its values on PostgreSQL and on PGlite, again and in a transaction', async () => {
    for (const db of [ctx.database.db, embedded.db]) {
      const run = async (upTo: number) =>
        rowsOf<{ n: number; label: string }>(
          await prepared(db, 'test_prepared_series', statement).execute({ label: 'x', upTo }),
        );
      expect(await run(2)).toEqual([
        { n: 1, label: 'x1' },
        { n: 2, label: 'x2' },
      ]);
      expect(await run(3)).toHaveLength(3); // the same name again: planned once, other values
      const inTx = await db.transaction(async (tx) =>
        rowsOf<{ n: number }>(
          await prepared(tx, 'test_prepared_series', statement).execute({ label: 'y', upTo: 1 }),
        ),
      );
      expect(inTx).toEqual([{ n: 1, label: 'y1' }]);
    }
  });
});
