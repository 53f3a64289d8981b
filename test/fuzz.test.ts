/**
 * Hostile input, driven by the OpenAPI document: for every operation, fast-check builds requests from a sample
 * of its schemas with malformed, boundary and hostile values in the path, the query, the headers and the JSON
 * body, sent with a system-admin or a clerk key. The service must answer 2xx or a 4xx problem+json with a code of
 * the closed set (never a 5xx), and a 4xx must store nothing.
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
import { errorCodes } from '../src/domain/errors.js';
import { errorTable } from '../src/http/error-codes.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

// FUZZ_RUNS=200 npx vitest run test/fuzz.test.ts digs deeper.
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 30);

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  path: string;
  id: string;
  params: Array<{ in: string; name: string; schema: Json; required?: boolean }>;
  body?: Json;
}

/** A JSON fragment sent exactly as written (keys such as __proto__, numbers JSON.stringify cannot write). */
class Raw {
  constructor(readonly json: string) {}
}

const deep = (depth: number, open: string, close: string, inner = '1') =>
  new Raw(open.repeat(depth) + inner + close.repeat(depth));

const hostileStrings = [
  '',
  ' ',
  '\t\r\n',
  'a'.repeat(5_000),
  'Ư'.repeat(70_000),
  'Nguye\u0302\u0303n Va\u0306n A\u0300n', // NFD
  '\u202Enễuyg\u202C', // RTL override
  'ab\u200Bc\u200D\uFEFF', // zero-width
  'nul\u0000byte',
  '\uD800', // lone surrogate
  '👨‍👩‍👧‍👦🇻🇳',
  'ＡＢＣ１２３', // full width
  'İıßſ',
  "'; drop table dossiers; --",
  "' or '1'='1",
  '"); select pg_sleep(0); --',
  '%',
  '%_\\',
  '<script>alert(1)</script>',
  '${process.exit(1)}',
  '{{constructor.constructor("return process")()}}',
  '../../../etc/passwd',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  '1e308',
  '-0',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '99999999999999999999999',
  '0x1F',
  '2025-02-30',
  '2025-02-29',
  '2024-02-29',
  '9999-12-31T25:61',
  '9999-12-31',
  '0000-00-00',
  '1989-12-31',
  '2101-01-01',
  '2025-04-29T16:30:00+07:00',
  '2025-04-29T16:30:00+25:00',
  '2025-04-29T16:30:00',
  '2099-06-15',
  '2099',
  'null',
  'true',
  '[]',
  '{}',
  '000.17.22.H56',
  '000.17.22.h56',
  '0'.repeat(36),
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  'mc_' + 'A'.repeat(43),
  'http://127.0.0.1:9/fuzz',
  'javascript:alert(1)',
  'a@b',
  'VALIDATION_FAILED',
];

const hostileValues: unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  0.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  5e-324,
  [],
  {},
  [null],
  ['a', 1, null],
  Array.from({ length: 300 }, (_, i) => i),
  new Raw('1e400'),
  new Raw('-0'),
  new Raw('-1e-400'),
  new Raw('"\\ud800\\udc00\\ud800"'),
  new Raw('"\\u0000"'),
  new Raw('{"__proto__":{"polluted":true}}'),
  new Raw('{"constructor":{"prototype":{"polluted":true}}}'),
  new Raw('{"a":1,"a":2}'),
  deep(2_000, '[', ']'),
  deep(1_000, '{"a":', '}'),
];

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 40 }) },
);
const hostileValue = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...hostileValues) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  '',
  'x'.repeat(300),
  '\u0000',
  'then',
);

