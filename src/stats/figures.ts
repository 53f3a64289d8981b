/**
 * The statistics figures the worker maintains, and the statistics served from them.
 *
 * For every closed local day (before today) and every receiving unit, procedure and channel, `stats_daily`
 * holds that day's flows and the pending-overdue count at its end: the rule of the direct statistics
 * (src/stats/queries.ts) applied to each single day, computed set-based for a range of days (tests hold the two
 * equal day by day and over every kind of period). Rollups by unit and
 * channel per day and per month make province-wide totals cheap. A change marks its receiving unit dirty from
 * the change's local day (late entries reach back); the refresh job recomputes dirty days and closes each new
 * day. Today is always counted live, up to the moment of the answer, and so is a unit whose figures wait for a
 * recompute (its dossiers' tally is added to the other units' figures). A period that has ended takes its
 * pending-overdue count from the figures of its last day; one that has not is judged at the moment of the
 * answer, live. Figures are used only when every day the period needs is closed; otherwise the whole answer is
 * computed straight from the dossiers (same numbers, slower).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { escapeLike } from '../db/sql.js';
import { addDays, dayNumberOf, daysInMonth, localDateOf, type LocalDate } from '../domain/local-time.js';
import { addTallies, answerInstants, emptyTally, periodInstants, type Tally } from '../domain/statistics.js';
import type { Granularity } from '../domain/timeliness.js';
import type { JobContext, OutboxEvent } from '../jobs/context.js';
import { notPausedAt, overdueBeforeSql, periodStatistics, type GroupBy, type GroupTally } from './queries.js';

const CLOSED_STATE = 'stats-closed-through';
const EARLIEST: LocalDate = '1990-01-01';

type Rows<T> = { rows: T[] };
const rowsOf = async <T>(q: Promise<unknown>) => ((await q) as Rows<T>).rows;

// ---------------------------------------------------------------------------------------------------------
// Maintenance (worker)

/** Event handler: a dossier change marks its receiving unit dirty from the change's local day. */
export async function markStatsDirty(db: DbOrTx, event: OutboxEvent): Promise<void> {
  if (!event.unitCode) return;
  const day = localDateOf(new Date(event.occurredAt));
  await db.execute(sql`
    insert into stats_dirty (unit_code, from_day) values (${event.unitCode}, ${day})
    on conflict (unit_code) do update set from_day = least(stats_dirty.from_day, excluded.from_day), marked_at = now()`);
}

/** The last local day of `day`'s month. */
function monthEndOf(day: LocalDate): LocalDate {
  return `${day.slice(0, 8)}${String(daysInMonth(Number(day.slice(0, 4)), Number(day.slice(5, 7)))).padStart(2, '0')}`;
}

/** The monthly rollups, each summed from its daily table. */
const monthlyRollups = [
  { table: sql`stats_unit_monthly`, daily: sql`stats_unit_daily`, keys: sql`unit_code, channel` },
  {
    table: sql`stats_procedure_monthly`,
    daily: sql`stats_daily`,
    keys: sql`unit_code, procedure_code, channel`,
  },
];

/**
 * Recomputes the figures of the days [from, to] (at most a few months: one statement, one transaction), for
 * one receiving unit or (null) all of them, with their rollups. Set-based, and the same rule as the direct
 * statistics (src/stats/queries.ts) applied to each single day: the flows are the dossiers received and
 * finished that day; a dossier is pending and overdue at the end of day D when it was received before D ended,
 * not finished by then, not paused at D's last instant, and the statutory due in force at that instant (the
 * deadline-history row with the latest effective_at ≤ it) falls before the overdue-before threshold of that
 * instant (overdueBeforeSql: D's midnight with granularity 'day', the instant itself with 'instant'). Only the
 * days each dossier could be overdue are visited: from its first possible due to the end of its statutory
 * segment, its finish or the range.
 */
