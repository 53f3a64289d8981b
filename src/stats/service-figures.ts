/**
 * The service index's own counts (src/domain/service-index.ts): per resolving unit, the dossiers newly received
 * with a digitised component, the dossiers whose (last) payment was confirmed, and of them those paid online.
 * Maintained beside the II.06a figures, in the same style: `stats_service_daily` holds each closed day's counts
 * per receiving and resolving unit (the received day for `digitised`, the payment's day for `paid` and
 * `paid_online`), `stats_service_monthly` their monthly sums; both are recomputed with the II.06a figures
 * (refreshDays in ./maintenance.ts calls refreshServiceDays in the same transaction), so the days and units the
 * worker closes or finds dirty are the same. Digitising a component later or paying again changes the count of
 * an earlier day (the received day, the earlier payment's day): those events (dossier.digitised, dossier.paid)
 * mark the dossier's units dirty from its received day, which no payment precedes.
 *
 * Answers read the figures for the closed days, and the dossiers for today and for the cells of dirty units,
 * exactly as ./serving.ts does for II.06a; or the dossiers alone when the figures do not cover the period.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { rows } from '../db/sql.js';
import { addDays, type LocalDate } from '../domain/local-time.js';
import { answerInstants, periodInstants } from '../domain/statistics.js';
import type { ServiceCounts } from '../domain/service-index.js';
import type { OutboxEvent } from '../jobs/context.js';
import { dossierInvolves, grouping, involves, receivedIn, unitScope } from './rule.js';

/** The event types after which a dossier's service counts may have changed on an earlier day. */
export const serviceFactEvents = ['dossier.digitised', 'dossier.paid'];

/**
 * Event handler: a digitisation recorded after intake or a payment marks the dossier's receiving and resolving
 * units dirty from its received day (the day its digitised count lies on, and no later than any payment's).
 */
export async function markServiceFactsDirty(db: DbOrTx, event: OutboxEvent): Promise<void> {
  if (event.dossierId === null) return;
  await db.execute(sql`
    with d as (
      select unit_code, resolving_unit_code, (received_at at time zone 'Asia/Ho_Chi_Minh')::date as day
      from dossiers where id = ${event.dossierId} and received_at is not null)
    insert into stats_dirty (unit_code, from_day)
    select unit_code, day from d union select resolving_unit_code, day from d
    on conflict (unit_code) do update set from_day = least(stats_dirty.from_day, excluded.from_day), marked_at = now()`);
}

/** Paid (its last payment confirmed) in [`from`, `until`). */
export const paidIn = (d: SQL, from: Date | SQL, until: Date | SQL): SQL =>
  sql`(${d}.paid_at >= ${from} and ${d}.paid_at < ${until})`;

/**
 * Recomputes the service counts of the days [from, to] for the cells of one unit (null: all), with their monthly
 * sums. Runs inside refreshDays' transaction.
 */
