// The name search newest first: the list's strategy when `q` asks for an applicant name. How common the name
// is, and how many rows the other filters keep, decide how it reads (its cost model is chooseNameRead).
import { and, desc, gte, lt, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { dossiers } from '../db/schema/index.js';
import { rowsOf } from '../db/sql.js';
import { newestOfThreeParts, type UnitParts } from './list-strategies.js';

// The key length and the block of ids are those of dossier_name_keys (migrations 0008_dossiers_name_keys and
// 0029_name_keys_inside_words) and dossier_unit_name_keys (0044_unit_name_keys), which the indexes are built with.
const NAME_KEY_CHARS = 16;
const NAME_INSIDE_CHARS = 10;
const NAME_KEY_BLOCK = 65_536;
/**
 * The blocks one text query of the name keys covers; a read over more blocks joins several with `or` (a bitmap
 * each, then joined). The index steps through the entries its query leads to once for every key of the query:
 * over all 77 blocks of 5 M dossiers (154 keys) a common pair of names within a commune (19,000 entries) took
 * 90 ms, in queries of four blocks 15 ms. Smaller queries read no faster and take longer to plan.
 */
const NAME_BLOCKS_PER_QUERY = 4;
/** The newest ids looked at directly, before any index. */
const NAME_WINDOW = 1_000;
/**
 * The most blocks the first read through the name keys covers. A share of a few in a thousand, counted in the
 * window, is a rough guess ("Văn Cường": none in the newest 1,000, one in 400 of a commune's 87,000 dossiers):
 * the first read measures it on a fifth of 5 M dossiers, and the next reads are sized from what it found.
 */
const NAME_FIRST_READ_BLOCKS = 16;
/**
 * How many more ids than the need a read through the name keys covers: twice as many while the share of
 * matches is the window's guess, a quarter more once a read has measured it (twice as many made the second
 * read cover most of the table).
 */
const NAME_MARGIN_GUESSED = 2;
const NAME_MARGIN_MEASURED = 1.25;
/** Relative costs of an index entry and of a row fetched through the index, an id read on costing 1. */
const NAME_ENTRY_COST = 1.5;
const NAME_FETCH_COST = 20;
/** The cost of an entry of the other filters' indexes that the planner reads into a bitmap. */
const FILTER_BITMAP_COST = 2;
/**
 * The cost of a row of one unit read newest first along its index (dossiers_unit_id_idx), its name checked:
 * measured at 1.7 µs a row against 0.3 µs for an id read on along the primary key (5 M dossiers, all in
 * memory). 10 rather than 6: a name share the window overstates makes the walk read far more rows than
 * estimated, and at 6 the searches of the benchmark were slower at their 95th percentile.
 */
const UNIT_ROW_COST = 10;

/**
 * The ids a read through the name keys covers below `upper`: those that should hold `margin` times the `wanted`
 * matches at a share `r`, at least a block.
 */
function keysSpan(wanted: number, r: number, upper: number, margin: number): number {
  return Math.min(upper, Math.max((margin * wanted) / r, NAME_KEY_BLOCK));
}

/**
 * Whether `text` occurs in `name` starting inside a word (after a letter, not after a space or at the start): it
 * is still found once every occurrence at a word's start is taken out. An occurrence overlapping one taken out is
 * missed ("a a" in "xa a a"): this counts a share for the cost model (the window's m), never a match. A third of
 * the window's time less than the regular expression `[^ ]text` (1,000 rows at 5 M: 0.7–1.2 ms against 1.0–1.7).
 */
export function occursInsideWord(name: SQLWrapper, text: string): SQL {
  return sql`strpos(replace(' ' || ${name}, ${' ' + text}, ' '), ${text}) <> 0`;
}

/** The first NAME_KEY_CHARS characters of a text, as the keys hold them. */
const cut = (text: string) => Array.from(text).slice(0, NAME_KEY_CHARS).join('');

/** A text inside a quoted term of a text query. */
const quoted = (text: string) => text.replace(/[\\']/g, (c) => c + c);

/** One unit of the name search: its code and its three parts (nameSearchNewestFirst's `oneUnit`). */
export interface OneUnit {
  code: string;
  parts: UnitParts;
}

/** How the name search reads on past its window (step 2 of nameSearchNewestFirst). */
export type NameRead =
  'ids newest first' | 'filters sorted' | 'one unit newest first' | 'one unit by its keys' | 'name keys';

/** What the window showed, the shares of its rows (see step 2 of nameSearchNewestFirst), and what is wanted. */
export interface NameReadInputs {
  /** Matches still wanted for the page. */
  need: number;
  /** Ids below which nothing is read yet. */
  upper: number;
  /** Shares passing the other filters (f), carrying the name (d), led to by the keys inside words (m). */
  f: number;
  d: number;
  m: number;
  /** Share that match: found in the window, or f·d when none was. */
  r: number;
  /** Whether the other filters are hidden from the planner (they keep most rows). */
  filtersHidden: boolean;
  /**
   * Whether the only other filter is one unit (its rows can be read newest first along its own indexes, or
   * through its own name keys).
   */
  oneUnit?: boolean | undefined;
  /**
   * Of f, the share of the unit's rows that another unit received (handled or resolved there), as counted in the
   * window (0 when none was): read newest first beside its own keys.
   */
  elsewhere?: number | undefined;
}

/**
 * The cheapest way to read on, and for the name keys whether the rows they lead to are fetched and the filters
 * checked on each (`fetchLeads`) rather than intersected with the filters' indexes. In ids read newest first
 * (each costing 1): reading on costs need / r. Reading the rows the other filters keep, through their indexes,
 * and sorting them costs f·upper rows fetched. One unit's rows read newest first along its index hold the name
 * at a share r / f: need·f / r of them are read (need / d when the window found none: whatever the unit's share),
 * those it handled or resolved after another unit received them along their own ordered indexes too. The name keys
 * read the blocks that should hold twice the need: d + m of their ids are index entries, and the rows they lead
 * to are fetched, or the filters' entries of those blocks (f of their ids) are read into a bitmap with them and
 * r + m·f rows fetched, whichever costs less. One unit's own keys (dossiers_unit_name_keys_idx) lead to the rows
 * it received carrying the name, (f − e)·upper·(d + m) of them, each an index entry and a row fetched; those it
 * handled or resolved after another unit received them (a share e) are read newest first beside, as the unit's
 * newest-first read reads them (a department's: a third of its rows).
 */
export function chooseNameRead(x: NameReadInputs): { read: NameRead; fetchLeads: boolean } {
  const { need, upper, f, d, m, r, oneUnit } = x;
  const e = Math.min(x.elsewhere ?? 0, f);
  const fetchLeads = x.filtersHidden || (d + m) * NAME_FETCH_COST < f * FILTER_BITMAP_COST;
  const span = keysSpan(need, r, upper, NAME_MARGIN_GUESSED);
  const fetched = fetchLeads
    ? (d + m) * NAME_FETCH_COST
    : f * FILTER_BITMAP_COST + (r + m * f) * NAME_FETCH_COST;
  const costs: Array<[NameRead, number]> = [
    ['ids newest first', Math.min(need / r, upper)],
    ['one unit newest first', oneUnit ? Math.min((need * f) / r, f * upper) * UNIT_ROW_COST : Infinity],
    [
      'one unit by its keys',
      oneUnit
        ? (f - e) * upper * (d + m) * (NAME_ENTRY_COST + NAME_FETCH_COST) +
          Math.min((need * e) / r, e * upper) * UNIT_ROW_COST
        : Infinity,
    ],
    ['filters sorted', f * upper * NAME_FETCH_COST],
    ['name keys', span * ((d + m) * NAME_ENTRY_COST + fetched)],
  ];
  const [read] = costs.reduce((best, next) => (next[1] < best[1] ? next : best));
  return { read, fetchLeads };
}

/**
 * The ids of a page of the dossiers whose name contains `key` (a search key: lower case, no diacritics), newest
 * first, below the cursor `afterId`: exactly what `applicant_name_search like '%key%'` finds, in `strpos` form (no
 * wildcard to escape), every candidate checked with it. The cost of finding them depends on how common the
 * name is, and on the other filters: the newest ids are read first, and what they show decides how to read
 * on (step 2). `oneUnit`: when the only other filter is one unit, its code and its three parts, each an equality
 * on the code (its dossiers can then be read newest first along their indexes, or through its own name keys); they
 * must select exactly the rows the unit's condition in `conditions` selects, and nothing else may be there.
 */
export async function nameSearchNewestFirst(
  db: DbOrTx,
  conditions: Array<SQL | undefined>,
  key: string,
  afterId: number | undefined,
  limit: number,
  oneUnit?: OneUnit,
): Promise<number[]> {
  const id = dossiers.id;
  const hit = sql`strpos(${dossiers.applicantNameSearch}, ${key}) <> 0`;
  const filters = and(...conditions) ?? sql`true`;
  // An occurrence that starts inside a word is looked for by the keys inside words, which hold the first
  // NAME_INSIDE_CHARS characters of `key` (step 3): the names they lead to.
  const insideStart = Array.from(key).slice(0, NAME_INSIDE_CHARS).join('');
  const leadsInside = occursInsideWord(dossiers.applicantNameSearch, insideStart);
  // The keys' terms (see the migrations): a key starts at each word ("b:" and the rest of the name, 16
  // characters: "van cuong") and at each letter inside a word ("b~" and the next 10 characters of the name: "anh
  // cuong" in "thanh cuong"), b the block of ids or the unit's code. A name contains `key` from the start of a
  // word or from inside one: a key of one kind or the other begins with as much of `key` as it holds (`strpos`
  // checks the whole).
  const terms = (b: string) =>
    `'${quoted(b)}:${quoted(cut(key))}':* | '${quoted(b)}~${quoted(insideStart)}':*`;
  // A parameter to the planner, not a constant: it estimates a constant query term by term.
  const unitKeys = (code: string) =>
    sql`dossier_unit_name_keys(${dossiers.unitCode}, ${dossiers.applicantNameSearch}) @@ (select ${terms(code)}::tsquery)`;

  // 1. The newest NAME_WINDOW rows below the cursor, read directly (the filters evaluated, not planned): the
  // matches, and how many pass the other filters and how many carry the name. Rows, not a span of ids: ids
  // have gaps (intakes rolled back, rows removed), and a window of ids over a gap would make every share look
  // small (a common name would look rare, and far too many name keys be read for it).
  const below = afterId === undefined ? sql`true` : sql`${id} < ${afterId}`;
  // With one unit: its rows another unit received (its two other parts, which its own name keys do not hold).
  const receivedElsewhere = oneUnit
    ? or(oneUnit.parts.handledThere, oneUnit.parts.resolvedThere)
    : sql`false`;
  const window = sql`(select * from ${dossiers} where ${below} order by ${id} desc limit ${NAME_WINDOW}) as ${sql.identifier('dossiers')}`;
  const [recent] = await db
    .select({
      rows: sql<number>`count(*)`.mapWith(Number),
      lowest: sql<number>`coalesce(min(${id}), 1)`.mapWith(Number),
      filtered: sql<number>`count(*) filter (where ${filters})`.mapWith(Number),
      elsewhere: sql<number>`count(*) filter (where ${receivedElsewhere})`.mapWith(Number),
      named: sql<number>`count(*) filter (where ${hit})`.mapWith(Number),
      inside: sql<number>`count(*) filter (where ${leadsInside})`.mapWith(Number),
      found: sql<Array<number | string> | null>`array_to_json(
        (array_agg(${id} order by ${id} desc) filter (where ${filters} and ${hit}))[1:${limit}])`,
    })
    .from(window);
  const found = (recent!.found ?? []).map(Number);
  // Ids below this one are not read yet (none are left when the window was not full).
  let upper = recent!.rows < NAME_WINDOW ? 1 : recent!.lowest;
  if (found.length >= limit || upper <= 1) return found;

  // Filters that keep most rows (a province's scope: a hundred unit codes) are hidden from the planner in a
  // `case`: estimating them takes it longer than running the query, and their indexes would not help.
  const hidden = sql`(case when ${filters} then true end)`;
  const kept = recent!.filtered >= NAME_WINDOW / 2 ? hidden : filters;
  /**
   * The ids a read looks at: below `upper` and, through the name keys, from `from` (the first of their
   * blocks). With the filters in view, both bounds go to the filters' indexes too: the planner intersects a
   * commune's entries of those blocks with the keys, not all of its entries (105,000 for the largest commune
   * at 5 M: 54 ms of a 60 ms search). With the filters hidden, the keys alone choose the rows: the bounds are
   * checked on them (as a range of the primary key, the planner may read a million of its entries to
   * intersect).
   */
  const idRange = (only: SQL, from?: number) => {
    if (from === undefined) return lt(id, upper);
    return only === hidden
      ? sql`${id} + 0 >= ${from} and ${id} + 0 < ${upper}`
      : and(gte(id, from), lt(id, upper));
  };
  /**
   * The ids of the next `count` matches in the range, newest first: read along the primary key, or fetched
   * through the name keys (`via` their condition, over the blocks from `from`) or the other filters' indexes,
   * then sorted; `only`: the other filters, in view or hidden.
   */
  const nextIds = async (count: number, via?: SQL | 'filters', from?: number, only = kept) => {
    const next = await db
      .select({ id })
      .from(dossiers)
      .where(and(only, hit, idRange(only, from), via === 'filters' ? undefined : via))
      // `id + 0`: not the primary key's order, which would tempt the planner into walking it.
      .orderBy(via ? sql`${id} + 0 desc` : desc(id))
      .limit(count);
    return next.map((row) => row.id);
  };

  /**
   * The ids of the next `count` matches below `upper` in one unit's three parts, each read newest first
   * (`nulls last`: the order of dossiers_unit_id_idx, dossiers_handled_elsewhere_id_idx and
   * dossiers_resolved_elsewhere_id_idx); with `byKeys`, the rows it received through its own name keys (the rows
   * they lead to, sorted), the unit's equality checked on each (the keys hold the unit: its index is not read).
   */
  const unitIds = async (unit: OneUnit, count: number, byKeys = false) => {
    const part = (where: SQL, received: boolean) =>
      byKeys && received
        ? sql`(select ${id} from ${dossiers}
            where (case when ${where} then true end) and ${hit} and ${lt(id, upper)} and ${unitKeys(unit.code)}
            order by ${id} + 0 desc limit ${count})`
        : sql`(select ${id} from ${dossiers} where ${where} and ${hit} and ${lt(id, upper)}
            order by ${id} desc nulls last limit ${count})`;
    const next = rowsOf<{ id: number | string }>(
      await db.execute(newestOfThreeParts(unit.parts, part, count)),
    );
    return next.map((row) => Number(row.id));
  };

  // 2. How to read on? From the window: f, d, the shares of ids passing the other filters and carrying the
  // name; m, the share the keys inside words lead to (a superset of the occurrences that start inside a word
  // when `key` is longer than those keys); r, the share that match (f·d when none did); with one unit, the share
  // of its rows another unit received (its two other parts). chooseNameRead weighs the reads.
  const need = limit - found.length;
  const share = (count: number) => Math.max(count, 1) / NAME_WINDOW;
  const f = share(recent!.filtered);
  const d = share(recent!.named);
  const m = recent!.inside / NAME_WINDOW;
  let r = found.length > 0 ? share(found.length) : f * d;
  const { read: how, fetchLeads } = chooseNameRead({
    need,
    upper,
    f,
    d,
    m,
    r,
    filtersHidden: kept === hidden,
    oneUnit: oneUnit !== undefined,
    elsewhere: recent!.elsewhere / NAME_WINDOW,
  });
  if (how === 'ids newest first') return [...found, ...(await nextIds(need))];
  if (how === 'one unit newest first') return [...found, ...(await unitIds(oneUnit!, need))];
  if (how === 'one unit by its keys') return [...found, ...(await unitIds(oneUnit!, need, true))];
  if (how === 'filters sorted') return [...found, ...(await nextIds(need, 'filters'))];

  // 3. The name keys of the blocks of ids (`terms`), block by block from the newest, in a few reads: the first
  // of at most NAME_FIRST_READ_BLOCKS, each next one sized from the share of matches found so far.
  const block = (n: number) => Math.floor(n / NAME_KEY_BLOCK);
  const inBlocks = (from: number, to: number) => {
    const groups: string[][] = [];
    for (let b = from; b >= to; b--) {
      if ((from - b) % NAME_BLOCKS_PER_QUERY === 0) groups.push([]);
      groups.at(-1)!.push(terms(String(b)));
    }
    // A parameter to the planner, not a constant: it estimates a constant query term by term, and a query of
    // many blocks would look like much of the table (worth parallel workers, JIT compilation).
    const matches = groups.map(
      (group) =>
        sql`dossier_name_keys(${id}, ${dossiers.applicantNameSearch}) @@ (select ${group.join(' | ')}::tsquery)`,
    );
    return or(...matches)!;
  };
  let margin = NAME_MARGIN_GUESSED;
  const spanFor = (wanted: number) => keysSpan(wanted, r, upper, margin);
  const ids = [...found];
  let idsRead = NAME_WINDOW;
  let matched = found.length;
  for (let first = true; matched < limit && upper > 1; first = false) {
    const wanted = limit - matched;
    const newest = block(upper - 1);
    const to = Math.max(0, block(upper - spanFor(wanted)), first ? newest - NAME_FIRST_READ_BLOCKS + 1 : 0);
    // Over these blocks the keys lead to a share d + m of the ids, and the filters keep a share f (step 2:
    // fetching the rows the keys lead to when that costs less than the filters' entries).
    const from = to * NAME_KEY_BLOCK;
    const via = inBlocks(newest, to);
    const next = await nextIds(wanted, via, from, fetchLeads ? hidden : kept);
    matched += next.length;
    ids.push(...next);
    idsRead += upper - from;
    upper = from;
    // The share measured; nothing found at all, in the window or since: twice as many ids as read so far.
    r = (matched > 0 ? matched : wanted) / idsRead;
    margin = matched > 0 ? NAME_MARGIN_MEASURED : NAME_MARGIN_GUESSED;
  }
  return ids;
}