export async function refreshDays(
  db: DbOrTx,
  from: LocalDate,
  to: LocalDate,
  unitCode: string | null,
  granularity: Granularity,
) {
  const { start, end } = periodInstants(from, to);
  const last = dayNumberOf(to) - dayNumberOf(from);
  const only = (column: SQL) => (unitCode ? sql`and ${column} = ${unitCode}` : sql``);
  // Day n of the range begins at start + n days (Vietnam keeps one UTC offset all year).
  const t0 = sql`${start}::timestamptz`;
  const dayOf = (at: SQL) => sql`floor(extract(epoch from ${at} - ${t0}) / 86400)::int`;
  const dayEnd = (n: SQL) => sql`${t0} + (${n} + 1) * interval '1 day'`;
  const lastInstant = (n: SQL) => sql`${dayEnd(n)} - interval '1 millisecond'`;
  const n = sql`g.n`;
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`delete from stats_daily where day between ${from} and ${to} ${only(sql`unit_code`)}`,
    );
    await tx.execute(sql`
      insert into stats_daily (day, unit_code, procedure_code, channel, received, early, on_time, overdue, withdrawn, stopped, pending_overdue)
      with received as (
        select ${dayOf(sql`d.received_at`)} as n, d.unit_code, d.procedure_code, d.channel, count(*)::int as received
        from dossiers d
        where d.received_at >= ${start} and d.received_at < ${end} ${only(sql`d.unit_code`)}
        group by 1, 2, 3, 4
      ), finished as (
        select ${dayOf(sql`d.finished_at`)} as n, d.unit_code, d.procedure_code, d.channel,
          count(*) filter (where d.status in ('resolved', 'returned') and d.outcome = 'early')::int as early,
          count(*) filter (where d.status in ('resolved', 'returned') and d.outcome = 'on_time')::int as on_time,
          count(*) filter (where d.status in ('resolved', 'returned') and (d.outcome is null or d.outcome = 'overdue'))::int as overdue,
          count(*) filter (where d.status = 'withdrawn')::int as withdrawn,
          count(*) filter (where d.status not in ('resolved', 'returned', 'withdrawn'))::int as stopped
        from dossiers d
        where d.finished_at >= ${start} and d.finished_at < ${end} ${only(sql`d.unit_code`)}
          and d.received_at < ${dayEnd(dayOf(sql`d.finished_at`))}
        group by 1, 2, 3, 4
      ), candidates as (
        select d.id, d.unit_code, d.procedure_code, d.channel, d.received_at, d.finished_at
        from dossiers d
        where d.received_at < ${end} and d.finished_at >= ${dayEnd(sql`0`)} ${only(sql`d.unit_code`)}
        union all
        select d.id, d.unit_code, d.procedure_code, d.channel, d.received_at, d.finished_at
        from dossiers d
        where d.received_at < ${end} and d.finished_at is null ${only(sql`d.unit_code`)}
      ), segments as (
        select dd.dossier_id, dd.due_at, dd.effective_at as seg_start,
          lead(dd.effective_at) over (partition by dd.dossier_id order by dd.effective_at, dd.id) as seg_end
        from dossier_deadlines dd
        where dd.kind = 'statutory' and dd.dossier_id in (select id from candidates)
      ), pending_overdue as (
        select ${n} as n, c.unit_code, c.procedure_code, c.channel, count(*)::int as pending_overdue
        from candidates c
        join segments s on s.dossier_id = c.id and s.due_at < ${end}
        cross join lateral generate_series(
          greatest(0, ${dayOf(sql`c.received_at`)}, ${dayOf(sql`s.seg_start`)}, ${dayOf(sql`s.due_at`)}),
          least(${last}, coalesce(${dayOf(sql`c.finished_at`)}, ${last}), coalesce(${dayOf(sql`s.seg_end`)}, ${last}))
        ) g(n)
        where c.received_at < ${dayEnd(n)}
          and (c.finished_at is null or c.finished_at >= ${dayEnd(n)})
          and s.seg_start <= ${lastInstant(n)}
          and (s.seg_end is null or s.seg_end > ${lastInstant(n)})
          and s.due_at < ${overdueBeforeSql(lastInstant(n), granularity)}
          and not exists (
            select 1 from dossier_pauses dp
            where dp.dossier_id = c.id and dp.paused_at <= ${lastInstant(n)}
              and (dp.resumed_at is null or dp.resumed_at > ${lastInstant(n)}))
        group by 1, 2, 3, 4
      )
      select ${from}::date + n, unit_code, procedure_code, channel, sum(received), sum(early), sum(on_time),
        sum(overdue), sum(withdrawn), sum(stopped), sum(pending_overdue)
      from (
        select n, unit_code, procedure_code, channel, received, 0 as early, 0 as on_time, 0 as overdue,
          0 as withdrawn, 0 as stopped, 0 as pending_overdue from received
        union all
        select n, unit_code, procedure_code, channel, 0, early, on_time, overdue, withdrawn, stopped, 0 from finished
        union all
        select n, unit_code, procedure_code, channel, 0, 0, 0, 0, 0, 0, pending_overdue from pending_overdue
      ) cells
      group by n, unit_code, procedure_code, channel`);

    const sums = sql`sum(received), sum(early), sum(on_time), sum(overdue), sum(withdrawn), sum(stopped), sum(pending_overdue)`;
    const columns = sql`received, early, on_time, overdue, withdrawn, stopped, pending_overdue`;
    await tx.execute(
      sql`delete from stats_unit_daily where day between ${from} and ${to} ${only(sql`unit_code`)}`,
    );
    await tx.execute(sql`
      insert into stats_unit_daily (day, unit_code, channel, ${columns})
      select day, unit_code, channel, ${sums} from stats_daily where day between ${from} and ${to} ${only(sql`unit_code`)}
      group by day, unit_code, channel`);
    const firstMonth = `${from.slice(0, 8)}01`;
    const lastMonthEnd = monthEndOf(to);
    for (const { table, daily, keys } of monthlyRollups) {
      await tx.execute(
        sql`delete from ${table} where month between ${firstMonth} and ${to} ${only(sql`unit_code`)}`,
      );
      await tx.execute(sql`
        insert into ${table} (month, ${keys}, ${columns})
        select date_trunc('month', day)::date, ${keys}, ${sums} from ${daily}
        where day between ${firstMonth} and ${lastMonthEnd} ${only(sql`unit_code`)}
        group by 1, ${keys}`);
    }
  });
}

