/**
 * A mixed clerk workload against the API process of a session, the operations drawn at random in these
 * shares: list with filters 20 %, a status change 20 %, view a dossier 20 %, search (a name `q`, an id
 * number) 10 %, intake 10 %, statistics 10 % and the change feed 10 %.
 *
 * Status changes follow each dossier's lifecycle: a pool of open seeded dossiers (and every dossier the
 * workload takes in) moves on one action at a time (accept, assign, request and receive a supplement, request
 * and confirm a payment, resolve, return, sometimes reject or withdraw), each POST sending If-Match with the
 * version the last answer gave. A dossier is out of the pool while its action runs, so two actions never race
 * on one dossier. The feed is polled like a provincial system that keeps up: from the end of the outbox,
 * following nextCursor.
 */
import { memoryOf, type Memory } from './api-process.js';
import { byCode, intakes, type Run } from './api-scenarios.js';
import {
  BENCH_DATABASE,
  communeCode,
  COMMUNE_COUNT,
  cumulativeOf,
  pickWeighted,
  PROVINCE_CODE,
} from './common.js';
import {
  measure,
  measureOpen,
  summary,
  withCpuSplit,
  type LoadRequest,
  type Measured,
  type OpenMeasured,
  type OpenScenario,
} from './load.js';
import { saveDossiers } from './restore.js';
import { fmt } from './results.js';
import { authorized, type Session } from './session.js';
import { dashboardQueries, rotation } from './workloads.js';

export const MIX: ReadonlyArray<readonly [string, number]> = [
  ['list', 20],
  ['transition', 20],
  ['view', 20],
  ['search', 10],
  ['intake', 10],
  ['stats', 10],
  ['sync', 10],
];

export const MIXED_CONNECTIONS = 8;

interface Open {
  code: string;
  status: string;
  version: number;
}

const supplement = { reason: 'Thiếu bản sao giấy tờ', items: ['Bản sao CCCD'] };
const approved = { result: 'approved' };

/** The next actions a clerk takes on a dossier in each state, with their weights and bodies. */
const NEXT: Record<string, Array<[string, number, object]>> = {
  submitted: [
    ['accept', 9, {}],
    ['reject', 1, { reason: 'Hồ sơ không đúng thành phần' }],
  ],
  received: [
    ['assign', 8, { note: 'Chuyển chuyên viên xử lý' }],
    ['request-supplement', 1, supplement],
    ['resolve', 1, approved],
  ],
  processing: [
    ['resolve', 14, approved],
    ['request-supplement', 3, supplement],
    ['request-payment', 2, { amount: 50_000 }],
    ['withdraw', 1, { reason: 'Công dân rút hồ sơ' }],
  ],
  awaiting_supplement: [['receive-supplement', 1, {}]],
  awaiting_payment: [['confirm-payment', 1, {}]],
  resolved: [['return', 1, { method: 'counter' }]],
};

/** About `size` open seeded dossiers picked at random, saved for the restore. */
async function openDossiers(s: Session, size: number): Promise<Open[]> {
  const ids = Array.from({ length: size * 12 }, () => 1 + Math.floor(s.random() * s.sample.maxId));
  const { rows } = await s.client.query<{ id: string; code: string; status: string; version: number }>(
    // Not one that moved on after now: a seed before the fix of 2026-12-05 had some of today's late receipts
    // move on before their clock started, an action now on them out of order.
    `select id, code, status, version from dossiers where id = any($1::bigint[]) and status = any($2::text[])
      and updated_at <= now() limit ${size}`,
    [ids, Object.keys(NEXT)],
  );
  await saveDossiers(
    s.client,
    rows.map((r) => Number(r.id)),
  );
  return rows.map((r) => ({ code: r.code, status: r.status, version: r.version }));
}

/** The feed's position after the last outbox row (its cursor: txid:id in base64url). */
async function feedTail(s: Session): Promise<string> {
  // Ordered by the xid8 column itself (an alias `txid` of txid::text would order as text).
  const { rows } = await s.client.query<{ tx: string; id: string }>(
    'select txid::text as tx, id from outbox order by txid desc, id desc limit 1',
  );
  return rows[0] ? Buffer.from(`${rows[0].tx}:${rows[0].id}`).toString('base64url') : '';
}

