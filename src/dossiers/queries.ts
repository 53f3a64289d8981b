import {
  and,
  asc,
  desc,
  eq,
  gte,
  inArray,
  is,
  like,
  lt,
  lte,
  or,
  sql,
  type SQL,
  type SQLWrapper,
} from 'drizzle-orm';
import { alias, PgTransaction } from 'drizzle-orm/pg-core';
import { type Db, type DbOrTx } from '../db/client.js';
import { compiledFirstRow } from '../db/compiled-read.js';
import { dossierEvents, dossiers, localDayOf, procedures, units } from '../db/schema/index.js';
import { inScope, readsMasked, type Principal } from '../auth/plugin.js';
import { escapeLike } from '../db/sql.js';
import { DomainError } from '../domain/errors.js';
import { maskApplicant, normalizeIdNumber, searchKey, type ApplicantView } from '../domain/applicant.js';
import {
  isPaused,
  nationalStatusOf,
  openStatuses,
  pausedStatuses,
  type DossierStatus,
} from '../domain/lifecycle.js';
import {
  addDays,
  dayNumberOf,
  formatInstant,
  instantAt,
  localDateOf,
  type LocalDate,
} from '../domain/local-time.js';
import { liveTimeliness, remainingWorkingMinutes, type Granularity } from '../domain/timeliness.js';
import { addWorkingMinutes, type Calendar } from '../domain/working-time.js';

export type DossierRow = typeof dossiers.$inferSelect;

const handling = alias(units, 'handling_unit');

const dossierColumns = {
  d: dossiers,
  procedureName: procedures.name,
  fee: procedures.fee,
  unitName: units.name,
  unitPath: units.path,
  handlingName: handling.name,
  handlingPath: handling.path,
};

export interface DossierView {
  d: DossierRow;
  procedureName: string;
  fee: number | null;
  unitName: string;
  unitPath: string;
  handlingName: string;
  handlingPath: string;
}

function selectDossiers(db: DbOrTx) {
  return db
    .select(dossierColumns)
    .from(dossiers)
    .innerJoin(procedures, eq(procedures.code, dossiers.procedureCode))
    .innerJoin(units, eq(units.code, dossiers.unitCode))
    .innerJoin(handling, eq(handling.code, dossiers.handlingUnitCode));
}

/** A dossier is in a key's scope when its receiving or its handling unit is. */
export function dossierInScope(
  principal: Principal,
  view: Pick<DossierView, 'unitPath' | 'handlingPath'>,
): boolean {
  return inScope(principal, view.unitPath) || inScope(principal, view.handlingPath);
}

/**
 * The hottest read: on a node-postgres pool, drizzle's statement run by pg as a named prepared statement (parsed
 * and planned once per connection) and decoded by a row mapper compiled once (see src/db/compiled-read.ts).
 */
function compileByCode(db: Db): ((code: string) => Promise<DossierView | undefined>) | undefined {
  // The code is unique: no limit, so the code is the statement's only parameter.
  const text = selectDossiers(db)
    .where(eq(dossiers.code, sql.placeholder('code')))
    .toSQL().sql;
  return compiledFirstRow<DossierView>(db, 'dossier_by_code', text, dossierColumns);
}

// Per handle: the compiled read, or null where it runs through drizzle (PGlite).
const byCode = new WeakMap<Db, ((code: string) => Promise<DossierView | undefined>) | null>();

/** The dossier by code, or DOSSIER_NOT_FOUND when it does not exist or lies outside the scope. */
export async function getDossierInScope(
  db: DbOrTx,
  principal: Principal,
  code: string,
): Promise<DossierView> {
  let view: DossierView | undefined;
  let compiled = is(db, PgTransaction) ? null : byCode.get(db);
  if (compiled === undefined) byCode.set(db, (compiled = compileByCode(db as Db) ?? null));
  if (compiled) view = await compiled(code);
  else [view] = await selectDossiers(db).where(eq(dossiers.code, code)).limit(1);
  if (!view || !dossierInScope(principal, view)) throw new DomainError('DOSSIER_NOT_FOUND', { code });
  return view;
}

export async function getDossierView(db: DbOrTx, id: number): Promise<DossierView> {
  const [view] = await selectDossiers(db).where(eq(dossiers.id, id)).limit(1);
  return view!;
}

