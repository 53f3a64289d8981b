/**
 * Change feed throughput over the benchmark database (`npm run bench:seed` first): makes the outbox hold at
 * least --changes N dossier changes (default 200,000), then pages through them (bench/feed-scenario.ts).
 * Target: ≥ 5,000 changes/s. Writes the "Change feed" section of bench/RESULTS.md.
 *
 *   npm run bench:feed -- [--changes 200000] [--no-write] [--database NAME]
 */
import path from 'node:path';
import { argValue, assertLocal, benchDatabaseUrl, hasFlag } from './common.js';
import { ensureFeedChanges, feedRate, feedScenario, feedTable } from './feed-scenario.js';
import { fmt, markdownTable, replaceSection, verdict } from './results.js';
import { closeSession, openSession } from './session.js';

const wanted = Number(argValue('--changes') ?? 200_000);
const url = benchDatabaseUrl();
assertLocal(url);
await ensureFeedChanges(url, wanted);
const s = await openSession();
try {
  const r = await feedScenario(s, wanted);
  const table = markdownTable(feedTable(r));
  console.log(table);
  if (!hasFlag('--no-write')) {
    replaceSection(
      path.resolve(import.meta.dirname, 'RESULTS.md'),
      'Change feed',
      `- Machine: ${s.machine}.\n` +
        `- Command: \`npm run bench:feed\` (${fmt(wanted)} dossier changes in the outbox of the benchmark database; one client paging \`GET /v1/sync/changes?limit=500\` over HTTP on 127.0.0.1, the API in its own process, NODE_ENV=production).\n` +
        `- Target: ≥ 5,000 changes/s. Result: ${verdict(Math.min(feedRate(r.system), feedRate(r.province)) >= 5000)}.\n\n${table}\n`,
    );
  }
} finally {
  await closeSession(s);
}
