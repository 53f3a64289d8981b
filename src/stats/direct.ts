/**
 * The direct statistics: the II.06a columns of a period computed straight from the dossiers, their statutory
 * due history and their pause cycles, and the step figures from their step runs, composed of the rule's
 * fragments (./rule.ts).
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { rows } from '../db/sql.js';
import {
  addStepTallies,
  answerInstants,
  emptyStepTally,
  emptyTally,
  type Attribution,
  type StepTally,
  type Tally,
} from '../domain/statistics.js';
import type { Granularity } from '../domain/timeliness.js';
import {
  attributedDossiers,
  carriedOver,
  finishedCounts,
  grouping,
  involves,
  notFinishedBefore,
  pendingOverdueAt,
  receivedBefore,
  receivedCounts,
  receivedIn,
  byStepRun,
  stepCounts,
  stepRuns,
  unitScope,
  type GroupBy,
} from './rule.js';

interface Row {
  key: string;
  label: string;
  carried_over: number;
  received: number;
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
  steps: StepTally;
}

/** The question of a period's statistics. */
export interface PeriodQuery {
  unitPath: string | null;
  attribution: Attribution;
  /** Only the dossiers received or resolved by one of these units (see `involves`). */
  involving?: string[];
  from: string;
  to: string;
  groupBy: GroupBy | 'cell';
  granularity: Granularity;
  asOf: Date;
}

/**
 * The II.06a columns and the step figures for the dossiers attributed to units under `unitPath` (their resolving
 * or their receiving unit, by `attribution`), over [from, to], as answered at `asOf`. Grouped by officer or step,
 * the rows carry only the step figures (src/domain/statistics.ts).
 */
export async function periodStatistics(db: DbOrTx, q: PeriodQuery): Promise<GroupTally[]> {
  const dossierGroups = byStepRun(q.groupBy) ? [] : await periodDossierStatistics(db, q);
  return mergeSteps(dossierGroups, await periodStepStatistics(db, q));
}

/** Groups in the order of their keys (code point order). */
export const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Adds step figures to groups (a group with step figures only has an empty tally). */
export function mergeSteps(
  groups: GroupTally[],
  steps: Array<{ key: string; label: string; steps: StepTally }>,
): GroupTally[] {
  const merged = new Map(groups.map((g) => [g.key, g]));
  for (const s of steps) {
    const g = merged.get(s.key);
    merged.set(s.key, g ? { ...g, steps: addStepTallies(g.steps, s.steps) } : { ...s, tally: emptyTally() });
  }
  return [...merged.values()].sort(byKey);
}

interface StepRow {
  key: string;
  label: string;
  step_early: number;
  step_on_time: number;
  step_overdue: number;
  step_open_overdue: number;
}

/**
 * The step figures of the step runs of the dossiers attributed to units under `unitPath`, wherever they ran:
 * ended in [from, to] by their outcome, and open and overdue at T. Only groups with something counted.
 */
export async function periodStepStatistics(
  db: DbOrTx,
  q: PeriodQuery,
): Promise<Array<{ key: string; label: string; steps: StepTally }>> {
  const { open, cut, at } = answerInstants(q.from, q.to, q.asOf);
  const g = grouping(q.groupBy, q.attribution);
  const f = sql`f`;
  const s = sql`s`;
  const scope = q.involving
    ? sql`${unitScope(q.unitPath)} and ${involves(f, q.involving)}`
    : unitScope(q.unitPath);
  const found = await rows<StepRow>(
    db,
    sql`
    select * from (
      select ${g.key} as key, min(${g.label}) as label, ${stepCounts(s, open, cut, at, q.granularity)}
      from ${attributedDossiers(q.attribution, q.unitPath)} f join ${stepRuns} s on s.dossier_id = f.id ${g.joins}
      where ${scope} and s.start_at < ${cut} and (s.end_at is null or s.end_at >= ${open})
        -- the dossiers reached from those step runs (their ids, by primary key), never the other way round
        and f.id = any(array(
          select r.dossier_id from dossier_steps r
          where r.start_at < ${cut} and (r.end_at is null or r.end_at >= ${open})))
      group by 1
    ) counted
    where step_early + step_on_time + step_overdue + step_open_overdue > 0
    order by 1`,
  );
  return found.map((r) => ({ key: r.key, label: r.label, steps: stepTallyOfRow(r) }));
}

export function stepTallyOfRow(r: Omit<StepRow, 'key' | 'label'>): StepTally {
  return {
    early: r.step_early,
    onTime: r.step_on_time,
    overdue: r.step_overdue,
    openOverdue: r.step_open_overdue,
  };
}

/**
 * The II.06a columns for the dossiers attributed to units under `unitPath` (their resolving or their receiving
 * unit, by `attribution`), over [from, to], as answered at `asOf` (pending judged at T, the end of B or `asOf`
 * while B has not ended).
 */
async function periodDossierStatistics(db: DbOrTx, q: PeriodQuery): Promise<GroupTally[]> {
  // Nothing after T counts: received and finished mean before `cut` (T + 1 ms), carried over before `open`.
  const { open, cut, at } = answerInstants(q.from, q.to, q.asOf);
  const g = grouping(q.groupBy, q.attribution);
  const f = sql`f`;
  const scope = q.involving
    ? sql`${unitScope(q.unitPath)} and ${involves(f, q.involving)}`
    : unitScope(q.unitPath);
  const j = sql`j`;
  const found = await rows<Row>(
    db,
    sql`
    with base as (
      select f.id, ${g.key} as key, ${g.label} as label, f.channel, f.status, f.received_at, f.finished_at,
             f.outcome, ${notFinishedBefore(f, cut)} as pending
      from ${attributedDossiers(q.attribution, q.unitPath)} f ${g.joins}
      where ${scope} and ${receivedBefore(f, cut)} and ${notFinishedBefore(f, open)}
    ), judged as (
      select b.*, b.pending and ${pendingOverdueAt(sql`b.id`, at, q.granularity)} as overdue_at_t
      from base b
    )
    select key, label,
      count(*) filter (where ${carriedOver(j, open)})::int as carried_over,
      ${receivedCounts(j, receivedIn(j, open, cut))},
      ${finishedCounts(j, sql`not j.pending`)},
      count(*) filter (where j.pending)::int as pending,
      count(*) filter (where j.overdue_at_t)::int as pending_overdue
    from judged j
    group by 1, 2
    order by 1`,
  );
  return found.map(toGroupTally);
}

function toGroupTally(r: Row): GroupTally {
  const t = emptyTally();
  t.received = {
    total: r.carried_over + r.received,
    carriedOver: r.carried_over,
    new: r.received,
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
  return { key: r.key, label: r.label, tally: t, steps: emptyStepTally() };
}
