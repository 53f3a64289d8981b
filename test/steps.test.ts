/**
 * The step clock wired into dossiers (docs/domain.md §11): one example per rule through the HTTP API, the demo of
 * a provincial centre handing a dossier to a department's officers through a three-step process, and a property
 * over random histories: the steps stored (GET /steps) are the domain module's replay of the audit trail read
 * back from GET /events alone.
 */
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertHorizon, raiseAlerts } from '../src/alerts/commands.js';
import { createCalendarCache } from '../src/calendar/cache.js';
import { dossiers, outbox } from '../src/db/schema/index.js';
import { computeStartAndDue } from '../src/domain/deadlines.js';
import {
  clockSteps,
  implicitProcess,
  replaySteps,
  type ProcessStep,
  type StepClock,
  type StepEvent,
} from '../src/domain/steps.js';
import { DEFAULT_WORKING_HOURS, type Calendar } from '../src/domain/working-time.js';
import {
  bearer,
  createKey,
  createOfficer,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

let now = new Date('2025-06-02T08:00:00+07:00');
const setNow = (s: string | Date) => (now = new Date(s));
let ctx: TestContext;
let clerk: string;
let viewer: string;
/** A provincial public-administration service centre and a department it receives for. */
let centre: string;
let department: string;
type Officer = { code: string; fullName: string; title: string };
let counterClerk: Officer;
let expert: Officer;
let head: Officer;
/** A procedure of 5 working days with the three-step process below, and one without a process. */
let withProcess: string;
let withoutProcess: string;
let calendar: Calendar;

const process: ProcessStep[] = [
  { code: 'tiep-nhan', name: 'Tiếp nhận, chuyển hồ sơ', allotment: { value: 4, unit: 'hours' } },
  { code: 'tham-dinh', name: 'Thẩm định hồ sơ', allotment: { value: 3, unit: 'days' } },
  { code: 'phe-duyet', name: 'Phê duyệt kết quả', allotment: { value: 1, unit: 'days' } },
];

beforeAll(async () => {
  ctx = await createTestContext({}, { clock: () => now });
  const province = await createUnit(ctx, { name: 'UBND tỉnh' });
  centre = (
    await createUnit(ctx, { parentCode: province.code, name: 'Trung tâm Phục vụ hành chính công tỉnh' })
  ).code;
  department = (await createUnit(ctx, { parentCode: province.code, name: 'Sở Tư pháp' })).code;
  clerk = await createKey(ctx, 'clerk', province.code);
  viewer = await createKey(ctx, 'viewer', province.code);
  counterClerk = await createOfficer(ctx, centre, {
    fullName: 'Nguyễn Thị Lan',
    title: 'Công chức tiếp nhận',
  });
  expert = await createOfficer(ctx, department, { fullName: 'Trần Văn Minh', title: 'Chuyên viên' });
  head = await createOfficer(ctx, department, { fullName: 'Lê Thị Hồng', title: 'Trưởng phòng' });
  withProcess = (await createProcedure(ctx, { duration: { value: 5, unit: 'working_days' } })).code;
  await putProcess(withProcess, process);
  withoutProcess = (await createProcedure(ctx, { duration: { value: 2, unit: 'working_days' } })).code;
  calendar = await createCalendarCache(DEFAULT_WORKING_HOURS).current(ctx.database.db);
});
afterAll(() => ctx.close());

async function putProcess(procedureCode: string, steps: ProcessStep[]) {
  const res = await ctx.app.inject({
    method: 'PUT',
    url: `/v1/procedures/${procedureCode}/process`,
    headers: bearer(ctx.adminKey),
    payload: { steps },
  });
  expect(res.statusCode, res.body).toBe(200);
}

const ref = (o: Officer) => ({ code: o.code, fullName: o.fullName, title: o.title });

type Dossier = {
  code: string;
  version: number;
  status: string;
  currentStep: { code: string; name: string; dueAt: string; officer: Officer | null } | null;
  holder: Officer | null;
  handlingUnit: { code: string };
  dueAt: string | null;
  startAt: string | null;
};
type Step = {
  seq: number;
  step: { code: string; name: string };
  handedOverAt: string;
  startAt: string;
  dueAt: string;
  endAt: string | null;
  outcome: string | null;
  allotmentMinutes: number;
  pausedMinutes: number;
  fromUnit: { code: string; name: string } | null;
  fromOfficer: Officer | null;
  unit: { code: string; name: string };
  toOfficer: Officer | null;
  note: string | null;
};
type Event = {
  type: string;
  at: string;
  toStatus: string;
  actor: { officer: Officer | null };
  data: Record<string, unknown>;
};

async function receive(overrides: Record<string, unknown> = {}): Promise<Dossier> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(clerk),
    payload: intakeBody(withProcess, { unitCode: centre, officerCode: counterClerk.code, ...overrides }),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const act = (code: string, action: string, body: object = {}) =>
  ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${code}/${action}`,
    headers: bearer(clerk),
    payload: body,
  });

async function ok(code: string, action: string, body: object = {}): Promise<Dossier> {
  const res = await act(code, action, body);
  expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
  return res.json();
}

async function read<T>(url: string, key = clerk): Promise<T> {
  const res = await ctx.app.inject({ method: 'GET', url, headers: bearer(key) });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
}

const listCodes = async (query: string) =>
  (await read<{ items: Array<{ code: string }> }>(`/v1/dossiers?limit=200&${query}`)).items.map(
    (d) => d.code,
  );
const stepsOf = async (code: string, key = clerk) =>
  (await read<{ items: Step[] }>(`/v1/dossiers/${code}/steps`, key)).items;
const eventsOf = async (code: string) =>
  (await read<{ items: Event[] }>(`/v1/dossiers/${code}/events`)).items;
const dossierOf = (code: string) => read<Dossier>(`/v1/dossiers/${code}`);

/** What the outbox announced for a dossier, in order. */
async function announced(code: string): Promise<string[]> {
  const rows = await ctx.database.db
    .select({ type: outbox.type })
    .from(outbox)
    .innerJoin(dossiers, eq(dossiers.id, outbox.dossierId))
    .where(eq(dossiers.code, code))
    .orderBy(outbox.id);
  return rows.map((r) => r.type);
}

const brief = (s: Step) => [s.seq, s.step.code, s.startAt, s.dueAt, s.endAt, s.outcome];

describe('the demo: a provincial centre receives, a department hands the dossier through three steps', () => {
  it('the step that ran late (over a supplement pause) shows as overdue; the others on time', async () => {
    // Monday 08:00 at the centre's counter.
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    // Four working hours from 08:00: 210 minutes before lunch, 30 after.
    expect(d.currentStep).toEqual({
      code: 'tiep-nhan',
      name: 'Tiếp nhận, chuyển hồ sơ',
      dueAt: '2025-06-02T13:30:00+07:00',
      officer: ref(counterClerk),
    });
    setNow('2025-06-02T10:00:00+07:00');
    const handed = await ok(d.code, 'hand-over', {
      toUnitCode: department,
      toOfficerCode: expert.code,
      note: 'Chuyển Sở Tư pháp thẩm định',
    });
    // Three working days from Monday 10:00.
    expect(handed).toMatchObject({
      status: 'processing',
      handlingUnit: { code: department },
      holder: ref(expert),
      currentStep: { code: 'tham-dinh', dueAt: '2025-06-05T10:00:00+07:00', officer: ref(expert) },
    });
    setNow('2025-06-03T09:00:00+07:00');
    const paused = await ok(d.code, 'request-supplement', { reason: 'Thiếu bản sao giấy khai sinh' });
    // While paused the step's due waits; no step clock runs.
    expect(paused.currentStep?.dueAt).toBe('2025-06-05T10:00:00+07:00');
    setNow('2025-06-04T09:00:00+07:00');
    const resumed = await ok(d.code, 'receive-supplement');
    // Paused one working day: the step is due a working day later.
    expect(resumed.currentStep?.dueAt).toBe('2025-06-06T10:00:00+07:00');
    // Monday morning: the department's step was due Friday 10:00.
    setNow('2025-06-09T08:00:00+07:00');
    expect(await listCodes(`timeliness=step_overdue&unitCode=${department}`)).toContain(d.code);
    expect(await listCodes(`officerCode=${expert.code}`)).toContain(d.code);
    expect(await listCodes(`stepCode=tham-dinh&unitCode=${department}`)).toContain(d.code);
    expect(await listCodes(`officerCode=${head.code}`)).not.toContain(d.code);
    setNow('2025-06-09T09:00:00+07:00');
    await ok(d.code, 'hand-over', { toOfficerCode: head.code, note: 'Trình phê duyệt' });
    expect(await listCodes(`timeliness=step_overdue&unitCode=${department}`)).not.toContain(d.code);
    expect(await listCodes(`stepCode=phe-duyet&officerCode=${head.code}`)).toContain(d.code);
    setNow('2025-06-10T08:30:00+07:00');
    const resolved = await ok(d.code, 'resolve', { result: 'approved' });
    expect(resolved.currentStep).toBeNull();

    const steps = await stepsOf(d.code);
    expect(steps.map(brief)).toEqual([
      [
        1,
        'tiep-nhan',
        '2025-06-02T08:00:00+07:00',
        '2025-06-02T13:30:00+07:00',
        '2025-06-02T10:00:00+07:00',
        'on_time',
      ],
      [
        2,
        'tham-dinh',
        '2025-06-02T10:00:00+07:00',
        '2025-06-06T10:00:00+07:00',
        '2025-06-09T09:00:00+07:00',
        'overdue',
      ],
      [
        3,
        'phe-duyet',
        '2025-06-09T09:00:00+07:00',
        '2025-06-10T09:00:00+07:00',
        '2025-06-10T08:30:00+07:00',
        'on_time',
      ],
    ]);
    expect(steps[0]).toMatchObject({
      fromUnit: null,
      fromOfficer: null,
      unit: { code: centre, name: 'Trung tâm Phục vụ hành chính công tỉnh' },
      toOfficer: ref(counterClerk),
      allotmentMinutes: 240,
      pausedMinutes: 0,
    });
    expect(steps[1]).toMatchObject({
      fromUnit: { code: centre },
      fromOfficer: ref(counterClerk),
      unit: { code: department, name: 'Sở Tư pháp' },
      toOfficer: ref(expert),
      pausedMinutes: 480,
      note: 'Chuyển Sở Tư pháp thẩm định',
      handedOverAt: '2025-06-02T10:00:00+07:00',
    });
    expect(steps[2]).toMatchObject({
      fromOfficer: ref(expert),
      toOfficer: ref(head),
      unit: { code: department },
    });
    // A viewer sees the officers, not the clerk's free text.
    expect((await stepsOf(d.code, viewer))[1]).toMatchObject({ toOfficer: ref(expert), note: '***' });
    expect(await listCodes('stepCode=phe-duyet')).not.toContain(d.code);

    // The control slip (Form 06): the header and one row per handover, the finish last.
    const centreRef = { code: centre, name: 'Trung tâm Phục vụ hành chính công tỉnh' };
    const departmentRef = { code: department, name: 'Sở Tư pháp' };
    const slip = await read<Record<string, unknown>>(`/v1/dossiers/${d.code}/control-slip`);
    expect(slip).toEqual({
      form: '06',
      dossierCode: d.code,
      unit: centreRef,
      procedure: { code: withProcess, name: 'Cấp bản sao trích lục hộ tịch' },
      applicant: {
        type: 'citizen',
        fullName: 'Nguyễn Văn An',
        idNumber: '001099012345',
        phone: '0912345678',
        email: null,
        address: null,
      },
      components: [],
      receivedAt: '2025-06-02T08:00:00+07:00',
      duration: { value: 5, unit: 'working_days' },
      // Counted again from the supplement: five working days from Wednesday 09:00.
      dueAt: '2025-06-11T09:00:00+07:00',
      rescheduledDueAt: null,
      rows: [
        {
          seq: 1,
          at: '2025-06-02T10:00:00+07:00',
          giving: { unit: centreRef, officer: ref(counterClerk) },
          receiving: { unit: departmentRef, officer: ref(expert) },
          step: { code: 'tiep-nhan', name: 'Tiếp nhận, chuyển hồ sơ' },
          startedStep: { code: 'tham-dinh', name: 'Thẩm định hồ sơ' },
          dueAt: '2025-06-02T13:30:00+07:00',
          outcome: 'on_time',
          outcomeText: 'đúng hạn',
          note: 'Chuyển Sở Tư pháp thẩm định',
        },
        {
          seq: 2,
          at: '2025-06-09T09:00:00+07:00',
          giving: { unit: departmentRef, officer: ref(expert) },
          receiving: { unit: departmentRef, officer: ref(head) },
          step: { code: 'tham-dinh', name: 'Thẩm định hồ sơ' },
          startedStep: { code: 'phe-duyet', name: 'Phê duyệt kết quả' },
          dueAt: '2025-06-06T10:00:00+07:00',
          outcome: 'overdue',
          outcomeText: 'quá hạn',
          note: 'Trình phê duyệt',
        },
        {
          seq: 3,
          at: '2025-06-10T08:30:00+07:00',
          giving: { unit: departmentRef, officer: ref(head) },
          receiving: null,
          step: { code: 'phe-duyet', name: 'Phê duyệt kết quả' },
          startedStep: null,
          dueAt: '2025-06-10T09:00:00+07:00',
          outcome: 'on_time',
          outcomeText: 'đúng hạn',
          note: null,
        },
      ],
    });
    // A viewer reads it with the applicant masked and the notes as ***, like everywhere.
    const masked = await read<{ applicant: { fullName: string }; rows: Array<{ note: string | null }> }>(
      `/v1/dossiers/${d.code}/control-slip`,
      viewer,
    );
    expect(masked.applicant.fullName).toBe('Nguyễn V** A**');
    expect(masked.rows.map((r) => r.note)).toEqual(['***', '***', null]);
  });
});

describe('the national record (DVCQG QuaTrinhXuLy) from the step runs', () => {
  it('each handover names the officer who took it over, the unit, the step’s start and due', async () => {
    const sync = await createKey(ctx, 'sync', centre);
    // Friday 17:30, handed over at 17:40: the department's step starts with the clock, Monday 07:30.
    setNow('2025-06-06T17:30:00+07:00');
    const d = await receive();
    setNow('2025-06-06T17:40:00+07:00');
    await ok(d.code, 'hand-over', { toUnitCode: department, toOfficerCode: expert.code, note: 'Thẩm định' });
    setNow('2025-06-09T10:00:00+07:00');
    await ok(d.code, 'assign', { toOfficerCode: head.code });
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/v1/sync/dossiers/${d.code}/dvcqg`,
      headers: bearer(sync),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().QuaTrinhXuLy).toEqual([
      {
        MaHoSo: d.code,
        NguoiXuLy: counterClerk.fullName,
        ChucDanh: counterClerk.title,
        PhongBanXuLy: 'Trung tâm Phục vụ hành chính công tỉnh',
        ThoiDiemXuLy: '20250606173000',
        NoiDungXuLy: 'Tiếp nhận hồ sơ',
        TrangThai: 2,
        NgayBatDau: '20250609073000',
        NgayKetThucTheoQuyDinh: '20250609113000',
      },
      {
        MaHoSo: d.code,
        NguoiXuLy: expert.fullName,
        ChucDanh: expert.title,
        PhongBanXuLy: 'Sở Tư pháp',
        ThoiDiemXuLy: '20250606174000',
        NoiDungXuLy: 'Chuyển xử lý: Thẩm định',
        TrangThai: 4,
        NgayBatDau: '20250609073000',
        NgayKetThucTheoQuyDinh: '20250611170000',
      },
      {
        MaHoSo: d.code,
        NguoiXuLy: head.fullName,
        ChucDanh: head.title,
        PhongBanXuLy: 'Sở Tư pháp',
        ThoiDiemXuLy: '20250609100000',
        NoiDungXuLy: 'Giao xử lý',
        TrangThai: 4,
        NgayBatDau: '20250609100000',
        NgayKetThucTheoQuyDinh: '20250610100000',
      },
    ]);
  });
});