export async function refreshServiceDays(
  tx: DbOrTx,
  from: LocalDate,
  to: LocalDate,
  unitCode: string | null,
) {
  const { start, end } = periodInstants(from, to);
  const only = (row: SQL) => (unitCode ? sql`and ${involves(row, [unitCode])}` : sql``);
  const onlyDossiers = (d: SQL) => (unitCode ? sql`and ${dossierInvolves(d, [unitCode])}` : sql``);
  const t0 = sql`${start}::timestamptz`;
  const dayOf = (at: SQL) => sql`floor(extract(epoch from ${at} - ${t0}) / 86400)::int`;
  const d = sql`d`;
  const daily = sql`stats_service_daily`;
  await tx.execute(sql`delete from ${daily} where day between ${from} and ${to} ${only(daily)}`);
  await tx.execute(sql`
    insert into stats_service_daily (day, unit_code, resolving_unit_code, digitised, paid, paid_online)
    select ${from}::date + n, unit_code, resolving_unit_code, sum(digitised), sum(paid), sum(paid_online)
    from (
      select ${dayOf(sql`d.received_at`)} as n, d.unit_code, d.resolving_unit_code, count(*)::int as digitised,
        0 as paid, 0 as paid_online
      from dossiers d
      where ${receivedIn(d, start, end)} and d.has_digitised_components ${onlyDossiers(d)}
      group by 1, 2, 3
      union all
      select ${dayOf(sql`d.paid_at`)}, d.unit_code, d.resolving_unit_code, 0, count(*)::int,
        count(*) filter (where d.payment_method = 'online')::int
      from dossiers d
      where ${paidIn(d, start, end)} ${onlyDossiers(d)}
      group by 1, 2, 3
    ) cells
    group by 1, 2, 3`);
  const monthly = sql`stats_service_monthly`;
  const firstMonth = `${from.slice(0, 8)}01`;
  const nextMonth = `${addDays(`${to.slice(0, 8)}28`, 4).slice(0, 8)}01`;
  await tx.execute(sql`delete from ${monthly} where month between ${firstMonth} and ${to} ${only(monthly)}`);
  await tx.execute(sql`
    insert into stats_service_monthly (month, unit_code, resolving_unit_code, digitised, paid, paid_online)
    select date_trunc('month', day)::date, unit_code, resolving_unit_code, sum(digitised), sum(paid),
      sum(paid_online)
    from ${daily}
    where day >= ${firstMonth} and day < ${nextMonth} ${only(daily)}
    group by 1, 2, 3`);
}

/** One resolving unit's service counts. */
export interface ServiceGroup {
  key: string;
  label: string;
  counts: ServiceCounts;
}

interface CountRow {
  key: string;
  label: string;
  digitised: number;
  paid: number;
  paid_online: number;
}

const toGroups = (found: CountRow[]): ServiceGroup[] =>
  found.map((r) => ({
    key: r.key,
    label: r.label,
    counts: { digitised: r.digitised, paid: r.paid, paidOnline: r.paid_online },
  }));

// Grouped by the resolving unit, joined as `u` (the service index is per resolving unit).
const byUnit = grouping('unit', 'resolving');

/**
 * The service counts of the dossiers whose resolving unit lies under `unitPath` (with `involving`, only those
 * received or resolved by one of those units; with `excluding`, only the others), received or paid in [`open`,
 * `cut`), from the dossiers.
 */
async function dossierCounts(
  db: DbOrTx,
  q: { unitPath: string | null; open: Date; cut: Date; involving?: string[]; excluding?: string[] },
): Promise<ServiceGroup[]> {
  const f = sql`f`;
  const received = receivedIn(f, q.open, q.cut);
  const paid = paidIn(f, q.open, q.cut);
  const involving = q.involving
    ? sql`and ${involves(f, q.involving)}`
    : q.excluding?.length
      ? sql`and not ${involves(f, q.excluding)}`
      : sql``;
  return toGroups(
    await rows<CountRow>(
      db,
      sql`
        select ${byUnit.key} as key, ${byUnit.label} as label,
          count(*) filter (where ${received} and f.has_digitised_components)::int as digitised,
          count(*) filter (where ${paid})::int as paid,
          count(*) filter (where ${paid} and f.payment_method = 'online')::int as paid_online
        from dossiers f ${byUnit.joins}
        where ${unitScope(q.unitPath)} ${involving} and (${received} or ${paid})
        group by 1, 2`,
    ),
  );
}

