/**
 * Shared by the dossier benchmarks: where the benchmark database lives, a seeded PRNG, and the synthetic
 * province (unit codes, procedure codes, Vietnamese names) that `seed-dossiers.ts` loads and `api.bench.ts`
 * queries.
 */
import pg from 'pg';

/** The value after `name` on the command line (`--dossiers 100000`), if any. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export const hasFlag = (name: string): boolean => process.argv.includes(name);

/**
 * The benchmark's own database on the server of DATABASE_URL (default: the local server): `--database NAME`,
 * else BENCH_DATABASE, else motcua_bench.
 */
export const BENCH_DATABASE = argValue('--database') ?? process.env.BENCH_DATABASE ?? 'motcua_bench';
if (!/^[a-z_][a-z0-9_]*$/.test(BENCH_DATABASE))
  throw new Error(`benchmark database name ${JSON.stringify(BENCH_DATABASE)}: use a-z, 0-9 and _ only`);

export function serverUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function benchDatabaseUrl(): string {
  const u = new URL(serverUrl());
  u.pathname = `/${BENCH_DATABASE}`;
  return u.toString();
}

/** Load goes to the local machine only, unless BENCH_ALLOW_REMOTE=1 says otherwise. */
export function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host)) return;
  if (process.env.BENCH_ALLOW_REMOTE === '1') return;
  throw new Error(`refusing to benchmark ${host}: set BENCH_ALLOW_REMOTE=1 to load a non-local server`);
}

/**
 * Reads the benchmark database's tables and indexes into the operating system's page cache (pg_prewarm's `read`
 * mode), all but the daily figures, which only the current month's answers and the closing of a day read a few
 * days of: a machine that just started, or just loaded another database, would otherwise answer the first steps
 * from the disk (seen here: the first series' views at 15-29 ms a statement instead of 0.4-1, the cores "idle"
 * waiting for it). A deployment that has served for a while holds those pages. Answers the relations' size in
 * bytes, or null when the server lacks pg_prewarm (the benchmark then runs on whatever the cache holds).
 */
export async function readIntoPageCache(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('create extension if not exists pg_prewarm');
    const { rows } = await client.query<{ blocks: string }>(
      `select coalesce(sum(pg_prewarm(c.oid, 'read')), 0) as blocks
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'i', 'm') and c.relname not like 'stats\\_%daily%'`,
    );
    return Number(rows[0]!.blocks) * 8192;
  } catch (err) {
    console.warn(`page cache not read beforehand (${(err as Error).message})`);
    return null;
  } finally {
    await client.end();
  }
}

/** What the seed writes as the database's comment once a load completed. */
export interface SeedMarker {
  seed: 'motcua-bench';
  /** What the seed writes and in which mix; a load of another version is loaded again. */
  version: number;
  dossiers: number;
  loadedAt: string;
}

/** 2: deadline-history and pause rows; a thin backlog of old open dossiers. 3: officers, internal processes, step runs, resolving units. 4: payments, digitised components, electronic results. 5: satisfaction ratings. */
export const SEED_VERSION = 5;