async function closedThrough(db: DbOrTx): Promise<LocalDate | null> {
  const [row] = await rowsOf<{ value: { day?: string } }>(
    db.execute(sql`select value from job_state where name = ${CLOSED_STATE}`),
  );
  return row?.value.day ?? null;
}

async function saveClosedThrough(db: DbOrTx, day: LocalDate) {
  await db.execute(sql`
    insert into job_state (name, value) values (${CLOSED_STATE}, ${JSON.stringify({ day })}::jsonb)
    on conflict (name) do update set value = excluded.value, updated_at = now()`);
}

/**
 * Scheduled job: closes the days that ended since the last run, oldest first, a month (at most) per statement
 * and for about `maxMs` per run, so a first run over a long history proceeds in steps and a stopping worker
 * never waits long; then recomputes the dirty units' days up to the last closed day. Returns the number of
 * days computed. Safe with two workers: each step recomputes from the dossiers and writes whole days.
 */
export async function refreshStats(ctx: JobContext, maxMs = 10_000): Promise<number> {
  const started = Date.now();
  const timeLeft = () => Date.now() - started < maxMs;
  const granularity = ctx.config.OUTCOME_GRANULARITY;
  const yesterday = addDays(localDateOf(ctx.clock()), -1);
  const upTo = (from: LocalDate, limit: LocalDate) => {
    const monthEnd = monthEndOf(from);
    return monthEnd < limit ? monthEnd : limit;
  };
  let closed = await closedThrough(ctx.db);
  if (closed === null) {
    const [first] = await rowsOf<{ day: string | null }>(
      ctx.db.execute(
        sql`select (min(received_at) at time zone 'Asia/Ho_Chi_Minh')::date::text as day from dossiers`,
      ),
    );
    closed = first?.day ? addDays(first.day, -1) : yesterday;
  }
  let work = 0;
  while (closed < yesterday && timeLeft()) {
    const from = addDays(closed, 1);
    const to = upTo(from, yesterday);
    await refreshDays(ctx.db, from, to, null, granularity);
    work += dayNumberOf(to) - dayNumberOf(from) + 1;
    closed = to;
    await saveClosedThrough(ctx.db, closed);
  }
  if (work === 0) await saveClosedThrough(ctx.db, closed);

  const dirty = await rowsOf<{ unit_code: string; from_day: string; marked_at: string }>(
    ctx.db.execute(
      sql`select unit_code, from_day::text, marked_at::text from stats_dirty where from_day <= ${closed} order by from_day limit 50`,
    ),
  );
  for (const d of dirty) {
    if (!timeLeft()) break;
    for (let from = d.from_day; from <= closed;) {
      const to = upTo(from, closed);
      await refreshDays(ctx.db, from, to, d.unit_code, granularity);
      work += dayNumberOf(to) - dayNumberOf(from) + 1;
      from = addDays(to, 1);
    }
    // Only if nobody marked it again meanwhile.
    await ctx.db.execute(
      sql`delete from stats_dirty where unit_code = ${d.unit_code} and marked_at = ${d.marked_at}::timestamptz`,
    );
  }
  return work;
}