/** The service counts over [from, to] (closed days) from the figures: whole months monthly, the rest by day. */
async function figureCounts(db: DbOrTx, where: SQL, from: LocalDate, to: LocalDate): Promise<ServiceGroup[]> {
  if (from > to) return [];
  const firstFull = from.endsWith('-01') ? from : `${addDays(`${from.slice(0, 8)}28`, 4).slice(0, 8)}01`;
  const lastFullEnd = addDays(to, 1).endsWith('-01') ? to : addDays(`${to.slice(0, 8)}01`, -1);
  const months = firstFull <= lastFullEnd;
  const edges: Array<[LocalDate, LocalDate]> = months
    ? [
        [from, addDays(firstFull, -1)],
        [addDays(lastFullEnd, 1), to],
      ]
    : [[from, to]];
  const days = edges.filter(([a, b]) => a <= b).map(([a, b]) => sql`f.day between ${a} and ${b}`);
  const sums = sql`sum(f.digitised)::int as digitised, sum(f.paid)::int as paid, sum(f.paid_online)::int as paid_online`;
  const parts = [
    ...(days.length
      ? [
          sql`select ${byUnit.key} as key, ${byUnit.label} as label, ${sums} from stats_service_daily f ${byUnit.joins}
              where ${where} and (${sql.join(days, sql` or `)}) group by 1, 2`,
        ]
      : []),
    ...(months
      ? [
          sql`select ${byUnit.key} as key, ${byUnit.label} as label, ${sums} from stats_service_monthly f ${byUnit.joins}
              where ${where} and f.month between ${firstFull} and ${lastFullEnd} group by 1, 2`,
        ]
      : []),
  ];
  return toGroups(
    await rows<CountRow>(
      db,
      sql`
        select key, label, sum(digitised)::int as digitised, sum(paid)::int as paid,
          sum(paid_online)::int as paid_online
        from (${sql.join(parts, sql` union all `)}) parts group by 1, 2`,
    ),
  );
}

/** Groups summed by key, in key order. */
function mergeServiceGroups(...lists: ServiceGroup[][]): ServiceGroup[] {
  const merged = new Map<string, ServiceGroup>();
  for (const g of lists.flat()) {
    const other = merged.get(g.key);
    merged.set(
      g.key,
      other
        ? {
            ...other,
            counts: {
              digitised: other.counts.digitised + g.counts.digitised,
              paid: other.counts.paid + g.counts.paid,
              paidOnline: other.counts.paidOnline + g.counts.paidOnline,
            },
          }
        : g,
    );
  }
  return [...merged.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The service counts of a period per resolving unit under `unitPath`, as answered at `now`: with `figures` (the
 * figures cover every closed day the period needs; `dirty`, the units waiting for a recompute), the figures of
 * the closed days plus today and the dirty units' cells from the dossiers; without, the dossiers alone.
 */
export async function servedServiceCounts(
  db: DbOrTx,
  q: {
    unitPath: string | null;
    from: LocalDate;
    to: LocalDate;
    now: Date;
    today: LocalDate;
    figures: { dirty: string[] } | null;
  },
): Promise<ServiceGroup[]> {
  const { open, cut } = answerInstants(q.from, q.to, q.now);
  if (!q.figures) return mergeServiceGroups(await dossierCounts(db, { unitPath: q.unitPath, open, cut }));
  const { dirty } = q.figures;
  const units = unitScope(q.unitPath);
  const where = dirty.length ? sql`${units} and not ${involves(sql`f`, dirty)}` : units;
  const yesterday = addDays(q.today, -1);
  const closedTo = q.to < q.today ? q.to : yesterday;
  const todayStart = periodInstants(q.today, q.today).start;
  const [closed, live, recomputing] = await Promise.all([
    q.from <= closedTo ? figureCounts(db, where, q.from, closedTo) : Promise.resolve([]),
    // Today, up to the moment of the answer, for the cells of the clean units.
    q.to >= q.today && q.from <= q.today
      ? dossierCounts(db, { unitPath: q.unitPath, open: todayStart, cut, excluding: dirty })
      : Promise.resolve([]),
    dirty.length
      ? dossierCounts(db, { unitPath: q.unitPath, open, cut, involving: dirty })
      : Promise.resolve([]),
  ]);
  return mergeServiceGroups(closed, live, recomputing);
}