export async function readMarker(client: pg.Client): Promise<SeedMarker | null> {
  const { rows } = await client.query<{ comment: string | null }>(
    'select shobj_description(oid, $1) as comment from pg_database where datname = current_database()',
    ['pg_database'],
  );
  try {
    const parsed = JSON.parse(rows[0]?.comment ?? 'null') as SeedMarker | null;
    return parsed?.seed === 'motcua-bench' && parsed.version === SEED_VERSION ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Drops the statistics figures (every `stats_*` table and the jobs' `stats-*` state), so the next refresh
 * closes the whole history again from the dossiers.
 */
export async function resetFigures(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = 'public' and tablename like 'stats\\_%'`,
  );
  if (rows.length) await client.query(`truncate ${rows.map((r) => `"${r.name}"`).join(', ')}`);
  await client.query(`delete from job_state where name like 'stats-%'`);
}

/** mulberry32: a small seeded PRNG, so every run loads and asks the same things. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!;

/** Picks by weight: `cumulative` is the running sum of the weights. */
export function pickWeighted(random: Random, cumulative: Float64Array | number[]): number {
  const total = cumulative[cumulative.length - 1]!;
  const x = random() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function cumulativeOf(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
}

// --- the synthetic province ----------------------------------------------------------------------------

export const PROVINCE_CODE = '000.00.00.H56';
export const COMMUNE_COUNT = 100;
export const DEPARTMENT_COUNT = 12;
export const PROCEDURE_COUNT = 1_500;
/** Procedures handled at commune level (the busiest); the rest are handled by the province's departments. */
export const COMMUNE_PROCEDURE_COUNT = 300;

/** How the communes share the province's dossiers: the first receives about five times what the last does. */
export const communeWeights = cumulativeOf(
  Array.from({ length: COMMUNE_COUNT }, (_, i) => 1 / (1 + i * 0.04)),
);

export const communeCode = (i: number) =>
  `000.${String(20 + Math.floor(i / 20)).padStart(2, '0')}.${String(1 + (i % 20)).padStart(2, '0')}.H56`;
export const departmentCode = (i: number) => `000.00.${String(11 + i).padStart(2, '0')}.H56`;
export const procedureCode = (i: number) => `1.${String(1000 + i).padStart(6, '0')}`;

/** Family names with their approximate share of the population. */
export const familyNames: ReadonlyArray<readonly [string, number]> = [
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Hoàng', 3],
  ['Huỳnh', 2.5],
  ['Phan', 4.5],
  ['Vũ', 2],
  ['Võ', 2.5],
  ['Đặng', 2.1],
  ['Bùi', 2],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
  ['Đinh', 0.6],
  ['Đoàn', 0.5],
  ['Lâm', 0.4],
  ['Mai', 0.4],
  ['Trương', 0.6],
  ['Tạ', 0.2],
  ['Châu', 0.2],
  ['Cao', 0.3],
  ['Lưu', 0.2],
];
export const maleMiddleNames = [
  'Văn',
  'Văn',
  'Văn',
  'Hữu',
  'Đức',
  'Minh',
  'Quang',
  'Thanh',
  'Xuân',
  'Công',
  'Quốc',
  'Anh',
  'Ngọc',
  'Đình',
  'Tấn',
];
export const femaleMiddleNames = [
  'Thị',
  'Thị',
  'Thị',
  'Ngọc',
  'Thu',
  'Thanh',
  'Minh',
  'Kim',
  'Thùy',
  'Mỹ',
  'Hồng',
  'Bảo',
  'Phương',
];
export const femaleSecondMiddleNames = ['Thu', 'Ngọc', 'Thanh', 'Kim', 'Hồng', 'Minh', 'Mỹ'];
export const maleGivenNames = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Đức',
  'Giang',
  'Hải',
  'Hiếu',
  'Hùng',
  'Huy',
  'Khánh',
  'Khoa',
  'Kiên',
  'Lâm',
  'Long',
  'Lộc',
  'Minh',
  'Nam',
  'Nghĩa',
  'Nhân',
  'Phong',
  'Phúc',
  'Quân',
  'Quang',
  'Sơn',
  'Tài',
  'Tâm',
  'Thành',
  'Thắng',
  'Thịnh',
  'Toàn',
  'Trí',
  'Trung',
  'Tuấn',
  'Tú',
  'Việt',
  'Vinh',
  'Vũ',
  'Hoàng',
  'Đạt',
];
export const femaleGivenNames = [
  'Anh',
  'Chi',
  'Dung',
  'Duyên',
  'Giang',
  'Hà',
  'Hạnh',
  'Hằng',
  'Hoa',
  'Hương',
  'Huyền',
  'Lan',
  'Liên',
  'Linh',
  'Loan',
  'Mai',
  'My',
  'Nga',
  'Ngân',
  'Ngọc',
  'Nhung',
  'Oanh',
  'Phương',
  'Quyên',
  'Thảo',
  'Thủy',
  'Trang',
  'Trâm',
  'Uyên',
  'Vân',
  'Vy',
  'Xuân',
  'Yến',
  'Hiền',
  'Diệp',
  'Đào',
];
