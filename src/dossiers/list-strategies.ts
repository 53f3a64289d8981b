// The ways the dossier list reads one page of ids, newest first, below the cursor: each named after what it
// reads. chooseListStrategy picks one from the filters (the name search has its own module: name-search.ts).
import { and, desc, lt, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { dossiers, localDayOf } from '../db/schema/index.js';
import { dayNumberOf, type LocalDate } from '../domain/local-time.js';

export type ListStrategy =
  | 'received period day by day'
  | 'unit received in three parts'
  | 'unit newest in three parts'
  | 'unit pending in three parts'
  | 'received range sorted'
  | 'unit overdue through status-due indexes'
  | 'open overdue newest first'
  | 'open overdue sorted'
  | 'open steps overdue sorted'
  | 'newest first';

/** The longest received period read day by day; a longer one is read as one range. */
export const MAX_DAYS_BY_DAY = 400;

/** The most units whose newest dossiers are read unit by unit; a larger scope's are walked newest first. */
export const MAX_UNITS_IN_PARTS = 10;

/** What the choice looks at: the filters asked for, and whether a unit restriction applies. */
export interface StrategyInputs {
  restrictedToUnits: boolean;
  /** How many units the restriction names (taken as many when not given). */
  unitCount?: number;
  receivedFrom?: LocalDate | undefined;
  receivedTo?: LocalDate | undefined;
  timeliness?: string | undefined;
  /** Whether any filter other than the received period and the units is asked for. */
  otherFilters: boolean;
  /** Whether the holder (officerCode) or the open step (stepCode) is asked for: each has a newest-first index. */
  holderOrStep?: boolean;
  /** Whether the timeliness is the only filter (besides the units, which `restrictedToUnits` tells). */
  timelinessAlone?: boolean;
  /** Whether the only filter (besides the units) is a status among the pending ones: received, processing. */
  pendingStatusesAlone?: boolean;
}

/**
 * The strategy with the smallest cost for these filters. The cost of a page is what is read for it, in rows or
 * index entries:
 * - newest first: ids walked down from the cursor until `limit` match, limit / s, s being the share of the rows
 *   walked that match. Cheap while matches are common among the newest rows; ruinous when they lie deep in the
 *   past (a received range, overdue dossiers) or are rare.
 * - sorted (received range; overdue): every match M fetched through the filters' indexes, then sorted: M
 *   whatever the matches' age. Overdue dossiers are old by nature (past their due), so the walk would pass
 *   every newer dossier of the scope first (the days' intakes, none of them overdue: 13,000 new dossiers made
 *   the province's overdue page six times slower). A unit's are few: M is a few hundred through
 *   dossiers_unit_status_due_idx, dossiers_handling_status_due_idx and the partial
 *   dossiers_resolved_elsewhere_status_due_idx. The province's are its backlog, M read from the open
 *   dossiers' due index alone (dossiers_pending_due_idx, which holds the id: 30,000 entries in 7–9 ms at 5 M),
 *   when another filter (a procedure, a channel) is checked there too.
 * - open overdue newest first: the province's overdue list with nothing else to filter walks the pending
 *   dossiers' ids newest first (dossiers_pending_id_idx, the due beside each id, checked in the index): it passes
 *   only the newer pending dossiers not yet overdue, not every newer dossier (4,200 entries for the first page at
 *   5 M, 0.2 ms). The day's intakes that are received add to them, but stay far fewer than the backlog it would
 *   sort.
 * - day by day: a received period of D days with nothing else to filter, each day's newest ids read in order
 *   from the receipt-day index: at most D × limit entries, however many receipts the period holds (M, which a
 *   province's month makes large).
 * - three parts: a unit's received period read from three indexes without the table (receiving unit and
 *   receipt; handled elsewhere and receipt; resolved elsewhere and receipt), M entries; one read on the three
 *   unit columns makes the planner read the whole scope's period.
 * - unit newest in three parts: a few units' dossiers with nothing else to filter, each unit's three parts read
 *   newest first along their own index (receiving unit and id; handled elsewhere and id; resolved elsewhere and
 *   id): for one unit at most 3 × limit entries, whatever else the table holds; for several, the handled and
 *   resolved parts also pass the transfers between the units themselves, which they leave out (the receiving
 *   unit is checked on the row). The walk would pass limit / s rows, s being the units' share, and the day's
 *   intakes elsewhere add to it: a small commune's page of 50 at 5 M, 4.1 ms walked and 0.5 ms in parts; a
 *   department's (most of its dossiers received by a service centre), 1.0 and 0.3 ms.
 *   Not with other filters: each part then checks them on the unit's rows, and the planner, which plans a part
 *   once for any unit, fetched a large commune's open dossiers through its status-due index and sorted them
 *   (2,200 rows: 3.4 ms a page in the mix at 5 M, where the walk, or the status-due indexes of the unit's
 *   three columns at once, took 2.6). Beyond MAX_UNITS_IN_PARTS units the scope's share is large and the walk
 *   short.
 * - unit pending in three parts: the same for a few units' dossiers in pending statuses (received, processing: the
 *   clerks' queue), the status the only other filter: each part read newest first along a partial index of the
 *   pending dossiers (dossiers_unit_pending_id_idx; dossiers_handled_elsewhere_pending_id_idx and
 *   dossiers_resolved_elsewhere_pending_id_idx), the status checked in it: at most 3 × limit entries, however many
 *   dossiers the unit holds. The walk passed the province's newer dossiers, and the status-due indexes fetch
 *   every pending dossier of the unit and sort them (the largest commune's page of 50 at 5 M: 2,147 rows, 7 ms).
 * - open steps overdue: every open dossier whose step is past its due, M through dossiers_open_step_due_idx
 *   (the backlog a unit head reviews: hundreds, a province's few thousand), then filtered by the units and
 *   sorted. The walk would pass every newer dossier whose step is on time first, with or without a unit.
 * The holder (officerCode) and the open step (stepCode) filters walk newest first: on one condition alone the
 * planner reads their own indexes in order (dossiers_holder_id_idx, dossiers_step_code_id_idx); so does the
 * province's overdue list with one of them (an officer's overdue page: 1.7 ms walked, 38 ms sorted).
 */
export function chooseListStrategy(f: StrategyInputs): ListStrategy {
  const byReceipt = f.receivedFrom !== undefined || f.receivedTo !== undefined;
  if (
    !f.restrictedToUnits &&
    f.receivedFrom !== undefined &&
    f.receivedTo !== undefined &&
    !f.otherFilters &&
    dayNumberOf(f.receivedTo) - dayNumberOf(f.receivedFrom) < MAX_DAYS_BY_DAY
  ) {
    return 'received period day by day';
  }
  if (f.restrictedToUnits && byReceipt) return 'unit received in three parts';
  if (byReceipt) return 'received range sorted';
  if (f.restrictedToUnits && !f.otherFilters && (f.unitCount ?? Infinity) <= MAX_UNITS_IN_PARTS) {
    return 'unit newest in three parts';
  }
  if (f.restrictedToUnits && f.pendingStatusesAlone && (f.unitCount ?? Infinity) <= MAX_UNITS_IN_PARTS) {
    return 'unit pending in three parts';
  }
  if (f.timeliness === 'step_overdue') return 'open steps overdue sorted';
  if (f.restrictedToUnits && f.timeliness === 'overdue') return 'unit overdue through status-due indexes';
  if (f.timeliness === 'overdue' && f.timelinessAlone) return 'open overdue newest first';
  if (f.timeliness === 'overdue' && !f.holderOrStep) return 'open overdue sorted';
  return 'newest first';
}

/** The cursor's condition: ids below the last one shown. */
export const belowCursor = (afterId: number | undefined) => (afterId ? lt(dossiers.id, afterId) : undefined);

/**
 * Received period day by day: each day's newest ids below the cursor, read in order from the receipt-day index
 * (dossiers_received_day_idx), then merged.
 */
export function receivedPeriodDayByDay(
  from: LocalDate,
  to: LocalDate,
  afterId: number | undefined,
  limit: number,
): SQL {
  const below = afterId === undefined ? sql`` : sql`and ${dossiers.id} < ${afterId}`;
  // Days counted from `from` (date + integer is a date: no time zone involved). Their number and the limit are
  // read from subqueries (hidden), as in unitNewestInThreeParts: one plan for every period.
  const most = hidden(limit);
  return sql`select p.id from generate_series(0, ${hidden(sql`${to}::date - ${from}::date`)}) as g(n)
    cross join lateral (
      select ${dossiers.id} as id from ${dossiers}
      where ${localDayOf(dossiers.receivedAt)} = ${from}::date + g.n ${below}
      order by ${dossiers.id} desc limit ${most}) p
    order by p.id desc limit ${most}`;
}

/** "Received, handled or resolved by one of the units", in three disjoint parts (built in list.ts). */
export interface UnitParts {
  receivedThere: SQL;
  handledThere: SQL;
  resolvedThere: SQL;
}

/**
 * Unit received in three parts: received by one of the units, handled by one of them after a transfer from a
 * unit outside them, or resolved by one of them; each part read from its own index (dossiers_unit_received_idx;
 * the partial dossiers_handled_elsewhere_received_idx and dossiers_resolved_elsewhere_received_idx), then the
 * page sorted.
 */
export function unitReceivedInThreeParts(
  db: DbOrTx,
  parts: UnitParts,
  filters: Array<SQL | undefined>,
  afterId: number | undefined,
  limit: number,
): SQL {
  const part = (unit: SQL) =>
    db
      .select({ id: dossiers.id })
      .from(dossiers)
      .where(and(unit, ...filters, belowCursor(afterId)));
  return newestOfThreeParts(parts, part, limit);
}

/**
 * Unit newest in three parts: for each of the units (`codes`, each once: a subtree's), its three parts (`partsOf` the unit's code, an
 * equality each) read newest first along their indexes (dossiers_unit_id_idx; the partial
 * dossiers_handled_elsewhere_id_idx and dossiers_resolved_elsewhere_id_idx) down to `limit` below the cursor,
 * then merged. (`nulls last`: the order of those indexes, not the primary key's, which the planner would walk.)
 */
export function unitNewestInThreeParts(
  codes: string[],
  partsOf: (code: SQL) => UnitParts,
  afterId: number | undefined,
  limit: number,
): SQL {
  // The units and the limit read from subqueries (hidden): listDossiers prepares this read under a name.
  const most = hidden(limit);
  const part = (
    unit: SQL,
  ) => sql`select p.id from unnest(${hidden(sql`${sql.param(codes)}::text[]`)}) as u(code)
    cross join lateral (select ${dossiers.id} as id from ${dossiers} where ${and(unit, belowCursor(afterId))}
      order by ${dossiers.id} desc nulls last limit ${most}) p`;
  return newestOfThreeParts(partsOf(sql.raw('u.code')), part, most);
}

/**
 * A value read from a subquery, which the planner does not look into. A statement prepared under a name whose
 * plan is the same for every value (the units and days a page walks, each along its index; its limits) hides the
 * values that set its cost: otherwise a plan made for the values (a limit of 51, one unit) costs less than the
 * generic plan (a limit of any size, some units), and PostgreSQL plans the statement again on every call (the
 * unit's page: 0.7 ms planned, 0.1 ms run).
 */
export const hidden = (value: number | SQL): SQL =>
  typeof value === 'number' ? sql`(select ${value}::int)` : sql`(select ${value})`;

/**
 * The newest `limit` ids of the three parts, each read by `part` (the page of the list, the name search's), told
 * whether its part is the rows received there.
 */
export function newestOfThreeParts(
  parts: UnitParts,
  part: (unit: SQL, received: boolean) => SQLWrapper,
  limit: number | SQL,
): SQL {
  return sql`select m.id from (${part(parts.receivedThere, true)} union all ${part(parts.handledThere, false)}
    union all ${part(parts.resolvedThere, false)}) m
    order by m.id desc limit ${limit}`;
}

function idsBelowCursor(
  db: DbOrTx,
  conditions: Array<SQL | undefined>,
  afterId: number | undefined,
  limit: number,
  order: SQL,
) {
  return db
    .select({ id: dossiers.id })
    .from(dossiers)
    .where(and(...conditions, belowCursor(afterId)))
    .orderBy(order)
    .limit(limit);
}

/**
 * Matches sorted (received range sorted; unit overdue through status-due indexes; open overdue sorted; open steps
 * overdue sorted):
 * `id + 0` keeps the order but hides the primary key's, so the planner fetches the matches through the filters'
 * indexes and sorts them instead of walking the ids.
 */
export function matchesSorted(
  db: DbOrTx,
  conditions: Array<SQL | undefined>,
  afterId: number | undefined,
  limit: number,
) {
  return idsBelowCursor(db, conditions, afterId, limit, sql`${dossiers.id} + 0 desc`);
}

/**
 * Newest first: the ids walked down from the cursor along the primary key (or, for one procedure, its newest
 * through dossiers_procedure_id_idx), each row checked against the filters.
 */
export function newestFirst(
  db: DbOrTx,
  conditions: Array<SQL | undefined>,
  afterId: number | undefined,
  limit: number,
) {
  return idsBelowCursor(db, conditions, afterId, limit, desc(dossiers.id));
}