describe('the reads of steps', () => {
  it('steps and control slip answer 404 outside the scope, as the dossier does', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    const elsewhere = await createKey(ctx, 'clerk', (await createUnit(ctx)).code);
    for (const path of ['steps', 'control-slip']) {
      const res = await ctx.app.inject({
        method: 'GET',
        url: `/v1/dossiers/${d.code}/${path}`,
        headers: bearer(elsewhere),
      });
      expect(res.statusCode, path).toBe(404);
      expect(res.json().code).toBe('DOSSIER_NOT_FOUND');
    }
  });

  it('step_overdue lists running dossiers whose open step’s due date is past: never paused, not due today', async () => {
    const unit = (await createUnit(ctx, { parentCode: centre })).code;
    setNow('2025-06-02T08:00:00+07:00');
    // Each starts at tiep-nhan, due Monday 13:30.
    const [late, paused, dueToday, onTime] = [
      await receive({ unitCode: unit }),
      await receive({ unitCode: unit }),
      await receive({ unitCode: unit }),
      await receive({ unitCode: unit }),
    ];
    setNow('2025-06-02T14:00:00+07:00');
    await ok(dueToday!.code, 'hand-over', { stepCode: 'phe-duyet' }); // due Tuesday 14:00
    setNow('2025-06-03T09:00:00+07:00');
    await ok(paused!.code, 'request-supplement', { reason: 'Thiếu giấy tờ' });
    await ok(onTime!.code, 'hand-over', {}); // tham-dinh, due Friday
    // Tuesday 15:00: dueToday's step is an hour past its due instant, still on its due date.
    setNow('2025-06-03T15:00:00+07:00');
    expect(await listCodes(`timeliness=step_overdue&unitCode=${unit}`)).toEqual([late!.code]);
    expect((await listCodes(`timeliness=step_overdue`)).filter((c) => c.startsWith(unit))).toEqual([
      late!.code,
    ]);
    expect(await listCodes(`stepCode=tiep-nhan&unitCode=${unit}`)).toEqual([paused!.code, late!.code]);
    expect(await listCodes(`officerCode=${counterClerk.code}&unitCode=${unit}`)).toEqual(
      [onTime!, dueToday!, paused!, late!].map((x) => x.code),
    );
    const wrong = await ctx.app.inject({
      method: 'GET',
      url: '/v1/dossiers?timeliness=late',
      headers: bearer(clerk),
    });
    expect(wrong.statusCode).toBe(400);
  });
});