function statsPaths(): Array<{ path: string; detail: string }> {
  const now = new Date();
  const year = now.getUTCFullYear();
  const month = `${year}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const commune = (i: number) => communeCode(i % COMMUNE_COUNT);
  return Array.from({ length: 100 }, (_, i) => {
    const shapes: Array<[string, string]> = [
      ['commune, this month', `unitCode=${commune(i)}&period=${month}`],
      ['commune, this year', `unitCode=${commune(i)}&period=${year}`],
      ['commune, last year official', `unitCode=${commune(i)}&period=${year - 1}&reporting=official`],
      ['province, this month by unit', `unitCode=${PROVINCE_CODE}&period=${month}&groupBy=unit`],
      ['province, last year', `unitCode=${PROVINCE_CODE}&period=${year - 1}`],
    ];
    const [detail, query] = shapes[i % shapes.length]!;
    return { path: `/v1/stats?${query}`, detail };
  });
}

/**
 * The request generator of the mix, with the state it follows (the pool, the feed cursor); with `only`, that
 * operation's requests alone.
 */
function mixedRequests(s: Session, pool: Open[], cursor: string, only?: string): () => LoadRequest {
  const random = s.random;
  const lists = rotation(dashboardQueries(random, s.sample.idNumbers, 5_000, ['list']));
  const searches = rotation(dashboardQueries(random, s.sample.idNumbers, 5_000, ['search']));
  const stats = rotation(statsPaths());
  const view = byCode(s);
  const intake = intakes(s);
  const back = (status: number, body: string) => {
    if (status !== 200 && status !== 201) return;
    const d = JSON.parse(body) as Open;
    if (NEXT[d.status]) pool.push({ code: d.code, status: d.status, version: d.version });
  };
  const transition = (): LoadRequest => {
    const d = pool.shift();
    if (!d) return { ...view(), label: 'view' };
    const choices = NEXT[d.status]!;
    const [action, , body] = choices[pickWeighted(random, cumulativeOf(choices.map(([, w]) => w)))]!;
    return {
      label: 'transition',
      detail: action,
      method: 'POST',
      path: `/v1/dossiers/${encodeURIComponent(d.code)}/${action}`,
      body: JSON.stringify(body),
      headers: { 'if-match': `"${d.version}"` },
      onResponse: back,
    };
  };
  const make: Record<string, () => LoadRequest> = {
    list: () => {
      const q = lists();
      return { path: q.path, label: 'list', detail: q.label };
    },
    transition,
    view: () => ({ ...view(), label: 'view' }),
    search: () => {
      const q = searches();
      return { path: q.path, label: 'search', detail: q.label };
    },
    intake: () => ({ ...intake(), onResponse: back }),
    stats: () => ({ ...stats(), label: 'stats' }),
    sync: () => ({
      path: `/v1/sync/changes?limit=100${cursor ? `&after=${cursor}` : ''}`,
      label: 'sync',
      headers: { authorization: `Bearer ${s.keys.syncProvince}` },
      onResponse: (status, body) => {
        if (status === 200) cursor = (JSON.parse(body) as { nextCursor: string }).nextCursor;
      },
    }),
  };
  if (only) return make[only]!;
  const cumulative = cumulativeOf(MIX.map(([, w]) => w));
  return () => make[MIX[pickWeighted(random, cumulative)]![0]]!();
}

export interface MixedRun<T extends Measured = Measured> extends Run<T> {
  /** The API's RSS (its largest process): highest sampled during the mix (each second), and after it. */
  memory: { peak: number; after: Memory };
  duration: number;
}

/**
 * The mix's requests sent by `drive`, with the API's memory sampled each second and the CPU split: a fresh
 * pool of open dossiers to move, and the feed followed from its end.
 */
async function runMix<T extends Measured>(
  s: Session,
  duration: number,
  drive: (next: () => LoadRequest) => Promise<T>,
): Promise<MixedRun<T>> {
  const pool = await openDossiers(s, 5_000);
  const next = mixedRequests(s, pool, await feedTail(s));
  let peak = 0;
  let sampling = false;
  const timer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void memoryOf(s.api)
      .then((m) => (peak = Math.max(peak, m.rss)))
      .finally(() => (sampling = false));
  }, 1000);
  try {
    const { result, split } = await withCpuSplit(s.api.child.pid!, () => drive(next), BENCH_DATABASE);
    const after = await memoryOf(s.api);
    return { result, cpu: split, memory: { peak: Math.max(peak, after.rss), after }, duration };
  } finally {
    clearInterval(timer);
  }
}

/** The mix in a closed loop: MIXED_CONNECTIONS connections, each sending its next request on an answer. */
export function mixedWorkload(s: Session, duration: number): Promise<MixedRun> {
  return runMix(s, duration, (next) =>
    measure({
      url: s.api.base,
      connections: MIXED_CONNECTIONS,
      duration,
      headers: authorized(s.keys.clerk),
      next,
    }),
  );
}

/**
 * The mix in an open loop (bench/load.ts measureOpen): `rate` requests a second offered, in the same shares
 * and from the same generator as the closed loop, whatever the answers' speed.
 */
export function mixedOpen(
  s: Session,
  rate: number,
  duration: number,
  options: Pick<OpenScenario, 'warmUp' | 'arrivals' | 'maxInFlight'> = {},
): Promise<MixedRun<OpenMeasured>> {
  return runMix(s, duration, (next) =>
    measureOpen({ url: s.api.base, rate, duration, headers: authorized(s.keys.clerk), next, ...options }),
  );
}

const ms = (v: number) => fmt(v, 1);

export interface OperationCost {
  label: string;
  /** Why the row is not all the operation's own requests. */
  note?: string;
  rps: number;
  p50: number;
  failed: number;
  /** CPU milliseconds a request: the API (its processes), PostgreSQL (the database's backends), the load generator. */
  api: number;
  pg: number;
  load: number;
}

/**
 * The reads first, then the writes: what a write adds (today's changes, the feed's rows) would make the reads
 * measured after it costlier, and more of it the faster the write runs.
 */
const WRITES = ['transition', 'intake'];
const COST_ORDER = MIX.map(([label]) => label).sort((a, b) => WRITES.indexOf(a) - WRITES.indexOf(b));

/** Connections of the cost measurement: enough to keep both cores busy, few enough not to queue much. */
export const COST_CONNECTIONS = 4;

/**
 * What each operation of the mix costs alone: its requests only, in a closed loop on COST_CONNECTIONS
 * connections for `duration` s, and the CPU milliseconds a request of the API, PostgreSQL and the load
 * generator (from /proc); `only` picks some operations (by default every one, the reads first: COST_ORDER). The shares-weighted sum is the CPU an average request of the mix needs.
 */
export async function mixCost(
  s: Session,
  duration: number,
  only: string[] = COST_ORDER,
): Promise<OperationCost[]> {
  const pool = await openDossiers(s, 5_000);
  const costs: OperationCost[] = [];
  // The reads first whatever order they were asked in.
  for (const label of COST_ORDER.filter((l) => only.includes(l))) {
    const next = mixedRequests(s, pool, await feedTail(s), label);
    const run = () =>
      measure({
        url: s.api.base,
        connections: COST_CONNECTIONS,
        duration,
        headers: authorized(s.keys.clerk),
        next,
      });
    const { result, seconds } = await withCpuSplit(s.api.child.pid!, run, BENCH_DATABASE);
    for (const sample of result.failureSamples) console.log(`non-2xx in ${label}: ${sample}`);
    // An action finds no dossier to move once the pool is used up, and is sent as a view instead: the CPU is
    // then shared over every request sent, and the row says how many were views.
    const done = [...result.latencies.values()].flat();
    const others = done.length - (result.latencies.get(label)?.length ?? 0);
    const per = (sec: number | undefined) =>
      sec === undefined ? NaN : (sec * 1000) / Math.max(1, done.length);
    costs.push({
      label,
      ...(others > 0 ? { note: `${others} sent as other requests: the pool ran out` } : {}),
      rps: done.length / duration,
      p50: summary(done).p50,
      failed: result.non2xx + result.errors,
      api: per(seconds?.api),
      pg: per(seconds?.ours),
      load: per(seconds?.load),
    });
  }
  return costs;
}

/** Per operation: req/s alone, p50, CPU ms a request; then the mix's average by its shares. */
export function costTable(costs: OperationCost[]): string[][] {
  const weight = new Map(MIX);
  // Weighed by the shares of the operations measured (all of them unless --cost-only picked some).
  const total = costs.reduce((t, c) => t + (weight.get(c.label) ?? 0), 0);
  const mean = (pick: (c: OperationCost) => number) =>
    costs.reduce((t, c) => t + pick(c) * (weight.get(c.label) ?? 0), 0) / total;
  const whole = costs.length === MIX.length;
  const cpu = (c: Pick<OperationCost, 'api' | 'pg' | 'load'>) => [
    ms(c.api),
    ms(c.pg),
    ms(c.load),
    ms(c.api + c.pg + c.load),
  ];
  const average = { api: mean((c) => c.api), pg: mean((c) => c.pg), load: mean((c) => c.load) };
  return [
    [
      'operation',
      'req/s alone',
      'p50 ms',
      'non-2xx',
      'API CPU ms',
      'PostgreSQL CPU ms',
      'load generator CPU ms',
      'total CPU ms',
    ],
    ...costs.map((c) => [
      c.note ? `${c.label} (${c.note})` : c.label,
      fmt(c.rps, 1),
      ms(c.p50),
      String(c.failed),
      ...cpu(c),
    ]),
    [whole ? 'mix (by its shares)' : 'these (by their shares in the mix)', '', '', '', ...cpu(average)],
  ];
}

/** Per operation and overall: share, req/s, p50/p95/p99 and non-2xx. */
export function mixedTable(r: MixedRun): string[][] {
  const m: Measured = r.result;
  const total = [...m.latencies.values()].reduce((n, l) => n + l.length, 0);
  const row = (name: string, values: number[], failures: number) => {
    const l = summary(values);
    const share = `${fmt((values.length / Math.max(1, total)) * 100, 1)} %`;
    const rps = fmt(values.length / r.duration, 1);
    return [name, share, rps, ms(l.p50), ms(l.p95), ms(l.p99), String(failures)];
  };
  return [
    ['operation', 'share', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx'],
    ...MIX.map(([label]) => row(label, m.latencies.get(label) ?? [], m.failures.get(label) ?? 0)),
    row('all', [...m.latencies.values()].flat(), m.non2xx + m.errors),
  ];
}