// ---------------------------------------------------------------------------------------------------------
// Serving

interface Counts {
  key: string;
  label: string;
  received: number;
  early: number;
  on_time: number;
  overdue: number;
  withdrawn: number;
  stopped: number;
  online: number;
  direct: number;
  postal: number;
}

/** How a group is keyed, over the figures (alias f, with units u and procedures p joined). */
function grouping(groupBy: GroupBy): { key: SQL; label: SQL; byProcedure: boolean } {
  switch (groupBy) {
    case 'none':
      return { key: sql`'all'`, label: sql`'all'`, byProcedure: false };
    case 'unit':
      return { key: sql`f.unit_code`, label: sql`u.name`, byProcedure: false };
    case 'channel':
      return { key: sql`f.channel`, label: sql`f.channel`, byProcedure: false };
    case 'procedure':
      return { key: sql`f.procedure_code`, label: sql`p.name`, byProcedure: true };
    case 'field':
      return { key: sql`p.field_code`, label: sql`p.field_name`, byProcedure: true };
  }
}

const flowColumns = sql`
  sum(f.received)::int as received, sum(f.early)::int as early, sum(f.on_time)::int as on_time,
  sum(f.overdue)::int as overdue, sum(f.withdrawn)::int as withdrawn, sum(f.stopped)::int as stopped,
  sum(f.received) filter (where f.channel = 'online')::int as online,
  sum(f.received) filter (where f.channel = 'direct')::int as direct,
  sum(f.received) filter (where f.channel = 'postal')::int as postal`;

