/**
 * Loads a realistic province into the benchmark database (`motcua_bench` on the server of DATABASE_URL,
 * default the local one): one province unit with ~100 communes and 12 departments, 1,500 procedures, and by
 * default 1,000,000 dossiers received from 2024-01-01 until now, with their intake events, their first
 * deadline-history row (and the apology's, where rescheduled), the open pause of those awaiting
 * supplementation or payment, and their step runs, as the API writes them. Each unit has five officers (two at
 * the counter, two appraising, one approving); about half of the procedures of three working days or more
 * follow a three-step internal process (receipt half a day, appraisal, approval one day), the others the
 * implicit single step; a commune's dossier handled by a department (liên thông) is handed over to it and
 * resolved there. The handovers themselves are not written as events: only the step runs they leave. Every
 * online dossier and 60 % of the others have their components digitised, 30 % of approvals are issued
 * electronically, and a procedure's fee is paid before the resolution (online for most online dossiers). A third
 * of the returned dossiers are rated by their citizen (addRatings), as the statistics' satisfaction columns count.
 *
 *   npm run bench:seed -- [--dossiers N] [--force] [--database NAME]
 *
 * The database (`--database`, else BENCH_DATABASE, else motcua_bench) is created and migrated with the
 * project's migrator and reference data. A load that completed is marked in the database's comment and reused
 * by the next run with the same size and seed version; another size or version, or --force, drops the
 * database and loads it again. Rows go in with COPY or
 * set-based inserts; the secondary indexes of the dossier tables are dropped first and rebuilt afterwards
 * exactly as the migrations define them; then VACUUM ANALYZE.
 *
 * Mixes: channel ≈ 60 % online / 35 % direct / 5 % postal; ≈ 2 % of dossiers open (received, processing,
 * awaiting supplement or payment; submitted online ones not yet accepted), the rest finished (mostly
 * resolved and returned, some withdrawn, stopped or rejected); start and due from the real deadline engine and
 * calendar; applicants from Vietnamese family, middle and given names, 12-digit citizen ids (CCCD) or 10-digit
 * tax codes, and the search key computed by the application's own `searchKey`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { connectPostgres } from '../src/db/client.js';
import { seedReferenceData } from '../src/db/seed.js';
import { listAllOverrides } from '../src/calendar/queries.js';
import { searchKey } from '../src/domain/applicant.js';
import { computeStartAndDue, type Duration } from '../src/domain/deadlines.js';
import { formatDossierCode } from '../src/domain/dossier-code.js';
import { addDays, dayNumberOf, instantAt, localDateOf, parseClock } from '../src/domain/local-time.js';
import {
  clockSteps,
  implicitProcess,
  replaySteps,
  type ClockStep,
  type ProcessStep,
  type StepEvent,
  type StepRow,
} from '../src/domain/steps.js';
import { outcomeOf } from '../src/domain/timeliness.js';
import {
  addWorkingMinutes,
  buildCalendar,
  isWorkingDay,
  workingMinutesBetween,
  type Calendar,
} from '../src/domain/working-time.js';
import {
  argValue,
  assertLocal,
  BENCH_DATABASE,
  benchDatabaseUrl,
  COMMUNE_COUNT,
  COMMUNE_PROCEDURE_COUNT,
  communeCode,
  communeWeights,
  cumulativeOf,
  DEPARTMENT_COUNT,
  departmentCode,
  familyNames,
  femaleGivenNames,
  femaleMiddleNames,
  femaleSecondMiddleNames,
  hasFlag,
  maleGivenNames,
  maleMiddleNames,
  pick,
  pickWeighted,
  PROCEDURE_COUNT,
  procedureCode,
  PROVINCE_CODE,
  prng,
  readMarker,
  SEED_VERSION,
  serverUrl,
  type Random,
  type SeedMarker,
} from './common.js';

const DOSSIERS = Number(argValue('--dossiers') ?? 1_000_000);
const FORCE = hasFlag('--force');
if (!Number.isInteger(DOSSIERS) || DOSSIERS < 1) throw new Error('--dossiers must be a positive integer');

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const log = (message: string) => console.log(`[${elapsed()}] ${message}`);

// --- text format of COPY -----------------------------------------------------------------------------------

const NULL = '\\N';
function text(value: string | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}
const ts = (d: Date | null) => (d ? d.toISOString() : NULL);
const num = (n: number | null) => (n === null ? NULL : String(n));

async function copyRows(client: pg.Client, sql: string, rows: Iterable<string>): Promise<void> {
  async function* chunks() {
    let buffer: string[] = [];
    for (const row of rows) {
      buffer.push(row);
      if (buffer.length === 2000) {
        yield buffer.join('\n') + '\n';
        buffer = [];
      }
    }
    if (buffer.length) yield buffer.join('\n') + '\n';
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(sql)));
}

// --- the province ------------------------------------------------------------------------------------------

const places = [
  'Nha Trang',
  'Bắc Nha Trang',
  'Tây Nha Trang',
  'Nam Nha Trang',
  'Cam Ranh',
  'Bắc Cam Ranh',
  'Cam Linh',
  'Ba Ngòi',
  'Ninh Hòa',
  'Đông Ninh Hòa',
  'Hòa Thắng',
  'Vạn Ninh',
  'Vạn Thắng',
  'Vạn Hưng',
  'Đại Lãnh',
  'Tu Bông',
  'Ninh Sim',
  'Ninh Phước',
  'Ninh Lộc',
  'Ninh An',
  'Ninh Hải',
  'Ninh Xuân',
  'Ninh Tây',
  'Diên Khánh',
  'Diên Lạc',
  'Diên Điền',
  'Diên Lâm',
  'Diên Thọ',
  'Suối Hiệp',
  'Cam Lâm',
  'Suối Dầu',
  'Cam Hiệp',
  'Cam An',
  'Cam Thành',
  'Khánh Vĩnh',
  'Trung Khánh Vĩnh',
  'Nam Khánh Vĩnh',
  'Tây Khánh Vĩnh',
  'Bắc Khánh Vĩnh',
  'Khánh Sơn',
  'Tây Khánh Sơn',
  'Đông Khánh Sơn',
  'Trường Sa',
  'Song Tử',
  'Sinh Tồn',
  'Phước Hải',
  'Phước Dinh',
  'Phước Hà',
  'Phan Rang',
  'Đông Hải',
  'Đô Vinh',
  'Bảo An',
  'Ninh Chử',
  'Xuân Hải',
  'Thuận Bắc',
  'Công Hải',
  'Lợi Hải',
  'Bác Ái',
  'Bác Ái Đông',
  'Bác Ái Tây',
  'Ninh Sơn',
  'Lâm Sơn',
  'Anh Dũng',
  'Mỹ Sơn',
  'Thuận Nam',
  'Cà Ná',
  'Phước Hậu',
  'Phước Hữu',
  'Ninh Hải Đông',
  'Vĩnh Hải',
  'Xương Huân',
  'Vĩnh Phước',
  'Vĩnh Thọ',
  'Phước Long',
  'Vĩnh Nguyên',
  'Phước Đồng',
  'Vĩnh Lương',
  'Ninh Ích',
  'Ninh Thọ',
  'Ninh Quang',
  'Ninh Bình',
  'Ninh Đông',
  'Ninh Thân',
  'Ninh Thượng',
  'Sơn Thái',
  'Khánh Phú',
  'Khánh Thành',
  'Khánh Hiệp',
  'Cam Phước',
  'Cam Đức',
  'Cam Hải',
  'Cam Tân',
  'Cam Hòa',
  'Sơn Tân',
  'Vạn Phú',
  'Vạn Long',
  'Vạn Bình',
  'Xuân Sơn',
  'Vạn Lương',
  'Vạn Khánh',
];
const departments = [
  'Sở Tư pháp',
  'Sở Xây dựng',
  'Sở Nông nghiệp và Môi trường',
  'Sở Tài chính',
  'Sở Công Thương',
  'Sở Y tế',
  'Sở Giáo dục và Đào tạo',
  'Sở Nội vụ',
  'Sở Văn hóa, Thể thao và Du lịch',
  'Sở Khoa học và Công nghệ',
  'Công an tỉnh',
  'Ban Quản lý Khu kinh tế Vân Phong',
];
const fields: ReadonlyArray<readonly [string, string]> = [
  ['G09.TP.HT', 'Hộ tịch'],
  ['G09.TP.CT', 'Chứng thực'],
  ['G09.TP.LLTP', 'Lý lịch tư pháp'],
  ['G09.TNMT.DD', 'Đất đai'],
  ['G09.TNMT.MT', 'Môi trường'],
  ['G09.XD.CPXD', 'Cấp phép xây dựng'],
  ['G09.TC.DKKD', 'Đăng ký kinh doanh'],
  ['G09.CT.TM', 'Thương mại'],
  ['G09.LDTBXH.BTXH', 'Bảo trợ xã hội'],
  ['G09.LDTBXH.NCC', 'Người có công'],
  ['G09.LDTBXH.LD', 'Lao động, việc làm'],
  ['G09.YT.KCB', 'Khám bệnh, chữa bệnh'],
  ['G09.YT.ATTP', 'An toàn thực phẩm'],
  ['G09.GD.VB', 'Văn bằng, chứng chỉ'],
  ['G09.VH.DL', 'Du lịch'],
  ['G09.NN.TS', 'Thủy sản'],
  ['G09.NN.TT', 'Trồng trọt'],
  ['G09.GT.DB', 'Đường bộ'],
  ['G09.NV.TG', 'Tín ngưỡng, tôn giáo'],
  ['G09.NV.TDKT', 'Thi đua, khen thưởng'],
];
const procedureVerbs = [
  'Cấp',
  'Cấp lại',
  'Cấp đổi',
  'Điều chỉnh',
  'Gia hạn',
  'Đăng ký',
  'Xác nhận',
  'Thẩm định',
  'Công nhận',
  'Chấp thuận',
];
const procedureObjects = [
  'giấy khai sinh',
  'bản sao trích lục hộ tịch',
  'giấy chứng nhận quyền sử dụng đất',
  'giấy phép xây dựng',
  'giấy chứng nhận đăng ký hộ kinh doanh',
  'giấy xác nhận tình trạng hôn nhân',
  'chứng thực bản sao từ bản chính',
  'chứng thực chữ ký',
  'trợ cấp xã hội hằng tháng',
  'giấy phép kinh doanh vận tải',
  'giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm',
  'giấy phép môi trường',
  'phiếu lý lịch tư pháp',
  'giấy phép lao động',
  'chứng chỉ hành nghề',
  'biến động đất đai',
  'giấy phép khai thác thủy sản',
  'đăng ký kết hôn',
  'đăng ký khai tử',
  'thay đổi, cải chính hộ tịch',
];

interface Unit {
  code: string;
  name: string;
  parentCode: string | null;
  path: string;
}

function buildUnits(): { province: Unit; communes: Unit[]; departments: Unit[] } {
  const province: Unit = {
    code: PROVINCE_CODE,
    name: 'UBND tỉnh Khánh Hòa',
    parentCode: null,
    path: `${PROVINCE_CODE}/`,
  };
  const child = (code: string, name: string): Unit => ({
    code,
    name,
    parentCode: PROVINCE_CODE,
    path: `${province.path}${code}/`,
  });
  return {
    province,
    communes: Array.from({ length: COMMUNE_COUNT }, (_, i) =>
      child(communeCode(i), `UBND ${i % 4 === 0 ? 'phường' : 'xã'} ${places[i % places.length]}`),
    ),
    departments: Array.from({ length: DEPARTMENT_COUNT }, (_, i) =>
      child(departmentCode(i), departments[i]!),
    ),
  };
}

interface Procedure {
  code: string;
  name: string;
  field: readonly [string, string];
  duration: Duration;
  online: Duration | null;
  cutoff: string | null;
  cutoffMinute: number | null;
  policy: 'restart' | 'extend';
  onlineLevel: 'full' | 'partial' | 'none';
  fee: number | null;
  components: string;
  /** The same components, each scanned into the system (digitised). */
  digitisedComponents: string;
  /** The internal process (version 1), or null: the implicit single step. */
  process: ProcessStep[] | null;
}

