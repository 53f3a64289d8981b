/**
 * The change feed: a sync client paging GET /v1/sync/changes with limit=500 from the start of the feed, with
 * a system-wide sync key and with a province-scoped one (the scope check runs per row). Target ≥ 5,000
 * changes/s.
 */
import pg from 'pg';
import { fmt } from './results.js';
import { authorized, type Session } from './session.js';

// Local time as the API writes it: RFC 3339 with +07:00.
const local = (col: string) =>
  `case when ${col} is null then null else to_char(${col} at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') end`;

/**
 * Makes the outbox hold at least `wanted` dossier changes, written in SQL in the shape intake writes (the seed
 * writes none: the full history of 5 M dossiers' snapshots would be several GB). Run it before a session's
 * restore point: the rows stay, like the seed.
 */
export async function ensureFeedChanges(url: string, wanted: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows: have } = await client.query<{ n: number }>(
    `select count(*)::int as n from outbox where type like 'dossier.%'`,
  );
  if (have[0]!.n < wanted) {
    const missing = wanted - have[0]!.n;
    console.log(`writing ${fmt(missing)} dossier changes to the outbox...`);
    await client.query(`
      insert into outbox (type, dossier_id, unit_code, payload, occurred_at)
      select 'dossier.received', d.id, d.unit_code,
        jsonb_build_object('dossier', jsonb_build_object(
          'code', d.code, 'status', 'received', 'nationalStatus', 2,
          'procedure', jsonb_build_object('code', p.code, 'name', p.name),
          'unit', jsonb_build_object('code', u.code, 'name', u.name),
          'handlingUnit', jsonb_build_object('code', u.code, 'name', u.name),
          'resolvingUnit', jsonb_build_object('code', u.code, 'name', u.name),
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
  await client.end();
}

export interface FeedRead {
  changes: number;
  pages: number;
  seconds: number;
  p95: number;
}

/** One client paging the feed from its start until `wanted` changes are read (or the feed ends). */
export async function pageThrough(base: string, key: string, wanted: number): Promise<FeedRead> {
  let after: string | undefined;
  let changes = 0;
  let pages = 0;
  const times: number[] = [];
  const started = performance.now();
  while (changes < wanted) {
    const t = performance.now();
    const res = await fetch(`${base}/v1/sync/changes?limit=500${after ? `&after=${after}` : ''}`, {
      headers: authorized(key),
    });
    if (res.status !== 200) throw new Error(`GET /v1/sync/changes: ${res.status} ${await res.text()}`);
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

/** A warm-up pass, then the system-wide and the province-scoped sync keys. */
export async function feedScenario(s: Session, wanted: number) {
  await pageThrough(s.api.base, s.keys.syncSystem, wanted);
  const system = await pageThrough(s.api.base, s.keys.syncSystem, wanted);
  const province = await pageThrough(s.api.base, s.keys.syncProvince, wanted);
  return { system, province };
}

export const feedRate = (r: FeedRead) => Math.round(r.changes / r.seconds);

export function feedTable(r: { system: FeedRead; province: FeedRead }): string[][] {
  const row = (name: string, x: FeedRead) => [
    name,
    fmt(x.changes),
    String(x.pages),
    `${x.seconds.toFixed(1)} s`,
    fmt(feedRate(x)),
    `${x.p95.toFixed(1)} ms`,
  ];
  return [
    ['sync key', 'changes read', 'pages', 'time', 'changes/s', 'page p95'],
    row('whole system', r.system),
    row('province scope', r.province),
  ];
}