/** Stored flows over [from, to] (closed days only): whole months from the monthly rollup, the rest by day. */
async function storedFlows(
  db: DbOrTx,
  scope: SQL,
  g: ReturnType<typeof grouping>,
  from: LocalDate,
  to: LocalDate,
) {
  if (from > to) return [];
  const joins = sql`join units u on u.code = f.unit_code ${g.byProcedure ? sql`join procedures p on p.code = f.procedure_code` : sql``}`;
  // Procedure grain for groupings by procedure or field, else the smaller unit grain; whole months inside
  // [from, to] come from the monthly rollup.
  const [daily, monthly] = g.byProcedure
    ? [sql`stats_daily`, sql`stats_procedure_monthly`]
    : [sql`stats_unit_daily`, sql`stats_unit_monthly`];
  const firstFull = from.endsWith('-01') ? from : `${addDays(`${from.slice(0, 8)}28`, 4).slice(0, 8)}01`;
  const lastFullEnd = addDays(to, 1).endsWith('-01') ? to : addDays(`${to.slice(0, 8)}01`, -1);
  const months = firstFull <= lastFullEnd;
  // The days outside the whole months (all of [from, to] when it holds none), read by day.
  const edges: Array<[LocalDate, LocalDate]> = months
    ? [
        [from, addDays(firstFull, -1)],
        [addDays(lastFullEnd, 1), to],
      ]
    : [[from, to]];
  const days = edges.filter(([a, b]) => a <= b).map(([a, b]) => sql`f.day between ${a} and ${b}`);
  const parts = [
    ...(days.length
      ? [
          sql`select ${g.key} as key, ${g.label} as label, ${flowColumns} from ${daily} f ${joins}
              where ${scope} and (${sql.join(days, sql` or `)}) group by 1, 2`,
        ]
      : []),
    ...(months
      ? [
          sql`select ${g.key} as key, ${g.label} as label, ${flowColumns} from ${monthly} f ${joins}
              where ${scope} and f.month between ${firstFull} and ${lastFullEnd} group by 1, 2`,
        ]
      : []),
  ];
  return rowsOf<Counts>(
    db.execute(sql`
      select key, label, sum(received)::int as received, sum(early)::int as early, sum(on_time)::int as on_time,
        sum(overdue)::int as overdue, sum(withdrawn)::int as withdrawn, sum(stopped)::int as stopped,
        sum(online)::int as online, sum(direct)::int as direct, sum(postal)::int as postal
      from (${sql.join(parts, sql` union all `)}) parts group by 1, 2`),
  );
}

/** Today's flows up to the moment of the answer (nothing after it counts), live from the dossiers. */
async function liveFlows(
  db: DbOrTx,
  scope: SQL,
  g: ReturnType<typeof grouping>,
  today: LocalDate,
  asOf: Date,
) {
  const { open: start, cut } = answerInstants(today, today, asOf);
  const received = sql`(f.received_at >= ${start} and f.received_at < ${cut})`;
  const finished = sql`(f.finished_at >= ${start} and f.finished_at < ${cut} and f.received_at < ${cut})`;
  return rowsOf<Counts>(
    db.execute(sql`
      select ${g.key} as key, ${g.label} as label,
        count(*) filter (where ${received})::int as received,
        count(*) filter (where ${finished} and f.status in ('resolved', 'returned') and f.outcome = 'early')::int as early,
        count(*) filter (where ${finished} and f.status in ('resolved', 'returned') and f.outcome = 'on_time')::int as on_time,
        count(*) filter (where ${finished} and f.status in ('resolved', 'returned') and (f.outcome is null or f.outcome = 'overdue'))::int as overdue,
        count(*) filter (where ${finished} and f.status = 'withdrawn')::int as withdrawn,
        count(*) filter (where ${finished} and f.status not in ('resolved', 'returned', 'withdrawn'))::int as stopped,
        count(*) filter (where ${received} and f.channel = 'online')::int as online,
        count(*) filter (where ${received} and f.channel = 'direct')::int as direct,
        count(*) filter (where ${received} and f.channel = 'postal')::int as postal
      from dossiers f join units u on u.code = f.unit_code ${g.byProcedure ? sql`join procedures p on p.code = f.procedure_code` : sql``}
      where ${scope} and (${received} or ${finished})
      group by 1, 2`),
  );
}

/**
 * Pending and overdue at the moment of the answer (a period not yet ended is judged then): received by it, not
 * finished by then, not paused then, and the statutory due in force then before the overdue-before threshold.
 * When nothing has been recorded after that moment (the usual case: the answer is given now, and no action may
 * be dated in the future), each dossier's row holds its state at that moment and the row's status and due are
 * read through the status-due indexes; otherwise the due in force then is read from each open dossier's history.
 */
