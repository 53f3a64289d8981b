/**
 * Hostile input at scale, over real HTTP: the OpenAPI-driven generator of test/fuzz/requests.ts (the one
 * `npm test` sends in-process) sends many inputs, spread evenly over every operation of the document, to the
 * API running in its own process.
 *
 *   npm run fuzz -- [--inputs 10000] [--concurrency 16] [--seed 1] [--only OPERATION_ID,…] [--no-write] [--keep]
 *   npm run fuzz -- --url http://127.0.0.1:3000 --key SYSTEM_ADMIN_KEY [--database-url postgres://…] …
 *
 * By default it creates a fresh database on the local PostgreSQL and starts the API on it as the other
 * benchmarks do (bench/api-process.ts: dist/server.js, NODE_ENV=production, with Redis, so no jobs run in it
 * and no webhook is delivered), with the rate limit off and a bootstrap system-admin key of its own; the
 * database is dropped at the end (kept with --keep). With --url and --key it uses a running service instead.
 * Either way it creates its fixtures over HTTP (units, procedures, keys of each role, a webhook, dossiers in
 * every state) and then sends --inputs requests, --concurrency at a time. Input i goes to operation
 * i mod (number of operations); the k-th input of an operation depends only on --seed, the operation id and k,
 * so `--only acceptDossier` with the same seed sends that operation's inputs again.
 *
 * It counts the answers by class, status and problem code; every 5xx, every 4xx that is not problem+json with
 * a known code and status, and every request that got no answer is a failure, written with its request
 * (truncated) to bench/.tmp/fuzz-failures.jsonl (--failures FILE). With the database at hand (its own, or
 * --database-url) it then checks that every row that appeared or changed is explained by a 2xx answer
 * (bench/fuzz-store.ts). On its own service, a last phase starts a second API process with a rate limit of 5
 * a minute and checks that 429 comes as problem+json. It prints a summary, writes the section "Fuzzing over
 * HTTP" of bench/RESULTS.md (unless --no-write) and exits non-zero on any failure.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  answerViolations,
  buildRequest,
  operationsOf,
  realPathValues,
  requestArbitrary,
  sampler,
  type FuzzRequest,
  type Json,
  type OpenApiDocument,
  type Operation,
  type RequestValues,
} from '../test/fuzz/requests.js';
import { startApi, stopApi, type ApiProcess } from './api-process.js';
import { argValue, assertLocal, hasFlag, serverUrl } from './common.js';
import { emptyAnswered, snapshot, unexplained, type Answered } from './fuzz-store.js';
import { fmt, markdownTable, replaceSection } from './results.js';
import { describeMachine } from './session.js';

function positiveInt(name: string, fallback: number): number {
  const raw = argValue(name);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} ${raw}: a positive integer, please`);
  return n;
}

const inputs = positiveInt('--inputs', 10_000);
const concurrency = positiveInt('--concurrency', 16);
const seed = Number(argValue('--seed') ?? 1);
const only = argValue('--only')?.split(',');
const failuresFile = path.resolve(
  argValue('--failures') ?? path.join(import.meta.dirname, '.tmp/fuzz-failures.jsonl'),
);
const givenUrl = argValue('--url');
const givenKey = argValue('--key');
const givenDatabase = argValue('--database-url');
if (givenUrl && !givenKey) throw new Error('--url needs --key (a system-admin key of that service)');

type Role = 'admin' | 'clerk' | 'viewer' | 'sync';
/** Who sends the inputs: the writers twice as often as the readers. */
const ROLES = ['admin', 'admin', 'clerk', 'clerk', 'viewer', 'sync'] as const satisfies readonly Role[];
/** Webhooks the fuzzer creates point here: nothing listens, and nothing leaves the machine. */
const NOWHERE = 'http://127.0.0.1:9/fuzz';
const CHUNK = 200;
const REQUEST_TIMEOUT_MS = 60_000;

/** Ctrl-C (or SIGTERM): no new requests; those in flight finish, the summary is printed, everything is cleaned up. */
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.log(`${signal}: finishing the requests in flight, then cleaning up`);
  });
}

interface Target {
  base: URL;
  adminKey: string;
  client: pg.Client | null;
  /** Present when the service is ours: starts another API process on the same database with other settings. */
  startAnother?: (env: Record<string, string>) => Promise<ApiProcess>;
  describe: string;
  close(): Promise<void>;
}

