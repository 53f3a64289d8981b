/**
 * Statistics over the benchmark database (`npm run bench:seed` first), with the scenarios of
 * bench/stats-scenarios.ts: closing the figures over the seed's history (skipped when already closed),
 * province statistics served from them (40 requests of each shape) beside the same year computed from the
 * dossiers, and how soon a change shows with the jobs on their default intervals. Writes the "Statistics"
 * section of bench/RESULTS.md.
 *
 *   npm run bench:stats -- [--no-write] [--database NAME]
 */
import path from 'node:path';
import { hasFlag } from './common.js';
import { fmt, markdownTable, replaceSection, verdict } from './results.js';
import { closeSession, openSession } from './session.js';
import {
  changeVisibility,
  closeFigures,
  directProvinceYear,
  jobContext,
  provinceStats,
  statsTable,
} from './stats-scenarios.js';

const s = await openSession();
const jobs = await jobContext(s.url);
try {
  const closed = await closeFigures(jobs.ctx);
  console.log(`closed ${closed.days} days in ${closed.seconds.toFixed(0)} s`);
  const timings = await provinceStats(s, 40);
  const directMs = await directProvinceYear(jobs.ctx);
  const visible = await changeVisibility(s, jobs.ctx);

  const table = markdownTable(statsTable(timings));
  const body =
    `- Machine: ${s.machine}.\n` +
    `- Command: \`npm run bench:stats\` over the benchmark database (${fmt(s.dossierCount)} dossiers).\n` +
    `- Closing the seed's history (a worker's first start on existing data): ${closed.days} days in ${closed.seconds.toFixed(0)} s` +
    `${closed.days === 0 ? ' (already closed by an earlier run)' : ''}; afterwards each day closes once, after midnight.\n` +
    `- The same province-year answer computed straight from the dossiers: ${directMs.toFixed(0)} ms.\n` +
    `- A back-dated change (resolved yesterday) visible in GET /v1/stats after ${visible.stats.toFixed(1)} s; a new intake's due-soon alert after ${visible.alert.toFixed(1)} s (jobs on their default intervals: relay 1 s, refresh 30 s). Target 60 s: ${verdict(visible.stats < 60 && visible.alert < 60)}.\n` +
    `- Target province-year p95 < 50 ms (groupBy none): see the table (40 requests of each over HTTP, one at a time).\n\n${table}\n`;
  console.log(body);
  if (!hasFlag('--no-write'))
    replaceSection(path.resolve(import.meta.dirname, 'RESULTS.md'), 'Statistics', body);
} finally {
  await jobs.close();
  await closeSession(s);
}
