/**
 * The service index answer (GET /v1/stats/service-index): per resolving unit under the scope, the Decision 766
 * ratios of src/domain/service-index.ts, from the II.06a statistics of the period (./serving.ts, grouped by
 * resolving unit) and the service counts (./service-figures.ts), both served from the maintained figures when
 * they cover the period, else from the dossiers, and the ratings given in the period (./satisfaction.ts).
 */
import type { z } from 'zod';
import type { DbOrTx } from '../db/client.js';
import { formatInstant, localDateOf, type LocalDate } from '../domain/local-time.js';
import {
  addServiceCounts,
  emptyServiceCounts,
  serviceIndexOf,
  type SatisfactionCounts,
  type ServiceCounts,
} from '../domain/service-index.js';
import { addTallies, emptyTally, type Tally } from '../domain/statistics.js';
import type { Granularity } from '../domain/timeliness.js';
import { unitScope } from './rule.js';
import { satisfactionByGroup, noRatings } from './satisfaction.js';
import { servedServiceCounts } from './service-figures.js';
import type { ServiceIndex } from './service-index-schemas.js';
import { figuresNeededThrough, figuresState, servedStatistics } from './serving.js';

export type ServiceIndexAnswer = z.infer<typeof ServiceIndex>;

export async function answerServiceIndex(
  db: DbOrTx,
  q: {
    unit: { code: string; path: string } | null;
    from: LocalDate;
    to: LocalDate;
    reporting: ServiceIndexAnswer['reporting'];
    granularity: Granularity;
    asOf: Date;
  },
): Promise<ServiceIndexAnswer> {
  const unitPath = q.unit?.path ?? null;
  const today = localDateOf(q.asOf);
  // The figures' state is read once, for the statistics and the service counts alike; then the three parts at
  // once.
  const state = await figuresState(db, unitScope(unitPath), figuresNeededThrough(q.to, today));
  const [{ groups, source }, counts, ratings] = await Promise.all([
    servedStatistics(
      db,
      {
        unitPath,
        attribution: 'resolving',
        from: q.from,
        to: q.to,
        groupBy: 'unit',
        granularity: q.granularity,
        now: q.asOf,
      },
      state,
    ),
    servedServiceCounts(db, {
      unitPath,
      from: q.from,
      to: q.to,
      now: q.asOf,
      today,
      figures: state.closed ? { dirty: state.dirty } : null,
    }),
    satisfactionByGroup(db, {
      unitPath,
      attribution: 'resolving',
      from: q.from,
      to: q.to,
      groupBy: 'unit',
      asOf: q.asOf,
    }),
  ]);

  const units = new Map<string, { name: string; t: Tally; c: ServiceCounts; s: SatisfactionCounts }>();
  const at = (key: string, name: string) => {
    let u = units.get(key);
    if (!u) units.set(key, (u = { name, t: emptyTally(), c: emptyServiceCounts(), s: noRatings() }));
    return u;
  };
  for (const g of groups) at(g.key, g.label).t = g.tally;
  for (const g of counts) at(g.key, g.label).c = g.counts;
  for (const [key, r] of ratings) at(key, r.label).s = r.satisfaction;
  const keys = [...units.keys()].sort();
  let total: { t: Tally; c: ServiceCounts; s: SatisfactionCounts } = {
    t: emptyTally(),
    c: emptyServiceCounts(),
    s: noRatings(),
  };
  for (const key of keys) {
    const u = units.get(key)!;
    total = {
      t: addTallies(total.t, u.t),
      c: addServiceCounts(total.c, u.c),
      s: {
        rated: total.s.rated + u.s.rated,
        verySatisfied: total.s.verySatisfied + u.s.verySatisfied,
        satisfied: total.s.satisfied + u.s.satisfied,
      },
    };
  }
  return {
    unitCode: q.unit?.code ?? null,
    from: q.from,
    to: q.to,
    reporting: q.reporting,
    asOf: formatInstant(q.asOf),
    source,
    rows: keys.map((key) => {
      const u = units.get(key)!;
      return { unitCode: key, unitName: u.name, ...serviceIndexOf(u.t, u.c, u.s) };
    }),
    totals: serviceIndexOf(total.t, total.c, total.s),
  };
}
