/**
 * The statistics scenarios:
 * 1. closing the figures over the seed's whole history, as a worker's first start on existing data does:
 *    `refreshStats` in a loop until it has nothing left;
 * 2. province statistics served over HTTP (p50/p95/p99 over repeated requests: a year civil and official,
 *    grouped by nothing, unit, channel, procedure, and this year to date), beside the same year computed
 *    straight from the dossiers;
 * 3. how soon a change shows: a back-dated resolution (yesterday) and a new intake, with the jobs running
 *    here on their intervals, until GET /v1/stats and GET /v1/alerts show them.
 */
import { sql } from 'drizzle-orm';
import { rows } from '../src/db/sql.js';
import { createCalendarCache } from '../src/calendar/cache.js';
import { loadConfig } from '../src/config.js';
import { connectPostgres } from '../src/db/client.js';
import { addDays, localDateOf } from '../src/domain/local-time.js';
import { parseWorkingHours } from '../src/domain/working-time.js';
import { startInProcessJobs } from '../src/jobs/in-process.js';
import type { JobContext } from '../src/jobs/context.js';
import { refreshStats } from '../src/stats/maintenance.js';
import { periodStatistics } from '../src/stats/direct.js';
import { takeTodaySnapshot } from '../src/stats/today.js';
import { PROVINCE_CODE } from './common.js';
import { summary, timed } from './load.js';
import { saveDossiers } from './restore.js';
import { fmt } from './results.js';
import { authorized, type Session } from './session.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/**
 * The worker's settings the benchmark takes from its own environment, as a worker would: the interval of the
 * snapshot of today (STATS_TODAY_INTERVAL_MS), which a diagnostic run may lengthen to see the mix without it.
 */
export function jobSettingsFromEnv(): Record<string, string> {
  const interval = process.env.STATS_TODAY_INTERVAL_MS;
  return interval ? { STATS_TODAY_INTERVAL_MS: interval } : {};
}

/** What the worker's jobs get, on a pool of their own; `env` overrides settings (job intervals). */
export async function jobContext(url: string, env: Record<string, string> = {}) {
  const config = loadConfig({
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...jobSettingsFromEnv(),
    ...env,
  });
  const database = await connectPostgres(url, 10);
  const ctx: JobContext = {
    db: database.db,
    config,
    calendars: createCalendarCache(parseWorkingHours(config.WORKING_HOURS)),
    clock: () => new Date(),
    log: quiet,
  };
  return { ctx, close: () => database.close() };
}

/**
 * The worker's snapshot of today's figures (src/stats/today.ts), taken here on its interval as a worker beside
 * the API would; `stop` ends it and gives each snapshot's milliseconds. The first snapshot of each of the two slots
 * counts every dossier of today, as a worker's first two of a day do (and the next two after the snapshots were
 * deleted or marked as counted by no one): both are taken at once and not timed (`settle`, again after the
 * benchmark marked them), so that the timed ones are those a worker running all day takes.
 */
export async function snapshotsOnInterval(
  ctx: JobContext,
): Promise<{ settle(): Promise<void>; stop(): Promise<number[]> }> {
  const times: number[] = [];
  const take = async () => {
    const t = performance.now();
    await takeTodaySnapshot(ctx);
    times.push(performance.now() - t);
  };
  const settle = async () => {
    await takeTodaySnapshot(ctx);
    await takeTodaySnapshot(ctx);
  };
  await settle();
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    running ??= take()
      .catch((err: unknown) => console.warn('snapshot of today failed:', err))
      .finally(() => (running = null));
  }, ctx.config.STATS_TODAY_INTERVAL_MS);
  return {
    async settle() {
      while (running) await running;
      running = settle().finally(() => (running = null));
      await running;
    },
    async stop() {
      clearInterval(timer);
      await running;
      return times;
    },
  };
}

/** No snapshot of today left: answers for the current period count today at the moment. */
export async function dropTodaySnapshots(ctx: JobContext): Promise<void> {
  await ctx.db.execute(sql`delete from stats_today_snapshots`);
}

const rowsOf = async <T>(q: Promise<unknown>) => ((await q) as { rows: T[] }).rows;

