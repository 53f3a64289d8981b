/**
 * The province's statistics answers by procedure and by field (and by nothing, for scale), in this process (no
 * HTTP, no load beside them): answerStatistics over last year, this year, this month and last year's official
 * period, `--count` times each in turn; p50 / p95 ms. Needs the benchmark database with its history closed
 * (`npm run bench:stats`). Writes nothing to bench/RESULTS.md.
 *
 *   npm run bench:province-answers -- [--count 5] [--database NAME]
 */
import { sql } from 'drizzle-orm';
import { connectPostgres } from '../src/db/client.js';
import { rows } from '../src/db/sql.js';
import { localDateOf } from '../src/domain/local-time.js';
import { periodDates } from '../src/domain/periods.js';
import type { GroupBy } from '../src/stats/rule.js';
import { answerStatistics } from '../src/stats/serving.js';
import { argValue, assertLocal, benchDatabaseUrl, PROVINCE_CODE } from './common.js';

const count = Number(argValue('--count') ?? 5);
if (!(Number.isInteger(count) && count >= 2)) throw new Error('--count takes a whole number from 2');
const url = benchDatabaseUrl();
assertLocal(url);
const database = await connectPostgres(url, 2);
const db = database.db;

const [unit] = await rows<{ code: string; path: string }>(
  db,
  sql`select code, path from units where code = ${PROVINCE_CODE}`,
);
const today = localDateOf(new Date());
const year = Number(today.slice(0, 4));
const shapes: Array<[string, string, GroupBy, 'civil' | 'official']> = [
  ['last year', String(year - 1), 'none', 'civil'],
  ['last year by procedure', String(year - 1), 'procedure', 'civil'],
  ['last year by field', String(year - 1), 'field', 'civil'],
  ['last year official, by procedure', String(year - 1), 'procedure', 'official'],
  ['this year by procedure', String(year), 'procedure', 'civil'],
  ['this month by field', today.slice(0, 7), 'field', 'civil'],
];

console.log('| the province | p50 / p95 ms | rows |\n|---|---|---|');
for (const [name, period, groupBy, reporting] of shapes) {
  const ms: number[] = [];
  let found = 0;
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const answer = await answerStatistics(db, {
      unit: unit!,
      ...periodDates(period, reporting)!,
      reporting,
      attribution: 'resolving',
      groupBy,
      granularity: 'day',
      now: new Date(),
    });
    ms.push(performance.now() - t);
    found = answer.rows.length;
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(1);
  console.log(`| ${name} | ${at(0.5)} / ${at(0.95)} | ${found} |`);
}
await database.close();