/**
 * Unit codes of a subtree inside the caller's scope; null = no restriction at all, also when the subtree holds
 * every unit there is (a province's key where the database serves one province: the filter would keep every
 * row, at the cost of checking each against a hundred codes). A province's subtree holds hundreds of codes:
 * they are sent as one array parameter each, not as one parameter per code.
 */
async function unitCodesFor(
  db: DbOrTx,
  principal: Principal,
  unitCode: string | undefined,
): Promise<string[] | null> {
  const everyUnit = sql<number>`(select count(*) from ${units})`.mapWith(Number);
  const allOrSome = (rows: Array<{ code: string; total: number }>) =>
    rows.length > 0 && rows.length === rows[0]!.total ? null : rows.map((r) => r.code);
  if (unitCode) {
    // The unit and its subtree in one query (the unit's own row carries the path to check the scope with).
    const top = alias(units, 'top');
    const rows = await db
      .select({ code: units.code, path: units.path, total: everyUnit })
      .from(units)
      .innerJoin(top, sql`starts_with(${units.path}, ${top.path})`)
      .where(eq(top.code, unitCode));
    const unit = rows.find((r) => r.code === unitCode);
    if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code: unitCode });
    return allOrSome(rows);
  }
  if (principal.scopePath === null) return null;
  const rows = await db
    .select({ code: units.code, total: everyUnit })
    .from(units)
    .where(like(units.path, `${escapeLike(principal.scopePath)}%`));
  return allOrSome(rows);
}

export interface ListFilters {
  unitCode?: string | undefined;
  status?: string | undefined;
  procedureCode?: string | undefined;
  channel?: 'direct' | 'postal' | 'online' | undefined;
  receivedFrom?: string | undefined;
  receivedTo?: string | undefined;
  dueBefore?: string | undefined;
  timeliness?: 'on_track' | 'due_soon' | 'overdue' | 'paused' | undefined;
  idNumber?: string | undefined;
  q?: string | undefined;
  afterId?: number | undefined;
  limit: number;
}

export interface LiveSettings {
  calendar: Calendar;
  now: Date;
  granularity: Granularity;
  dueSoonMinutes: number;
}

/**
 * The live timeliness flag as SQL, matching `liveTimeliness` for open dossiers: overdue once the due date
 * (or, with `instant`, the due instant) is past; due soon when the due is within the threshold of working
 * time from now; on track beyond it.
 */
function timelinessCondition(flag: NonNullable<ListFilters['timeliness']>, live: LiveSettings): SQL {
  if (flag === 'paused') return inArray(dossiers.status, [...pausedStatuses]);
  const running = inArray(
    dossiers.status,
    openStatuses.filter((s) => !pausedStatuses.includes(s)),
  );
  const overdueBefore = live.granularity === 'day' ? instantAt(localDateOf(live.now), 0) : live.now; // due before this → overdue
  const soonUntil = addWorkingMinutes(live.calendar, live.now, live.dueSoonMinutes);
  if (flag === 'overdue') return and(running, lt(dossiers.dueAt, overdueBefore))!;
  if (flag === 'due_soon')
    return and(running, gte(dossiers.dueAt, overdueBefore), lte(dossiers.dueAt, soonUntil))!;
  return and(running, sql`${dossiers.dueAt} > ${soonUntil}`)!;
}

// Name search (listByName). The key length and the block of ids are those of dossier_name_keys (migration
// 0008_dossiers_name_keys), which the index is built with.
const NAME_KEY_CHARS = 16;
const NAME_KEY_BLOCK = 65_536;
/** The newest ids looked at directly, before any index. */
const NAME_WINDOW = 1_000;
/** Relative costs of an index entry and of a row fetched through the index, an id read on costing 1. */
const NAME_ENTRY_COST = 1.5;
const NAME_FETCH_COST = 20;