/** Closes every day not closed yet (and recomputes dirty ones): refreshStats until it returns 0. */
export async function closeFigures(ctx: JobContext): Promise<{ days: number; seconds: number }> {
  const t = performance.now();
  let days = 0;
  for (let n = await refreshStats(ctx, 10_000); n > 0; n = await refreshStats(ctx, 10_000)) {
    days += n;
    console.log(`  figures: ${days} days closed (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  // What autovacuum does shortly after such a close (this machine's PostgreSQL runs without it): the planner
  // reads the figures by their statistics, and a table analyzed while empty looks empty; the visibility map
  // lets the figures' index-only reads skip the table (millions of rows inserted trigger autovacuum's vacuum).
  if (days > 0) {
    for (const { relname } of await rows<{ relname: string }>(
      ctx.db,
      sql`select relname from pg_stat_user_tables where relname like 'stats\_%'`,
    ))
      await ctx.db.execute(sql`vacuum (analyze) ${sql.identifier(relname)}`);
  }
  return { days, seconds: (performance.now() - t) / 1000 };
}

export interface StatsTiming {
  label: string;
  source: string;
  p50: number;
  p95: number;
  p99: number;
}

/** The year before this one: complete in the seed. */
export const lastYear = () => String(new Date().getUTCFullYear() - 1);

/** Province statistics over HTTP, `count` requests of each shape one after the other. */
export async function provinceStats(
  s: Session,
  count: number,
  only?: (label: string) => boolean,
): Promise<StatsTiming[]> {
  const year = lastYear();
  const thisYear = new Date().getUTCFullYear();
  const shapes: Array<[string, string, string?]> = [
    [`${year} civil, groupBy none`, `period=${year}`],
    [`${year} official, groupBy none`, `period=${year}&reporting=official`],
    [`${year} civil, groupBy unit`, `period=${year}&groupBy=unit`],
    [`${year} civil, groupBy channel`, `period=${year}&groupBy=channel`],
    [`${year} civil, groupBy procedure`, `period=${year}&groupBy=procedure`],
    [`${year} civil, groupBy officer`, `period=${year}&groupBy=officer`],
    [`${year} civil, groupBy step`, `period=${year}&groupBy=step`],
    [`${year} civil, receiving units, groupBy unit`, `period=${year}&groupBy=unit&attribution=receiving`],
    ['this year to date, groupBy none', `from=${thisYear}-01-01&to=${localDateOf(new Date())}`],
    ['this month, groupBy none', `period=${localDateOf(new Date()).slice(0, 7)}`],
    [`service index ${year}`, `period=${year}`, '/v1/stats/service-index'],
  ];
  const out: StatsTiming[] = [];
  for (const [label, query, path = '/v1/stats'] of shapes) {
    if (only && !only(label)) continue;
    let source = '';
    const times = await timed(count, async () => {
      const res = await fetch(`${s.api.base}${path}?unitCode=${PROVINCE_CODE}&${query}`, {
        headers: authorized(s.keys.viewer),
      });
      if (res.status !== 200) throw new Error(`GET ${path}?${query}: ${res.status} ${await res.text()}`);
      source = ((await res.json()) as { source?: string }).source ?? 'figures';
    });
    out.push({ label, source, ...summary(times) });
  }
  return out;
}

/** Milliseconds to compute last year's province statistics straight from the dossiers (no figures). */
export async function directProvinceYear(ctx: JobContext): Promise<number> {
  const year = lastYear();
  const t = performance.now();
  await periodStatistics(ctx.db, {
    unitPath: `${PROVINCE_CODE}/`,
    attribution: 'resolving',
    from: `${year}-01-01`,
    to: `${year}-12-31`,
    groupBy: 'none',
    granularity: 'day',
    asOf: ctx.clock(),
  });
  return performance.now() - t;
}

async function waitFor(check: () => Promise<boolean>, pollMs: number): Promise<number> {
  const t = performance.now();
  while (performance.now() - t < 120_000) {
    if (await check()) return (performance.now() - t) / 1000;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return NaN;
}

/**
 * Seconds until a back-dated resolution shows in GET /v1/stats, and until a new intake's due-soon alert
 * shows in GET /v1/alerts, with the jobs running in this process on the intervals of `ctx.config`. The jobs
 * start as a worker that has kept up would: the relay positioned at the end of the outbox.
 */
export async function changeVisibility(
  s: Session,
  ctx: JobContext,
): Promise<{ stats: number; alert: number }> {
  const db = ctx.db;
  await db.execute(sql`
    insert into outbox_cursors (name, last_txid, last_id)
    select 'in-process', txid, id from outbox order by txid desc, id desc limit 1
    on conflict (name) do update set last_txid = excluded.last_txid, last_id = excluded.last_id`);
  const yesterday = addDays(localDateOf(new Date()), -1);
  const [open] = await rowsOf<{ id: number; code: string }>(
    db.execute(sql`select id, code from dossiers
      where status in ('received', 'processing') and received_at < now() - interval '2 days'
        and updated_at < now() - interval '2 days' and id <= ${s.sample.maxId}
      order by id desc limit 1`),
  );
  const [proc] = await rowsOf<{ code: string; value: string; unit: string }>(
    db.execute(sql`select code, duration_value as value, duration_unit as unit from procedures
      where active order by code limit 1`),
  );
  await saveDossiers(s.client, [Number(open!.id)]);
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${s.api.base}${path}`, {
      method,
      headers: authorized(key),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const resolvedYesterday = async () => {
    const page = await call(
      'GET',
      `/v1/stats?unitCode=${PROVINCE_CODE}&from=${yesterday}&to=${yesterday}`,
      s.keys.viewer,
    );
    return (page as { totals: { resolved: { total: number } } }).totals.resolved.total;
  };

  const jobs = startInProcessJobs(ctx);
  try {
    const before = await resolvedYesterday();
    const at = new Date(Date.parse(`${yesterday}T15:00:00+07:00`)).toISOString();
    await call('POST', `/v1/dossiers/${open!.code}/resolve`, s.keys.clerk, { result: 'approved', at });
    const stats = await waitFor(async () => (await resolvedYesterday()) === before + 1, 250);
    // A fresh intake of a procedure with a short time is due soon at once: its alert.
    await db.execute(
      sql`update procedures set duration_value = 4, duration_unit = 'working_hours' where code = ${proc!.code}`,
    );
    const intake = await call('POST', '/v1/dossiers', s.keys.clerk, {
      procedureCode: proc!.code,
      unitCode: PROVINCE_CODE,
      channel: 'direct',
      applicant: { type: 'citizen', fullName: 'Đo Thời Gian' },
    });
    const alert = await waitFor(async () => {
      const page = await call('GET', `/v1/alerts?dossierCode=${String(intake.code)}`, s.keys.clerk);
      return (page.items as unknown[]).length > 0;
    }, 100);
    return { stats, alert };
  } finally {
    await jobs.close();
    await db.execute(
      sql`update procedures set duration_value = ${proc!.value}, duration_unit = ${proc!.unit} where code = ${proc!.code}`,
    );
  }
}

export const statsTable = (rows: StatsTiming[]) => [
  ['province query', 'served from', 'p50 ms', 'p95 ms', 'p99 ms'],
  ...rows.map((r) => [r.label, r.source, fmt(r.p50, 1), fmt(r.p95, 1), fmt(r.p99, 1)]),
];