function stringify(value: unknown): string {
  if (value instanceof Raw) return value.json;
  if (Array.isArray(value)) return `[${value.map(stringify).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${stringify(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

let ctx: TestContext;
let doc: { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };
let databaseName: string;
let serverUrl: string;
const known: Record<string, string> = {};
const keys: Record<'admin' | 'clerk', string> = { admin: '', clerk: '' };

function resolve(schema: Json): Json {
  const ref = schema.$ref;
  return typeof ref === 'string' ? resolve(doc.components.schemas[ref.split('/').pop()!]!) : schema;
}

/** A plausible value for a schema: its example, else something of its type; names we know get real resources. */
function sample(schema: Json, name = '', depth = 0): unknown {
  const s = resolve(schema);
  if (known[name] !== undefined) return known[name];
  if ('example' in s) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if ('default' in s) return s.default;
  const alternatives = (s.anyOf ?? s.oneOf ?? s.allOf) as Json[] | undefined;
  if (alternatives)
    return sample(alternatives.find((a) => a.type !== 'null') ?? alternatives[0]!, name, depth);
  if (depth > 6) return null;
  switch (s.type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Json>;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sample(v, k, depth + 1)]));
    }
    case 'array':
      return [sample((s.items ?? {}) as Json, name, depth + 1)];
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (s.format === 'date-time') return '2026-11-20T09:00:00+07:00';
      if (s.format === 'email') return 'an@example.vn';
      if (s.format === 'uri') return 'http://127.0.0.1:9/fuzz';
      return 'x';
  }
}

/** Every place inside a JSON value a mutation can hit, as key paths. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...prefix, i]))];
  if (value && typeof value === 'object' && !(value instanceof Raw)) {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
  }
  return here;
}

function setAt(root: unknown, path: Array<string | number>, f: (v: unknown) => unknown): unknown {
  if (path.length === 0) return f(root);
  const [head, ...rest] = path;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as Json) }) as Json;
  copy[head as string] = setAt(copy[head as string], rest, f);
  return copy;
}

const mutation = fc.record({
  kind: fc.constantFrom('replace', 'replace', 'replace', 'drop', 'extra', 'whole', 'none'),
  at: fc.nat(),
  value: hostileValue,
  key: hostileKey,
});

function mutate(base: unknown, m: { kind: string; at: number; value: unknown; key: string }): unknown {
  const paths = pathsOf(base);
  const path = paths[m.at % paths.length]!;
  switch (m.kind) {
    case 'replace':
      return setAt(base, path, () => m.value);
    case 'drop':
      if (!path.length) return undefined;
      return setAt(base, path.slice(0, -1), (parent) => {
        if (Array.isArray(parent)) return parent.filter((_, i) => i !== path.at(-1));
        const { [path.at(-1)!]: _dropped, ...rest } = parent as Json;
        return rest;
      });
    case 'extra':
      return setAt(base, path, (v) =>
        v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Raw)
          ? { ...v, [m.key]: m.value }
          : v,
      );
    case 'whole':
      return m.value;
    default:
      return base;
  }
}

/** Header values must be writable on the wire: printable ASCII only. */
const headerSafe = (v: string) => /^[\x20-\x7e]*$/.test(v);

function requestArbitrary(op: Operation, realPathValues: Record<string, string>) {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const headerParams = op.params.filter((p) => p.in === 'header');
  const paramValue = (p: Operation['params'][number]) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(realPathValues[p.name] ?? String(sample(p.schema, p.name))) },
      { weight: 3, arbitrary: hostileString },
    );
  return fc.record({
    key: fc.constantFrom('admin' as const, 'clerk' as const),
    path: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, paramValue(p)]))),
    rawPath: fc.boolean(),
    query: fc.record(
      Object.fromEntries(
        queryParams.map((p) => [
          p.name,
          fc.option(fc.oneof(paramValue(p), fc.array(paramValue(p), { minLength: 2, maxLength: 3 })), {
            nil: undefined,
          }),
        ]),
      ),
    ),
    extraQuery: fc.option(fc.tuple(hostileKey, hostileString), { nil: undefined }),
    headers: fc.record(
      Object.fromEntries(
        headerParams.map((p) => [p.name, fc.option(hostileString.filter(headerSafe), { nil: undefined })]),
      ),
    ),
    body: op.body ? fc.array(mutation, { minLength: 1, maxLength: 3 }) : fc.constant([]),
    contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain'),
  });
}

/** Percent-encodes a value; lone surrogates become the bytes of an invalid UTF-8 sequence; raw keeps most as is. */
const encode = (v: string, raw = false) =>
  Array.from(v)
    .map((c) =>
      /^[\uD800-\uDFFF]$/.test(c)
        ? '%ED%A0%80'
        : raw && /^[\x21-\x7e]$/.test(c) && !'/?#%'.includes(c)
          ? c
          : encodeURIComponent(c),
    )
    .join('');

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
    const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const body = (op.requestBody as Json | undefined)?.content as
          Record<string, { schema: Json }> | undefined;
        return {
          method: method.toUpperCase(),
          path,
          id: op.operationId as string,
          params: (op.parameters ?? []) as Operation['params'],
          ...(body?.['application/json'] ? { body: body['application/json'].schema } : {}),
        };
      }),
    );
    const pathCode: Record<string, string> = {
      '/v1/units/': known.unitCode!,
      '/v1/procedures/': known.procedureCode!,
      '/v1/dossiers/': known.dossierCode!,
      '/v1/sync/dossiers/': known.dossierCode!,
    };
    const tried: Record<string, number> = {};
    const statuses: Record<number, number> = {};
    let counts = await rowCounts();
    for (const op of operations) {
      const baseBody = op.body ? sample(op.body) : undefined;
      const codeForPath = Object.entries(pathCode).find(([prefix]) => op.path.startsWith(prefix))?.[1];
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op, codeForPath ? { code: codeForPath } : {}), async (r) => {
          const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
            return encode(r.path[name] as string, r.rawPath);
          });
          const query = [
            ...Object.entries(r.query).flatMap(([k, v]) =>
              v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => `${k}=${encode(String(x))}`),
            ),
            ...(r.extraQuery ? [`${encode(r.extraQuery[0])}=${encode(r.extraQuery[1])}`] : []),
          ].join('&');
          let payload: string | undefined;
          if (op.body) {
            let body: unknown = baseBody;
            for (const m of r.body) body = mutate(body, m);
            payload = body === undefined ? '' : stringify(body);
          }
          const headers: Record<string, string> = { ...bearer(keys[r.key]) };
          for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = v as string;
          if (payload !== undefined) headers['content-type'] = r.contentType;
          const res = await ctx.app.inject({
            method: op.method as 'GET',
            url: path + (query ? `?${query}` : ''),
            headers,
            ...(payload !== undefined ? { payload } : {}),
          });
          tried[op.id] = (tried[op.id] ?? 0) + 1;
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          const where = `${op.method} ${`${path}?${query}`.slice(0, 300)} ${payload?.slice(0, 300) ?? ''} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          expect(res.statusCode, where).toBeLessThan(500);
          const after = await rowCounts();
          if (res.statusCode >= 400) {
            expect(res.headers['content-type'], where).toContain('application/problem+json');
            const problem = res.json();
            expect(errorCodes, where).toContain(problem.code);
            expect(errorTable[problem.code as keyof typeof errorTable].status, where).toBe(res.statusCode);
            expect(problem.status, where).toBe(res.statusCode);
            expect(after, `${where}: rows stored on a ${res.statusCode}`).toBe(counts);
          } else if (op.method === 'GET') {
            expect(after, `${where}: a read stored rows`).toBe(counts);
          }
          counts = after;
        }),
        { numRuns: RUNS_PER_OPERATION },
      );
    }
    expect(({} as Json).polluted, 'Object.prototype polluted').toBeUndefined();
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
