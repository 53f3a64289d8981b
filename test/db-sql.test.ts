import { desc, eq, sql } from 'drizzle-orm';
import { integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from '../src/db/schema/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectPglite,
  placeholders,
  prepareBuilt,
  prepared,
  preparedReads,
  preparedRows,
  poolOf,
  runNamed,
  type Database,
  type DbOrTx,
} from '../src/db/client.js';
import { escapeLike, inSubtree, rows, rowsOf } from '../src/db/sql.js';
import { occursInsideWord } from '../src/dossiers/name-search.js';
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

describe('preparedRows(): a read named after its text', () => {
  const series = (upTo: number, label: string) =>
    sql`select n::int as n, ${label} || n as label from generate_series(1, ${upTo}::int) n order by n`;

  it('answers the rows with the values of each call, on PostgreSQL and on PGlite, again and in a transaction', async () => {
    for (const db of [ctx.database.db, embedded.db]) {
      expect(await preparedRows(db, series(2, 'x'))).toEqual([
        { n: 1, label: 'x1' },
        { n: 2, label: 'x2' },
      ]);
      // The same text with other values: the statement prepared by the first call runs them.
      expect(await preparedRows(db, series(3, 'z'))).toEqual([
        { n: 1, label: 'z1' },
        { n: 2, label: 'z2' },
        { n: 3, label: 'z3' },
      ]);
      const inTx = await db.transaction((tx) => preparedRows(tx, series(1, 'y')));
      expect(inTx).toEqual([{ n: 1, label: 'y1' }]);
      // Another text on the same connections: its own statement.
      expect(await preparedRows(db, sql`select ${'w'} as label`)).toEqual([{ label: 'w' }]);
    }
  });

  it('is one named statement on a PostgreSQL connection, whatever the values, planned once for all of them', async () => {
    const client = await poolOf(ctx.database.db)!.connect();
    try {
      const db = drizzle(client, { schema });
      const tag = `prepared_rows_${process.pid}_${Date.now()}`;
      for (let i = 0; i < 8; i++) {
        const [row] = await preparedRows<{ v: string }>(
          db,
          sql`select ${sql.raw(`/* ${tag} */`)} ${'v'} || ${i}::int as v`,
        );
        expect(row).toEqual({ v: `v${i}` });
      }
      const kept = await rows<{ name: string; generic_plans: number }>(
        db,
        sql`select name, generic_plans::int as generic_plans from pg_prepared_statements where statement like ${`%${tag}%`}`,
      );
      expect(kept).toHaveLength(1);
      expect(kept[0]!.name).toMatch(/^h_[\w-]{32}$/);
      // PostgreSQL plans the first five calls for their values, then keeps the generic plan.
      expect(kept[0]!.generic_plans).toBeGreaterThan(0);
    } finally {
      client.release();
    }
  });
});

describe('preparedReads(): several reads in one statement', () => {
  const numbers = (upTo: number, label: string) =>
    sql`select n::int as n, ${label} || n as label, n % 2 = 0 as even from generate_series(1, ${upTo}::int) n order by n`;
  const words = (word: string) => sql`select ${word}::text as word where ${word}::text <> ''`;

  it('answers each read its rows as it would alone, a null read none, on PostgreSQL and on PGlite', async () => {
    for (const db of [ctx.database.db, embedded.db]) {
      const read = await preparedReads<{
        numbers: { n: number; label: string; even: boolean };
        words: { word: string };
        empty: { word: string };
        skipped: { n: number };
      }>(db, {
        numbers: numbers(3, 'Hồ sơ '),
        words: words('Đã tiếp nhận'),
        empty: words(''),
        skipped: null,
      });
      expect(read).toEqual({
        numbers: await preparedRows(db, numbers(3, 'Hồ sơ ')),
        words: [{ word: 'Đã tiếp nhận' }],
        empty: [],
        skipped: [],
      });
      expect(read.numbers).toEqual([
        { n: 1, label: 'Hồ sơ 1', even: false },
        { n: 2, label: 'Hồ sơ 2', even: true },
        { n: 3, label: 'Hồ sơ 3', even: false },
      ]);
      // In a transaction, and with every read null (nothing sent).
      const inTx = await db.transaction((tx) =>
        preparedReads<{ words: { word: string } }>(tx, { words: words('x') }),
      );
      expect(inTx).toEqual({ words: [{ word: 'x' }] });
      expect(await preparedReads<{ none: { n: number } }>(db, { none: null })).toEqual({ none: [] });
      // A read with a column named as the subquery's alias still answers whole rows.
      const aliased = await preparedReads<{ r: { r: number; s: string } }>(db, {
        r: sql`select 1 as r, 'một' as s`,
      });
      expect(aliased).toEqual({ r: [{ r: 1, s: 'một' }] });
    }
    await expect(preparedReads(ctx.database.db, { ['đọc'.repeat(22)]: sql`select 1 as n` })).rejects.toThrow(
      /longer than 63 bytes/,
    );
  });

  it('is one named statement on a PostgreSQL connection, whatever the values', async () => {
    const client = await poolOf(ctx.database.db)!.connect();
    try {
      const db = drizzle(client, { schema });
      const tag = `prepared_reads_${process.pid}_${Date.now()}`;
      for (let i = 1; i <= 3; i++) {
        const read = await preparedReads<{ numbers: { n: number }; words: { word: string } }>(db, {
          numbers: sql`select n::int as n from generate_series(1, ${i}::int) n ${sql.raw(`/* ${tag} */`)}`,
          words: words(`w${i}`),
        });
        expect(read.numbers).toHaveLength(i);
        expect(read.words).toEqual([{ word: `w${i}` }]);
      }
      const kept = await rows<{ statement: string }>(
        db,
        sql`select statement from pg_prepared_statements where statement like ${`%${tag}%`}`,
      );
      expect(kept).toHaveLength(1);
      expect(kept[0]!.statement).toContain('"words"');
    } finally {
      client.release();
    }
  });
});

