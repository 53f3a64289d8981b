// Satisfaction in the statistics (đánh giá mức độ hài lòng): the ratings given in a period, counted per group
// from the ratings table alone (it carries the units, procedure and channel the groupings read, as alias `f`), and
// merged into the answer's rows by key.
import { sql } from 'drizzle-orm';
import { preparedRows, type DbOrTx } from '../db/client.js';
import { addDays, instantAt, type LocalDate } from '../domain/local-time.js';
import type { Attribution } from '../domain/statistics.js';
import { grouping, unitScope, type GroupBy } from './rule.js';

export interface Satisfaction {
  rated: number;
  verySatisfied: number;
  satisfied: number;
  dissatisfied: number;
}

export const noRatings = (): Satisfaction => ({ rated: 0, verySatisfied: 0, satisfied: 0, dissatisfied: 0 });

const ratingGroupings: ReadonlySet<GroupBy> = new Set(['none', 'unit', 'procedure', 'field', 'channel']);

/**
 * The ratings of a unit's subtree (null: every unit) whose rated instant falls in the local dates [from, to] and
 * not after `asOf`, per group, each counted for its resolving unit (or its receiving unit, attribution=receiving)
 * as the dossiers are. One grouped read over the ratings table through its rated-instant indexes.
 */
export async function satisfactionByGroup(
  db: DbOrTx,
  q: {
    unitPath: string | null;
    attribution: Attribution;
    from: LocalDate;
    to: LocalDate;
    groupBy: GroupBy;
    asOf: Date;
  },
): Promise<Map<string, { label: string; satisfaction: Satisfaction }>> {
  const out = new Map<string, { label: string; satisfaction: Satisfaction }>();
  if (!ratingGroupings.has(q.groupBy)) return out;
  const g = grouping(q.groupBy, q.attribution);
  const start = instantAt(q.from, 0);
  const end = instantAt(addDays(q.to, 1), 0);
  const found = await preparedRows<{
    key: string;
    label: string;
    rated: number;
    very_satisfied: number;
    satisfied: number;
    dissatisfied: number;
  }>(
    db,
    sql`select ${g.key} as key, ${g.label} as label, count(*)::int as rated,
          (count(*) filter (where f.level = 'very_satisfied'))::int as very_satisfied,
          (count(*) filter (where f.level = 'satisfied'))::int as satisfied,
          (count(*) filter (where f.level = 'dissatisfied'))::int as dissatisfied
        from dossier_ratings f ${g.joins}
        where ${unitScope(q.unitPath)} and f.rated_at >= ${start} and f.rated_at < ${end}
          and f.rated_at <= ${q.asOf}
        group by 1, 2`,
  );
  for (const r of found) {
    out.set(r.key, {
      label: r.label,
      satisfaction: {
        rated: r.rated,
        verySatisfied: r.very_satisfied,
        satisfied: r.satisfied,
        dissatisfied: r.dissatisfied,
      },
    });
  }
  return out;
}

/**
 * The answer's rows, each with its group's satisfaction (none rated: zeros); a group with ratings but no dossier
 * to count in the period (a dossier resolved before it, rated in it) gets a row of its own with `empty` counts.
 * Rows stay in the order of their keys.
 */
export function withSatisfaction<R extends { key: string; label: string }, E extends object>(
  rowsOfAnswer: R[],
  found: Map<string, { label: string; satisfaction: Satisfaction }>,
  empty: () => E,
): Array<(R | (E & { key: string; label: string })) & { satisfaction: Satisfaction }> {
  const out: Array<(R | (E & { key: string; label: string })) & { satisfaction: Satisfaction }> =
    rowsOfAnswer.map((row) => ({ ...row, satisfaction: found.get(row.key)?.satisfaction ?? noRatings() }));
  const present = new Set(rowsOfAnswer.map((row) => row.key));
  for (const [key, { label, satisfaction }] of found) {
    if (!present.has(key)) out.push({ ...empty(), key, label, satisfaction });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The satisfaction of all the rows together. */
export function totalSatisfaction(rowsWith: Array<{ satisfaction: Satisfaction }>): Satisfaction {
  return rowsWith.reduce(
    (sum, { satisfaction: s }) => ({
      rated: sum.rated + s.rated,
      verySatisfied: sum.verySatisfied + s.verySatisfied,
      satisfied: sum.satisfied + s.satisfied,
      dissatisfied: sum.dissatisfied + s.dissatisfied,
    }),
    noRatings(),
  );
}
