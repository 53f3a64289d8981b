// Satisfaction in the statistics (đánh giá mức độ hài lòng): the ratings given in a period, counted per group
// from the counts of the ratings kept by month and by day and from the ratings themselves (each read as alias
// `f`), and merged into the answer's rows by key.
import { sql, type SQL } from 'drizzle-orm';
import { preparedRows, type DbOrTx } from '../db/client.js';
import { addDays, instantAt, type LocalDate } from '../domain/local-time.js';
import { wholeMonthsIn } from '../domain/periods.js';
import type { Attribution } from '../domain/statistics.js';
import { grouping, procedureJoin, unitScope, type GroupBy } from './rule.js';

export interface Satisfaction {
  rated: number;
  verySatisfied: number;
  satisfied: number;
  dissatisfied: number;
}

export const noRatings = (): Satisfaction => ({ rated: 0, verySatisfied: 0, satisfied: 0, dissatisfied: 0 });

const ratingGroupings: ReadonlySet<GroupBy> = new Set(['none', 'unit', 'procedure', 'field', 'channel']);

/** A part's counts of ratings `f` read one by one, each counted `times` (1, or -1 to take it away). */
const ratingCounts = (times: number) => sql`${sql.raw(String(times))} * count(*) as rated,
  ${sql.raw(String(times))} * count(*) filter (where f.level = 'very_satisfied') as very_satisfied,
  ${sql.raw(String(times))} * count(*) filter (where f.level = 'satisfied') as satisfied,
  ${sql.raw(String(times))} * count(*) filter (where f.level = 'dissatisfied') as dissatisfied`;

/** A part's counts read from a table of counts `f`, summed per group. */
const countsSummed = sql`sum(f.rated) as rated, sum(f.very_satisfied) as very_satisfied,
  sum(f.satisfied) as satisfied, sum(f.dissatisfied) as dissatisfied`;

/**
 * The ratings of a unit's subtree (null: every unit) whose rated instant falls in the local dates [from, to] and
 * not after `asOf`, per group, each counted for its resolving unit (or its receiving unit, attribution=receiving)
 * as the dossiers are. Counted from the counts a trigger keeps as ratings are written: by nothing, unit or channel,
 * the whole months of the period from stats_rating_attributed_monthly and its other days from
 * stats_rating_attributed_daily; by procedure or field, the whole months from stats_rating_procedure_monthly (over
 * the whole tree, `everyUnit`, from stats_tree_rating_procedure_monthly) and the other days from the ratings
 * themselves, through their rated-instant index. Either way less the period's ratings given after `asOf`, which
 * the counts hold (none when `asOf` is now).
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
    /** The subtree holds every unit (coversEveryUnit). */
    everyUnit?: boolean;
  },
): Promise<Map<string, { label: string; satisfaction: Satisfaction }>> {
  const out = new Map<string, { label: string; satisfaction: Satisfaction }>();
  if (!ratingGroupings.has(q.groupBy)) return out;
  const g = grouping(q.groupBy, q.attribution);
  const scope = unitScope(q.unitPath);
  const { months, days } = wholeMonthsIn(q.from, q.to);
  const given = (from: LocalDate, until: LocalDate, times: number, when: SQL) => sql`
    select ${g.key} as key, ${g.label} as label, ${ratingCounts(times)}
    from dossier_ratings f ${g.joins}
    where ${scope} and f.rated_at >= ${instantAt(from, 0)} and f.rated_at < ${instantAt(until, 0)} and ${when}
    group by 1, 2`;
  // The counts by procedure have both units, read as the ratings are; those by attributed unit hold the unit each
  // rating counts for in unit_code (grouped as by receiving unit), one row per attribution.
  const c = g.byProcedure ? g : grouping(q.groupBy, 'receiving');
  const attributed = g.byProcedure ? sql`` : sql`and f.attribution = ${q.attribution}`;
  const counted = (table: string, period: 'month' | 'day', p: { from: LocalDate; to: LocalDate }) => sql`
    select ${c.key} as key, ${c.label} as label, ${countsSummed}
    from ${sql.raw(table)} f ${c.joins}
    where ${scope} ${attributed} and f.${sql.raw(period)} between ${p.from} and ${p.to}
    group by 1, 2`;
  const monthly = g.byProcedure ? 'stats_rating_procedure_monthly' : 'stats_rating_attributed_monthly';
  const wholeTree = (p: { from: LocalDate; to: LocalDate }) => sql`
    select ${g.key} as key, ${g.label} as label, ${countsSummed}
    from stats_tree_rating_procedure_monthly f ${procedureJoin}
    where f.month between ${p.from} and ${p.to}
    group by 1, 2`;
  const parts = [
    ...(months ? [g.byProcedure && q.everyUnit ? wholeTree(months) : counted(monthly, 'month', months)] : []),
    ...days.map((d) =>
      g.byProcedure
        ? given(d.from, addDays(d.to, 1), 1, sql`true`)
        : counted('stats_rating_attributed_daily', 'day', d),
    ),
    given(q.from, addDays(q.to, 1), -1, sql`f.rated_at > ${q.asOf}`),
  ];
  const found = await preparedRows<{
    key: string;
    label: string;
    rated: number;
    very_satisfied: number;
    satisfied: number;
    dissatisfied: number;
  }>(
    db,
    sql`select key, label, sum(rated)::int as rated, sum(very_satisfied)::int as very_satisfied,
          sum(satisfied)::int as satisfied, sum(dissatisfied)::int as dissatisfied
        from (${sql.join(parts, sql` union all `)}) parts
        group by 1, 2 having sum(rated) > 0`,
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
 * Rows stay in the order of their keys; a row's fields in the schema's order (key, label, the counts, satisfaction).
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
    if (!present.has(key)) out.push({ key, label, ...empty(), satisfaction });
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