describe('the step clock through the API, rule by rule', () => {
  it('step 1 starts at the dossier’s start, held by the receiving unit and the officer receiving it', async () => {
    // Friday 17:30, after closing: the clock starts Monday 07:30.
    setNow('2025-06-06T17:30:00+07:00');
    const d = await receive();
    expect(d.startAt).toBe('2025-06-09T07:30:00+07:00');
    expect(d.currentStep).toMatchObject({ code: 'tiep-nhan', dueAt: '2025-06-09T11:30:00+07:00' });
    const [first] = await stepsOf(d.code);
    expect(first).toMatchObject({
      seq: 1,
      handedOverAt: '2025-06-06T17:30:00+07:00',
      startAt: '2025-06-09T07:30:00+07:00',
      unit: { code: centre },
      toOfficer: ref(counterClerk),
      endAt: null,
      outcome: null,
    });
  });

  it('a handover before the clock starts takes effect at the start: no step runs before the dossier', async () => {
    setNow('2025-06-06T17:30:00+07:00');
    const d = await receive();
    setNow('2025-06-06T17:40:00+07:00');
    await ok(d.code, 'hand-over', { toUnitCode: department });
    const steps = await stepsOf(d.code);
    expect(steps.map(brief)).toEqual([
      [
        1,
        'tiep-nhan',
        '2025-06-09T07:30:00+07:00',
        '2025-06-09T11:30:00+07:00',
        '2025-06-09T07:30:00+07:00',
        'on_time',
      ],
      // Three working days from Monday 07:30 end at Wednesday's closing.
      [2, 'tham-dinh', '2025-06-09T07:30:00+07:00', '2025-06-11T17:00:00+07:00', null, null],
    ]);
    expect(steps[1]!.handedOverAt).toBe('2025-06-06T17:40:00+07:00');
  });

  it('an online submission has no step until accepted; acceptance starts step 1 with the clock', async () => {
    setNow('2025-06-03T13:00:00+07:00');
    const d = await receive({ channel: 'online' });
    expect(d.currentStep).toBeNull();
    expect(await stepsOf(d.code)).toEqual([]);
    setNow('2025-06-03T14:00:00+07:00');
    const accepted = await ok(d.code, 'accept');
    // 180 working minutes to closing, 60 the next morning.
    expect(accepted.currentStep).toMatchObject({ code: 'tiep-nhan', dueAt: '2025-06-04T08:30:00+07:00' });
    expect((await stepsOf(d.code)).map(brief)).toEqual([
      [1, 'tiep-nhan', '2025-06-03T14:00:00+07:00', '2025-06-04T08:30:00+07:00', null, null],
    ]);
    // An online submission withdrawn or rejected before acceptance never had a step.
    const withdrawn = await receive({ channel: 'online' });
    await ok(withdrawn.code, 'withdraw', { reason: 'Người nộp rút' });
    const rejected = await receive({ channel: 'online' });
    await ok(rejected.code, 'reject', { reason: 'Không thuộc thẩm quyền' });
    expect(await stepsOf(withdrawn.code)).toEqual([]);
    expect(await stepsOf(rejected.code)).toEqual([]);
  });

  it('a handover starts the next step, the named one (sent back), the last again after the last', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    for (const [time, body] of [
      ['09:00', {}],
      ['10:00', {}],
      ['11:00', {}],
      ['14:00', { stepCode: 'tham-dinh', note: 'Trả lại để thẩm định bổ sung' }],
    ] as const) {
      setNow(`2025-06-02T${time}:00+07:00`);
      await ok(d.code, 'hand-over', body);
    }
    const steps = await stepsOf(d.code);
    expect(steps.map((s) => s.step.code)).toEqual([
      'tiep-nhan',
      'tham-dinh',
      'phe-duyet',
      'phe-duyet',
      'tham-dinh',
    ]);
    // Every start of a step gets its whole allotment: three working days from Monday 14:00.
    expect(steps[4]).toMatchObject({
      startAt: '2025-06-02T14:00:00+07:00',
      dueAt: '2025-06-05T14:00:00+07:00',
    });
    const events = (await eventsOf(d.code)).filter((e) => e.type === 'hand-over');
    expect(events.map((e) => [e.data.fromStepCode, e.data.toStepCode, e.data.stepCode])).toEqual([
      ['tiep-nhan', 'tham-dinh', undefined],
      ['tham-dinh', 'phe-duyet', undefined],
      ['phe-duyet', 'phe-duyet', undefined],
      ['phe-duyet', 'tham-dinh', 'tham-dinh'],
    ]);
  });

  it('handovers sent at once each build on the step rows the one before committed (read with the lock)', async () => {
    setNow('2025-06-02T09:00:00+07:00');
    const d = await receive();
    // Eight at once: all but one find the row locked, wait for it and read again; each must see the rows the
    // one before it wrote (rows read before the lock give a seq taken twice: 500).
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        act(d.code, 'hand-over', i % 2 ? { toUnitCode: department } : { toUnitCode: centre }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    const steps = await stepsOf(d.code);
    expect(steps.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(steps.map((s) => s.step.code)).toEqual(['tiep-nhan', 'tham-dinh', ...Array(7).fill('phe-duyet')]);
    // Each handover came from where the step before it was held.
    for (const [i, s] of steps.slice(1).entries()) expect(s.fromUnit?.code).toBe(steps[i]!.unit.code);
    // One open step, the last; every other ended when the next began.
    expect(steps.filter((s) => s.endAt === null).map((s) => s.seq)).toEqual([9]);
    for (const [i, s] of steps.slice(0, -1).entries()) expect(s.endAt).toBe(steps[i + 1]!.startAt);
    expect((await dossierOf(d.code)).version).toBe(d.version + 8);
  });

  it('a step the dossier’s process does not have is refused (400 STEP_NOT_IN_PROCESS), nothing changes', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    const before = { dossier: await dossierOf(d.code), steps: await stepsOf(d.code) };
    const res = await act(d.code, 'hand-over', { stepCode: 'khong-co', toUnitCode: department });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'STEP_NOT_IN_PROCESS' });
    expect(res.json().detail).toContain('khong-co');
    expect({ dossier: await dossierOf(d.code), steps: await stepsOf(d.code) }).toEqual(before);
  });

  it('hand-over moves the unit and the holder with assign’s checks; assign is a handover too', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    const unknownUnit = await act(d.code, 'hand-over', { toUnitCode: '999.99.99.Z99' });
    expect(unknownUnit.json().code).toBe('UNIT_NOT_FOUND');
    // The officer must work in the unit receiving it.
    const elsewhere = await act(d.code, 'hand-over', { toOfficerCode: expert.code });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().code).toBe('OFFICER_NOT_IN_SCOPE');
    setNow('2025-06-02T09:00:00+07:00');
    await ok(d.code, 'hand-over', { toUnitCode: department, toOfficerCode: expert.code });
    setNow('2025-06-02T10:00:00+07:00');
    const assigned = await ok(d.code, 'assign', { toOfficerCode: head.code });
    expect(assigned).toMatchObject({
      holder: ref(head),
      currentStep: { code: 'phe-duyet', officer: ref(head) },
    });
    const events = (await eventsOf(d.code)).slice(1);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      [
        'transferred',
        {
          toUnitCode: department,
          toOfficerCode: expert.code,
          fromUnitCode: centre,
          fromOfficerCode: counterClerk.code,
          fromStepCode: 'tiep-nhan',
          toStepCode: 'tham-dinh',
        },
      ],
      [
        'assign',
        {
          toOfficerCode: head.code,
          fromUnitCode: department,
          toUnitCode: department,
          fromOfficerCode: expert.code,
          fromStepCode: 'tham-dinh',
          toStepCode: 'phe-duyet',
        },
      ],
    ]);
    expect(await announced(d.code)).toEqual([
      'dossier.received',
      'dossier.processing',
      'dossier.transferred',
      'dossier.handed_over',
      'dossier.handed_over',
    ]);
  });

  it('a pause freezes the step and moves its due by the paused working time on resume, whatever the policy', async () => {
    // The procedure restarts the dossier's time after a supplement; the step's due only moves.
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    setNow('2025-06-02T09:00:00+07:00');
    await ok(d.code, 'hand-over', {});
    setNow('2025-06-02T10:00:00+07:00');
    await ok(d.code, 'request-payment', { amount: 50_000 });
    setNow('2025-06-02T15:00:00+07:00');
    const resumed = await ok(d.code, 'confirm-payment');
    // Due Thursday 09:00, paused 10:00–15:00 (90 + 120 working minutes): Thursday 14:00.
    expect(resumed.currentStep?.dueAt).toBe('2025-06-05T14:00:00+07:00');
    setNow('2025-06-03T08:00:00+07:00');
    await ok(d.code, 'request-supplement', { reason: 'Thiếu giấy tờ' });
    setNow('2025-06-04T08:00:00+07:00');
    const again = await ok(d.code, 'receive-supplement');
    expect(again.dueAt).toBe('2025-06-11T08:00:00+07:00'); // the dossier's 5 days counted again
    expect(again.currentStep?.dueAt).toBe('2025-06-06T14:00:00+07:00'); // the step's moved by one day
    expect((await stepsOf(d.code))[1]).toMatchObject({ pausedMinutes: 210 + 480 });
  });

  it('the finish ends the open step with its outcome; stop and withdraw too, also while paused', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const stopped = await receive();
    setNow('2025-06-02T09:00:00+07:00');
    await ok(stopped.code, 'request-supplement', { reason: 'Thiếu giấy tờ' });
    setNow('2025-06-04T09:00:00+07:00');
    expect((await ok(stopped.code, 'stop', { reason: 'Không bổ sung' })).currentStep).toBeNull();
    expect((await stepsOf(stopped.code)).map(brief)).toEqual([
      // Paused 09:00 Monday to 09:00 Wednesday (two working days): the due moved that far before it ended.
      [
        1,
        'tiep-nhan',
        '2025-06-02T08:00:00+07:00',
        '2025-06-04T13:30:00+07:00',
        '2025-06-04T09:00:00+07:00',
        'on_time',
      ],
    ]);
    setNow('2025-06-02T08:00:00+07:00');
    const withdrawn = await receive();
    setNow('2025-06-03T16:00:00+07:00');
    await ok(withdrawn.code, 'withdraw', { reason: 'Người nộp rút' });
    expect((await stepsOf(withdrawn.code)).map((s) => [s.endAt, s.outcome])).toEqual([
      ['2025-06-03T16:00:00+07:00', 'overdue'],
    ]);
  });

  it('a dossier follows the process version in force at receipt; without one, the implicit step xu-ly', async () => {
    const procedure = (await createProcedure(ctx, { duration: { value: 2, unit: 'working_days' } })).code;
    setNow('2025-06-02T08:00:00+07:00');
    const before = await receive({ procedureCode: procedure });
    expect(before.currentStep).toMatchObject({
      code: 'xu-ly',
      name: 'Giải quyết hồ sơ',
      dueAt: before.dueAt!, // the whole statutory time
    });
    await putProcess(procedure, [
      { code: 'b1', name: 'Bước 1', allotment: { value: 1, unit: 'days' } },
      { code: 'b2', name: 'Bước 2', allotment: { value: 1, unit: 'days' } },
    ]);
    const after = await receive({ procedureCode: procedure });
    expect(after.currentStep?.code).toBe('b1');
    setNow('2025-06-02T09:00:00+07:00');
    // The earlier dossier keeps its single step: handed over, it runs it again.
    expect((await ok(before.code, 'hand-over', {})).currentStep?.code).toBe('xu-ly');
    expect((await act(before.code, 'hand-over', { stepCode: 'b2' })).json().code).toBe('STEP_NOT_IN_PROCESS');
    expect((await ok(after.code, 'hand-over', {})).currentStep?.code).toBe('b2');
  });

  it('a procedure whose time in working hours rounds to no minute gets a one-day implicit step, and intakes go on', async () => {
    // "The same day": the due is the start, and the implicit step holds one working day, as a time of 0 does.
    const procedure = (await createProcedure(ctx, { duration: { value: 1e-12, unit: 'working_hours' } }))
      .code;
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive({ procedureCode: procedure });
    expect(d.dueAt).toBe(d.startAt);
    expect(d.currentStep).toMatchObject({ code: 'xu-ly', dueAt: '2025-06-03T08:00:00+07:00' });
  });

  it('a calendar change moves the open step’s due; finished steps keep theirs', async () => {
    // A provisional year no other test edits: Monday 4 March 2097.
    setNow('2097-03-04T08:00:00+07:00');
    const d = await receive();
    setNow('2097-03-04T10:00:00+07:00');
    await ok(d.code, 'hand-over', {});
    const first = await stepsOf(d.code);
    expect(first[1]!.dueAt).toBe('2097-03-07T10:00:00+07:00');
    const put = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/calendar/days/2097-03-06',
      headers: bearer(ctx.adminKey),
      payload: { kind: 'day_off', name: 'Nghỉ bù thử', source: 'test' },
    });
    expect(put.statusCode, put.body).toBe(200);
    try {
      const moved = await stepsOf(d.code);
      expect(moved[0]).toEqual(first[0]);
      expect(moved[1]!.dueAt).toBe('2097-03-08T10:00:00+07:00');
      expect((await dossierOf(d.code)).currentStep?.dueAt).toBe('2097-03-08T10:00:00+07:00');
      const changed = (await eventsOf(d.code)).at(-1)!;
      expect(changed).toMatchObject({
        type: 'due_changed',
        data: {
          reason: 'calendar_change',
          stepCode: 'tham-dinh',
          previousStepDueAt: '2097-03-07T10:00:00+07:00',
          stepDueAt: '2097-03-08T10:00:00+07:00',
        },
      });
    } finally {
      await ctx.app.inject({
        method: 'DELETE',
        url: '/v1/calendar/days/2097-03-06',
        headers: bearer(ctx.adminKey),
      });
    }
    expect((await stepsOf(d.code))[1]!.dueAt).toBe('2097-03-07T10:00:00+07:00');
  });

  it('with OUTCOME_GRANULARITY=instant a step ended after its due instant on its due date is overdue', async () => {
    const strict = await createTestContext({ OUTCOME_GRANULARITY: 'instant' }, { clock: () => now });
    try {
      const key = await createKey(strict, 'clerk', centre);
      setNow('2025-06-02T08:00:00+07:00');
      const created = await strict.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(key),
        payload: intakeBody(withProcess, { unitCode: centre }),
      });
      const code = created.json().code as string;
      // Step 1 is due 13:30; handed over at 14:00 the same day.
      setNow('2025-06-02T14:00:00+07:00');
      const res = await strict.app.inject({
        method: 'POST',
        url: `/v1/dossiers/${code}/hand-over`,
        headers: bearer(key),
        payload: {},
      });
      expect(res.statusCode, res.body).toBe(200);
      expect((await stepsOf(code))[0]).toMatchObject({ outcome: 'overdue' });
    } finally {
      await strict.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// The property

/** A history: the intake's instant, then moves, then perhaps a finish; gaps in minutes. */
const historyArb = fc.record({
  implicit: fc.boolean(),
  startMinute: fc.integer({ min: 0, max: 7 * 1440 - 1 }),
  moves: fc.array(
    fc.record({
      gap: fc.oneof(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 3 * 1440 })),
      kind: fc.constantFrom('hand-over', 'hand-over', 'assign', 'pause'),
      payment: fc.boolean(),
      target: fc.option(fc.constantFrom(...process.map((s) => s.code)), { nil: undefined }),
      unit: fc.constantFrom('same', 'centre', 'department'),
      officer: fc.boolean(),
    }),
    { maxLength: 8 },
  ),
  finish: fc.option(
    fc.record({
      gap: fc.integer({ min: 0, max: 3 * 1440 }),
      how: fc.constantFrom('resolve', 'withdraw', 'stop'),
    }),
    {
      nil: undefined,
    },
  ),
});

