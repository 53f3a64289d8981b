/**
 * The deadline-alert scan over the benchmark database (`npm run bench:seed` first): the first scan of a
 * worker visits every running dossier; later scans visit only dues that crossed a horizon. Measures both
 * (alerts written in a transaction that is rolled back, so the database is left as it was) and writes the
 * "Alert scan" section of bench/RESULTS.md.
 *
 *   npm run bench:alerts -- [--no-write]
 */
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { scanAlerts } from '../src/alerts/commands.js';
import { createCalendarCache } from '../src/calendar/cache.js';
import { loadConfig } from '../src/config.js';
import { connectPostgres } from '../src/db/client.js';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import { assertLocal, benchDatabaseUrl } from './common.js';
import { replaceSection } from './results.js';

const url = benchDatabaseUrl();
assertLocal(url);
const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' });
const database = await connectPostgres(url, 2);
await database.migrate();
const [open] = (
  (await database.db.execute(
    sql`select count(*)::int as n from dossiers where status in ('received', 'processing') and finished_at is null`,
  )) as unknown as { rows: Array<{ n: number }> }
).rows;

class Rollback extends Error {}
const results: Array<{ run: string; seconds: number; alerts: number }> = [];
let scanned = 0;
try {
  await database.db.transaction(async (tx) => {
    const ctx = {
      db: tx as unknown as typeof database.db,
      config,
      calendars: createCalendarCache(DEFAULT_WORKING_HOURS),
      clock: () => new Date(),
      log: console,
    };
    // To scan a million open dossiers, every dossier of the seed is reopened (inside the rolled-back transaction).
    if (!process.argv.includes('--as-seeded')) {
      await tx.execute(sql`update dossiers set status = 'processing', finished_at = null, resolved_at = null, outcome = null
        where received_at is not null`);
    }
    const [running] = (
      (await tx.execute(
        sql`select count(*)::int as n from dossiers where status in ('received', 'processing') and finished_at is null`,
      )) as unknown as { rows: Array<{ n: number }> }
    ).rows;
    scanned = running!.n;
    const state = `bench-scan-${Date.now()}`;
    for (const run of ['first scan (every running dossier)', 'next scan (only what crossed a horizon)']) {
      const t = performance.now();
      const alerts = await scanAlerts(ctx, state);
      results.push({ run, seconds: (performance.now() - t) / 1000, alerts });
    }
    throw new Rollback('leave the database as it was');
  });
} catch (err) {
  if (!(err instanceof Rollback)) throw err;
}
await database.close();

const table = [
  '| run | time | alerts raised |',
  '|---|---|---|',
  ...results.map((r) => `| ${r.run} | ${r.seconds.toFixed(2)} s | ${r.alerts.toLocaleString('en')} |`),
].join('\n');
console.log(`running dossiers as seeded: ${open!.n}; scanned: ${scanned}\n${table}`);
if (!process.argv.includes('--no-write')) {
  replaceSection(
    path.resolve(import.meta.dirname, 'RESULTS.md'),
    'Alert scan',
    `- Machine: ${os.cpus().length} cores, node ${process.version}; date ${new Date().toISOString().slice(0, 10)}.\n` +
      `- Command: \`npm run bench:alerts\` over the benchmark database, with every received dossier reopened inside a transaction that is rolled back afterwards: ${scanned.toLocaleString('en')} running dossiers (${open!.n.toLocaleString('en')} as seeded). The scan raises due-soon and overdue alerts for the statutory and rescheduled dates in set-based SQL, each with its outbox row.\n` +
      `- Target: a full scan of 1 M open dossiers < 60 s: ${results[0]!.seconds < 60 ? 'met' : 'missed'} at ${scanned.toLocaleString('en')} open dossiers (${((results[0]!.seconds * 1_000_000) / Math.max(1, scanned)).toFixed(1)} s per million).\n\n${table}\n`,
  );
}
