import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectPostgres, type Database } from '../src/db/client.js';
import { rows } from '../src/db/sql.js';
import { sleep } from './helpers/wait.js';

const url = process.env.DATABASE_URL!;
let database: Database;
let admin: pg.Client;
beforeAll(async () => {
  database = await connectPostgres(url, 2);
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await database.close();
});

it('a transaction whose connection is cut between two statements fails; the process goes on and the pool serves again', async () => {
  const outcome = database.db.transaction(async (tx) => {
    const [me] = await rows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
    // Cut from outside while the transaction waits between statements (as PostgreSQL's shutdown does): the
    // client hears of it at once, with no statement of its own running.
    await admin.query('select pg_terminate_backend($1)', [me!.pid]);
    await sleep(300);
    await tx.execute(sql`select 1`);
  });
  await expect(outcome).rejects.toThrow();
  const [again] = await rows<{ one: number }>(database.db, sql`select 1 as one`);
  expect(again!.one).toBe(1);
});