async function ownService(): Promise<Target> {
  const server = new URL(serverUrl());
  assertLocal(server.toString());
  const name = `motcua_fuzz_${process.pid}`;
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(server), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  const url = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
  const adminKey = `fuzz_${randomBytes(24).toString('base64url')}`;
  const redisPrefix = `motcua-fuzz-${process.pid}-${Date.now()}`;
  const env = { BOOTSTRAP_ADMIN_KEY: adminKey, REDIS_PREFIX: redisPrefix, RATE_LIMIT_PER_MINUTE: '0' };
  console.log(`database ${name}`);
  const api = await startApi(url, env).catch(async (err: Error) => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
    throw err;
  });
  const others: ApiProcess[] = [];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    base: new URL(api.base),
    adminKey,
    client,
    startAnother: async (more) => {
      const other = await startApi(url, { ...env, ...more });
      others.push(other);
      return other;
    },
    describe:
      'a fresh database of its own on the local PostgreSQL and the API in its own process (dist/server.js, ' +
      'NODE_ENV=production, rate limit off)',
    async close() {
      for (const p of [api, ...others]) await stopApi(p);
      await client.end();
      await dropRedisKeys(redisPrefix);
      if (hasFlag('--keep')) console.log(`database ${name} kept (--keep)`);
      else await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** The queue jobs and rate-limit counts the run's API processes left in Redis under their own prefix. */
async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (err) {
    console.warn(`Redis keys under ${prefix}: not removed (${(err as Error).message})`);
  } finally {
    redis.disconnect();
  }
}

async function runningService(url: string, key: string): Promise<Target> {
  assertLocal(url);
  let client: pg.Client | null = null;
  if (givenDatabase) {
    client = new pg.Client({ connectionString: givenDatabase });
    await client.connect();
  }
  return {
    base: new URL(url),
    adminKey: key,
    client,
    describe: `the running service at ${url}`,
    async close() {
      await client?.end();
    },
  };
}

// --- fixtures, over HTTP -----------------------------------------------------------------------------------

interface Fixtures {
  keys: Record<Role, string>;
  known: Record<string, string>;
  real: {
    unitCodes: string[];
    procedureCodes: string[];
    dossierCodes: string[];
    apiKeyIds: string[];
    webhookIds: string[];
  };
}