async function livePendingOverdue(
  db: DbOrTx,
  scope: SQL,
  g: ReturnType<typeof grouping>,
  asOf: Date,
  granularity: Granularity,
) {
  const { cut, at } = answerInstants(localDateOf(asOf), localDateOf(asOf), asOf);
  const threshold = overdueBeforeSql(sql`${at}::timestamptz`, granularity);
  const from = sql`dossiers f join units u on u.code = f.unit_code ${g.byProcedure ? sql`join procedures p on p.code = f.procedure_code` : sql``}`;
  if (!(await recordedAfter(db, at))) {
    return rowsOf<{ key: string; label: string; n: number }>(
      db.execute(sql`
        select ${g.key} as key, ${g.label} as label, count(*)::int as n
        from ${from}
        where ${scope} and f.finished_at is null and f.status in ('received', 'processing') and f.due_at < ${threshold}
        group by 1, 2`),
    );
  }
  return rowsOf<{ key: string; label: string; n: number }>(
    db.execute(sql`
      with open as (
        select f.id, ${g.key} as key, ${g.label} as label
        from ${from}
        where ${scope} and f.received_at < ${cut} and (f.finished_at is null or f.finished_at >= ${cut})
      ), due as (
        select distinct on (dd.dossier_id) dd.dossier_id, dd.due_at
        from dossier_deadlines dd join open o on o.id = dd.dossier_id
        where dd.kind = 'statutory' and dd.effective_at <= ${at}
        order by dd.dossier_id, dd.effective_at desc, dd.id desc
      )
      select o.key, o.label, count(*)::int as n
      from open o join due d on d.dossier_id = o.id
      where d.due_at < ${threshold} and ${notPausedAt(sql`o.id`, at)}
      group by 1, 2`),
  );
}

/**
 * Whether any dossier changed after `at`: every change appends an event, recorded at the time it is written, so
 * the newest events tell (read from the end of the primary key, a few rows).
 */
async function recordedAfter(db: DbOrTx, at: Date): Promise<boolean> {
  const [row] = await rowsOf<{ later: boolean }>(
    db.execute(sql`
      select coalesce(max(recorded_at) > ${at}::timestamptz, false) as later
      from (select recorded_at from dossier_events order by id desc limit 100) newest`),
  );
  return row?.later ?? false;
}

async function storedPendingOverdue(db: DbOrTx, scope: SQL, g: ReturnType<typeof grouping>, day: LocalDate) {
  const table = g.byProcedure ? sql`stats_daily` : sql`stats_unit_daily`;
  return rowsOf<{ key: string; label: string; n: number }>(
    db.execute(sql`
      select ${g.key} as key, ${g.label} as label, sum(f.pending_overdue)::int as n
      from ${table} f join units u on u.code = f.unit_code ${g.byProcedure ? sql`join procedures p on p.code = f.procedure_code` : sql``}
      where ${scope} and f.day = ${day} and f.pending_overdue > 0
      group by 1, 2`),
  );
}

/**
 * Whether the figures cover every closed day the period needs (`closed`), and the units in the scope whose
 * figures wait for a recompute of a day the period needs (`dirty`).
 */
async function figuresState(
  db: DbOrTx,
  scope: SQL,
  needThrough: LocalDate,
): Promise<{ closed: boolean; dirty: string[] }> {
  const closed = await closedThrough(db);
  if (closed === null || closed < needThrough) return { closed: false, dirty: [] };
  const dirty = await rowsOf<{ unit_code: string }>(
    db.execute(
      sql`select f.unit_code from stats_dirty f join units u on u.code = f.unit_code where ${scope} and f.from_day <= ${needThrough}`,
    ),
  );
  return { closed: true, dirty: dirty.map((r) => r.unit_code) };
}

/**
 * The statistics of a period, from the maintained figures when every day it needs is closed (`source`
 * 'figures'; today, and the units whose figures wait for a recompute, counted from the dossiers and added, as
 * units partition the dossiers), else straight from the dossiers ('dossiers').
 */
