/**
 * Hostile input, driven by the OpenAPI document: for every operation, fast-check builds requests from a sample
 * of its schemas with malformed, boundary and hostile values in the path, the query, the headers and the JSON
 * body, sent with a system-admin or a clerk key. The service must answer 2xx or a 4xx problem+json with a code of
 * the closed set (never a 5xx), and a 4xx must store nothing.
 *
 * The generator (document walk, samples, arbitraries, mutations, requests, the answer check) is
 * test/fuzz/requests.ts, which `npm run fuzz` (bench/fuzz.ts) also sends over HTTP at scale.
 *
 * It runs on a database of its own (migrated here), so the row counts it compares are its own and its calendar
 * edits touch no other test.
 */
import fc from 'fast-check';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject as provided } from 'vitest';
import { connectPostgres } from '../src/db/client.js';
import { seedReferenceData } from '../src/db/seed.js';
import {
  answerViolations,
  buildRequest,
  describeExchange,
  operationsOf,
  realPathValues,
  requestArbitrary,
  sampler,
  type OpenApiDocument,
} from './fuzz/requests.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

// FUZZ_RUNS=200 npx vitest run test/fuzz.test.ts digs deeper; npm run fuzz sends many more over HTTP.
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 30);

let ctx: TestContext;
let doc: OpenApiDocument;
let databaseName: string;
let serverUrl: string;
const known: Record<string, string> = {};
const keys: Record<'admin' | 'clerk', string> = { admin: '', clerk: '' };

async function rowCounts(): Promise<string> {
  const result = await ctx.database.db.execute(sql`
    select (select count(*) from dossiers) as dossiers, (select count(*) from units) as units,
           (select count(*) from procedures) as procedures, (select count(*) from api_keys) as api_keys,
           (select count(*) from webhooks) as webhooks, (select count(*) from calendar_days) as calendar_days,
           (select count(*) from dossier_events) as dossier_events`);
  return JSON.stringify((result as unknown as { rows: unknown[] }).rows[0]);
}

beforeAll(async () => {
  // A database of its own, migrated like the run's.
  const runUrl = new URL(provided('databaseUrl'));
  databaseName = `${runUrl.pathname.slice(1)}_fuzz`;
  serverUrl = Object.assign(new URL(runUrl), { pathname: '/postgres' }).toString();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${databaseName}" with (force)`);
  await admin.query(`create database "${databaseName}"`);
  await admin.end();
  const url = Object.assign(new URL(runUrl), { pathname: `/${databaseName}` }).toString();
  const database = await connectPostgres(url, 2);
  await database.migrate();
  await seedReferenceData(database.db);
  await database.close();

  ctx = await createTestContext({ DATABASE_URL: url });
  const root = await createUnit(ctx, { name: 'Tỉnh thử' });
  const unit = await createUnit(ctx, { parentCode: root.code, name: 'Xã thử' });
  const procedure = await createProcedure(ctx);
  keys.admin = ctx.adminKey;
  keys.clerk = await createKey(ctx, 'clerk', root.code);
  const dossier = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(keys.clerk),
    payload: intakeBody(procedure.code, { unitCode: unit.code }),
  });
  Object.assign(known, {
    unitCode: unit.code,
    parentCode: root.code,
    handlingUnitCode: unit.code,
    procedureCode: procedure.code,
    dossierCode: dossier.json().code,
  });
  doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
}, 60_000);

afterAll(async () => {
  await ctx?.close();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${databaseName}" with (force)`);
  await admin.end();
});

describe('hostile input over the OpenAPI document', () => {
  it('never answers 5xx; every 4xx is problem+json with a known code and stores nothing', async () => {
    const operations = operationsOf(doc);
    const sample = sampler(doc, known);
    const real = {
      unitCodes: [known.unitCode!],
      procedureCodes: [known.procedureCode!],
      dossierCodes: [known.dossierCode!],
    };
    const tried: Record<string, number> = {};
    const statuses: Record<number, number> = {};
    let counts = await rowCounts();
    for (const op of operations) {
      const baseBody = op.body ? sample(op.body) : undefined;
      const arbitrary = requestArbitrary(op, realPathValues(op, real), sample, ['admin', 'clerk'] as const);
      await fc.assert(
        fc.asyncProperty(arbitrary, async (r) => {
          const req = buildRequest(op, baseBody, r, keys);
          const res = await ctx.app.inject({
            method: req.method as 'GET',
            url: req.url,
            headers: req.headers,
            ...(req.payload !== undefined ? { payload: req.payload } : {}),
          });
          tried[op.id] = (tried[op.id] ?? 0) + 1;
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          const where = describeExchange(req, res.statusCode, res.body);
          const answer = { status: res.statusCode, contentType: res.headers['content-type'], body: res.body };
          expect(answerViolations(answer), where).toEqual([]);
          const after = await rowCounts();
          if (res.statusCode >= 400) {
            expect(after, `${where}: rows stored on a ${res.statusCode}`).toBe(counts);
          } else if (op.method === 'GET') {
            expect(after, `${where}: a read stored rows`).toBe(counts);
          }
          counts = after;
        }),
        { numRuns: RUNS_PER_OPERATION },
      );
    }
    expect(({} as Record<string, unknown>).polluted, 'Object.prototype polluted').toBeUndefined();
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    console.log(
      `fuzz: ${total} inputs over ${operations.length} operations; answers ${JSON.stringify(statuses)}\n` +
        Object.entries(tried)
          .map(([id, n]) => `  ${id}: ${n}`)
          .join('\n'),
    );
    expect(Object.keys(tried).length).toBe(operations.length);
  }, 120_000);
});
