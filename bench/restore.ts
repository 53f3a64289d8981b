/**
 * Puts the benchmark database back as the seed left it after a run, so runs repeat on the same data: rows the
 * run added (dossiers, their history, outbox rows, alerts, the run's keys) are deleted, and the seeded
 * dossiers it changed get their saved rows back (the dossier, its pauses and its step runs). The point is kept in the database itself, so a run that
 * died half-way is undone by the next one before it starts.
 */
import pg from 'pg';

const TABLES = [
  'dossiers',
  'dossier_events',
  'dossier_deadlines',
  'dossier_pauses',
  'dossier_steps',
  'outbox',
  'alerts',
] as const;
type Point = Record<(typeof TABLES)[number], number>;

/** Keys the benchmarks create are named with this prefix. */
export const KEY_PREFIX = 'bench: ';

/** Records where the data stands; first undoes a run that died before restoring. */
export async function takeRestorePoint(client: pg.Client): Promise<void> {
  await restore(client);
  const point = {} as Point;
  for (const t of TABLES) {
    const { rows } = await client.query<{ max: string }>(`select coalesce(max(id), 0) as max from ${t}`);
    point[t] = Number(rows[0]!.max);
  }
  await client.query('create table bench_restore_point (point jsonb not null)');
  await client.query('insert into bench_restore_point values ($1)', [JSON.stringify(point)]);
  await client.query('create table bench_saved_dossiers as select * from dossiers with no data');
  await client.query('create table bench_saved_pauses as select * from dossier_pauses with no data');
  await client.query('create table bench_saved_steps as select * from dossier_steps with no data');
}

/** Saves the rows of seeded dossiers the run is about to change (once each). */
export async function saveDossiers(client: pg.Client, ids: number[]): Promise<void> {
  await client.query(
    `insert into bench_saved_dossiers select * from dossiers d
      where id = any($1::bigint[]) and not exists (select 1 from bench_saved_dossiers s where s.id = d.id)`,
    [ids],
  );
  await client.query(
    `insert into bench_saved_pauses select * from dossier_pauses p
      where dossier_id = any($1::bigint[]) and not exists (select 1 from bench_saved_pauses s where s.id = p.id)`,
    [ids],
  );
  await client.query(
    `insert into bench_saved_steps select * from dossier_steps r
      where dossier_id = any($1::bigint[]) and not exists (select 1 from bench_saved_steps s where s.id = r.id)`,
    [ids],
  );
}

/** Back to the restore point, if one is recorded; the figures of the days the run touched are marked dirty. */
export async function restore(client: pg.Client): Promise<void> {
  const { rows: exists } = await client.query<{ t: string | null }>(
    `select to_regclass('bench_restore_point')::text as t`,
  );
  if (!exists[0]!.t) return;
  const { rows } = await client.query<{ point: Point }>('select point from bench_restore_point');
  const p = rows[0]?.point;
  if (p) {
    await client.query('begin');
    // The receiving and resolving units of every dossier the run touched, from the local day of its first change.
    await client.query(
      `insert into stats_dirty (unit_code, from_day)
       select u.code, min((e.at at time zone 'Asia/Ho_Chi_Minh')::date)
         from dossier_events e join dossiers d on d.id = e.dossier_id
         cross join lateral (values (d.unit_code), (d.resolving_unit_code)) u(code)
        where e.id > $1 group by u.code
       on conflict (unit_code) do update
         set from_day = least(stats_dirty.from_day, excluded.from_day), marked_at = now()`,
      [p.dossier_events],
    );
    await client.query('delete from outbox where id > $1', [p.outbox]);
    // Every row a run adds gets a higher id than any before it, its dossier's included.
    // A point taken before step rows existed has no dossier_steps entry: the run's own dossiers' rows go then.
    await client.query('delete from dossier_steps where id > $1 or dossier_id > $2', [
      p.dossier_steps ?? Number.MAX_SAFE_INTEGER,
      p.dossiers,
    ]);
    for (const t of ['alerts', 'dossier_events', 'dossier_deadlines', 'dossier_pauses', 'dossiers'] as const)
      await client.query(`delete from ${t} where id > $1`, [p[t]]);
    const { rows: columns } = await client.query<{ name: string }>(
      `select column_name as name from information_schema.columns
        where table_schema = 'public' and table_name = 'dossiers' and column_name <> 'id'
          and is_generated = 'NEVER'
          -- a column added by a migration since the point was taken keeps its value
          and column_name in (select column_name from information_schema.columns
                               where table_schema = 'public' and table_name = 'bench_saved_dossiers')`,
    );
    await client.query(
      `update dossiers d set ${columns.map((c) => `"${c.name}" = s."${c.name}"`).join(', ')}
         from bench_saved_dossiers s where s.id = d.id`,
    );
    await client.query(
      'update dossier_pauses p set resumed_at = s.resumed_at from bench_saved_pauses s where s.id = p.id',
    );
    // A point taken before step rows were saved has no such table: nothing to put back then.
    const { rows: savedSteps } = await client.query<{ t: string | null }>(
      `select to_regclass('bench_saved_steps')::text as t`,
    );
    if (savedSteps[0]!.t) {
      await client.query(
        `update dossier_steps r set due_at = s.due_at, end_at = s.end_at, outcome = s.outcome,
           paused_minutes = s.paused_minutes, pauses = s.pauses
           from bench_saved_steps s where s.id = r.id`,
      );
    }
    await client.query(
      `delete from idempotency_keys where api_key_id in (select id from api_keys where name like $1)`,
      [`${KEY_PREFIX}%`],
    );
    await client.query('delete from api_keys where name like $1', [`${KEY_PREFIX}%`]);
    // How yesterday ended for the dossiers changed today, judged by the run's snapshots, named dossiers deleted
    // above and dossiers put back: the next snapshot judges the day's changes again. The snapshots are marked as
    // counted by no one (as bench/pgbench.ts does): their slots' next ones count every dossier, where they would
    // count again only what the outbox says changed, and the put back announces nothing.
    await client.query('delete from stats_today_judged');
    await client.query('update stats_today_snapshots set shares_at = null');
    await client.query('commit');
  }
  await client.query(
    'drop table if exists bench_restore_point, bench_saved_dossiers, bench_saved_pauses, bench_saved_steps',
  );
  await client.query(`vacuum (analyze) ${TABLES.join(', ')}`);
}
