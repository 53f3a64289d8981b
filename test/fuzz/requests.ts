/**
 * The hostile-input generator, driven by the OpenAPI document, shared by the in-process property test
 * (test/fuzz.test.ts) and the fuzzer over HTTP (bench/fuzz.ts): the operations of the document, a plausible
 * sample of each schema, fast-check arbitraries of malformed, boundary and hostile values for the path, the
 * query, the headers and the JSON body, the request they make, and the check every answer must pass.
 */
import fc from 'fast-check';
import { errorCodes } from '../../src/domain/errors.js';
import { errorTable } from '../../src/http/error-codes.js';

export type Json = Record<string, unknown>;

export interface OpenApiDocument {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
}

export interface Operation {
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

/** Every operation of the document, with its parameters and its JSON body schema. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
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
}

/**
 * `sample(schema, name)`: a plausible value for a schema: its example, else something of its type; names in
 * `known` (unitCode, procedureCode, …) get real resources.
 */
export function sampler(doc: OpenApiDocument, known: Record<string, string>) {
  const resolve = (schema: Json): Json => {
    const ref = schema.$ref;
    return typeof ref === 'string' ? resolve(doc.components.schemas[ref.split('/').pop()!]!) : schema;
  };
  const sample = (schema: Json, name = '', depth = 0): unknown => {
    const s = resolve(schema);
    if (known[name] !== undefined) return known[name];
    if ('example' in s) return s.example;
    if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum)) return s.enum[0];
    if ('default' in s) return s.default;
    // An object with conditions (allOf of if/then) is sampled as the object; the conditions only narrow it.
    const alternatives = (s.anyOf ?? s.oneOf ?? (s.properties ? undefined : s.allOf)) as Json[] | undefined;
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
  };
  return sample;
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

/** The real resources a path parameter may name: the codes and ids the fixtures created. */
export interface RealResources {
  unitCodes?: string[];
  procedureCodes?: string[];
  dossierCodes?: string[];
  apiKeyIds?: string[];
  webhookIds?: string[];
}

/** The real values an operation's path parameters may take, by parameter name. */
export function realPathValues(op: Operation, real: RealResources): Record<string, string[]> {
  const byPrefix: Array<[string, string, string[] | undefined]> = [
    ['/v1/units/', 'code', real.unitCodes],
    ['/v1/procedures/', 'code', real.procedureCodes],
    ['/v1/dossiers/', 'code', real.dossierCodes],
    ['/v1/sync/dossiers/', 'code', real.dossierCodes],
    ['/v1/api-keys/', 'id', real.apiKeyIds],
    ['/v1/webhooks/', 'id', real.webhookIds],
  ];
  const found = byPrefix.find(([prefix, , values]) => op.path.startsWith(prefix) && values?.length);
  return found ? { [found[1]]: found[2]! } : {};
}

/**
 * A request for `op`, as fast-check values: which key sends it (one of `roles`), path values (real or
 * hostile), query values (sometimes repeated), an extra hostile query pair, header values, mutations of the
 * sampled body and its content type.
 */
export function requestArbitrary<Role extends string>(
  op: Operation,
  real: Record<string, string[]>,
  sample: (schema: Json, name?: string) => unknown,
  roles: readonly [Role, ...Role[]],
) {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const headerParams = op.params.filter((p) => p.in === 'header');
  const paramValue = (p: Operation['params'][number]) =>
    fc.oneof(
      {
        weight: 2,
        arbitrary: real[p.name]
          ? fc.constantFrom(...real[p.name]!)
          : fc.constant(String(sample(p.schema, p.name))),
      },
      { weight: 3, arbitrary: hostileString },
    );
  return fc.record({
    key: fc.constantFrom(...roles),
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

export type RequestValues<Role extends string> =
  ReturnType<typeof requestArbitrary<Role>> extends fc.Arbitrary<infer T> ? T : never;

/** Percent-encodes a value; lone surrogates become the bytes of an invalid UTF-8 sequence; raw keeps most as is. */
function encode(v: string, raw = false): string {
  if (/\p{Cs}/u.test(v)) {
    return v.replace(raw ? /[^\x21-\x7e]|[/?#%]/gu : /[^A-Za-z0-9\-_.!~*'()]/gu, (c) =>
      /^\p{Cs}$/u.test(c) ? '%ED%A0%80' : encodeURIComponent(c),
    );
  }
  // The same, faster on long values: raw takes back the printable ASCII encodeURIComponent escaped.
  const encoded = encodeURIComponent(v);
  return raw
    ? encoded.replace(/%(2[0-9A-F]|3[A-F]|40|5[B-F]|60|7[B-E])/g, (escape, hex: string) => {
        const c = String.fromCharCode(parseInt(hex, 16));
        return c === ' ' || '/?#%'.includes(c) ? escape : c;
      })
    : encoded;
}

export interface FuzzRequest {
  method: string;
  /** Path and query, encoded as sent. */
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/** The request the values describe: `baseBody` (the operation's sample) mutated, sent with the role's key. */
export function buildRequest<Role extends string>(
  op: Operation,
  baseBody: unknown,
  r: RequestValues<Role>,
  keys: Record<Role, string>,
): FuzzRequest {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encode(r.path[name] as string, r.rawPath));
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
  const headers: Record<string, string> = { authorization: `Bearer ${keys[r.key]}` };
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = v as string;
  if (payload !== undefined) headers['content-type'] = r.contentType;
  return {
    method: op.method,
    url: path + (query ? `?${query}` : ''),
    headers,
    ...(payload !== undefined ? { payload } : {}),
  };
}

/** One line naming a request and its answer, truncated, for failure messages. */
export function describeExchange(req: FuzzRequest, status: number, body: string): string {
  return `${req.method} ${req.url.slice(0, 300)} ${req.payload?.slice(0, 300) ?? ''} → ${status} ${body.slice(0, 300)}`;
}

/**
 * What is wrong with an answer: a 5xx; a 4xx that is not problem+json with a code of the closed set whose
 * status (in the error table and in the body) is the answer's. Empty when it is right.
 */
export function answerViolations(answer: { status: number; contentType: unknown; body: string }): string[] {
  if (answer.status >= 500) return [`answered ${answer.status}`];
  if (answer.status < 400) return [];
  const wrong: string[] = [];
  const contentType = String(answer.contentType ?? '(none)');
  if (!contentType.includes('application/problem+json'))
    wrong.push(`content-type ${contentType}, not application/problem+json`);
  let problem: { code?: unknown; status?: unknown };
  try {
    problem = JSON.parse(answer.body) as typeof problem;
  } catch {
    return [...wrong, 'body is not JSON'];
  }
  const code = problem?.code;
  if (!errorCodes.includes(code as (typeof errorCodes)[number]))
    wrong.push(`code ${String(code)} is not of the closed set`);
  else if (errorTable[code as keyof typeof errorTable].status !== answer.status)
    wrong.push(
      `code ${String(code)} has status ${errorTable[code as keyof typeof errorTable].status} in the table`,
    );
  if (problem?.status !== answer.status) wrong.push(`body status ${String(problem?.status)}`);
  return wrong;
}