export async function listDossiers(
  db: DbOrTx,
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
  const codes = await unitCodesFor(db, principal, f.unitCode);
  if (codes && codes.length === 0) return [];
  const statuses = f.status?.split(',');
  // Received by one of the units, or handled by one of them after a transfer from a unit outside them: the
  // same rows as "received or handled there", in two disjoint parts with an index each (the second's,
  // dossiers_handled_elsewhere_received_idx, holds only rows handled elsewhere than where they were received).
  const units = codes && {
    receivedThere: sql`${dossiers.unitCode} = any(${sql.param(codes)}::text[])`,
    handledThere: sql`${dossiers.handlingUnitCode} = any(${sql.param(codes)}::text[]) and ${dossiers.handlingUnitCode} <> ${dossiers.unitCode}
      and ${dossiers.unitCode} <> all(${sql.param(codes)}::text[])`,
  };
  const filters: Array<SQL | undefined> = [
    statuses ? inArray(dossiers.status, statuses) : undefined,
    f.procedureCode ? eq(dossiers.procedureCode, f.procedureCode) : undefined,
    f.channel ? eq(dossiers.channel, f.channel) : undefined,
    f.receivedFrom ? gte(dossiers.receivedAt, instantAt(f.receivedFrom, 0)) : undefined,
    f.receivedTo ? lt(dossiers.receivedAt, instantAt(addDays(f.receivedTo, 1), 0)) : undefined,
    f.dueBefore ? lt(dossiers.dueAt, new Date(f.dueBefore)) : undefined,
    f.timeliness ? timelinessCondition(f.timeliness, live) : undefined,
    f.idNumber ? eq(dossiers.applicantIdNumber, normalizeIdNumber(f.idNumber)) : undefined,
  ];
  const conditions = [units ? or(units.receivedThere, units.handledThere) : undefined, ...filters];
  const key = f.q === undefined ? '' : searchKey(f.q);
  if (key !== '') {
    return listByName(db, conditions, key, f.afterId, f.limit);
  }
  const byReceipt = f.receivedFrom !== undefined || f.receivedTo !== undefined;
  const otherFilters = [f.status, f.procedureCode, f.channel, f.dueBefore, f.timeliness, f.idNumber];
  const below = f.afterId ? lt(dossiers.id, f.afterId) : undefined;
  // The page's ids first, from dossiers alone; the joins (which never drop a row: foreign keys) then run for
  // that page only, not for every match a sort has to consider.
  let page: SQL | SQLWrapper;
  if (
    codes === null &&
    f.receivedFrom !== undefined &&
    f.receivedTo !== undefined &&
    otherFilters.every((v) => v === undefined) &&
    dayNumberOf(f.receivedTo) - dayNumberOf(f.receivedFrom) < MAX_DAYS_BY_DAY
  ) {
    page = receiptDayPage(f.receivedFrom, f.receivedTo, f.afterId, f.limit);
  } else if (units && byReceipt) {
    // A unit's received period: each part read from its own index (unit and receipt; handled elsewhere and
    // receipt), without the table, then sorted: a large commune's month at 5 M dossiers 26 → 1 ms, where the
    // two units columns together made the planner read the whole province's month.
    const part = (unit: SQL) =>
      db
        .select({ id: dossiers.id })
        .from(dossiers)
        .where(and(unit, ...filters, below));
    page = sql`select m.id from (${part(units.receivedThere)} union all ${part(units.handledThere)}) m
      order by m.id desc limit ${f.limit}`;
  } else {
    // Newest first either way. With a received range the matches may lie deep in the past, where walking the
    // primary key backwards reads most of the table: `id + 0` keeps the order but makes the planner fetch the
    // range through its index and sort the (few thousand) matches instead. So too for a unit's overdue
    // dossiers: old by nature (past their due), a few hundred a commune, behind tens of thousands of newer
    // ids (walked from the newest, a large commune took 90 ms at 5 M dossiers, fetched through the
    // unit-status-due indexes 8 ms). Without a unit the overdue are spread enough for the walk to find a page
    // soon.
    const sorted = byReceipt || (f.timeliness === 'overdue' && codes !== null);
    page = db
      .select({ id: dossiers.id })
      .from(dossiers)
      .where(and(...conditions, below))
      .orderBy(sorted ? sql`${dossiers.id} + 0 desc` : desc(dossiers.id))
      .limit(f.limit);
  }
  return selectDossiers(db)
    .where(sql`${dossiers.id} in (${page})`)
    .orderBy(desc(dossiers.id));
}