type History = typeof historyArb extends fc.Arbitrary<infer T> ? T : never;

/** Drives one history through the API; the dossier's code. */
async function drive(h: History): Promise<string> {
  // From Monday 7 July 2025 00:00, any minute of that week: nights and the weekend included.
  let t = new Date('2025-07-07T00:00:00+07:00').getTime() + h.startMinute * 60_000;
  setNow(new Date(t));
  const d = await receive({ procedureCode: h.implicit ? withoutProcess : withProcess });
  let unit = centre;
  let paused: 'supplement' | 'payment' | null = null;
  const officersOf = (u: string) => (u === centre ? [counterClerk] : [expert, head]);
  for (const [i, m] of h.moves.entries()) {
    t += m.gap * 60_000;
    setNow(new Date(t));
    if (paused) {
      await ok(d.code, paused === 'supplement' ? 'receive-supplement' : 'confirm-payment');
      paused = null;
      continue;
    }
    if (m.kind === 'pause') {
      paused = m.payment ? 'payment' : 'supplement';
      await ok(d.code, m.payment ? 'request-payment' : 'request-supplement', { reason: 'Thiếu giấy tờ' });
      continue;
    }
    const target = m.unit === 'same' ? unit : m.unit === 'centre' ? centre : department;
    const people = officersOf(target);
    const officer = m.officer ? people[i % people.length]!.code : undefined;
    if (m.kind === 'assign') {
      await ok(d.code, 'assign', { handlingUnitCode: target, toOfficerCode: officer });
    } else {
      const stepCode = h.implicit ? undefined : m.target;
      await ok(d.code, 'hand-over', {
        toUnitCode: target,
        toOfficerCode: officer,
        stepCode,
        note: `Bước ${i}`,
      });
    }
    unit = target;
  }
  if (h.finish) {
    t += h.finish.gap * 60_000;
    setNow(new Date(t));
    // resolve only from a running dossier; a paused one is stopped.
    const how = paused && h.finish.how === 'resolve' ? 'stop' : h.finish.how;
    await ok(d.code, how, how === 'resolve' ? { result: 'approved' } : { reason: 'Kết thúc' });
  }
  return d.code;
}

