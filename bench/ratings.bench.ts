/**
 * The statistics' satisfaction columns alone, in this process (no HTTP, no load beside them): for each shape
 * (the province this year, this month by unit, last year, last year by procedure, this year's official period; a
 * commune this year and last year's official period), satisfactionByGroup (from the counts of the ratings kept by
 * month and by day) and the same ratings counted one by one, `--count` times each in turn; p50 / p95 ms. Needs
 * the benchmark database at seed version 5 (ratings). Writes nothing to bench/RESULTS.md.
 *
 *   npm run bench:ratings -- [--count 40] [--database NAME]
 */
import { sql } from 'drizzle-orm';
import { connectPostgres } from '../src/db/client.js';
import { rows } from '../src/db/sql.js';
import { addDays, instantAt, localDateOf } from '../src/domain/local-time.js';
import { periodDates } from '../src/domain/periods.js';
import { grouping, unitScope, type GroupBy } from '../src/stats/rule.js';
import { satisfactionByGroup } from '../src/stats/satisfaction.js';
import { coversEveryUnit } from '../src/stats/serving.js';
import { argValue, assertLocal, benchDatabaseUrl, communeCode, PROVINCE_CODE } from './common.js';

const count = Number(argValue('--count') ?? 40);
if (!(Number.isInteger(count) && count >= 2)) throw new Error('--count takes a whole number from 2');
const url = benchDatabaseUrl();
assertLocal(url);
const database = await connectPostgres(url, 2);
const db = database.db;

const pathOf = async (code: string) =>
  (await rows<{ path: string }>(db, sql`select path from units where code = ${code}`))[0]!.path;
const today = localDateOf(new Date());
const year = Number(today.slice(0, 4));
const period = (p: string, reporting: 'civil' | 'official' = 'civil') => periodDates(p, reporting)!;
const province = await pathOf(PROVINCE_CODE);
const commune = await pathOf(communeCode(0));
const shapes: Array<[string, string, { from: string; to: string }, GroupBy]> = [
  ['the province, this year', province, period(String(year)), 'none'],
  ['the province, this month by unit', province, period(today.slice(0, 7)), 'unit'],
  ['the province, last year', province, period(String(year - 1)), 'none'],
  ['the province, last year by procedure', province, period(String(year - 1)), 'procedure'],
  ['the province, this year official', province, period(String(year), 'official'), 'none'],
  ['a commune, this year', commune, period(String(year)), 'none'],
  ['a commune, last year official', commune, period(String(year - 1), 'official'), 'none'],
];

async function timed(run: () => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await run();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(1);
  return `${at(0.5)} / ${at(0.95)}`;
}

console.log('| shape | counted one by one | from the kept counts |\n|---|---|---|');
for (const [name, unitPath, { from, to }, groupBy] of shapes) {
  // As answerStatistics asks: by procedure over every unit, from the counts over the whole tree.
  const everyUnit = grouping(groupBy, 'resolving').byProcedure && (await coversEveryUnit(db, unitPath));
  const q = { unitPath, attribution: 'resolving' as const, from, to, groupBy, asOf: new Date(), everyUnit };
  const g = grouping(groupBy, 'resolving');
  const oneByOne = () =>
    rows(
      db,
      sql`select ${g.key} as key, ${g.label} as label, count(*)::int as rated,
            (count(*) filter (where f.level = 'very_satisfied'))::int as very_satisfied
          from dossier_ratings f ${g.joins}
          where ${unitScope(unitPath)} and f.rated_at >= ${instantAt(from, 0)}
            and f.rated_at < ${instantAt(addDays(to, 1), 0)} and f.rated_at <= ${q.asOf}
          group by 1, 2`,
    );
  console.log(`| ${name} | ${await timed(oneByOne)} | ${await timed(() => satisfactionByGroup(db, q))} |`);
}
await database.close();
