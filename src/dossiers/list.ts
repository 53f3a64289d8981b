// The dossier list: the caller's filters as conditions, a strategy chosen for them (list-strategies.ts,
// name-search.ts) to read one page of ids, and that page's dossiers.
import { and, eq, gte, inArray, isNull, lt, lte, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../db/client.js';
import { rowsOf } from '../db/sql.js';
import { dossiers } from '../db/schema/index.js';
import { readsMasked, type Principal } from '../auth/plugin.js';
import { normalizeIdNumber, searchKey } from '../domain/applicant.js';
import { DomainError } from '../domain/errors.js';
import { openStatuses, pausedStatuses, type DossierStatus } from '../domain/lifecycle.js';
import { addDays, instantAt } from '../domain/local-time.js';
import { addWorkingMinutes } from '../domain/working-time.js';
import { overdueBefore } from '../domain/timeliness.js';
import { decodeCursor, paginate } from '../http/schemas.js';
import {
  chooseListStrategy,
  hidden,
  type ListStrategy,
  matchesSorted,
  newestFirst,
  receivedPeriodDayByDay,
  unitNewestInThreeParts,
  unitReceivedInThreeParts,
  type UnitParts,
} from './list-strategies.js';
import { dossierPageOf, dossierPageViews, type DossierView } from './lookups.js';
import { nameSearchNewestFirst } from './name-search.js';
import { toDossierResponse, type LiveSettings } from './representation.js';
import type { ListDossiersQuery } from './schemas.js';
import { subtreeCodes, unitInScope, type UnitTree, type UnitTreeCache } from '../units/tree-cache.js';

export interface ListFilters {
  unitCode?: string | undefined;
  status?: string | undefined;
  procedureCode?: string | undefined;
  channel?: 'direct' | 'postal' | 'online' | undefined;
  receivedFrom?: string | undefined;
  receivedTo?: string | undefined;
  dueBefore?: string | undefined;
  timeliness?: 'on_track' | 'due_soon' | 'overdue' | 'paused' | 'step_overdue' | undefined;
  /** The officer holding the dossier. */
  officerCode?: string | undefined;
  /** The code of the open step. */
  stepCode?: string | undefined;
  idNumber?: string | undefined;
  q?: string | undefined;
  afterId?: number | undefined;
  limit: number;
}

/**
 * Unit codes of a subtree inside the caller's scope, from the process's unit tree (no statement of its own);
 * null = no restriction at all, also when the subtree holds every unit there is (a province's key where the
 * database serves one province: the filter would keep every row, at the cost of checking each against a hundred
 * codes). A province's subtree holds hundreds of codes: they are sent as one array parameter each, not as one
 * parameter per code.
 */
async function unitCodesFor(
  units: UnitTreeCache,
  principal: Principal,
  unitCode: string | undefined,
): Promise<string[] | null> {
  const allOrSome = (tree: UnitTree, codes: string[]) =>
    codes.length > 0 && codes.length === tree.all.length ? null : codes;
  if (unitCode) {
    const { tree, unit } = await unitInScope(units, principal, unitCode);
    return allOrSome(tree, subtreeCodes(tree, unit.path));
  }
  if (principal.scopePath === null) return null;
  // The key's own unit is in the tree (read again if it is not yet).
  const tree = await (principal.unitCode ? units.holding(principal.unitCode) : units.get());
  return allOrSome(tree, subtreeCodes(tree, principal.scopePath));
}

/**
 * Received by one of the units; or handled by one of them after a transfer from a unit outside them; or resolved
 * by one of them, received and handled outside them (a service centre's intake for a department): the same rows
 * as "received, handled or resolved there", in three disjoint parts with an index each. The last two read partial
 * indexes of the few dossiers whose unit columns differ, so a dossier resolved where it was received costs them
 * nothing. Each part's first test is its cheapest: `isUnit` of a unit column, one of the codes (`= any`) or one
 * code (an equality, which reads the part's index in its order; the code one of `codes`). The last test of the
 * third part follows from its second and fourth (the resolving unit is one of the codes, the handling unit none
 * of them): said so that the part's newest first index (dossiers_resolved_elsewhere_id_idx), which leaves out
 * what the resolving unit handles, serves it. `all`: the codes as an array, as the statement reads them.
 */
function unitParts(
  codes: string[],
  isUnit: (column: SQLWrapper) => SQL,
  all: SQL = sql`${sql.param(codes)}::text[]`,
): UnitParts {
  return {
    receivedThere: isUnit(dossiers.unitCode),
    handledThere: sql`${isUnit(dossiers.handlingUnitCode)} and ${dossiers.handlingUnitCode} <> ${dossiers.unitCode}
      and ${dossiers.unitCode} <> all(${all})`,
    resolvedThere: sql`${dossiers.resolvedElsewhere} and ${isUnit(dossiers.resolvingUnitCode)}
      and ${dossiers.unitCode} <> all(${all}) and ${dossiers.handlingUnitCode} <> all(${all})
      and ${dossiers.handlingUnitCode} <> ${dossiers.resolvingUnitCode}`,
  };
}

/** The open statuses whose clock runs (not paused): the pending dossiers, received or processing. */
const runningStatuses = openStatuses.filter((s) => !pausedStatuses.includes(s));

/**
 * The live timeliness flag as SQL, matching `liveTimeliness` for open dossiers: overdue once the due date
 * (or, with `instant`, the due instant) is past; due soon when the due is within the threshold of working
 * time from now; on track beyond it. `step_overdue`: the open step past its due by the same rule (never while
 * paused), as `openStepOverdueAt` judges it.
 */
function timelinessCondition(flag: NonNullable<ListFilters['timeliness']>, live: LiveSettings): SQL {
  if (flag === 'paused') return inArray(dossiers.status, [...pausedStatuses]);
  const running = inArray(dossiers.status, runningStatuses);
  const threshold = overdueBefore(live.now, live.granularity);
  if (flag === 'step_overdue') {
    return and(running, isNull(dossiers.finishedAt), lt(dossiers.currentStepDueAt, threshold))!;
  }
  const soonUntil = addWorkingMinutes(live.calendar, live.now, live.dueSoonMinutes);
  if (flag === 'overdue') return and(running, lt(dossiers.dueAt, threshold))!;
  if (flag === 'due_soon')
    return and(running, gte(dossiers.dueAt, threshold), lte(dossiers.dueAt, soonUntil))!;
  return and(running, sql`${dossiers.dueAt} > ${soonUntil}`)!;
}

/**
 * The page of a few units' newest dossiers (unit newest in three parts), as listDossiers prepares it under a name;
 * `within`, a condition every part adds (unit pending in three parts). The units hidden in every part, as the
 * statement's other values (unitNewestInThreeParts); cast, or `<> all((select …))` would compare with the
 * subquery's rows instead of the array's elements.
 */
function unitNewestPage(codes: string[], afterId: number | undefined, limit: number, within?: SQL): SQL {
  const all = sql`${hidden(sql`${sql.param(codes)}::text[]`)}::text[]`;
  const inPart = (part: SQL) => (within ? sql`${part} and ${within}` : part);
  return unitNewestInThreeParts(
    codes,
    (code) => {
      const parts = unitParts(codes, (column) => sql`${column} = ${code}`, all);
      return {
        receivedThere: inPart(parts.receivedThere),
        handledThere: inPart(parts.handledThere),
        resolvedThere: inPart(parts.resolvedThere),
      };
    },
    afterId,
    limit,
  );
}

/**
 * Pending, and in one of `statuses` (unit pending in three parts): said as the partial indexes the parts read say it,
 * word for word (a plan made once must see that they hold its rows), the statuses asked checked in them.
 */
const pendingIn = (statuses: string[]) =>
  sql`${dossiers.finishedAt} is null and ${dossiers.status} in ('received', 'processing')
    and ${dossiers.status} = any(${hidden(sql`${sql.param(statuses)}::text[]`)}::text[])`;

/** The pages read with their rows by a statement prepared under a name (listDossiers): one plan suits every value. */
const PLANNED_ONCE: ReadonlySet<ListStrategy> = new Set([
  'unit newest in three parts',
  'unit pending in three parts',
  'received period day by day',
]);

/** Up to `f.limit` dossiers matching the filters, newest first, below the cursor `f.afterId`. */
export async function listDossiers(
  db: DbOrTx,
  units: UnitTreeCache,
  principal: Principal,
  f: ListFilters,
  live: LiveSettings,
): Promise<DossierView[]> {
  // A dashboard has no business confirming who has a dossier: refused before anything is read.
  const personal = (['idNumber', 'q'] as const).filter((name) => f[name] !== undefined);
  if (personal.length > 0 && readsMasked(principal)) {
    throw new DomainError('APPLICANT_FILTER_FORBIDDEN', {
      role: principal.role,
      filter: personal.join(', '),
    });
  }
  const codes = await unitCodesFor(units, principal, f.unitCode);
  if (codes && codes.length === 0) return [];
  const statuses = f.status?.split(',');
  const inUnits = codes && unitParts(codes, (column) => sql`${column} = any(${sql.param(codes)}::text[])`);
  const filters: Array<SQL | undefined> = [
    statuses ? inArray(dossiers.status, statuses) : undefined,
    f.procedureCode ? eq(dossiers.procedureCode, f.procedureCode) : undefined,
    f.channel ? eq(dossiers.channel, f.channel) : undefined,
    f.receivedFrom ? gte(dossiers.receivedAt, instantAt(f.receivedFrom, 0)) : undefined,
    f.receivedTo ? lt(dossiers.receivedAt, instantAt(addDays(f.receivedTo, 1), 0)) : undefined,
    f.dueBefore ? lt(dossiers.dueAt, new Date(f.dueBefore)) : undefined,
    f.timeliness ? timelinessCondition(f.timeliness, live) : undefined,
    f.officerCode ? eq(dossiers.holderOfficerCode, f.officerCode) : undefined,
    f.stepCode ? eq(dossiers.currentStepCode, f.stepCode) : undefined,
    f.idNumber ? eq(dossiers.applicantIdNumber, normalizeIdNumber(f.idNumber)) : undefined,
  ];
  const conditions = [
    inUnits ? or(inUnits.receivedThere, inUnits.handledThere, inUnits.resolvedThere) : undefined,
    ...filters,
  ];
  const key = f.q === undefined ? '' : searchKey(f.q);
  if (key !== '') {
    // One unit and no other filter: its dossiers can be read newest first along its parts' indexes, the name
    // checked on each (name-search.ts weighs that against its other reads).
    const oneUnit =
      codes?.length === 1 && filters.every((c) => c === undefined)
        ? { code: codes[0]!, parts: unitParts(codes, (column) => eq(column, codes[0]!)) }
        : undefined;
    return dossierPageViews(
      db,
      units,
      await nameSearchNewestFirst(db, conditions, key, f.afterId, f.limit, oneUnit),
    );
  }

  const oneFilter = filters.filter((c) => c !== undefined).length === 1;
  const strategy = chooseListStrategy({
    restrictedToUnits: inUnits !== null,
    unitCount: codes?.length ?? 0,
    receivedFrom: f.receivedFrom,
    receivedTo: f.receivedTo,
    timeliness: f.timeliness,
    otherFilters: [
      f.status,
      f.procedureCode,
      f.channel,
      f.dueBefore,
      f.timeliness,
      f.officerCode,
      f.stepCode,
      f.idNumber,
    ].some((v) => v !== undefined),
    holderOrStep: f.officerCode !== undefined || f.stepCode !== undefined,
    timelinessAlone: f.timeliness !== undefined && oneFilter,
    pendingStatusesAlone:
      statuses !== undefined &&
      statuses.every((s) => runningStatuses.includes(s as DossierStatus)) &&
      oneFilter,
  });
  // The page's ids first, from dossiers alone; then their views, whose joins (which never drop a row: foreign
  // keys) run for that page only, not for every match a sort has to consider.
  let page: SQL | SQLWrapper;
  switch (strategy) {
    case 'received period day by day':
      page = receivedPeriodDayByDay(f.receivedFrom!, f.receivedTo!, f.afterId, f.limit);
      break;
    case 'unit received in three parts':
      page = unitReceivedInThreeParts(db, inUnits!, filters, f.afterId, f.limit);
      break;
    case 'unit newest in three parts':
      page = unitNewestPage(codes!, f.afterId, f.limit);
      break;
    case 'unit pending in three parts':
      page = unitNewestPage(codes!, f.afterId, f.limit, pendingIn(statuses!));
      break;
    case 'received range sorted':
    case 'unit overdue through status-due indexes':
    case 'open steps overdue sorted':
      page = matchesSorted(db, conditions, f.afterId, f.limit);
      break;
    case 'open overdue sorted':
      // A running dossier is never finished: said again so that the open dossiers' due index
      // (dossiers_pending_due_idx) serves the list. Not for a unit's, whose status-due indexes are closer.
      page = matchesSorted(db, [...conditions, isNull(dossiers.finishedAt)], f.afterId, f.limit);
      break;
    case 'open overdue newest first':
      // Said again for the same reason: the pending dossiers' newest-first index (dossiers_pending_id_idx). Planned
      // for its values, never once for all (not in PLANNED_ONCE): the statuses are parameters, and a plan made
      // without them cannot tell that the index holds the rows, so it walks the primary key.
      page = newestFirst(db, [...conditions, isNull(dossiers.finishedAt)], f.afterId, f.limit);
      break;
    case 'newest first':
      page = newestFirst(db, conditions, f.afterId, f.limit);
  }
  // The two pages whose plan is the same for every value (the units come from an array, the days from a series;
  // each is read along its index) are read with their rows by one statement, prepared under a name and planned once
  // per connection (dossierPageOf). The others are planned for their values: their rows are read by the statement
  // that reads a page's rows by ids, planned once, rather than planned again with each page.
  if (PLANNED_ONCE.has(strategy)) return dossierPageOf(db, units, sql`${page}`);
  const ids = rowsOf<{ id: number | string }>(await db.execute(sql`${page}`));
  return dossierPageViews(
    db,
    units,
    ids.map((r) => Number(r.id)),
  );
}

/** GET /v1/dossiers: one page of the list, with its next cursor (the last dossier's id). */
export async function listDossierPage(
  db: Db,
  units: UnitTreeCache,
  principal: Principal,
  query: z.output<typeof ListDossiersQuery>,
  live: () => Promise<LiveSettings>,
) {
  const { limit, cursor, ...filters } = query;
  const after = decodeCursor(cursor, 1)?.[0];
  const settings = await live();
  const fetched = await listDossiers(
    db,
    units,
    principal,
    { ...filters, afterId: typeof after === 'number' ? after : undefined, limit: limit + 1 },
    settings,
  );
  const masked = readsMasked(principal);
  return paginate(
    fetched,
    limit,
    (v) => [v.d.id],
    (v) => toDossierResponse(v, settings, masked),
  );
}