/**
 * A three-step internal process (receipt, appraisal, approval and return) for a procedure of at least three
 * working days whose online time, if any, leaves the appraisal at least half a day: the receipt half a day, the
 * approval one day, the appraisal the rest.
 */
function threeSteps(duration: Duration, online: Duration | null): ProcessStep[] | null {
  if (duration.unit !== 'working_days' || duration.value < 3) return null;
  if (online && (online.unit !== 'working_days' || online.value < 2)) return null;
  return [
    { code: 'tiep-nhan', name: 'Tiếp nhận, chuyển hồ sơ', allotment: { value: 0.5, unit: 'days' } },
    {
      code: 'tham-dinh',
      name: 'Thẩm định, xử lý hồ sơ',
      allotment: { value: duration.value - 1.5, unit: 'days' },
      onlineAllotment: online ? { value: online.value - 1.5, unit: 'days' } : null,
    },
    { code: 'phe-duyet', name: 'Phê duyệt, trả kết quả', allotment: { value: 1, unit: 'days' } },
  ];
}

function buildProcedures(random: Random): Procedure[] {
  const dayValues = [0.5, 1, 2, 3, 3, 5, 5, 7, 10, 10, 15, 20, 30];
  const out: Procedure[] = [];
  for (let i = 0; i < PROCEDURE_COUNT; i++) {
    const kind = random();
    const duration: Duration =
      kind < 0.85
        ? { value: pick(random, dayValues), unit: 'working_days' }
        : kind < 0.93
          ? { value: pick(random, [4, 8, 16, 24]), unit: 'working_hours' }
          : { value: pick(random, [5, 10, 15, 30, 45]), unit: 'calendar_days' };
    const online =
      random() < 0.2 && duration.unit === 'working_days' && duration.value >= 2
        ? { value: Math.max(1, Math.floor(duration.value * 0.7)), unit: 'working_days' as const }
        : null;
    const cutoff = random() < 0.15 ? '15:00' : null;
    // About half of the procedures that can have one follow a three-step internal process.
    const process = random() < 0.5 ? threeSteps(duration, online) : null;
    const object = procedureObjects[i % procedureObjects.length]!;
    const componentNames = [
      'Tờ khai theo mẫu',
      'Bản sao giấy tờ tùy thân',
      `Giấy tờ chứng minh ${object.split(' ')[0]}`,
    ];
    out.push({
      code: procedureCode(i),
      name: `${pick(random, procedureVerbs)} ${object}${i >= procedureObjects.length ? ` (mã ${i})` : ''}`,
      field: fields[i % fields.length]!,
      duration,
      online,
      cutoff,
      cutoffMinute: cutoff ? parseClock(cutoff) : null,
      policy: random() < 0.85 ? 'restart' : 'extend',
      onlineLevel: random() < 0.4 ? 'full' : random() < 0.67 ? 'partial' : 'none',
      fee: random() < 0.4 ? null : pick(random, [10_000, 20_000, 50_000, 100_000, 200_000, 500_000]),
      ...componentsOf(componentNames.slice(0, 1 + Math.floor(random() * 3))),
      process,
    });
  }
  return out;
}