export async function servedStatistics(
  db: DbOrTx,
  q: {
    unitPath: string | null;
    from: LocalDate;
    to: LocalDate;
    groupBy: GroupBy;
    granularity: Granularity;
    now: Date;
  },
): Promise<{ groups: GroupTally[]; source: 'figures' | 'dossiers' }> {
  const today = localDateOf(q.now);
  const scope = q.unitPath === null ? sql`true` : sql`u.path like ${escapeLike(q.unitPath) + '%'}`;
  const needThrough = q.to < today ? q.to : addDays(today, -1);
  const { closed, dirty } = await figuresState(db, scope, needThrough);
  if (!closed) return { groups: await periodStatistics(db, { ...q, asOf: q.now }), source: 'dossiers' };
  if (!dirty.length)
    return { groups: await fromFigures(db, scope, q, today, needThrough), source: 'figures' };
  // One after the other: fromFigures already runs its four reads at once.
  const clean = await fromFigures(
    db,
    sql`${scope} and u.code <> all(${sql.param(dirty)}::text[])`,
    q,
    today,
    needThrough,
  );
  const recomputing = await periodStatistics(db, { ...q, asOf: q.now, unitCodes: dirty });
  return { groups: mergeGroups(clean, recomputing), source: 'figures' };
}

/** Groups in the order of their keys (code point order, as the figures have always been served). */
const byKey = (a: GroupTally, b: GroupTally) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Two answers over disjoint sets of units, group by group. */
function mergeGroups(a: GroupTally[], b: GroupTally[]): GroupTally[] {
  const merged = new Map(a.map((g) => [g.key, g]));
  for (const g of b) {
    const other = merged.get(g.key);
    merged.set(g.key, other ? { ...other, tally: addTallies(other.tally, g.tally) } : g);
  }
  return [...merged.values()].sort(byKey);
}

/** The statistics of the units in `scope` from the figures (every day through `needThrough` closed). */
async function fromFigures(
  db: DbOrTx,
  scope: SQL,
  q: { from: LocalDate; to: LocalDate; groupBy: GroupBy; granularity: Granularity; now: Date },
  today: LocalDate,
  needThrough: LocalDate,
): Promise<GroupTally[]> {
  const yesterday = addDays(today, -1);
  const g = grouping(q.groupBy);
  const before = q.from <= today ? addDays(q.from, -1) : yesterday;
  const [carried, flows, live, pendingOverdue] = await Promise.all([
    storedFlows(db, scope, g, EARLIEST, before < yesterday ? before : yesterday),
    storedFlows(db, scope, g, q.from, needThrough),
    q.to >= today ? liveFlows(db, scope, g, today, q.now) : Promise.resolve([]),
    // A period that has ended is judged at its end (the figures of its last day), one that has not at `now`.
    q.to < today
      ? storedPendingOverdue(db, scope, g, q.to)
      : livePendingOverdue(db, scope, g, q.now, q.granularity),
  ]);
  const groups = new Map<string, { label: string; t: Tally }>();
  const at = (key: string, label: string) => {
    let entry = groups.get(key);
    if (!entry) groups.set(key, (entry = { label, t: emptyTally() }));
    return entry.t;
  };
  const finished = (c: Counts) => c.early + c.on_time + c.overdue + c.withdrawn + c.stopped;
  for (const c of carried) at(c.key, c.label).received.carriedOver += c.received - finished(c);
  const inPeriod = q.from <= today ? [...flows, ...live] : [];
  if (q.from > today)
    for (const c of live) at(c.key, c.label).received.carriedOver += c.received - finished(c);
  for (const c of inPeriod) {
    const t = at(c.key, c.label);
    t.received.new += c.received;
    t.received.online += c.online;
    t.received.direct += c.direct;
    t.received.postal += c.postal;
    t.resolved.early += c.early;
    t.resolved.onTime += c.on_time;
    t.resolved.overdue += c.overdue;
    t.withdrawn += c.withdrawn;
    t.stopped += c.stopped;
  }
  for (const p of pendingOverdue) at(p.key, p.label).pending.overdue += p.n;
  const result: GroupTally[] = [];
  for (const [key, { label, t }] of groups) {
    t.received.total = t.received.carriedOver + t.received.new;
    t.resolved.total = t.resolved.early + t.resolved.onTime + t.resolved.overdue;
    t.pending.total = t.received.total - t.resolved.total - t.withdrawn - t.stopped;
    t.pending.notYetDue = t.pending.total - t.pending.overdue;
    if (t.received.total > 0) result.push({ key, label, tally: t });
  }
  result.sort(byKey);
  return result;
}
