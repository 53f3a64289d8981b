/**
 * Change feed throughput: a sync client paging GET /v1/sync/changes with limit=500 from the start of the
 * feed, over the benchmark database (`npm run bench:seed` first). Ensures the outbox holds at least
 * --changes N dossier changes (default 200,000), written in SQL in the shape intake writes, then pages through
 * them twice: with a system-wide sync key and with a province-scoped one (the scope check runs per row).
 * Target: ≥ 5,000 changes/s. Writes the "Change feed" section of bench/RESULTS.md.
 *
 *   npm run bench:feed -- [--changes 200000] [--no-write]
 */
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { connectPostgres } from '../src/db/client.js';
import { insertApiKey } from '../src/auth/keys.js';
import { assertLocal, benchDatabaseUrl, readMarker } from './common.js';
import { replaceSection } from './results.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const wanted = Number(arg('--changes') ?? 200_000);
const url = benchDatabaseUrl();
assertLocal(url);

const client = new pg.Client({ connectionString: url });
await client.connect();
if (!(await readMarker(client))) {
  console.error('the benchmark database is not seeded: run `npm run bench:seed` first');
  process.exit(1);
}

// Local time as the API writes it: RFC 3339 with +07:00.
const local = (col: string) =>
  `case when ${col} is null then null else to_char(${col} at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') end`;
const { rows: have } = await client.query<{ n: number }>(
  `select count(*)::int as n from outbox where type like 'dossier.%'`,
);
if (have[0]!.n < wanted) {
  const missing = wanted - have[0]!.n;
  console.log(`writing ${missing} dossier changes to the outbox...`);
  await client.query(`
    insert into outbox (type, dossier_id, unit_code, payload, occurred_at)
    select 'dossier.received', d.id, d.unit_code,
      jsonb_build_object('dossier', jsonb_build_object(
        'code', d.code, 'status', 'received', 'nationalStatus', 2,
        'procedure', jsonb_build_object('code', p.code, 'name', p.name),
        'unit', jsonb_build_object('code', u.code, 'name', u.name),
        'handlingUnit', jsonb_build_object('code', u.code, 'name', u.name),
        'channel', d.channel,
        'applicant', jsonb_build_object('type', d.applicant_type, 'fullName', d.applicant_name,
          'idNumber', d.applicant_id_number, 'phone', d.applicant_phone, 'email', d.applicant_email,
          'address', d.applicant_address),
        'summary', d.summary, 'components', d.components,
        'duration', jsonb_build_object('value', d.duration_value, 'unit', d.duration_unit),
        'submittedAt', ${local('d.submitted_at')}, 'receivedAt', ${local('d.received_at')},
        'startAt', ${local('d.start_at')}, 'dueAt', ${local('d.due_at')}, 'rescheduledDueAt', null,
        'pausedAt', null, 'resolvedAt', null, 'result', null, 'returnedAt', null, 'finishedAt', null,
        'outcome', null, 'version', 1, 'createdAt', ${local('d.created_at')}, 'updatedAt', ${local('d.created_at')})),
      coalesce(d.received_at, d.created_at)
    from dossiers d join procedures p on p.code = d.procedure_code join units u on u.code = d.unit_code
    where d.received_at is not null
    order by d.id
    limit ${missing}`);
  await client.query('vacuum analyze outbox');
}
const { rows: provinceRows } = await client.query<{ code: string }>(
  `select code from units where parent_code is null order by code limit 1`,
);
await client.end();

const config = loadConfig({
  DATABASE_URL: url,
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  RATE_LIMIT_PER_MINUTE: '0',
});
const database = await connectPostgres(url, 10);
const app = await buildApp({ config, db: database.db, checks: { postgres: database.ping } });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

async function pageThrough(
  key: string,
): Promise<{ changes: number; pages: number; seconds: number; p95: number }> {
  let after: string | undefined;
  let changes = 0;
  let pages = 0;
  const times: number[] = [];
  const started = performance.now();
  while (changes < wanted) {
    const t = performance.now();
    const res = await fetch(`${base}/v1/sync/changes?limit=500${after ? `&after=${after}` : ''}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const page = (await res.json()) as { items: unknown[]; nextCursor: string; hasMore: boolean };
    times.push(performance.now() - t);
    changes += page.items.length;
    pages++;
    after = page.nextCursor;
    if (!page.hasMore) break;
  }
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { changes, pages, seconds, p95: times[Math.floor(times.length * 0.95)] ?? 0 };
}

const systemKey = (
  await insertApiKey(database.db, { name: 'feed bench (system)', role: 'sync', unitCode: null })
).secret;
const provinceKey = (
  await insertApiKey(database.db, {
    name: 'feed bench (province)',
    role: 'sync',
    unitCode: provinceRows[0]!.code,
  })
).secret;
await pageThrough(systemKey); // warm-up: caches and the planner
const system = await pageThrough(systemKey);
const province = await pageThrough(provinceKey);
await app.close();
await database.close();

const rate = (r: { changes: number; seconds: number }) => Math.round(r.changes / r.seconds);
const table = [
  '| sync key | changes read | pages | time | changes/s | page p95 |',
  '|---|---|---|---|---|---|',
  ...[
    ['whole system', system],
    ['province scope', province],
  ].map(
    ([name, r]) =>
      `| ${name as string} | ${(r as typeof system).changes.toLocaleString('en')} | ${(r as typeof system).pages} | ${(r as typeof system).seconds.toFixed(1)} s | ${rate(r as typeof system).toLocaleString('en')} | ${(r as typeof system).p95.toFixed(1)} ms |`,
  ),
].join('\n');
console.log(table);
if (!process.argv.includes('--no-write')) {
  replaceSection(
    path.resolve(import.meta.dirname, 'RESULTS.md'),
    'Change feed',
    `- Machine: ${os.cpus().length} cores, node ${process.version}; date ${new Date().toISOString().slice(0, 10)}.\n` +
      `- Command: \`npm run bench:feed\` (${wanted.toLocaleString('en')} dossier changes in the outbox of the benchmark database; one client paging \`GET /v1/sync/changes?limit=500\` over HTTP on 127.0.0.1, the API in the same process, NODE_ENV=production).\n` +
      `- Target: ≥ 5,000 changes/s. Result: ${Math.min(rate(system), rate(province)) >= 5000 ? 'met' : 'missed'}.\n\n${table}\n`,
  );
}