/** A procedure's components as the dossier stores them, handed in on paper or digitised. */
function componentsOf(names: string[]): { components: string; digitisedComponents: string } {
  return {
    components: JSON.stringify(names.map((name) => ({ name, copies: 1, digitised: false }))),
    digitisedComponents: JSON.stringify(names.map((name) => ({ name, copies: 1, digitised: true }))),
  };
}

// --- officers ----------------------------------------------------------------------------------------------

/** A unit's officers: index 0 and 1 on counter duty, 2 and 3 appraise, the last one approves. */
interface UnitOfficers {
  counter: string[];
  appraisers: string[];
  approver: string;
}

interface Officer {
  code: string;
  name: string;
  title: string;
  unitCode: string;
}

function buildOfficers(
  random: Random,
  units: Unit[],
): { rows: Officer[]; byUnit: Map<string, UnitOfficers> } {
  const rows: Officer[] = [];
  const byUnit = new Map<string, UnitOfficers>();
  for (const unit of units) {
    const commune = unit.name.startsWith('UBND ');
    const titles = commune
      ? [
          'Công chức Văn phòng - Thống kê',
          'Công chức Tư pháp - Hộ tịch',
          'Công chức Địa chính - Xây dựng',
          'Công chức Văn hóa - Xã hội',
          'Phó Chủ tịch UBND',
        ]
      : [
          'Chuyên viên Bộ phận Một cửa',
          'Chuyên viên Bộ phận Một cửa',
          'Chuyên viên phòng chuyên môn',
          'Chuyên viên phòng chuyên môn',
          'Phó Giám đốc',
        ];
    const codes = titles.map((title, i) => {
      const female = random() < 0.5;
      const family = familyNames[pickWeighted(random, familyCumulative)]![0];
      const middle = pick(random, female ? femaleMiddleNames : maleMiddleNames);
      const given = pick(random, female ? femaleGivenNames : maleGivenNames);
      const code = `${unit.code}.CB${i + 1}`;
      rows.push({ code, name: `${family} ${middle} ${given}`, title, unitCode: unit.code });
      return code;
    });
    byUnit.set(unit.code, { counter: codes.slice(0, 2), appraisers: codes.slice(2, 4), approver: codes[4]! });
  }
  return { rows, byUnit };
}

// --- applicants --------------------------------------------------------------------------------------------

interface Applicant {
  type: 'citizen' | 'organization';
  name: string;
  key: string;
  idNumber: string;
  phone: string | null;
  email: string | null;
  address: string;
}

const familyCumulative = cumulativeOf(familyNames.map(([, w]) => w));
const provinceIdCodes = [
  '056',
  '056',
  '056',
  '056',
  '056',
  '056',
  '056',
  '058',
  '054',
  '066',
  '079',
  '001',
  '052',
  '048',
];
const streets = [
  'Trần Phú',
  'Lê Thánh Tôn',
  'Yersin',
  'Thống Nhất',
  'Hùng Vương',
  'Nguyễn Thị Minh Khai',
  '23 Tháng 10',
  'Lê Hồng Phong',
  '2 Tháng 4',
  'Phạm Văn Đồng',
];
const orgWords = [
  'Hải Âu',
  'Biển Xanh',
  'Trầm Hương',
  'Yến Sào',
  'Vân Phong',
  'Cam Ranh',
  'Hòn Tre',
  'Sông Cái',
  'Phú Khánh',
  'Đại Dương',
  'Thiên Phúc',
  'Minh Long',
  'An Phát',
  'Hưng Thịnh',
  'Tân Tiến',
];
const digits = (random: Random, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(random() * 10);
  return s;
};

