import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { escapeLike } from '../db/sql.js';
import { answerInstants, emptyTally, type Tally } from '../domain/statistics.js';
import type { Granularity } from '../domain/timeliness.js';

export type GroupBy = 'none' | 'unit' | 'procedure' | 'field' | 'channel';

/** 'cell' = unit|procedure|channel: the grain of the maintained figures (src/stats/figures.ts). */
const groupKeys: Record<GroupBy | 'cell', { key: SQL; label: SQL }> = {
  cell: { key: sql`unit_code || '|' || procedure_code || '|' || channel`, label: sql`''` },
  none: { key: sql`'all'`, label: sql`'all'` },
  unit: { key: sql`unit_code`, label: sql`unit_name` },
  procedure: { key: sql`procedure_code`, label: sql`procedure_name` },
  field: { key: sql`field_code`, label: sql`field_name` },
  channel: { key: sql`channel`, label: sql`channel` },
};

interface Row {
  key: string;
  label: string;
  carried_over: number;
  new: number;
  online: number;
  direct: number;
  postal: number;
  early: number;
  on_time: number;
  overdue: number;
  withdrawn: number;
  stopped: number;
  pending: number;
  pending_overdue: number;
}

export interface GroupTally {
  key: string;
  label: string;
  tally: Tally;
}

/**
 * The "overdue before" threshold of a dossier pending at the instant `at` (an SQL timestamptz): its due makes it
 * overdue when it lies before the midnight beginning `at`'s local date (granularity 'day') or before `at`
 * ('instant'). The SQL twin of overdueBefore in src/domain/timeliness.ts, used by every statistics query.
 */
export function overdueBeforeSql(at: SQL, granularity: Granularity): SQL {
  return granularity === 'day'
    ? sql`(date_trunc('day', (${at}) at time zone 'Asia/Ho_Chi_Minh') at time zone 'Asia/Ho_Chi_Minh')`
    : at;
}

/** Whether a dossier's clock runs at `at`: no pause cycle holds that instant. */
export function notPausedAt(dossierId: SQL, at: Date): SQL {
  return sql`not exists (
      select 1 from dossier_pauses dp
      where dp.dossier_id = ${dossierId} and dp.paused_at <= ${at} and (dp.resumed_at is null or dp.resumed_at > ${at}))`;
}

/**
 * Whether a dossier pending at `at` is overdue then (DOMAIN.md section 7): not paused at `at`, and the
 * statutory due in force at `at` (the history row with the latest effective_at ≤ it) lies before the
 * threshold of overdueBeforeSql.
 */
export function overdueAt(dossierId: SQL, at: Date, granularity: Granularity): SQL {
  return sql`(${notPausedAt(dossierId, at)}
    and coalesce((
      select dd.due_at from dossier_deadlines dd
      where dd.dossier_id = ${dossierId} and dd.kind = 'statutory' and dd.effective_at <= ${at}
      order by dd.effective_at desc, dd.id desc limit 1) < ${overdueBeforeSql(sql`${at}::timestamptz`, granularity)}, false))`;
}

/**
 * The II.06a columns for the dossiers received by units under `unitPath`, over [from, to], as answered at
 * `asOf`, computed from the dossiers, their statutory due history and their pause cycles: the same rule as
 * src/domain/statistics.ts (pending judged at T, the end of B or `asOf` while B has not ended).
 */
export async function periodStatistics(
  db: DbOrTx,
  q: {
    unitPath: string | null;
    /** Only these receiving units (not their subtrees), instead of `unitPath`. */
    unitCodes?: string[];
    from: string;
    to: string;
    groupBy: GroupBy | 'cell';
    granularity: Granularity;
    asOf: Date;
  },
): Promise<GroupTally[]> {
  // Nothing after T counts: received and finished mean before `cut` (T + 1 ms), carried over before `open`.
  const { open, cut, at } = answerInstants(q.from, q.to, q.asOf);
  const { key, label } = groupKeys[q.groupBy];
  const scope = q.unitCodes
    ? sql`d.unit_code = any(${sql.param(q.unitCodes)}::text[])`
    : q.unitPath === null
      ? sql`true`
      : sql`u.path like ${escapeLike(q.unitPath) + '%'}`;
  const result = await db.execute(sql`
    with base as (
      select d.id, d.unit_code, u.name as unit_name, d.procedure_code, p.name as procedure_name,
             p.field_code, p.field_name, d.channel, d.status, d.received_at, d.finished_at, d.outcome,
             (d.finished_at is null or d.finished_at >= ${cut}) as pending
      from dossiers d
      join units u on u.code = d.unit_code
      join procedures p on p.code = d.procedure_code
      where ${scope}
        and d.received_at < ${cut}
        and (d.finished_at is null or d.finished_at >= ${open})
    ), judged as (
      select b.*, b.pending and ${overdueAt(sql`b.id`, at, q.granularity)} as overdue_at_t
      from base b
    )
    select ${key} as key, ${label} as label,
      count(*) filter (where received_at < ${open})::int as carried_over,
      count(*) filter (where received_at >= ${open})::int as new,
      count(*) filter (where received_at >= ${open} and channel = 'online')::int as online,
      count(*) filter (where received_at >= ${open} and channel = 'direct')::int as direct,
      count(*) filter (where received_at >= ${open} and channel = 'postal')::int as postal,
      count(*) filter (where not pending and status in ('resolved', 'returned') and outcome = 'early')::int as early,
      count(*) filter (where not pending and status in ('resolved', 'returned') and outcome = 'on_time')::int as on_time,
      count(*) filter (where not pending and status in ('resolved', 'returned')
                       and (outcome is null or outcome = 'overdue'))::int as overdue,
      count(*) filter (where not pending and status = 'withdrawn')::int as withdrawn,
      count(*) filter (where not pending and status not in ('resolved', 'returned', 'withdrawn'))::int as stopped,
      count(*) filter (where pending)::int as pending,
      count(*) filter (where overdue_at_t)::int as pending_overdue
    from judged
    group by 1, 2
    order by 1`);
  return (result as unknown as { rows: Row[] }).rows.map(toGroupTally);
}

function toGroupTally(r: Row): GroupTally {
  const t = emptyTally();
  t.received = {
    total: r.carried_over + r.new,
    carriedOver: r.carried_over,
    new: r.new,
    online: r.online,
    direct: r.direct,
    postal: r.postal,
  };
  t.resolved = {
    total: r.early + r.on_time + r.overdue,
    early: r.early,
    onTime: r.on_time,
    overdue: r.overdue,
  };
  t.withdrawn = r.withdrawn;
  t.stopped = r.stopped;
  t.pending = { total: r.pending, notYetDue: r.pending - r.pending_overdue, overdue: r.pending_overdue };
  return { key: r.key, label: r.label, tally: t };
}