/** The step clock's events, read from the audit trail alone. */
function stepEventsOf(events: Event[]): StepEvent[] {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return events.flatMap((e): StepEvent[] => {
    const at = new Date(e.at);
    switch (e.type) {
      case 'assign':
      case 'hand-over':
      case 'transferred':
        return [
          {
            kind: 'handover',
            at,
            toStepCode: str(e.data.stepCode),
            fromUnit: str(e.data.fromUnitCode)!,
            toUnit: str(e.data.toUnitCode)!,
            fromOfficer: str(e.data.fromOfficerCode),
            toOfficer: str(e.data.toOfficerCode),
            note: str(e.data.note),
          },
        ];
      case 'request-supplement':
      case 'request-payment':
        return [{ kind: 'pause', at }];
      case 'receive-supplement':
      case 'confirm-payment':
        return [{ kind: 'resume', at }];
      case 'resolve':
      case 'withdraw':
      case 'stop':
        return [{ kind: 'finish', at }];
      default:
        return [];
    }
  });
}

describe('property: the stored steps are the step clock replayed from the audit trail', () => {
  it('GET /steps equals replaySteps over the events of GET /events, for random histories', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, async (h) => {
        const code = await drive(h);
        const events = await eventsOf(code);
        const stored = await stepsOf(code);
        // The clock: the process (or the implicit step of 5 or 2 working days), the calendar, the granularity.
        const days = h.implicit ? 2 : 5;
        const steps = h.implicit
          ? implicitProcess({
              durationValue: days,
              durationUnit: 'working_days',
              onlineDurationValue: null,
              onlineDurationUnit: null,
            })
          : process;
        const clock: StepClock = {
          calendar,
          granularity: ctx.config.OUTCOME_GRANULARITY,
          steps: clockSteps(steps, 'direct', calendar.dayLength),
        };
        const intake = events[0]!;
        const start = computeStartAndDue(calendar, new Date(intake.at), {
          value: days,
          unit: 'working_days',
        });
        const state = replaySteps(
          clock,
          { at: start.startAt, unit: centre, officer: intake.actor.officer?.code ?? null },
          stepEventsOf(events),
        );
        const iso = (x: Date | null) => (x === null ? null : x.getTime());
        const ms = (x: string | null) => (x === null ? null : new Date(x).getTime());
        expect(
          stored.map((s) => ({
            seq: s.seq,
            code: s.step.code,
            name: s.step.name,
            startAt: ms(s.startAt),
            dueAt: ms(s.dueAt),
            endAt: ms(s.endAt),
            outcome: s.outcome,
            pausedMinutes: s.pausedMinutes,
            unit: s.unit.code,
            fromUnit: s.fromUnit?.code ?? null,
            fromOfficer: s.fromOfficer?.code ?? null,
            toOfficer: s.toOfficer?.code ?? null,
          })),
        ).toEqual(
          state.rows.map((r) => ({
            seq: r.seq,
            code: r.stepCode,
            name: r.stepName,
            startAt: iso(r.startAt),
            dueAt: iso(r.dueAt),
            endAt: iso(r.endAt),
            outcome: r.outcome,
            pausedMinutes: r.pausedMinutes,
            unit: r.unit,
            fromUnit: r.fromUnit,
            fromOfficer: r.fromOfficer,
            toOfficer: r.toOfficer,
          })),
        );
        // Each handover's event names the step it started, as the replay does.
        const started = events.filter((e) => ['assign', 'hand-over', 'transferred'].includes(e.type));
        expect(started.map((e) => e.data.toStepCode)).toEqual(state.rows.slice(1).map((r) => r.stepCode));
        // The dossier's current step is the replay's open one.
        const open = state.rows.at(-1)!;
        expect((await dossierOf(code)).currentStep).toEqual(
          open.endAt === null
            ? {
                code: open.stepCode,
                name: open.stepName,
                dueAt: stored.at(-1)!.dueAt,
                officer: stored.at(-1)!.toOfficer,
              }
            : null,
        );
      }),
      { numRuns: 25 },
    );
  });
});