const items = pgTable('test_prepare_built_items', {
  id: serial('id').primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  data: jsonb('data').notNull(),
  note: text('note'),
  doneAt: timestamp('done_at', { withTimezone: true }),
});
const tags = pgTable('test_prepare_built_tags', {
  itemId: integer('item_id').notNull(),
  tag: text('tag').notNull(),
});
const insertItem = (db: DbOrTx) => db.insert(items).values(placeholders('at', 'data', 'note', 'doneAt'));
const finishItem = (db: DbOrTx) =>
  db
    .update(items)
    .set({ doneAt: sql.placeholder('doneAt') } as unknown as Partial<typeof items.$inferInsert>)
    .where(eq(items.id, sql.placeholder('id')));
const itemsWithTags = (db: DbOrTx) =>
  db
    .select({
      item: items,
      tag: { tag: tags.tag },
      label: sql<string>`${sql.placeholder('prefix')}::text || ${items.id}`,
    })
    .from(items)
    .leftJoin(tags, eq(tags.itemId, items.id))
    .where(sql`${items.id} = any(${sql.placeholder('ids')}::int[])`)
    .orderBy(desc(items.id));

describe('prepareBuilt(): a query builder statement built once', () => {
  it("inserts and updates with its columns' encoders (a null as null) and selects mapped as drizzle maps them, on PostgreSQL and on PGlite", async () => {
    for (const db of [ctx.database.db, embedded.db]) {
      await db.execute(sql`create table test_prepare_built_items (id serial primary key, at timestamptz not null,
        data jsonb not null, note text, done_at timestamptz)`);
      await db.execute(sql`create table test_prepare_built_tags (item_id int not null, tag text not null)`);
      try {
        const first = new Date('2026-01-02T03:04:05.000Z');
        const second = new Date('2026-06-07T08:09:10.000Z');
        await prepareBuilt(db, 'test_item_insert', insertItem, {
          at: first,
          data: { a: [1, 'b'] },
          note: 'một',
          doneAt: null,
        });
        // The same name again, other values: the statement kept, the values encoded anew (and a null).
        await db.transaction((tx) =>
          prepareBuilt(tx, 'test_item_insert', insertItem, {
            at: second,
            data: { c: null },
            note: null,
            doneAt: first,
          }),
        );
        await prepareBuilt(db, 'test_item_finish', finishItem, { id: 1, doneAt: second });
        await prepareBuilt(db, 'test_item_finish', finishItem, { id: 2, doneAt: null });
        await db.execute(sql`insert into test_prepare_built_tags values (1, 'x')`);
        const read = (prefix: string, ids: number[]) =>
          prepareBuilt(db, 'test_items_with_tags', itemsWithTags, { prefix, ids });
        const got = await read('n', [1, 2]);
        expect(got).toEqual([
          {
            item: { id: 2, at: second, data: { c: null }, note: null, doneAt: null },
            tag: null,
            label: 'n2',
          },
          {
            item: { id: 1, at: first, data: { a: [1, 'b'] }, note: 'một', doneAt: second },
            tag: { tag: 'x' },
            label: 'n1',
          },
        ]);
        // Exactly what drizzle's own builder answers for the same values.
        expect(got).toEqual(
          await itemsWithTags(db)
            .prepare('test_items_direct')
            .execute({ prefix: 'n', ids: [1, 2] }),
        );
        expect(await read('m', [1])).toEqual([got[1]!].map((r) => ({ ...r, label: 'm1' })));
        expect(
          await db.transaction((tx) =>
            prepareBuilt(tx, 'test_items_with_tags', itemsWithTags, { prefix: 't', ids: [2] }),
          ),
        ).toEqual([{ ...got[0], label: 't2' }]);
        // A value written into the statement would be kept for every call: refused.
        await expect(
          prepareBuilt(db, 'test_item_constant', (h) => h.select().from(items).where(eq(items.id, 1)), {}),
        ).rejects.toThrow('test_item_constant: a value that is not a sql.placeholder');
      } finally {
        await db.execute(sql`drop table test_prepare_built_items, test_prepare_built_tags`);
      }
    }
  });
});