/** The longest received period read day by day; a longer one is read as one range. */
const MAX_DAYS_BY_DAY = 400;

/**
 * The ids of a page of one received period, when nothing else filters it: each day's newest ids below the
 * cursor, read in order from the receipt-day index (dossiers_received_day_idx), then merged. At 5 M dossiers
 * a province's month is ≈ 134,000 receipts: read as a range and sorted they took ≈ 20 ms, day by day ≈ 1 ms.
 */
function receiptDayPage(from: LocalDate, to: LocalDate, afterId: number | undefined, limit: number): SQL {
  const below = afterId === undefined ? sql`` : sql`and ${dossiers.id} < ${afterId}`;
  // Days counted from `from` (date + integer is a date: no time zone involved).
  return sql`select p.id from generate_series(0, ${to}::date - ${from}::date) as g(n)
    cross join lateral (
      select ${dossiers.id} as id from ${dossiers}
      where ${localDayOf(dossiers.receivedAt)} = ${from}::date + g.n ${below}
      order by ${dossiers.id} desc limit ${limit}) p
    order by p.id desc limit ${limit}`;
}

/** A text matched literally in a regular expression. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A page of the dossiers whose name contains `key` (a search key: lower case, no diacritics), newest first,
 * below the cursor `afterId`: exactly what `applicant_name_search like '%key%'` finds, in `strpos` form (no
 * wildcard to escape), every candidate checked with it. The cost of finding them depends on how common the
 * name is, and on the other filters: the newest ids are read first, and what they show decides how to read
 * on (step 2).
 */
