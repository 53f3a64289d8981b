/**
 * The name searches of the dashboards' mix, one at a time and in this process (no HTTP, no load beside them):
 * the first `--count` queries labelled `--label` (`unit+q`: a commune and a name; `q`: the province) of
 * `dashboardQueries(prng(7), …, ['search'])` (bench/workloads.ts), each answered by listDossiers as a clerk of
 * the province, page size 50, `--rounds` times in turn; the last round is reported. What changes in the name
 * search's reads (src/dossiers/name-search.ts) is compared with it, its code before and after answering in
 * turn on the same database. Writes nothing to bench/RESULTS.md; `--json FILE` keeps each query's time.
 *
 *   npm run bench:name-search -- [--label unit+q] [--count 150] [--rounds 2] [--json FILE] [--database NAME]
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { connectPostgres } from '../src/db/client.js';
import { listDossiers } from '../src/dossiers/list.js';
import type { LiveSettings } from '../src/dossiers/representation.js';
import { UnitTreeCache } from '../src/units/tree-cache.js';
import { argValue, assertLocal, benchDatabaseUrl, PROVINCE_CODE, prng } from './common.js';
import { summary } from './load.js';
import { fmt } from './results.js';
import { dashboardQueries } from './workloads.js';

const label = argValue('--label') ?? 'unit+q';
const count = Number(argValue('--count') ?? 150);
const rounds = Number(argValue('--rounds') ?? 2);
if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(rounds) && rounds >= 1)) {
  throw new Error('--count and --rounds take whole numbers from 1');
}
const url = benchDatabaseUrl();
assertLocal(url);

const client = new pg.Client({ connectionString: url });
await client.connect();
const database = await connectPostgres(url, 2);
try {
  const { rows } = await client.query<{ path: string }>('select path from units where code = $1', [
    PROVINCE_CODE,
  ]);
  if (!rows[0]) throw new Error('the benchmark database holds no province: run npm run bench:seed first');
  const units = new UnitTreeCache(database.db);
  const clerk = { keyId: 'bench', role: 'clerk' as const, unitCode: PROVINCE_CODE, scopePath: rows[0].path };
  // A name search reads no live setting (they serve the timeliness filter).
  const live = {} as LiveSettings;
  const queries = dashboardQueries(prng(7), [], 40 * count, ['search'])
    .filter((q) => q.label === label)
    .slice(0, count)
    .map((q) => new URL(q.path, 'http://bench').searchParams);
  if (queries.length === 0) throw new Error(`no search of the mix is labelled ${label} (unit+q or q)`);
  let times: Array<{ query: string; ms: number; found: number }> = [];
  for (let round = 0; round < rounds; round++) {
    times = [];
    for (const params of queries) {
      const filters = {
        unitCode: params.get('unitCode') ?? undefined,
        q: params.get('q') ?? undefined,
        limit: 50,
      };
      const started = performance.now();
      const page = await listDossiers(database.db, units, clerk, filters, live);
      times.push({
        query: `${filters.unitCode ?? 'province'} "${filters.q}"`,
        ms: performance.now() - started,
        found: page.length,
      });
    }
  }
  const json = argValue('--json');
  if (json) writeFileSync(json, JSON.stringify(times, null, 2));
  const s = summary(times.map((t) => t.ms));
  console.log(
    `${label}: ${times.length} searches, ms p50 ${fmt(s.p50, 1)} / p95 ${fmt(s.p95, 1)} / p99 ${fmt(s.p99, 1)}` +
      ` / slowest ${fmt(Math.max(...times.map((t) => t.ms)), 1)}; total ${fmt(times.reduce((a, t) => a + t.ms, 0))} ms`,
  );
  for (const t of [...times].sort((a, b) => b.ms - a.ms).slice(0, 10))
    console.log(`  ${fmt(t.ms, 1)} ms, ${t.found} found: ${t.query}`);
} finally {
  await database.close();
  await client.end();
}