function buildApplicants(random: Random, count: number, communeNames: string[]): Applicant[] {
  const out: Applicant[] = [];
  for (let i = 0; i < count; i++) {
    const address = `${1 + Math.floor(random() * 300)} ${pick(random, streets)}, ${pick(random, communeNames).replace(/^UBND /, '')}, Khánh Hòa`;
    if (random() < 0.08) {
      const name = `${pick(random, ['Công ty TNHH', 'Công ty cổ phần', 'Hợp tác xã', 'Doanh nghiệp tư nhân'])} ${pick(random, orgWords)} ${pick(random, orgWords)}`;
      out.push({
        type: 'organization',
        name,
        key: searchKey(name),
        idNumber: `42${digits(random, 8)}`,
        phone: `0258${digits(random, 7)}`,
        email: random() < 0.7 ? `lienhe${i}@congty.vn` : null,
        address,
      });
      continue;
    }
    const female = random() < 0.5;
    const family = familyNames[pickWeighted(random, familyCumulative)]![0];
    const middle = female
      ? random() < 0.2
        ? `Thị ${pick(random, femaleSecondMiddleNames)}`
        : pick(random, femaleMiddleNames)
      : pick(random, maleMiddleNames);
    const given = pick(random, female ? femaleGivenNames : maleGivenNames);
    const name = `${family} ${middle} ${given}`;
    const born = 1940 + Math.floor(random() * 66);
    const genderCentury = (born >= 2000 ? 2 : 0) + (female ? 1 : 0);
    out.push({
      type: 'citizen',
      name,
      key: searchKey(name),
      idNumber: `${pick(random, provinceIdCodes)}${genderCentury}${String(born % 100).padStart(2, '0')}${digits(random, 6)}`,
      phone: random() < 0.9 ? `0${pick(random, ['9', '3', '8', '7'])}${digits(random, 8)}` : null,
      email: random() < 0.25 ? `${searchKey(given).replace(/ /g, '')}.${i}@gmail.com` : null,
      address,
    });
  }
  return out;
}

// --- dossiers ----------------------------------------------------------------------------------------------

const COLUMNS = [
  'code',
  'unit_code',
  'handling_unit_code',
  'resolving_unit_code',
  'procedure_code',
  'channel',
  'status',
  'applicant_type',
  'applicant_name',
  'applicant_name_search',
  'applicant_id_number',
  'applicant_phone',
  'applicant_email',
  'applicant_address',
  'summary',
  'components',
  'duration_value',
  'duration_unit',
  'receipt_cutoff',
  'supplement_policy',
  'submitted_at',
  'received_at',
  'start_at',
  'due_at',
  'rescheduled_due_at',
  'paused_at',
  'pause_kind',
  'resolved_at',
  'result',
  'returned_at',
  'finished_at',
  'outcome',
  'holder_officer_code',
  'process_version',
  'current_step_seq',
  'current_step_code',
  'current_step_name',
  'current_step_due_at',
  'has_digitised_components',
  'electronic_result',
  'payment_method',
  'payment_amount',
  'paid_at',
  'version',
  'created_at',
  'updated_at',
];

/** The step runs' columns, after the dossier's code (the dossier's id is looked up by code after the load). */
const STEP_COLUMNS = [
  'seq',
  'step_code',
  'step_name',
  'allotment_minutes',
  'unit_code',
  'from_unit_code',
  'from_officer_code',
  'to_officer_code',
  'handed_over_at',
  'start_at',
  'due_at',
  'end_at',
  'outcome',
  'paused_minutes',
  'pauses',
];