async function listByName(
  db: DbOrTx,
  conditions: Array<SQL | undefined>,
  key: string,
  afterId: number | undefined,
  limit: number,
): Promise<DossierView[]> {
  const id = dossiers.id;
  const hit = sql`strpos(${dossiers.applicantNameSearch}, ${key}) <> 0`;
  const filters = and(...conditions) ?? sql`true`;
  const space = key.indexOf(' ');
  const first = space < 0 ? key : key.slice(0, space);
  const rest = key.slice(space + 1);

  // 1. The newest NAME_WINDOW rows below the cursor, read directly (the filters evaluated, not planned): the
  // matches, and how many pass the other filters and how many carry the name. Rows, not a span of ids: ids
  // have gaps (intakes rolled back, rows removed), and a window of ids over a gap would make every share look
  // small (a common name then looked rare, and 900,000 ids' name keys were read for it: seconds).
  const below = afterId === undefined ? sql`true` : sql`${id} < ${afterId}`;
  const window = sql`(select * from ${dossiers} where ${below} order by ${id} desc limit ${NAME_WINDOW}) as ${sql.identifier('dossiers')}`;
  const [recent] = await db
    .select({
      rows: sql<number>`count(*)`.mapWith(Number),
      lowest: sql<number>`coalesce(min(${id}), 1)`.mapWith(Number),
      filtered: sql<number>`count(*) filter (where ${filters})`.mapWith(Number),
      named: sql<number>`count(*) filter (where ${hit})`.mapWith(Number),
      // With several tokens, names where a word ends with the first one (not being it), and names where a
      // word starts with the rest: what the name keys can look for an occurrence starting inside a word with.
      ending: sql<number>`count(*) filter (where ${
        space < 0
          ? sql`false`
          : sql`${dossiers.applicantNameSearch} ~ ${'[^ ]' + escapeRegex(first) + '( |$)'}`
      })`.mapWith(Number),
      starting: sql<number>`count(*) filter (where ${
        space < 0
          ? sql`false`
          : sql`starts_with(${dossiers.applicantNameSearch}, ${rest}) or strpos(${dossiers.applicantNameSearch}, ${' ' + rest}) <> 0`
      })`.mapWith(Number),
      found: sql<Array<number | string> | null>`array_to_json(
        (array_agg(${id} order by ${id} desc) filter (where ${filters} and ${hit}))[1:${limit}])`,
    })
    .from(window);
  const found = (recent!.found ?? []).map(Number);
  // Ids below this one are not read yet (none are left when the window was not full).
  let upper = recent!.rows < NAME_WINDOW ? 1 : recent!.lowest;
  if (found.length >= limit || upper <= 1) {
    return found.length === 0 ? [] : selectDossiers(db).where(inArray(id, found)).orderBy(desc(id));
  }

  // Filters that keep most rows (a province's scope: a hundred unit codes) are hidden from the planner in a
  // `case`: estimating them takes it longer than running the query, and their indexes would not help.
  const kept = recent!.filtered >= NAME_WINDOW / 2 ? sql`(case when ${filters} then true end)` : filters;
  /**
   * The dossiers `ids`, and the next `count` matches below `upper`: read newest first along the primary key,
   * or fetched through the name keys (`via` their condition) or the other filters' indexes, then sorted.
   */
  const page = (ids: number[], count: number, via?: SQL | 'filters') =>
    selectDossiers(db)
      .where(
        sql`${id} in (select unnest(${sql.param(ids)}::bigint[]) union all (${db
          .select({ id })
          .from(dossiers)
          .where(and(kept, hit, lt(id, upper), via === 'filters' ? undefined : via))
          // `id + 0`: not the primary key's order, which would tempt the planner into walking it.
          .orderBy(via ? sql`${id} + 0 desc` : desc(id))
          .limit(count)}))`,
      )
      .orderBy(desc(id));

  // 2. How to read on? From the window: f, d, the shares of ids passing the other filters and carrying the
  // name; m, the share the name keys look at for an occurrence starting inside a word (the smaller of the
  // two counts above); r, the share that match (f·d when none did). In ids read newest first (each costing
  // 1): reading on costs need / r. Reading the rows the other filters keep, through their indexes, and
  // sorting them costs f·upper rows fetched. The name keys read the blocks that should hold twice the need:
  // d + m of their ids are index entries, r + m·f rows fetched.
  const need = limit - found.length;
  const share = (count: number) => Math.max(count, 1) / NAME_WINDOW;
  const f = share(recent!.filtered);
  const d = share(recent!.named);
  const byEnding = recent!.ending <= recent!.starting;
  const m = Math.min(recent!.ending, recent!.starting) / NAME_WINDOW;
  let r = found.length > 0 ? share(found.length) : f * d;
  const spanFor = (wanted: number) => Math.min(upper, Math.max((2 * wanted) / r, NAME_KEY_BLOCK));
  const walk = Math.min(need / r, upper);
  const byFilters = f * upper * NAME_FETCH_COST;
  const byName = spanFor(need) * ((d + m) * NAME_ENTRY_COST + (r + m * f) * NAME_FETCH_COST);
  if (walk <= byFilters && walk <= byName) return page(found, need);
  if (byFilters < byName) return page(found, need, 'filters');

  // 3. The name keys (see the migration), block by block from the newest. In each block of ids, a key
  // starts at each word ("b:" and the rest of the name, "van cuong") and at each letter inside a word ("b~"
  // and the rest of that word, "uong"). A name contains `key` from the start of a word, or from inside one:
  // then, with several tokens, that word ends with the first one and the next word starts with the rest
  // (looked for by the rarer of the two; `strpos` checks the whole).
  const cut = (text: string) =>
    Array.from(text)
      .slice(0, NAME_KEY_CHARS)
      .join('')
      .replace(/[\\']/g, (c) => c + c);
  const long = Array.from(first).length >= NAME_KEY_CHARS; // then its key is cut: any continuation
  const inside = (b: number) =>
    space < 0
      ? `'${b}~${cut(key)}':*`
      : byEnding
        ? `'${b}~${cut(first)}'${long ? ':*' : ''}`
        : `('${b}~${cut(first)}'${long ? ':*' : ''} & '${b}:${cut(rest)}':*)`;
  const block = (n: number) => Math.floor(n / NAME_KEY_BLOCK);
  const inBlocks = (from: number, to: number) => {
    const terms = [];
    for (let b = from; b >= to; b--) terms.push(`'${b}:${cut(key)}':* | ${inside(b)}`);
    // A parameter to the planner, not a constant: it estimates a constant query term by term, and a query of
    // many blocks would look like much of the table (worth parallel workers, JIT compilation).
    return sql`dossier_name_keys(${id}, ${dossiers.applicantNameSearch}) @@ (select ${terms.join(' | ')}::tsquery)`;
  };
  const views: DossierView[] = [];
  let read = NAME_WINDOW;
  let matched = found.length;
  while (matched < limit && upper > 1) {
    const wanted = limit - matched;
    const to = Math.max(0, block(upper - spanFor(wanted)));
    const rows = await page(views.length === 0 ? found : [], wanted, inBlocks(block(upper - 1), to));
    matched += rows.filter((row) => row.d.id < upper).length;
    views.push(...rows);
    read += upper - to * NAME_KEY_BLOCK;
    upper = to * NAME_KEY_BLOCK;
    // Nothing yet: the rest at once.
    r = matched > 0 ? matched / read : 0;
  }
  return views;
}

export async function listEvents(db: DbOrTx, dossierId: number) {
  return db
    .select()
    .from(dossierEvents)
    .where(eq(dossierEvents.dossierId, dossierId))
    .orderBy(asc(dossierEvents.id));
}

/** Latest event instant, so a late entry can never be placed before what is already recorded. */
export async function latestEventAt(db: DbOrTx, dossierId: number): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<Date>`max(${dossierEvents.at})`.mapWith(dossierEvents.at) })
    .from(dossierEvents)
    .where(eq(dossierEvents.dossierId, dossierId));
  return row?.at ?? null;
}