async function call(target: Target, key: string, method: string, url: string, body?: unknown) {
  const res = await fetch(new URL(url, target.base), {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: (text ? JSON.parse(text) : null) as Json };
}

async function must(target: Target, key: string, method: string, url: string, body?: unknown): Promise<Json> {
  const res = await call(target, key, method, url, body);
  if (res.status >= 300) throw new Error(`fixture ${method} ${url}: ${res.status} ${res.text.slice(0, 500)}`);
  return res.json;
}

async function createFixtures(target: Target): Promise<Fixtures> {
  const admin = target.adminKey;
  // Codes of this run only, so a running service can be fuzzed more than once.
  const tag = `F${Date.now().toString(36).toUpperCase()}`;
  const province = `${tag}.00.H56`;
  const communes = [`${tag}.01.H56`, `${tag}.02.H56`];
  await must(target, admin, 'POST', '/v1/units', {
    code: province,
    name: 'Tỉnh thử nghiệm',
    parentCode: null,
  });
  for (const [i, code] of communes.entries())
    await must(target, admin, 'POST', '/v1/units', {
      code,
      name: `Xã thử nghiệm ${i + 1}`,
      parentCode: province,
    });
  const procedures = [`${tag}.1`, `${tag}.2`];
  for (const [i, code] of procedures.entries())
    await must(target, admin, 'POST', '/v1/procedures', {
      code,
      name: i ? 'Đăng ký kết hôn' : 'Cấp bản sao trích lục hộ tịch',
      field: { code: 'G01.HT', name: 'Hộ tịch' },
      duration: { value: i ? 5 : 2, unit: 'working_days' },
    });
  const newKey = async (role: Role, unitCode: string | null) =>
    must(target, admin, 'POST', '/v1/api-keys', { name: `fuzz ${role}`, role, unitCode });
  const keys: Record<Role, string> = {
    admin,
    clerk: (await newKey('clerk', province)).key as string,
    viewer: (await newKey('viewer', province)).key as string,
    sync: (await newKey('sync', null)).key as string,
  };
  // A key nobody sends with: the one whose id the fuzzer may revoke.
  const spare = await newKey('viewer', communes[0]!);
  const webhook = await must(target, admin, 'POST', '/v1/webhooks', { url: NOWHERE, events: ['dossier.*'] });

  const reason = 'Hồ sơ thử nghiệm';
  const later = new Date(Date.now() + 90 * 86_400_000).toISOString();
  const plans: Array<['direct' | 'online', Array<[string, Json]>]> = [
    ['online', []], // submitted
    ['direct', []], // received
    ['direct', [['assign', {}]]], // processing
    ['direct', [['assign', { handlingUnitCode: communes[1] }]]], // processing, handed over
    ['direct', [['request-supplement', { reason }]]],
    ['direct', [['request-payment', {}]]],
    ['direct', [['reschedule', { newDueAt: later, reason }]]],
    ['direct', [['resolve', { result: 'approved' }]]],
    [
      'direct',
      [
        ['resolve', { result: 'approved' }],
        ['return', {}],
      ],
    ],
    ['online', [['reject', { reason }]]],
    ['direct', [['withdraw', { reason }]]],
    ['direct', [['stop', { reason }]]],
  ];
  const dossierCodes: string[] = [];
  for (const procedureCode of procedures) {
    for (const [channel, actions] of plans) {
      const dossier = await must(target, keys.clerk, 'POST', '/v1/dossiers', {
        procedureCode,
        unitCode: communes[0],
        channel,
        applicant: {
          type: 'citizen',
          fullName: 'Nguyễn Văn An',
          idNumber: '001099012345',
          phone: '0912345678',
        },
        summary: 'Hồ sơ thử nghiệm',
      });
      const code = dossier.code as string;
      for (const [action, body] of actions)
        await must(target, keys.clerk, 'POST', `/v1/dossiers/${code}/${action}`, body);
      dossierCodes.push(code);
    }
  }
  return {
    keys,
    known: {
      unitCode: communes[0]!,
      parentCode: province,
      handlingUnitCode: communes[1]!,
      procedureCode: procedures[0]!,
      dossierCode: dossierCodes[0]!,
      url: NOWHERE,
      // Instants the back-dating window accepts (the documents' examples lie in the past), so that the sampled
      // bodies, where the mutations leave them whole, are intakes and actions that succeed.
      receivedAt: new Date().toISOString(),
      at: new Date().toISOString(),
      newDueAt: later,
    },
    real: {
      unitCodes: [province, ...communes],
      procedureCodes: procedures,
      dossierCodes,
      apiKeyIds: [spare.id as string],
      webhookIds: [webhook.id as string],
    },
  };
}

// --- sending -----------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function sendOnce(base: URL, req: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = req.payload === undefined ? undefined : Buffer.from(req.payload);
    const r = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.url,
        agent,
        headers: { ...req.headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    r.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(err, { reused: r.reusedSocket })));
    r.end(payload);
  });
}

let retried = 0;
/**
 * A kept-alive socket the server closed as the request left (after answering an earlier one with
 * Connection: close) is the client's race, not the server's answer: sent again, a few times at most.
 */
async function send(base: URL, req: FuzzRequest): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendOnce(base, req);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { reused?: boolean };
      if (attempt >= 4 || !e.reused || !['ECONNRESET', 'EPIPE'].includes(e.code ?? '')) throw err;
      retried++;
    }
  }
}

/** FNV-1a: a 32-bit seed from the run's seed, the operation and the chunk. */
function seedFor(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const c of parts.join(':')) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h | 0;
}

/** The k-th input of an operation, from chunks drawn with their own seed; consumed in order, so one chunk is kept. */
function inputsOf<V>(op: Operation, arbitrary: fc.Arbitrary<V>) {
  let chunk = -1;
  let values: V[] = [];
  return (k: number): V => {
    const wanted = Math.floor(k / CHUNK);
    if (wanted !== chunk) {
      values = fc.sample(arbitrary, { seed: seedFor(seed, op.id, wanted), numRuns: CHUNK });
      chunk = wanted;
    }
    return values[k % CHUNK]!;
  };
}

type ClassName = '2xx' | '3xx' | '4xx' | '5xx' | 'no answer';