interface Stats {
  channel: Record<string, number>;
  status: Record<string, number>;
  counters: Map<string, number>;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A random instant inside the working hours of a working day. */
function workingInstant(random: Random, cal: Calendar, date: string): Date {
  const total = cal.workingHours.reduce((s, h) => s + h.end - h.start, 0);
  let m = Math.floor(random() * total);
  for (const h of cal.workingHours) {
    if (m < h.end - h.start) return instantAt(date, h.start + m);
    m -= h.end - h.start;
  }
  return instantAt(date, cal.opening);
}

/**
 * After how many working minutes of the `span` from the start each handover comes: on a three-step process the
 * receipt takes 20–120 % of its allotment (capped at half the span) and the approval 20–120 % of its own before
 * the end; a single handover anywhere in the span.
 */
function handoverOffsets(random: Random, steps: ClockStep[], count: number, span: number): number[] {
  if (count !== 2) return [Math.floor(random() * span)];
  const first = Math.min(Math.floor(span / 2), Math.floor(steps[0]!.minutes * (0.2 + random())));
  const last = Math.max(first, span - Math.floor(steps[2]!.minutes * (0.2 + random())));
  return [first, last];
}

/**
 * A dossier's step runs, from the history the step clock would have been given: step 1 at the receiving unit's
 * counter; on a three-step process the appraisal and the approval at the handling unit; on the implicit step a
 * dossier handled elsewhere (liên thông) handed over to that unit once; an open dossier as far as it got; the
 * pause of one awaiting the applicant; the finish.
 */
function stepRunsOf(
  random: Random,
  cal: Calendar,
  steps: ClockStep[],
  who: { unit: string; handling: string; receiving: UnitOfficers; handlingOfficers: UnitOfficers },
  at: {
    start: Date;
    end: Date | null;
    pausedAt: Date | null;
    lastChange: Date;
    open: boolean;
    moved: boolean;
  },
): StepRow[] {
  const counter = pick(random, who.receiving.counter);
  const handovers: Array<Omit<Extract<StepEvent, { kind: 'handover' }>, 'at'>> = [];
  if (steps.length === 3) {
    const appraiser = pick(random, who.handlingOfficers.appraisers);
    handovers.push(
      {
        kind: 'handover',
        fromOfficer: counter,
        fromUnit: who.unit,
        toOfficer: appraiser,
        toUnit: who.handling,
      },
      {
        kind: 'handover',
        fromOfficer: appraiser,
        fromUnit: who.handling,
        toOfficer: who.handlingOfficers.approver,
        toUnit: who.handling,
      },
    );
  } else if (who.handling !== who.unit) {
    handovers.push({
      kind: 'handover',
      fromOfficer: counter,
      fromUnit: who.unit,
      toOfficer: pick(random, who.handlingOfficers.appraisers),
      toUnit: who.handling,
      note: 'Chuyển hồ sơ liên thông',
    });
  }
  // An open dossier still at the counter has not been handed over; one in processing got part of the way.
  const made = !at.open ? handovers.length : !at.moved ? 0 : 1 + Math.floor(random() * handovers.length);
  const until = at.end ?? at.pausedAt ?? at.lastChange;
  const span = until > at.start ? workingMinutesBetween(cal, at.start, until) : 0;
  const events: StepEvent[] = (handovers.length ? handoverOffsets(random, steps, handovers.length, span) : [])
    .slice(0, made)
    .map((minutes, i) => ({ ...handovers[i]!, at: addWorkingMinutes(cal, at.start, minutes) }));
  if (at.pausedAt) events.push({ kind: 'pause', at: at.pausedAt });
  if (at.end) events.push({ kind: 'finish', at: at.end });
  const state = replaySteps(
    { calendar: cal, granularity: 'day', steps },
    { at: at.start, unit: who.unit, officer: counter },
    events,
  );
  return [...state.rows];
}

function* dossierRows(
  cal: Calendar,
  units: ReturnType<typeof buildUnits>,
  procs: Procedure[],
  applicants: Applicant[],
  officers: Map<string, UnitOfficers>,
  now: Date,
  stats: Stats,
  writeStep: (line: string) => void,
): Generator<string> {
  const random = prng(20261122);
  const stepsOf = new Map<string, ClockStep[]>();
  const clockStepsOf = (proc: Procedure, channel: 'online' | 'direct' | 'postal') => {
    const key = `${proc.code}|${channel === 'online' ? 'online' : 'direct'}`;
    let steps = stepsOf.get(key);
    if (!steps) {
      const process =
        proc.process ??
        implicitProcess({
          durationValue: proc.duration.value,
          durationUnit: proc.duration.unit,
          onlineDurationValue: proc.online?.value ?? null,
          onlineDurationUnit: proc.online?.unit ?? null,
        });
      steps = clockSteps(process, channel, cal.dayLength);
      stepsOf.set(key, steps);
    }
    return steps;
  };
  const first = '2024-01-01';
  const today = localDateOf(now);
  const dayCount = dayNumberOf(today) - dayNumberOf(first) + 1;
  // Volume per day: working days busy, other days only online submissions; ~20 % more each year.
  const weights = Array.from({ length: dayCount }, (_, i) => {
    const date = addDays(first, i);
    const growth = Math.pow(1.2, i / 365);
    const share =
      i === dayCount - 1 ? Math.max(0.05, (now.getTime() - instantAt(today, 0).getTime()) / DAY) : 1;
    return (isWorkingDay(cal, date) ? 1 : 0.05) * growth * share;
  });
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const perDay = weights.map((w) => Math.floor((w / totalWeight) * DOSSIERS));
  // The rounding remainder (fewer than one per day) goes to the days before today, newest first.
  let rest = DOSSIERS - perDay.reduce((a, b) => a + b, 0);
  for (let i = Math.max(0, dayCount - 2); rest > 0; i = i > 0 ? i - 1 : Math.max(0, dayCount - 2), rest--)
    perDay[i]! += 1;

  const communeProcWeights = cumulativeOf(
    Array.from({ length: COMMUNE_PROCEDURE_COUNT }, (_, i) => 1 / Math.pow(i + 1, 1.1)),
  );
  const provinceProcWeights = cumulativeOf(
    Array.from({ length: PROCEDURE_COUNT - COMMUNE_PROCEDURE_COUNT }, (_, i) => 1 / Math.pow(i + 1, 0.9)),
  );

  for (let day = 0; day < dayCount; day++) {
    const date = addDays(first, day);
    const working = isWorkingDay(cal, date);
    const batch: Array<{ at: Date; channel: 'online' | 'direct' | 'postal' }> = [];
    for (let k = 0; k < perDay[day]!; k++) {
      const r = random();
      const channel = !working ? 'online' : r < 0.59 ? 'online' : r < 0.949 ? 'direct' : 'postal';
      let at =
        channel === 'online'
          ? new Date(instantAt(date, 0).getTime() + Math.floor(random() * 1440) * MINUTE)
          : workingInstant(random, cal, date);
      if (at.getTime() > now.getTime()) at = new Date(now.getTime() - Math.floor(random() * 60) * MINUTE);
      batch.push({ at, channel });
    }
    batch.sort((a, b) => a.at.getTime() - b.at.getTime());

    for (const { at, channel } of batch) {
      const atCommune = random() < 0.85;
      const unit = atCommune
        ? units.communes[pickWeighted(random, communeWeights)]!
        : units.departments[Math.floor(random() * units.departments.length)]!;
      const proc = atCommune
        ? procs[pickWeighted(random, communeProcWeights)]!
        : procs[COMMUNE_PROCEDURE_COUNT + pickWeighted(random, provinceProcWeights)]!;
      // Some commune dossiers are handed over to a department (liên thông).
      const handling =
        atCommune && random() < 0.08
          ? units.departments[Math.floor(random() * units.departments.length)]!
          : unit;
      const applicant = applicants[Math.floor(random() * applicants.length)]!;
      const online = channel === 'online';
      const duration = online && proc.online ? proc.online : proc.duration;

      // Counter of the receiving unit's local day (the code's date is the receipt or submission date).
      const codeDate = localDateOf(at);
      const counterKey = `${unit.code}|${codeDate}`;
      const counter = (stats.counters.get(counterKey) ?? 0) + 1;
      stats.counters.set(counterKey, counter);
      const code = formatDossierCode(unit.code, codeDate, counter);

      let status: string;
      let submittedAt: Date | null = null;
      let receivedAt: Date | null = at;
      let startAt: Date | null = null;
      let dueAt: Date | null = null;
      let rescheduledDueAt: Date | null = null;
      let pausedAt: Date | null = null;
      let pauseKind: string | null = null;
      let resolvedAt: Date | null = null;
      let result: string | null = null;
      let returnedAt: Date | null = null;
      let finishedAt: Date | null = null;
      let outcome: string | null = null;
      let version = 1;
      let updatedAt = at;

      if (online) {
        submittedAt = at;
        receivedAt = addWorkingMinutes(cal, at, 15 + Math.floor(random() * 460));
        if (
          receivedAt.getTime() > now.getTime() ||
          (now.getTime() - at.getTime() < 2 * DAY && random() < 0.4)
        ) {
          receivedAt = null;
          status = 'submitted';
        } else if (random() < 0.03) {
          status = 'rejected';
          finishedAt = receivedAt;
          updatedAt = finishedAt;
          receivedAt = null;
          version = 2;
        } else {
          status = 'received';
          version = 2;
        }
      } else {
        status = 'received';
      }

      if (receivedAt) {
        const terms = computeStartAndDue(cal, receivedAt, duration, proc.cutoffMinute);
        startAt = terms.startAt;
        dueAt = terms.dueAt;
        updatedAt = receivedAt;
        const sinceDue = now.getTime() - dueAt.getTime();
        // Open now: most of those not yet due, a quarter of those due in the last month, and a thin backlog
        // of older ones (mostly waiting for the applicant's papers), as a one-stop shop's books look.
        // One received after today's hours starts its clock on the next working day: still open, nothing
        // happened to it since (below).
        const openChance =
          startAt.getTime() > now.getTime()
            ? 1
            : sinceDue < 0
              ? 0.8
              : sinceDue < 30 * DAY
                ? 0.25
                : sinceDue < 365 * DAY
                  ? 0.01
                  : 0.003;
        // Later steps happen in working time, between the start and the due (or now).
        const until = Math.max(startAt.getTime(), Math.min(now.getTime(), dueAt.getTime()));
        const workingSpan = Math.max(1, workingMinutesBetween(cal, startAt, new Date(until)));
        const during = () => addWorkingMinutes(cal, startAt!, Math.floor(random() * workingSpan));
        if (random() < openChance) {
          const r = random();
          const late = sinceDue > 0;
          status = late
            ? r < 0.1
              ? 'received'
              : r < 0.45
                ? 'processing'
                : r < 0.9
                  ? 'awaiting_supplement'
                  : 'awaiting_payment'
            : r < 0.4
              ? 'received'
              : r < 0.85
                ? 'processing'
                : r < 0.95
                  ? 'awaiting_supplement'
                  : 'awaiting_payment';
          if (startAt.getTime() > now.getTime()) status = 'received';
          if (status !== 'received') {
            version += 1;
            updatedAt = during();
          }
          if (status === 'awaiting_supplement' || status === 'awaiting_payment') {
            pausedAt = updatedAt;
            pauseKind = status === 'awaiting_supplement' ? 'supplement' : 'payment';
          }
        } else {
          const r = random();
          if (r < 0.05 || r >= 0.99) {
            status = r < 0.05 ? 'withdrawn' : 'stopped';
            finishedAt = during();
            version += 1;
          } else {
            const o = random();
            // Most are early or on the due date; a few late, some of those after an apology (Form 04).
            if (o < 0.7 || sinceDue < 0) resolvedAt = during();
            else if (o < 0.92)
              resolvedAt = addWorkingMinutes(
                cal,
                startAt,
                Math.max(0, workingSpan - Math.floor(random() * 240)),
              );
            else {
              resolvedAt = addWorkingMinutes(cal, dueAt, 60 + Math.floor(random() * 20 * 480));
              if (random() < 0.3) rescheduledDueAt = addWorkingMinutes(cal, resolvedAt, 480);
            }
            if (resolvedAt.getTime() > now.getTime()) resolvedAt = new Date(now.getTime() - MINUTE);
            if (resolvedAt.getTime() < startAt.getTime()) resolvedAt = startAt;
            finishedAt = resolvedAt;
            result = random() < 0.97 ? 'approved' : 'refused';
            outcome = outcomeOf(resolvedAt, dueAt, 'day');
            returnedAt = addWorkingMinutes(cal, resolvedAt, Math.floor(random() * 3 * 480));
            status = 'returned';
            version += 3;
            if (returnedAt.getTime() > now.getTime() || random() < 0.02) {
              returnedAt = null;
              status = 'resolved';
              version -= 1;
            }
          }
          updatedAt = returnedAt ?? finishedAt!;
        }
      }

      let holder: string | null = null;
      let current: StepRow | null = null;
      if (startAt) {
        const finished = finishedAt !== null;
        const runs = stepRunsOf(
          random,
          cal,
          clockStepsOf(proc, channel),
          {
            unit: unit.code,
            handling: handling.code,
            receiving: officers.get(unit.code)!,
            handlingOfficers: officers.get(handling.code)!,
          },
          {
            start: startAt,
            end: finished ? (resolvedAt ?? finishedAt) : null,
            pausedAt: finished ? null : pausedAt,
            lastChange: updatedAt,
            open: !finished,
            moved: status !== 'received',
          },
        );
        holder = runs[runs.length - 1]!.toOfficer;
        current = finished ? null : runs[runs.length - 1]!;
        for (const r of runs) {
          writeStep(
            [
              code,
              String(r.seq),
              r.stepCode,
              text(r.stepName),
              String(r.allotmentMinutes),
              r.unit,
              text(r.fromUnit),
              text(r.fromOfficer),
              text(r.toOfficer),
              ts(r.seq === 1 ? receivedAt : r.startAt),
              ts(r.startAt),
              ts(r.dueAt),
              ts(r.endAt),
              text(r.outcome),
              String(r.pausedMinutes),
              text(
                JSON.stringify(
                  r.pauses.map((p) => ({
                    from: p.from.toISOString(),
                    to: p.to && p.to.toISOString(),
                    ...(p.dueBefore ? { dueBefore: p.dueBefore.toISOString() } : {}),
                  })),
                ),
              ),
            ].join('\t'),
          );
        }
      }

      // Digitisation (every online submission, most paper ones), results issued electronically, and the fee paid
      // before the resolution: online for most online dossiers, at the counter or by bank transfer otherwise.
      const digitised = online || random() < 0.6;
      const electronic = result === 'approved' && random() < 0.3;
      let payment: { method: string; paidAt: Date } | null = null;
      if (proc.fee !== null && resolvedAt && startAt) {
        const r = random();
        const method = online && r < 0.7 ? 'online' : r < 0.85 ? 'counter' : 'bank_transfer';
        const span = resolvedAt > startAt ? workingMinutesBetween(cal, startAt, resolvedAt) : 0;
        payment = { method, paidAt: addWorkingMinutes(cal, startAt, Math.floor(random() * span)) };
      }

      stats.channel[channel] = (stats.channel[channel] ?? 0) + 1;
      stats.status[status] = (stats.status[status] ?? 0) + 1;
      yield [
        code,
        unit.code,
        handling.code,
        // Resolved by the unit that handles it: where received, or the department a commune hands it to.
        handling.code,
        proc.code,
        channel,
        status,
        applicant.type,
        text(applicant.name),
        text(applicant.key),
        applicant.idNumber,
        text(applicant.phone),
        text(applicant.email),
        text(applicant.address),
        NULL,
        text(digitised ? proc.digitisedComponents : proc.components),
        String(duration.value),
        duration.unit,
        text(proc.cutoff),
        proc.policy,
        ts(submittedAt),
        ts(receivedAt),
        ts(startAt),
        ts(dueAt),
        ts(rescheduledDueAt),
        ts(pausedAt),
        text(pauseKind),
        ts(resolvedAt),
        text(result),
        ts(returnedAt),
        ts(finishedAt),
        text(outcome),
        text(holder),
        proc.process ? '1' : NULL,
        current ? String(current.seq) : NULL,
        current ? current.stepCode : NULL,
        current ? text(current.stepName) : NULL,
        current ? ts(current.dueAt) : NULL,
        digitised ? 't' : 'f',
        electronic ? 't' : 'f',
        payment ? payment.method : NULL,
        payment ? String(proc.fee) : NULL,
        payment ? ts(payment.paidAt) : NULL,
        String(version),
        at.toISOString(),
        updatedAt.toISOString(),
      ].join('\t');
    }
  }
}

// --- history rows ------------------------------------------------------------------------------------------

/**
 * The rows the API writes beside each dossier, set-based from the dossiers themselves (for every dossier that
 * lacks them, so a load made before they existed can be completed in place):
 * - the first statutory deadline row, as intake writes it (reason 'intake', effective at receipt) or, for an
 *   online submission, as accept writes it (reason 'accept', effective at acceptance);
 * - the apology's rescheduled row (reason 'apology'), dated at the statutory due it follows;
 * - the open pause of a dossier awaiting supplementation or payment, with the policy the action records
 *   (payment always extends; supplementation follows the procedure's policy copied on the dossier).
 */
async function addHistory(client: pg.Client): Promise<void> {
  await client.query(
    `insert into dossier_deadlines (dossier_id, kind, start_at, due_at, effective_at, reason, recorded_at)
     select id, 'statutory', start_at, due_at, received_at,
            case when channel = 'online' then 'accept' else 'intake' end, received_at
       from dossiers d
      where due_at is not null
        and not exists (select 1 from dossier_deadlines dd where dd.dossier_id = d.id and dd.kind = 'statutory')
      order by id`,
  );
  await client.query(
    `insert into dossier_deadlines (dossier_id, kind, start_at, due_at, effective_at, reason, recorded_at)
     select id, 'rescheduled', null, rescheduled_due_at, due_at, 'apology', due_at
       from dossiers d
      where rescheduled_due_at is not null
        and not exists (select 1 from dossier_deadlines dd where dd.dossier_id = d.id and dd.kind = 'rescheduled')
      order by id`,
  );
  await client.query(
    `insert into dossier_pauses (dossier_id, kind, policy, paused_at)
     select id, pause_kind, case when pause_kind = 'payment' then 'extend' else supplement_policy end, paused_at
       from dossiers d
      where paused_at is not null and finished_at is null
        and not exists (select 1 from dossier_pauses dp where dp.dossier_id = d.id and dp.resumed_at is null)
      order by id`,
  );
}

/**
 * Satisfaction ratings: a third of the returned dossiers (every third id), each rated by its citizen between the
 * return and three days after it (never after the load): 70 % very satisfied, 25 % satisfied, 5 % dissatisfied
 * (by id, so a reload gives the same). The dossier's units, procedure and channel are copied, as a rating is.
 */
async function addRatings(client: pg.Client): Promise<void> {
  await client.query(
    `insert into dossier_ratings (dossier_id, level, source, unit_code, resolving_unit_code, procedure_code, channel,
                                  rated_at, created_at)
     select d.id,
            case when d.id % 20 = 0 then 'dissatisfied' when d.id % 4 = 1 then 'satisfied' else 'very_satisfied' end,
            'citizen', d.unit_code, d.resolving_unit_code, d.procedure_code, d.channel, r.at, r.at
       from dossiers d, lateral (select least(d.returned_at + (d.id % 72) * interval '1 hour', now()) as at) r
      where d.status = 'returned' and d.id % 3 = 0
        and not exists (select 1 from dossier_ratings x where x.dossier_id = d.id)
      order by d.id`,
  );
}

async function writeMarker(client: pg.Client, marker: SeedMarker): Promise<void> {
  await client.query(
    `comment on database "${BENCH_DATABASE}" is ${pg.escapeLiteral(JSON.stringify(marker))}`,
  );
}

// --- run ---------------------------------------------------------------------------------------------------

async function main() {
  const url = benchDatabaseUrl();
  assertLocal(url);
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [BENCH_DATABASE]))
    .rowCount;
  let marker: SeedMarker | null = null;
  if (exists) {
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    marker = await readMarker(probe);
    await probe.end();
  }
  if (exists && marker?.dossiers === DOSSIERS && !FORCE) {
    await admin.end();
    const database = await connectPostgres(url, 2);
    await database.migrate();
    await database.close();
    log(
      `${BENCH_DATABASE} already holds ${DOSSIERS.toLocaleString('en')} dossiers (loaded ${marker.loadedAt}); ` +
        'migrated. Pass --force to load it again.',
    );
    return;
  }
  if (exists) await admin.query(`drop database "${BENCH_DATABASE}" with (force)`);
  await admin.query(`create database "${BENCH_DATABASE}"`);
  await admin.end();
  log(`created ${BENCH_DATABASE}`);

  const database = await connectPostgres(url, 2);
  await database.migrate();
  await seedReferenceData(database.db);
  const cal = buildCalendar({ overrides: await listAllOverrides(database.db) });
  await database.close();
  log('migrated, calendar seeded');

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("set maintenance_work_mem = '512MB'");
  // The generated rows reference units and procedures loaded just before: skip the per-row FK triggers.
  await client.query('set session_replication_role = replica');

  const units = buildUnits();
  const allUnits = [units.province, ...units.departments, ...units.communes];
  await copyRows(
    client,
    'copy units (code, name, parent_code, path) from stdin',
    allUnits.map((u) => [u.code, text(u.name), u.parentCode ?? NULL, u.path].join('\t')),
  );
  const random = prng(7_216_301);
  const procs = buildProcedures(random);
  await copyRows(
    client,
    'copy procedures (code, name, field_code, field_name, duration_value, duration_unit, online_duration_value, ' +
      'online_duration_unit, receipt_cutoff, supplement_policy, online_level, fee, active) from stdin',
    procs.map((p, i) =>
      [
        p.code,
        text(p.name),
        p.field[0],
        text(p.field[1]),
        String(p.duration.value),
        p.duration.unit,
        p.online ? String(p.online.value) : NULL,
        p.online ? p.online.unit : NULL,
        text(p.cutoff),
        p.policy,
        p.onlineLevel,
        num(p.fee),
        // A few procedures were retired after use; their dossiers stay.
        i >= COMMUNE_PROCEDURE_COUNT && i % 97 === 0 ? 'f' : 't',
      ].join('\t'),
    ),
  );
  log(`${allUnits.length} units, ${procs.length} procedures`);
  await copyRows(
    client,
    'copy procedure_processes (procedure_code, version, steps, actor_key_id) from stdin',
    procs.flatMap((p) =>
      p.process ? [[p.code, '1', text(JSON.stringify(p.process)), 'cli'].join('\t')] : [],
    ),
  );
  const officers = buildOfficers(random, [...units.departments, ...units.communes]);
  await copyRows(
    client,
    'copy officers (code, full_name, full_name_search, title, unit_code) from stdin',
    officers.rows.map((o) =>
      [o.code, text(o.name), text(searchKey(o.name)), text(o.title), o.unitCode].join('\t'),
    ),
  );
  log(
    `${procs.filter((p) => p.process).length} internal processes, ${officers.rows.length.toLocaleString('en')} officers`,
  );

  const applicants = buildApplicants(
    random,
    Math.max(1000, Math.round(DOSSIERS * 0.35)),
    units.communes.map((c) => c.name),
  );
  log(`${applicants.length.toLocaleString('en')} applicants generated`);

  // Secondary indexes of the big tables: dropped for the load, rebuilt afterwards from their definitions.
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes
      where schemaname = 'public'
        and tablename in ('dossiers', 'dossier_events', 'dossier_deadlines', 'dossier_pauses', 'dossier_steps')
        and indexname not in (select conname from pg_constraint where contype in ('p', 'u'))`,
  );
  for (const ix of indexes) await client.query(`drop index "${ix.name}"`);

  const now = new Date();
  const stats: Stats = { channel: {}, status: {}, counters: new Map() };
  // The step runs go to a file while the dossiers stream in, then in by the dossiers' codes.
  const stepFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-seed-')), 'steps.tsv');
  const stepFd = fs.openSync(stepFile, 'w');
  let stepBuffer: string[] = [];
  let stepRuns = 0;
  const flushSteps = () => {
    if (stepBuffer.length) fs.writeSync(stepFd, stepBuffer.join('\n') + '\n');
    stepBuffer = [];
  };
  const writeStep = (line: string) => {
    stepBuffer.push(line);
    stepRuns += 1;
    if (stepBuffer.length === 5000) flushSteps();
  };
  await copyRows(
    client,
    `copy dossiers (${COLUMNS.join(', ')}) from stdin`,
    dossierRows(cal, units, procs, applicants, officers.byUnit, now, stats, writeStep),
  );
  flushSteps();
  fs.closeSync(stepFd);
  log(`${DOSSIERS.toLocaleString('en')} dossiers copied`);
  await client.query(
    `create temporary table seed_steps (code text, ${STEP_COLUMNS.map((c) => `${c} text`).join(', ')})`,
  );
  await pipeline(
    fs.createReadStream(stepFile),
    client.query(copyFrom(`copy seed_steps (code, ${STEP_COLUMNS.join(', ')}) from stdin`)),
  );
  const { rows: stepTypes } = await client.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = 'dossier_steps'::regclass and attname = any($1)`,
    [STEP_COLUMNS],
  );
  const typeOf = new Map(stepTypes.map((t) => [t.name, t.type]));
  await client.query(
    `insert into dossier_steps (dossier_id, ${STEP_COLUMNS.join(', ')})
     select d.id, ${STEP_COLUMNS.map((c) => `s.${c}::${typeOf.get(c)}`).join(', ')}
       from seed_steps s join dossiers d on d.code = s.code
      order by d.id, s.seq::int`,
  );
  await client.query('drop table seed_steps');
  fs.rmSync(path.dirname(stepFile), { recursive: true, force: true });
  log(`${stepRuns.toLocaleString('en')} step runs inserted`);

  await client.query(
    `insert into dossier_events (dossier_id, type, from_status, to_status, at, recorded_at, data)
     select id, 'intake', null, case when channel = 'online' then 'submitted' else 'received' end,
            coalesce(submitted_at, received_at), created_at, jsonb_build_object('channel', channel)
       from dossiers order by id`,
  );
  log('intake events inserted');
  await addHistory(client);
  log('deadline history and pauses inserted');
  await copyRows(
    client,
    'copy dossier_code_counters (unit_code, day, last) from stdin',
    [...stats.counters].map(([key, last]) => `${key.replace('|', '\t')}\t${last}`),
  );

  for (const ix of indexes) {
    const t = performance.now();
    await client.query(ix.def);
    log(`index ${ix.name} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  // The ratings with the triggers still off, then counted all at once as their trigger would have (a bulk load
  // through the trigger took five minutes here).
  await addRatings(client);
  await client.query('set session_replication_role = origin');
  await client.query('select stats_rating_recount()');
  log('ratings inserted and counted');
  await client.query(
    'vacuum (analyze) dossiers, dossier_events, dossier_deadlines, dossier_pauses, dossier_steps, dossier_code_counters, dossier_ratings',
  );
  await client.query('analyze');
  log('vacuum analyze done');

  await writeMarker(client, {
    seed: 'motcua-bench',
    version: SEED_VERSION,
    dossiers: DOSSIERS,
    loadedAt: now.toISOString(),
  });
  const { rows: open } = await client.query<{ open: string; overdue: string }>(
    `select count(*) filter (where finished_at is null) as open,
            count(*) filter (where status in ('received', 'processing') and due_at < now()) as overdue
       from dossiers`,
  );
  await client.end();

  const pct = (n: number) => `${((n / DOSSIERS) * 100).toFixed(1)} %`;
  console.log(
    `channel: ${Object.entries(stats.channel)
      .map(([k, v]) => `${k} ${pct(v)}`)
      .join(', ')}`,
  );
  console.log(
    `status: ${Object.entries(stats.status)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${pct(v)}`)
      .join(', ')}`,
  );
  console.log(
    `not finished: ${pct(Number(open[0]!.open))} (running and past due: ${Number(open[0]!.overdue).toLocaleString('en')})`,
  );
  log('done');
}

await main();
