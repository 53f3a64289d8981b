/**
 * The database-only baseline of intake: pgbench running a transaction of the same shape into the same tables,
 * with the same number of clients, in the same run as the API's intake.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { COMMUNE_COUNT, COMMUNE_PROCEDURE_COUNT } from './common.js';

function findPgbench(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort().reverse()) {
      const candidate = path.join(root, version, 'bin', 'pgbench');
      if (existsSync(candidate)) return candidate;
    }
  }
  return 'pgbench';
}

const header = `
\\set u random(0, ${COMMUNE_COUNT - 1})
\\set p random(0, ${COMMUNE_PROCEDURE_COUNT - 1})
\\set n random(0, 999999)
BEGIN;
`;

const dossierInsert = `
INSERT INTO dossiers (code, unit_code, handling_unit_code, resolving_unit_code, procedure_code, channel, status,
  applicant_type, applicant_name, applicant_name_search, applicant_id_number, applicant_phone, components,
  duration_value, duration_unit, supplement_policy, received_at, start_at, due_at)
VALUES ('PGB-' || gen_random_uuid(),
  format('000.%s.%s.H56', 20 + :u / 20, lpad((1 + :u % 20)::text, 2, '0')),
  format('000.%s.%s.H56', 20 + :u / 20, lpad((1 + :u % 20)::text, 2, '0')),
  format('000.%s.%s.H56', 20 + :u / 20, lpad((1 + :u % 20)::text, 2, '0')),
  '1.' || lpad((1000 + :p)::text, 6, '0'), 'direct', 'received', 'citizen', 'Nguyễn Văn An', 'nguyen van an',
  '056090' || lpad(:n::text, 6, '0'), '0912345678', '[{"name": "Tờ khai theo mẫu", "copies": 1}]', 5,
  'working_days', 'restart', now(), now(), now() + interval '7 days');
INSERT INTO dossier_events (dossier_id, type, to_status, at, data)
VALUES (currval(pg_get_serial_sequence('dossiers', 'id')), 'intake', 'received', now(), '{"channel": "direct"}');
`;

/** The three more rows intake writes: the day's counter (a far day, removed afterwards), the first deadline
 * row and the outbox row. */
const counterUpsert = `
INSERT INTO dossier_code_counters (unit_code, day, last)
VALUES (format('000.%s.%s.H56', 20 + :u / 20, lpad((1 + :u % 20)::text, 2, '0')), '2099-12-31', 1)
ON CONFLICT (unit_code, day) DO UPDATE SET last = dossier_code_counters.last + 1;
`;
const deadlineAndOutbox = `
INSERT INTO dossier_deadlines (dossier_id, kind, start_at, due_at, effective_at, reason)
VALUES (currval(pg_get_serial_sequence('dossiers', 'id')), 'statutory', now(), now() + interval '7 days', now(), 'intake');
INSERT INTO outbox (type, dossier_id, unit_code, payload, occurred_at)
VALUES ('dossier.received', currval(pg_get_serial_sequence('dossiers', 'id')),
  format('000.%s.%s.H56', 20 + :u / 20, lpad((1 + :u % 20)::text, 2, '0')),
  jsonb_build_object('dossier', jsonb_build_object('status', 'received', 'channel', 'direct',
    'applicant', jsonb_build_object('type', 'citizen', 'fullName', 'Nguyễn Văn An', 'phone', '0912345678',
      'idNumber', '056090' || lpad(:n::text, 6, '0'), 'address', '12 Trần Phú, Nha Trang, Khánh Hòa'),
    'procedure', jsonb_build_object('code', '1.' || lpad((1000 + :p)::text, 6, '0'), 'name', 'Đăng ký khai sinh'),
    'components', '[{"name": "Tờ khai theo mẫu", "copies": 1}]'::jsonb, 'receivedAt', now(),
    'startAt', now(), 'dueAt', now() + interval '7 days', 'version', 1)), now());
`;

/**
 * pgbench scripts: `two-row` is the intake-equivalent transaction of the performance anchor (a dossier row
 * and its event); `five-row` adds the counter, deadline and outbox rows an intake also writes.
 */
export const pgbenchScripts = {
  'two-row': `${header}${dossierInsert}END;\n`,
  'five-row': `${header}${counterUpsert}${dossierInsert}${deadlineAndOutbox}END;\n`,
};

/**
 * Removes what pgbench wrote since dossier `afterId` (its outbox rows are no snapshots a feed reader accepts), and
 * marks the snapshots of today, which may have counted its dossiers, as counted by no one: their slots' next
 * snapshots count every dossier (they would count again only the dossiers the outbox names, and no outbox row says
 * these are gone). Marked, not deleted: a snapshot running meanwhile then fails on its slot's row instead of
 * writing it again.
 */
async function removeRows(client: pg.Client, afterId: number): Promise<void> {
  const mine = `select id from dossiers where id > ${afterId} and code like 'PGB-%'`;
  for (const t of ['outbox', 'dossier_events', 'dossier_deadlines'])
    await client.query(`delete from ${t} where dossier_id in (${mine})`);
  await client.query(`delete from dossiers where id in (${mine})`);
  await client.query(`delete from dossier_code_counters where day = '2099-12-31'`);
  await client.query('update stats_today_snapshots set shares_at = null');
}

/** Transactions per second of `script` with `clients` clients for `seconds`; removes its rows after. */
export async function runPgbench(
  url: string,
  script: keyof typeof pgbenchScripts,
  clients: number,
  seconds: number,
): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'motcua-pgbench-'));
  const file = path.join(dir, 'intake.sql');
  writeFileSync(file, pgbenchScripts[script]);
  const u = new URL(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ max: string }>('select coalesce(max(id), 0) as max from dossiers');
  try {
    const { stdout } = await promisify(execFile)(
      findPgbench(),
      [
        '-n',
        '-c',
        String(clients),
        '-j',
        String(Math.min(clients, cpus().length)),
        '-T',
        String(seconds),
        '-f',
        file,
        '-h',
        u.hostname,
        '-p',
        u.port || '5432',
        '-U',
        decodeURIComponent(u.username || 'postgres'),
        u.pathname.slice(1),
      ],
      { env: { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) } },
    );
    const m = /tps = ([\d.]+)/.exec(stdout);
    if (!m) throw new Error(`could not read pgbench's tps:\n${stdout}`);
    return Number(m[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await removeRows(client, Number(rows[0]!.max));
    await client.end();
  }
}