interface Tally {
  classes: Record<ClassName, number>;
  statuses: Map<string, number>;
  byOperation: Map<string, Record<ClassName, number>>;
  failures: number;
  violations: number;
}

const emptyClasses = (): Record<ClassName, number> => ({
  '2xx': 0,
  '3xx': 0,
  '4xx': 0,
  '5xx': 0,
  'no answer': 0,
});
const classOf = (status: number): ClassName =>
  status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx';
const bump = <K>(map: Map<K, number>, key: K, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

function parse(body: string): Json | null {
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === 'object' ? (value as Json) : null;
  } catch {
    return null;
  }
}

/** Notes what a 2xx answer created, named or changed, for the store check. */
function credit(answered: Answered, op: Operation, r: RequestValues<Role>, answer: Answer): void {
  const body = parse(answer.body);
  const code = typeof body?.code === 'string' ? body.code : undefined;
  const id = typeof body?.id === 'string' ? body.id : undefined;
  const pathValue = (name: string) => String(r.path[name]);
  switch (op.id) {
    case 'intakeDossier':
      if (code) answered.dossiers.add(code);
      break;
    case 'createUnit':
      if (code) answered.units.add(code);
      break;
    case 'createProcedure':
      if (code) answered.procedures.add(code);
      break;
    case 'createApiKey':
      if (id) answered.apiKeys.add(id);
      break;
    case 'revokeApiKey':
      answered.revokedKeys.add(pathValue('id'));
      break;
    case 'createWebhook':
      if (id) answered.webhooks.add(id);
      break;
    case 'deleteWebhook':
      answered.deletedWebhooks.add(pathValue('id'));
      break;
    case 'putCalendarDay':
      answered.calendarPut.add(typeof body?.date === 'string' ? body.date : pathValue('date'));
      break;
    case 'deleteCalendarDay':
      answered.calendarDeleted.add(pathValue('date'));
      break;
  }
  const dossierWrite =
    op.id === 'intakeDossier' || (op.method === 'POST' && op.path.startsWith('/v1/dossiers/{code}/'));
  if (dossierWrite && code) bump(answered.dossierWrites, code);
}

function recordFailure(entry: Json): void {
  appendFileSync(failuresFile, `${JSON.stringify(entry)}\n`);
}

