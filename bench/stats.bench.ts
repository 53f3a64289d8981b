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
  dropTodaySnapshots,
  jobContext,
  provinceStats,
  snapshotsOnInterval,
  statsTable,
} from './stats-scenarios.js';
import { summary } from './load.js';

const s = await openSession();
const jobs = await jobContext(s.url);
try {
  const closed = await closeFigures(jobs.ctx);
  console.log(`closed ${closed.days} days in ${closed.seconds.toFixed(0)} s`);
  // As beside a worker: its snapshot of today's figures every STATS_TODAY_INTERVAL_MS. Then the current period
  // again with no snapshot, today counted at the moment of each answer.
  const snapshots = await snapshotsOnInterval(jobs.ctx);
  const served = await provinceStats(s, 40);
  const snapshotMs = summary(await snapshots.stop());
  await dropTodaySnapshots(jobs.ctx);
  const current = (label: string) => label.startsWith('this ');
  const timings = [
    ...served.map((t) => (current(t.label) ? { ...t, label: `${t.label} (today from the snapshot)` } : t)),
    ...(await provinceStats(s, 40, current)).map((t) => ({
      ...t,
      label: `${t.label} (today counted at the answer)`,
    })),
  ];
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
    `- Today's figures: a snapshot every ${jobs.ctx.config.STATS_TODAY_INTERVAL_MS / 1000} s while the table's first rows were measured (taken in this process as a worker would), p50 ${fmt(snapshotMs.p50, 0)} ms, p99 ${fmt(snapshotMs.p99, 0)} ms each, ${snapshotMs.n} snapshots.\n` +
    `- Target province-year p95 < 50 ms (groupBy none), current month and year p95 < 20 ms: see the table (40 requests of each over HTTP, one at a time).\n\n${table}\n`;
  console.log(body);
  if (!hasFlag('--no-write'))
    replaceSection(path.resolve(import.meta.dirname, 'RESULTS.md'), 'Statistics', body);
} finally {
  await jobs.close();
  await closeSession(s);
}