describe('runNamed(): a query builder statement named after its text', () => {
  it('inserts, updates and selects as the builder does, with the values of each call, on PostgreSQL and on PGlite', async () => {
    for (const db of [ctx.database.db, embedded.db]) {
      await db.execute(sql`create table test_prepare_built_items (id serial primary key, at timestamptz not null,
        data jsonb not null, note text, done_at timestamptz)`);
      try {
        const first = new Date('2026-01-02T03:04:05.000Z');
        const second = new Date('2026-06-07T08:09:10.000Z');
        const insert = (h: DbOrTx, at: Date, note: string | null) =>
          runNamed(h, h.insert(items).values({ at, data: { note }, note }).returning({ id: items.id }));
        expect(await insert(db, first, 'một')).toEqual([{ id: 1 }]);
        // The same text, other values (a null among them), in a transaction.
        expect(await db.transaction((tx) => insert(tx, second, null))).toEqual([{ id: 2 }]);
        // An update whose columns differ from call to call: a form of its own each.
        const finish = (id: number, set: Partial<typeof items.$inferInsert>) =>
          runNamed(db, db.update(items).set(set).where(eq(items.id, id)).returning());
        expect(await finish(1, { doneAt: second })).toEqual([
          { id: 1, at: first, data: { note: 'một' }, note: 'một', doneAt: second },
        ]);
        expect(await finish(2, { note: 'hai', doneAt: null })).toEqual([
          { id: 2, at: second, data: { note: null }, note: 'hai', doneAt: null },
        ]);
        const newest = (h: DbOrTx, before: number) =>
          h
            .select()
            .from(items)
            .where(sql`${items.id} < ${before}`)
            .orderBy(desc(items.id))
            .limit(1);
        // Exactly what drizzle's own builder answers for the same values.
        expect(await runNamed(db, newest(db, 3))).toEqual(await newest(db, 3));
        expect(await runNamed(db, newest(db, 2))).toEqual([
          { id: 1, at: first, data: { note: 'một' }, note: 'một', doneAt: second },
        ]);
      } finally {
        await db.execute(sql`drop table test_prepare_built_items`);
      }
    }
  });

  it('is one named statement on a PostgreSQL connection for each form, whatever the values, planned once', async () => {
    const client = await poolOf(ctx.database.db)!.connect();
    try {
      const db = drizzle(client, { schema });
      await db.execute(sql`create temporary table test_run_named (id int primary key, note text)`);
      const named = pgTable('test_run_named', { id: integer('id').primaryKey(), note: text('note') });
      for (let i = 0; i < 8; i++) {
        await runNamed(db, db.insert(named).values({ id: i, note: `n${i}` }));
        const [row] = await runNamed(db, db.select({ note: named.note }).from(named).where(eq(named.id, i)));
        expect(row).toEqual({ note: `n${i}` });
      }
      const kept = await rows<{
        name: string;
        statement: string;
        custom_plans: number;
        generic_plans: number;
      }>(
        db,
        sql`select name, statement, custom_plans::int as custom_plans, generic_plans::int as generic_plans
          from pg_prepared_statements where statement like '%test_run_named%' order by statement`,
      );
      expect(kept.map((k) => k.statement.split(' ')[0])).toEqual(['insert', 'select']);
      for (const k of kept) expect(k.name).toMatch(/^h_[\w-]{32}$/);
      // PostgreSQL plans the first five runs of the read for their values, then keeps the generic plan.
      expect(kept[1]!.custom_plans).toBe(5);
      expect(kept[1]!.generic_plans).toBeGreaterThanOrEqual(3);
    } finally {
      await client.query('drop table if exists pg_temp.test_run_named');
      client.release();
    }
  });
});

describe("the name search's window", () => {
  it('occursInsideWord finds a text that starts inside a word, as the regular expression [^ ]text does', async () => {
    const names = [
      'thanh',
      'an thanh',
      'an',
      'van an',
      'ivan an',
      'van van an',
      'anan',
      'a an',
      'nguyen thi nga',
      'hoang',
    ];
    const texts = ['an', 'van an', 'thanh', 'ng', 'a'];
    for (const db of [ctx.database.db, embedded.db]) {
      for (const text of texts) {
        const got = await rows<{ name: string; inside: boolean; oracle: boolean }>(
          db,
          sql`select n.name, ${occursInsideWord(sql`n.name`, text)} as inside, n.name ~ ${'[^ ]' + text} as oracle
            from unnest(${sql.param(names)}::text[]) as n(name)`,
        );
        for (const row of got) expect(row.inside, `${text} in ${row.name}`).toBe(row.oracle);
      }
    }
    // The one difference, an occurrence overlapping one at a word's start: a share's estimate, never a match.
    const [overlap] = await rows<{ inside: boolean }>(
      ctx.database.db,
      sql`select ${occursInsideWord(sql`${'xa a a'}::text`, 'a a')} as inside`,
    );
    expect(overlap!.inside).toBe(false);
  });
});
