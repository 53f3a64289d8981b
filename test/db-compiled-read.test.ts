import { desc, eq, sql, type SQL } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPglite, type Database, type DbOrTx } from '../src/db/client.js';
import { compiledAround, compiledRows } from '../src/db/compiled-read.js';
import { rows } from '../src/db/sql.js';
import { createTestContext, type TestContext } from './helpers/context.js';

// One column of each kind the service's tables use, each decoded by drizzle in its own way.
const probe = pgTable('compiled_read_probe', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  label: text('label'),
  count: integer('count'),
  amount: numeric('amount', { mode: 'number' }),
  big: bigint('big', { mode: 'bigint' }),
  flag: boolean('flag'),
  doc: jsonb('doc').$type<{ a: number[] }>(),
  at: timestamp('at', { withTimezone: true }),
  local: timestamp('local'),
  day: date('day'),
  dayAsDate: date('day_as_date', { mode: 'date' }),
});

// A table joined on the left: its columns come as one object, null when the join finds no row.
const probeRef = pgTable('compiled_read_probe_ref', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  name: text('name').notNull(),
  at: timestamp('at', { withTimezone: true }),
});

let ctx: TestContext;
let embedded: Database;
beforeAll(async () => {
  ctx = await createTestContext();
  embedded = await connectPglite('memory://');
  await ctx.database.db.execute(sql`create table compiled_read_probe (
    id bigint primary key, label text, count integer, amount numeric, big bigint, flag boolean, doc jsonb,
    at timestamptz, local timestamp, day date, day_as_date date)`);
  await ctx.database.db.execute(
    sql`create table compiled_read_probe_ref (id bigint primary key, name text not null, at timestamptz)`,
  );
  await ctx.database.db.insert(probeRef).values({ id: 1, name: 'Lê Thị Hồng', at: null });
  await ctx.database.db.insert(probe).values([
    {
      id: 1,
      label: 'Nguyễn',
      count: 7,
      amount: 1.5,
      big: 9_007_199_254_740_993n,
      flag: true,
      doc: { a: [1, 2] },
      at: new Date('2025-06-02T08:00:00.123+07:00'),
      local: new Date('2025-06-02T01:00:00Z'),
      day: '2025-06-02',
      dayAsDate: new Date('2025-06-02T00:00:00Z'),
    },
    { id: 2 },
  ]);
});
afterAll(async () => {
  await embedded.close();
  await ctx.close();
});

describe('a compiled read on the pool and in a transaction', () => {
  const selection = { p: probe, label: probe.label, at: probe.at };
  const statement = (db: DbOrTx) =>
    db
      .select(selection)
      .from(probe)
      .where(eq(probe.id, sql.placeholder('id')));

  it('maps every kind of column, and nulls, exactly as drizzle maps them', async () => {
    const db = ctx.database.db;
    const read = compiledRows<unknown>('compiled_read_probe', statement, selection);
    for (const id of [1, 2]) {
      const viaDrizzle = await db.select(selection).from(probe).where(eq(probe.id, id));
      expect(await read(db, id)).toStrictEqual(viaDrizzle);
      // On a transaction's connection too.
      expect(await db.transaction((tx) => read(tx, id))).toStrictEqual(viaDrizzle);
    }
    expect(await read(db, 3)).toEqual([]);
  });

  it("answers every row, in the statement's order", async () => {
    const db = ctx.database.db;
    const byIds = (h: DbOrTx) =>
      h
        .select(selection)
        .from(probe)
        .where(sql`${probe.id} = any(${sql.placeholder('ids')}::bigint[])`)
        .orderBy(desc(probe.id));
    const read = compiledRows<unknown>('compiled_read_probe_ids', byIds, selection);
    const viaDrizzle = await db.select(selection).from(probe).orderBy(desc(probe.id));
    expect(viaDrizzle).toHaveLength(2);
    expect(await read(db, [1, 2])).toStrictEqual(viaDrizzle);
  });

  it('maps an object of a left-joined table’s columns to null when the join found no row, as drizzle does', async () => {
    const db = ctx.database.db;
    const joined = { p: probe, ref: { id: probeRef.id, name: probeRef.name, at: probeRef.at } };
    const withRef = (h: DbOrTx) =>
      h
        .select(joined)
        .from(probe)
        .leftJoin(probeRef, eq(probeRef.id, probe.id))
        .where(eq(probe.id, sql.placeholder('id')));
    const read = compiledRows<{ ref: unknown }>('compiled_read_probe_ref', withRef, joined);
    for (const id of [1, 2]) {
      const viaDrizzle = await db
        .select(joined)
        .from(probe)
        .leftJoin(probeRef, eq(probeRef.id, probe.id))
        .where(eq(probe.id, id));
      expect(await read(db, id)).toStrictEqual(viaDrizzle);
    }
    expect((await read(db, 1))![0]!.ref).toEqual({ id: 1, name: 'Lê Thị Hồng', at: null });
    expect((await read(db, 2))![0]!.ref).toBeNull();
  });

  it('reads around an inner statement: its text spliced in, its values numbered from $1, prepared under its text', async () => {
    const db = ctx.database.db;
    const around = (h: DbOrTx, inner: SQL) =>
      h
        .select(selection)
        .from(probe)
        .where(sql`${probe.id} = any(array(${inner}))`)
        .orderBy(desc(probe.id));
    const read = compiledAround<unknown>(around, selection);
    const viaDrizzle = await db.select(selection).from(probe).orderBy(desc(probe.id));
    const inner = (from: number, label: string) =>
      sql`select id from compiled_read_probe where id >= ${from} and coalesce(label, '') <> ${label}`;
    expect(await read(db, inner(1, 'x'))).toStrictEqual(viaDrizzle);
    expect(await read(db, inner(2, 'x'))).toStrictEqual(viaDrizzle.slice(0, 1));
    expect(await db.transaction((tx) => read(tx, inner(1, 'Nguyễn')))).toStrictEqual(viaDrizzle.slice(0, 1));
    expect(await read(db, sql`select 3`)).toEqual([]);
    // One prepared statement on the connection for each text, whatever the values.
    const prepared = await db.transaction(async (tx) => {
      for (const from of [1, 2, 3]) await read(tx, inner(from, 'x'));
      await read(tx, sql`select 1`);
      const found = await rows<{ statement: string }>(
        tx,
        sql`select statement from pg_prepared_statements where statement like '%any(array(select%'`,
      );
      return found.map((r) => r.statement);
    });
    expect(prepared.filter((t) => t.includes('compiled_read_probe where id >='))).toHaveLength(1);
    expect(prepared.filter((t) => t.includes('any(array(select 1))'))).toHaveLength(1);
    expect(await read(embedded.db, inner(1, 'x'))).toBeUndefined();
    // An outer statement with a value of its own would number the inner's values wrongly: refused.
    const withValue = compiledAround<unknown>(
      (h: DbOrTx, inner: SQL) =>
        h
          .select(selection)
          .from(probe)
          .where(sql`${probe.id} = any(array(${inner})) and ${probe.label} <> ${'x'}`),
      selection,
    );
    await expect(withValue(db, inner(1, 'x'))).rejects.toThrow(/no value/);
  });

  it('answers undefined on PGlite, where the read goes through drizzle, and in its transactions', async () => {
    const read = compiledRows('compiled_read_probe', statement, selection);
    expect(await read(embedded.db, 1)).toBeUndefined();
    expect(await embedded.db.transaction((tx) => read(tx, 1))).toBeUndefined();
  });
});