describe('step alerts', () => {
  /** Raises what is due for one dossier at `at`, with the app's horizons. */
  async function evaluate(code: string, at: string): Promise<number> {
    const [row] = await ctx.database.db
      .select({ id: dossiers.id })
      .from(dossiers)
      .where(eq(dossiers.code, code));
    const horizon = alertHorizon(ctx, calendar, new Date(at));
    return raiseAlerts(ctx.database.db, { ...horizon, dossierId: row!.id });
  }
  type Alert = {
    kind: string;
    target: string;
    dueAt: string;
    stepCode: string | null;
    officerCode: string | null;
    unitCode: string | null;
  };
  const alertsOf = async (code: string, query = '') =>
    (await read<{ items: Alert[] }>(`/v1/alerts?dossierCode=${code}${query}`)).items.map((a) => [
      a.kind,
      a.target,
      a.dueAt,
      a.stepCode,
      a.officerCode,
      a.unitCode,
    ]);

  it('step_due_soon and step_overdue once per step run, naming the step and its holder; none while paused', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    // Step 1 is due 13:30 today: due soon at once (the dossier, due next Monday, is not).
    expect(await evaluate(d.code, '2025-06-02T08:00:00+07:00')).toBe(1);
    expect(await evaluate(d.code, '2025-06-02T09:00:00+07:00')).toBe(0);
    setNow('2025-06-02T10:00:00+07:00');
    await ok(d.code, 'hand-over', { toUnitCode: department, toOfficerCode: expert.code });
    setNow('2025-06-04T09:00:00+07:00');
    await ok(d.code, 'request-supplement', { reason: 'Thiếu giấy tờ' });
    // Paused: the step's due (Thursday 10:00) is near, but no clock runs.
    expect(await evaluate(d.code, '2025-06-04T16:00:00+07:00')).toBe(0);
    setNow('2025-06-05T09:00:00+07:00');
    await ok(d.code, 'receive-supplement'); // due moves to Friday 10:00
    expect(await evaluate(d.code, '2025-06-05T10:00:00+07:00')).toBe(1);
    // Monday: overdue, once.
    expect(await evaluate(d.code, '2025-06-09T08:00:00+07:00')).toBe(1);
    expect(await evaluate(d.code, '2025-06-09T08:30:00+07:00')).toBe(0);
    expect(await alertsOf(d.code)).toEqual([
      ['step_overdue', 'step', '2025-06-06T10:00:00+07:00', 'tham-dinh', expert.code, department],
      ['step_due_soon', 'step', '2025-06-06T10:00:00+07:00', 'tham-dinh', expert.code, department],
      ['step_due_soon', 'step', '2025-06-02T13:30:00+07:00', 'tiep-nhan', counterClerk.code, centre],
    ]);
    expect(await alertsOf(d.code, '&kind=step_overdue')).toHaveLength(1);
    // Announced for webhooks with the step and its holder.
    const announcedAlerts = await ctx.database.db
      .select({ type: outbox.type, payload: outbox.payload })
      .from(outbox)
      .innerJoin(dossiers, eq(dossiers.id, outbox.dossierId))
      .where(eq(dossiers.code, d.code))
      .orderBy(outbox.id);
    expect(
      announcedAlerts.filter((o) => o.type.startsWith('alert.')).map((o) => [o.type, o.payload]),
    ).toEqual([
      [
        'alert.step_due_soon',
        {
          alert: expect.objectContaining({
            kind: 'step_due_soon',
            target: 'step',
            dossierCode: d.code,
            dueAt: '2025-06-02T13:30:00+07:00',
            stepCode: 'tiep-nhan',
            officerCode: counterClerk.code,
            unitCode: centre,
          }),
        },
      ],
      ['alert.step_due_soon', { alert: expect.objectContaining({ stepCode: 'tham-dinh' }) }],
      [
        'alert.step_overdue',
        { alert: expect.objectContaining({ stepCode: 'tham-dinh', unitCode: department }) },
      ],
    ]);
    // A new run of a step (sent back) gets its own.
    setNow('2025-06-09T09:00:00+07:00');
    await ok(d.code, 'hand-over', { stepCode: 'tiep-nhan', toUnitCode: centre });
    expect(await evaluate(d.code, '2025-06-09T09:00:00+07:00')).toBe(1);
    expect((await alertsOf(d.code))[0]).toEqual([
      'step_due_soon',
      'step',
      '2025-06-09T14:30:00+07:00',
      'tiep-nhan',
      null,
      centre,
    ]);
  });

  it('a dossier without an internal process raises its own alerts only: its implicit step is the whole time', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive({ procedureCode: withoutProcess });
    // Due Wednesday 08:00; due soon from Tuesday 08:00.
    expect(await evaluate(d.code, '2025-06-03T09:00:00+07:00')).toBe(1);
    expect(await alertsOf(d.code)).toEqual([
      ['due_soon', 'statutory', '2025-06-04T08:00:00+07:00', null, null, null],
    ]);
  });
});