async function fuzz(target: Target, doc: OpenApiDocument, fixtures: Fixtures, answered: Answered) {
  const operations = operationsOf(doc).filter((op) => !only || only.includes(op.id));
  if (!operations.length) throw new Error(`--only ${only?.join(',')}: no such operation`);
  const sample = sampler(doc, fixtures.known);
  const drawers = operations.map((op) => {
    const arbitrary = requestArbitrary(op, realPathValues(op, fixtures.real), sample, ROLES);
    return { op, baseBody: op.body ? sample(op.body) : undefined, next: inputsOf(op, arbitrary) };
  });
  const tally: Tally = {
    classes: emptyClasses(),
    statuses: new Map(),
    byOperation: new Map(operations.map((op) => [op.id, emptyClasses()])),
    failures: 0,
    violations: 0,
  };
  let issued = 0;
  let done = 0;
  const started = performance.now();
  const progress = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    console.log(
      `  ${fmt(done)} / ${fmt(inputs)} in ${fmt(s)} s (${fmt(done / s)}/s); 5xx ${tally.classes['5xx']}, ` +
        `violations ${tally.violations}, no answer ${tally.classes['no answer']}`,
    );
  }, 15_000);

  const worker = async () => {
    while (issued < inputs && !interrupted) {
      const i = issued++;
      const { op, baseBody, next } = drawers[i % drawers.length]!;
      const k = Math.floor(i / drawers.length);
      const r = next(k);
      const req = buildRequest(op, baseBody, r, fixtures.keys);
      const failure = () => ({
        seed,
        operation: op.id,
        index: k,
        role: r.key,
        method: req.method,
        url: req.url.slice(0, 2_000),
        headers: Object.fromEntries(Object.entries(req.headers).filter(([h]) => h !== 'authorization')),
        ...(req.payload === undefined
          ? {}
          : { body: req.payload.slice(0, 2_000), bodyLength: req.payload.length }),
      });
      let answer: Answer;
      try {
        answer = await send(target.base, req);
      } catch (err) {
        tally.classes['no answer']++;
        tally.byOperation.get(op.id)!['no answer']++;
        tally.failures++;
        recordFailure({ kind: 'no answer', error: (err as Error).message, ...failure() });
        done++;
        continue;
      }
      done++;
      const cls = classOf(answer.status);
      tally.classes[cls]++;
      tally.byOperation.get(op.id)![cls]++;
      const problemCode = cls === '4xx' || cls === '5xx' ? parse(answer.body)?.code : undefined;
      bump(tally.statuses, `${answer.status}${typeof problemCode === 'string' ? ` ${problemCode}` : ''}`);
      const wrong = answerViolations(answer);
      if (wrong.length) {
        tally.failures++;
        if (cls !== '5xx') tally.violations++;
        recordFailure({
          kind: cls === '5xx' ? '5xx' : 'violation',
          status: answer.status,
          problems: wrong,
          answer: answer.body.slice(0, 1_000),
          ...failure(),
        });
      } else if (cls === '2xx') {
        credit(answered, op, r, answer);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(progress);
  return { tally, sent: done, seconds: (performance.now() - started) / 1000, operations };
}

/** A second API process with a limit of 5 a minute: the 6th request of a key, or of an IP without one, is a 429. */
async function rateLimitPhase(target: Target, fixtures: Fixtures): Promise<{ ok: boolean; line: string }> {
  const limited = await target.startAnother!({ RATE_LIMIT_PER_MINUTE: '5' });
  const base = new URL(limited.base);
  const seen = { withKey: new Map<number, number>(), withoutKey: new Map<number, number>() };
  const wrong: string[] = [];
  // 12 in a row: even if a clock minute turns among them, at least two are over the budget.
  for (const [label, headers] of [
    ['withKey', { authorization: `Bearer ${fixtures.keys.viewer}` }],
    ['withoutKey', { authorization: 'Bearer mc_not_a_key' }],
  ] as const) {
    for (let i = 0; i < 12; i++) {
      const answer = await send(base, { method: 'GET', url: '/v1/units', headers });
      bump(seen[label], answer.status);
      if (answer.status === 429) {
        const problems = answerViolations(answer);
        if (parse(answer.body)?.code !== 'RATE_LIMITED') problems.push('code is not RATE_LIMITED');
        wrong.push(...problems);
      }
    }
  }
  await stopApi(limited);
  const show = (m: Map<number, number>) => [...m].map(([s, n]) => `${n} × ${s}`).join(', ');
  const ok = wrong.length === 0 && (seen.withKey.get(429) ?? 0) >= 2 && (seen.withoutKey.get(429) ?? 0) >= 2;
  return {
    ok,
    line:
      `Rate limit (a second API process, RATE_LIMIT_PER_MINUTE=5, 12 GET /v1/units each): with a viewer key ` +
      `${show(seen.withKey)}; with an unknown key ${show(seen.withoutKey)}; every 429 problem+json RATE_LIMITED: ` +
      `${wrong.length ? `no (${[...new Set(wrong)].join('; ')})` : 'yes'}`,
  };
}

const duration = (s: number) => (s < 120 ? `${fmt(s, 1)} s` : `${Math.floor(s / 60)} min ${fmt(s % 60)} s`);

// --- the run -----------------------------------------------------------------------------------------------

mkdirSync(path.dirname(failuresFile), { recursive: true });
rmSync(failuresFile, { force: true });
const target = givenUrl ? await runningService(givenUrl, givenKey!) : await ownService();
let failed = false;
try {
  const machine = await describeMachine(target.client ?? undefined);
  console.log(`fuzzing ${target.describe}; ${machine}`);
  const doc = (await (await fetch(new URL('/openapi.json', target.base))).json()) as OpenApiDocument;
  const fixtures = await createFixtures(target);
  const answered = emptyAnswered();
  const before = target.client ? await snapshot(target.client) : null;
  console.log(`${fmt(inputs)} inputs, concurrency ${concurrency}, seed ${seed} …`);
  const { tally, sent, seconds, operations } = await fuzz(target, doc, fixtures, answered);

  let storeLine: string;
  let stray: string[] = [];
  if (before && target.client) {
    const after = await snapshot(target.client);
    stray = unexplained(before, after, answered);
    const grown = Object.entries(after.totals)
      .map(([t, n]) => `${t} ${n < before.totals[t]! ? '−' : '+'}${fmt(Math.abs(n - before.totals[t]!))}`)
      .join(', ');
    storeLine = stray.length
      ? `rows a 2xx does not explain: ${stray.length} findings`
      : `every row added or changed is explained by a 2xx answer (${grown})`;
  } else {
    storeLine = 'not checked (no database at hand: pass --database-url)';
  }
  const rate = target.startAnother && !interrupted ? await rateLimitPhase(target, fixtures) : null;

  const c = tally.classes;
  const share = (n: number) => `${fmt((100 * n) / sent, 1)} %`;
  const classRows = [
    ['class', 'answers', 'share'],
    ...(Object.entries(c) as Array<[ClassName, number]>).map(([k, n]) => [k, fmt(n), share(n)]),
  ];
  const top = [...tally.statuses].sort((a, b) => b[1] - a[1]);
  const codeRows = [
    ['status and problem code', 'answers'],
    ...top.slice(0, 12).map(([k, n]) => [`\`${k}\``, fmt(n)]),
    ...(top.length > 12
      ? [[`${top.length - 12} others`, fmt(top.slice(12).reduce((a, [, n]) => a + n, 0))]]
      : []),
  ];
  const noTwoHundred = [...tally.byOperation].filter(([, k]) => k['2xx'] === 0).map(([id]) => id);
  const command = `npm run fuzz -- --inputs ${inputs}${concurrency === 16 ? '' : ` --concurrency ${concurrency}`}${seed === 1 ? '' : ` --seed ${seed}`}`;

  console.log(`\n${markdownTable(classRows)}\n\n${markdownTable(codeRows)}\n`);
  console.log(
    `${fmt(sent)} inputs over ${operations.length} operations in ${duration(seconds)} (${fmt(sent / seconds)}/s); ` +
      `5xx ${c['5xx']}, problem+json violations ${tally.violations}, no answer ${c['no answer']} ` +
      `(${retried} resent after a reset of a kept-alive socket)`,
  );
  console.log('answers per operation (2xx / 4xx / 5xx / no answer):');
  for (const [id, k] of tally.byOperation)
    console.log(`  ${id.padEnd(28)} ${k['2xx']} / ${k['4xx']} / ${k['5xx']} / ${k['no answer']}`);
  console.log(`operations that never answered 2xx: ${noTwoHundred.join(', ') || 'none'}`);
  console.log(`stored by a 4xx: ${storeLine}`);
  for (const s of stray) console.log(`  ${s}`);
  if (rate) console.log(rate.line);
  if (tally.failures) console.log(`failures written to ${failuresFile}`);

  failed = tally.failures > 0 || stray.length > 0 || rate?.ok === false || interrupted;
  if (!hasFlag('--no-write') && !only && !interrupted) {
    replaceSection(
      path.resolve(import.meta.dirname, 'RESULTS.md'),
      'Fuzzing over HTTP',
      [
        `- Machine: ${machine}.`,
        `- Command: \`${command}\` (seed ${seed}, ${concurrency} requests at a time) against ${target.describe}.`,
        `- ${fmt(inputs)} inputs spread evenly over the ${operations.length} operations of the OpenAPI document, ` +
          `each sent by a system admin, a clerk, a viewer or a sync key; fixtures made over HTTP first (units, ` +
          `procedures, keys, a webhook, ${fixtures.real.dossierCodes.length} dossiers in every state).`,
        `- Duration ${duration(seconds)}: ${fmt(sent / seconds)} inputs/s.`,
        `- **5xx: ${c['5xx']}**; 4xx that are not problem+json with a known code and status: ${tally.violations}; ` +
          `requests without an answer: ${c['no answer']}.`,
        `- Stored by a 4xx: ${storeLine}.`,
        `- Operations that never answered 2xx (some part of every request hostile or out of place): ` +
          `${noTwoHundred.map((id) => `\`${id}\``).join(', ') || 'none'}.`,
        ...(rate ? [`- ${rate.line}.`] : []),
        '',
        markdownTable(classRows),
        '',
        'Most frequent answers:',
        '',
        markdownTable(codeRows),
      ].join('\n'),
    );
    console.log('bench/RESULTS.md: section "Fuzzing over HTTP" written');
  }
} finally {
  agent.destroy();
  await target.close();
}
process.exitCode = failed ? 1 : 0;
