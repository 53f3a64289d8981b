/**
 * Dossier API benchmark on the province loaded by `npm run bench:seed` (database `motcua_bench`, or
 * `--database` / BENCH_DATABASE).
 *
 *   npm run bench:api -- [--duration 10] [--no-write] [--database NAME]
 *
 * Starts the real app in a child process (the compiled dist/server.js, see bench/api-process.ts), creates keys scoped to the province, and
 * runs the scenarios of bench/api-scenarios.ts: intake against pgbench, GET by code, list with filters. Prints
 * a table and replaces the "Dossier API" section of bench/RESULTS.md (unless --no-write). The rows the run
 * wrote and its keys are deleted at the end (bench/restore.ts), so runs repeat on the same data.
 */
import path from 'node:path';
import { cpus } from 'node:os';
import { memoryOf, mb } from './api-process.js';
import { apiRows, cpuLines, intakeVsPgbench, listWithFilters, readByCode, warmUp } from './api-scenarios.js';
import { argValue, hasFlag } from './common.js';
import { fmt, markdownTable, replaceSection } from './results.js';
import { closeSession, openSession } from './session.js';

const duration = Number(argValue('--duration') ?? 10);
const s = await openSession();
try {
  console.log(
    `API on ${s.api.base} (pool ${s.api.poolSize}), ${fmt(s.dossierCount)} dossiers, ${duration} s per scenario; ${s.machine}`,
  );
  await warmUp(s, 3);
  console.log('b. GET /v1/dossiers/{code} …');
  const b = await readByCode(s, duration);
  console.log('c. GET /v1/dossiers with filters …');
  const c = await listWithFilters(s, Math.max(duration, 15));
  console.log('a. pgbench baselines, then POST /v1/dossiers …');
  const a = await intakeVsPgbench(s, duration);
  const memory = await memoryOf(s.api);

  const table = markdownTable(apiRows(a, b, c));
  const ratio = a.intake.result.rps / a.twoRow.result;
  const cpu = cpuLines(a, b, c);
  console.log(`\n${table}\n`);
  console.log(`API process RSS: ${mb(memory.rss)} at the end, peak ${mb(memory.maxRss)}`);
  console.log(`CPU, share of the ${cpus().length} cores during each scenario:\n${cpu.join('\n')}`);

  if (!hasFlag('--no-write')) {
    replaceSection(
      path.resolve(import.meta.dirname, 'RESULTS.md'),
      'Dossier API',
      [
        `- Machine: ${s.machine}.`,
        '- Commands: `npm run bench:seed` (once; loads the province), then `npm run bench:api`.',
        `- Data: ${fmt(s.dossierCount)} dossiers with their history (loaded ${s.marker.loadedAt.slice(0, 10)}), ` +
          `~100 communes and 12 departments under one province, 1,500 procedures. The API runs in its own ` +
          `process (pool ${s.api.poolSize}) with a clerk key scoped to the province; autocannon and pgbench (and wrk for the reads by code, when installed) run ` +
          `on the same machine. ${duration} s per scenario (15 s for the list mix) after a 6 s warm-up.`,
        '- a: bodies rotate over 5,000 applicants, the 300 commune procedures and 100 communes, channels 60 % ' +
          'online / 35 % direct / 5 % postal. pgbench (`-c 8 -j 2`) runs one transaction of two inserts: a ' +
          'dossier row (the same columns an intake fills, into the same indexed table) and its event row; and, ' +
          'for information, one with all five rows an intake writes (counter, dossier, event, deadline, outbox).',
        '- b: a random sample of 10,000 existing codes, rotated. c: 5,000 generated queries rotated: unitCode of ' +
          'a commune, status=received,processing, timeliness=overdue, q (name fragments with and without ' +
          'diacritics), idNumber exact, receivedFrom/To of a month, procedureCode; newest first, 50 a page.',
        '',
        table,
        '',
        `Intake: ${fmt(a.intake.result.rps)} / ${fmt(a.twoRow.result)} = ${fmt(ratio * 100, 1)} % of the pgbench rate. ` +
          `API process RSS: ${mb(memory.rss)} after the run, peak ${mb(memory.maxRss)}.`,
        '',
        `CPU, share of the ${cpus().length} cores during each scenario (from /proc; PostgreSQL counts every ` +
          'backend of the server, including any other database\u2019s):',
        '',
        ...cpu,
      ].join('\n'),
    );
    console.log('bench/RESULTS.md: section "Dossier API" written');
  }
} finally {
  await closeSession(s);
}