const iso = (d: Date | null) => (d ? formatInstant(d) : null);

/** The applicant of a dossier; masked (maskApplicant) for viewer keys. */
export function applicantOf(d: DossierRow, masked: boolean): ApplicantView {
  const applicant: ApplicantView = {
    type: d.applicantType,
    fullName: d.applicantName,
    idNumber: d.applicantIdNumber,
    phone: d.applicantPhone,
    email: d.applicantEmail,
    address: d.applicantAddress,
  };
  return masked ? maskApplicant(applicant) : applicant;
}

/**
 * A dossier's representation, every field in the schema's order (the hot reads write it with JSON.stringify,
 * see src/http/serializer.ts). With `live`, the timeliness and remaining working time at `live.now`; without,
 * both null.
 */
function representation(view: DossierView, masked: boolean, live: LiveSettings | null) {
  const d = view.d;
  const status = d.status as DossierStatus;
  const running = live !== null && d.dueAt !== null && d.finishedAt === null && status !== 'rejected';
  const paused = isPaused(status);
  return {
    code: d.code,
    status,
    nationalStatus: nationalStatusOf[status],
    procedure: { code: d.procedureCode, name: view.procedureName },
    unit: { code: d.unitCode, name: view.unitName },
    handlingUnit: { code: d.handlingUnitCode, name: view.handlingName },
    channel: d.channel,
    applicant: applicantOf(d, masked),
    summary: d.summary,
    components: d.components,
    duration: { value: d.durationValue, unit: d.durationUnit },
    submittedAt: iso(d.submittedAt),
    receivedAt: iso(d.receivedAt),
    startAt: iso(d.startAt),
    dueAt: iso(d.dueAt),
    rescheduledDueAt: iso(d.rescheduledDueAt),
    pausedAt: iso(d.pausedAt),
    resolvedAt: iso(d.resolvedAt),
    result: d.result,
    returnedAt: iso(d.returnedAt),
    finishedAt: iso(d.finishedAt),
    timeliness: running
      ? liveTimeliness({
          cal: live.calendar,
          now: live.now,
          dueAt: d.dueAt!,
          paused,
          finished: false,
          dueSoonMinutes: live.dueSoonMinutes,
          granularity: live.granularity,
        })
      : null,
    outcome: d.outcome,
    remainingWorkingMinutes: running
      ? remainingWorkingMinutes(live.calendar, paused && d.pausedAt ? d.pausedAt : live.now, d.dueAt!)
      : null,
    version: d.version,
    createdAt: formatInstant(d.createdAt),
    updatedAt: formatInstant(d.updatedAt),
  };
}

/** The stored part of a dossier's representation (everything but the live fields): outbox payloads. */
export function dossierSnapshot(view: DossierView, masked = false) {
  const { timeliness: _t, remainingWorkingMinutes: _r, ...stored } = representation(view, masked, null);
  return stored;
}

/** The full representation, with the live timeliness and remaining working time at `live.now`. */
export function toDossierResponse(view: DossierView, live: LiveSettings, masked = false) {
  return representation(view, masked, live);
}
