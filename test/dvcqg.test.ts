import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicantIdentifiers, dvcqgDate, handoversOf, progressEntry } from '../src/sync/dvcqg.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

// The app's clock is set per step, so every date of the portal's object is known to the second (June 2025 has
// no holiday: working days are Monday to Friday, 07:30–11:30 and 13:00–17:00).
let now = new Date('2025-06-02T08:00:00+07:00');
const setNow = (s: string) => (now = new Date(s));
let ctx: TestContext;
let clerk: string;
let sync: string;
let commune: string;
let department: string;
let procedure: string;

beforeAll(async () => {
  ctx = await createTestContext({}, { clock: () => now });
  const province = await createUnit(ctx, { name: 'UBND tỉnh' });
  commune = (await createUnit(ctx, { parentCode: province.code, name: 'UBND xã Tân Hòa' })).code;
  department = (await createUnit(ctx, { parentCode: province.code, name: 'Phòng Tư pháp' })).code;
  clerk = await createKey(ctx, 'clerk', province.code);
  sync = await createKey(ctx, 'sync', province.code);
  procedure = (
    await createProcedure(ctx, {
      name: 'Cấp bản sao trích lục hộ tịch',
      field: { code: 'G01.HT', name: 'Hộ tịch' },
      duration: { value: 5, unit: 'working_days' },
    })
  ).code;
});
afterAll(() => ctx.close());

async function receive(overrides: Record<string, unknown>): Promise<string> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(clerk),
    payload: intakeBody(procedure, { unitCode: commune, ...overrides }),
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { code: string }).code;
}

async function act(at: string, code: string, action: string, body: object = {}) {
  setNow(at);
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${code}/${action}`,
    headers: bearer(clerk),
    payload: body,
  });
  expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
}

async function portal(code: string, key = sync) {
  return ctx.app.inject({ method: 'GET', url: `/v1/sync/dossiers/${code}/dvcqg`, headers: bearer(key) });
}

async function portalBody(code: string) {
  const res = await portal(code);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const procedureFields = {
  TenTTHC: 'Cấp bản sao trích lục hộ tịch',
  MaLinhVuc: 'G01.HT',
  TenLinhVuc: 'Hộ tịch',
};

describe('GET /v1/sync/dossiers/{code}/dvcqg: the national portal format', () => {
  it('an organisation’s postal dossier: transferred, supplemented twice, resolved and returned by post', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const code = await receive({
      channel: 'postal',
      applicant: { type: 'organization', fullName: 'Công ty TNHH Tân Hòa', idNumber: '0101234567' },
      summary: 'Đề nghị cấp bản sao trích lục khai sinh',
      components: [
        { name: 'Tờ khai', copies: 1, digitised: true },
        { name: 'Giấy phép kinh doanh', copies: 1 },
        { name: 'Giấy ủy quyền', copies: 1 },
      ],
    });
    // Received Monday 08:00: 5 working days → Monday 9 June 08:00.
    await act('2025-06-02T10:00:00+07:00', code, 'assign', {
      handlingUnitCode: department,
      note: 'Chuyển phòng chuyên môn',
    });
    await act('2025-06-03T09:00:00+07:00', code, 'request-supplement', { reason: 'Thiếu bản sao giấy phép' });
    // restart: 5 working days again from Wednesday 09:00 → Wednesday 11 June 09:00.
    await act('2025-06-04T09:00:00+07:00', code, 'receive-supplement');
    await act('2025-06-05T09:00:00+07:00', code, 'request-supplement', { reason: 'Thiếu chữ ký' });
    // From Friday 09:00 → Friday 13 June 09:00.
    await act('2025-06-06T09:00:00+07:00', code, 'receive-supplement');
    await act('2025-06-06T10:00:00+07:00', code, 'assign');
    await act('2025-06-10T10:00:00+07:00', code, 'resolve', { result: 'approved' });
    await act('2025-06-10T14:00:00+07:00', code, 'return', { method: 'postal' });
    await act('2025-06-10T15:00:00+07:00', code, 'record-digitisation', { digitisedComponents: [1] });

    expect(await portalBody(code)).toEqual({
      MaHoSo: code,
      MaTTHC: procedure,
      ...procedureFields,
      KenhThucHien: 3,
      ChuHoSo: 'Công ty TNHH Tân Hòa',
      LoaiDoiTuong: 2,
      SoGiayToChuHoSo: '0101234567',
      DinhDanhCHS: [],
      TrichYeuHoSo: 'Đề nghị cấp bản sao trích lục khai sinh',
      NgayNopHoSo: '20250602080000',
      NgayTiepNhan: '20250602080000',
      NgayHenTra: '20250613090000',
      TrangThaiHoSo: 10,
      NgayTuChoi: null,
      NgayKetThucXuLy: '20250610100000',
      NgayTra: '20250610140000',
      HinhThuc: 1,
      DonViXuLy: 'Phòng Tư pháp',
      DuocThanhToanTrucTuyen: 0,
      HoSoCoThanhPhanSoHoa: 1,
      TaiLieuNop: [
        { TenTepDinhKem: 'Tờ khai', DuocSoHoa: 1 },
        { TenTepDinhKem: 'Giấy phép kinh doanh', DuocSoHoa: 1 },
        { TenTepDinhKem: 'Giấy ủy quyền', DuocSoHoa: 0 },
      ],
      DanhSachHoSoBoSung: [
        {
          NgayBoSung: '20250603090000',
          NoiDungBoSung: 'Thiếu bản sao giấy phép',
          NgayTiepNhanBoSung: '20250604090000',
          NgayHenTraTruoc: '20250609080000',
          NgayHenTraMoi: '20250611090000',
        },
        {
          NgayBoSung: '20250605090000',
          NoiDungBoSung: 'Thiếu chữ ký',
          NgayTiepNhanBoSung: '20250606090000',
          NgayHenTraTruoc: '20250611090000',
          NgayHenTraMoi: '20250613090000',
        },
      ],
      QuaTrinhXuLy: [
        {
          MaHoSo: code,
          NguoiXuLy: null,
          ChucDanh: null,
          PhongBanXuLy: 'UBND xã Tân Hòa',
          ThoiDiemXuLy: '20250602080000',
          NoiDungXuLy: 'Tiếp nhận hồ sơ',
          TrangThai: 2,
          NgayBatDau: '20250602080000',
          NgayKetThucTheoQuyDinh: '20250609080000',
        },
        {
          MaHoSo: code,
          NguoiXuLy: null,
          ChucDanh: null,
          PhongBanXuLy: 'Phòng Tư pháp',
          ThoiDiemXuLy: '20250602100000',
          NoiDungXuLy: 'Chuyển xử lý: Chuyển phòng chuyên môn',
          TrangThai: 4,
          NgayBatDau: '20250602100000',
          // The step's due: five working days from 10:00, moved by the two days paused for supplements.
          NgayKetThucTheoQuyDinh: '20250611100000',
        },
        {
          MaHoSo: code,
          NguoiXuLy: null,
          ChucDanh: null,
          PhongBanXuLy: 'Phòng Tư pháp',
          ThoiDiemXuLy: '20250606100000',
          NoiDungXuLy: 'Giao xử lý',
          TrangThai: 4,
          NgayBatDau: '20250606100000',
          // A new run of the (implicit) step: its whole five working days from the handover.
          NgayKetThucTheoQuyDinh: '20250613100000',
        },
      ],
    });
  });

  it('an online dossier rejected before acceptance: submitted and rejected, never received nor handed over', async () => {
    setNow('2025-06-02T20:00:00+07:00');
    const code = await receive({ channel: 'online' });
    await act('2025-06-03T08:30:00+07:00', code, 'reject', { reason: 'Sai thủ tục' });

    expect(await portalBody(code)).toEqual({
      MaHoSo: code,
      MaTTHC: procedure,
      ...procedureFields,
      KenhThucHien: 2,
      ChuHoSo: 'Nguyễn Văn An',
      LoaiDoiTuong: 1,
      SoGiayToChuHoSo: '001099012345',
      DinhDanhCHS: [{ LoaiDinhDanh: 1, SoDinhDanh: '001099012345' }],
      TrichYeuHoSo: null,
      NgayNopHoSo: '20250602200000',
      NgayTiepNhan: null,
      NgayHenTra: null,
      TrangThaiHoSo: 3,
      NgayTuChoi: '20250603083000',
      NgayKetThucXuLy: '20250603083000',
      NgayTra: null,
      HinhThuc: null,
      DonViXuLy: 'UBND xã Tân Hòa',
      DuocThanhToanTrucTuyen: 0,
      HoSoCoThanhPhanSoHoa: 0,
      TaiLieuNop: [],
      DanhSachHoSoBoSung: [],
      QuaTrinhXuLy: [],
    });
  });

  it('an accepted online dossier waiting for a supplement: the acceptance is the receipt, the round still open', async () => {
    setNow('2025-06-02T20:00:00+07:00');
    const code = await receive({
      channel: 'online',
      applicant: { type: 'citizen', fullName: 'Lê Thị Hoa', idNumber: '123456789' },
    });
    // Accepted Tuesday 08:00: 5 working days → Tuesday 10 June 08:00.
    await act('2025-06-03T08:00:00+07:00', code, 'accept');
    await act('2025-06-04T14:00:00+07:00', code, 'request-supplement', { reason: 'Thiếu ảnh' });

    expect(await portalBody(code)).toEqual({
      MaHoSo: code,
      MaTTHC: procedure,
      ...procedureFields,
      KenhThucHien: 2,
      ChuHoSo: 'Lê Thị Hoa',
      LoaiDoiTuong: 1,
      SoGiayToChuHoSo: '123456789',
      DinhDanhCHS: [{ LoaiDinhDanh: 2, SoDinhDanh: '123456789' }],
      TrichYeuHoSo: null,
      NgayNopHoSo: '20250602200000',
      NgayTiepNhan: '20250603080000',
      NgayHenTra: '20250610080000',
      TrangThaiHoSo: 5,
      NgayTuChoi: null,
      NgayKetThucXuLy: null,
      NgayTra: null,
      HinhThuc: null,
      DonViXuLy: 'UBND xã Tân Hòa',
      DuocThanhToanTrucTuyen: 0,
      HoSoCoThanhPhanSoHoa: 0,
      TaiLieuNop: [],
      DanhSachHoSoBoSung: [
        {
          NgayBoSung: '20250604140000',
          NoiDungBoSung: 'Thiếu ảnh',
          NgayTiepNhanBoSung: null,
          NgayHenTraTruoc: '20250610080000',
          NgayHenTraMoi: null,
        },
      ],
      QuaTrinhXuLy: [
        {
          MaHoSo: code,
          NguoiXuLy: null,
          ChucDanh: null,
          PhongBanXuLy: 'UBND xã Tân Hòa',
          ThoiDiemXuLy: '20250603080000',
          NoiDungXuLy: 'Tiếp nhận hồ sơ',
          TrangThai: 2,
          NgayBatDau: '20250603080000',
          NgayKetThucTheoQuyDinh: '20250610080000',
        },
      ],
    });
  });

  it('a result returned online is sent as returned at the counter (HinhThuc 0); no identifier, no DinhDanhCHS', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const code = await receive({ applicant: { type: 'citizen', fullName: 'Phạm Văn Minh' } });
    await act('2025-06-03T15:00:00+07:00', code, 'resolve', {
      result: 'refused',
      note: 'Không đủ điều kiện',
    });
    await act('2025-06-03T16:00:00+07:00', code, 'return', { method: 'online' });

    expect(await portalBody(code)).toEqual({
      MaHoSo: code,
      MaTTHC: procedure,
      ...procedureFields,
      KenhThucHien: 1,
      ChuHoSo: 'Phạm Văn Minh',
      LoaiDoiTuong: 1,
      SoGiayToChuHoSo: null,
      DinhDanhCHS: [],
      TrichYeuHoSo: null,
      NgayNopHoSo: '20250602080000',
      NgayTiepNhan: '20250602080000',
      NgayHenTra: '20250609080000',
      TrangThaiHoSo: 10,
      NgayTuChoi: null,
      NgayKetThucXuLy: '20250603150000',
      NgayTra: '20250603160000',
      HinhThuc: 0,
      DonViXuLy: 'UBND xã Tân Hòa',
      DuocThanhToanTrucTuyen: 0,
      HoSoCoThanhPhanSoHoa: 0,
      TaiLieuNop: [],
      DanhSachHoSoBoSung: [],
      QuaTrinhXuLy: [
        {
          MaHoSo: code,
          NguoiXuLy: null,
          ChucDanh: null,
          PhongBanXuLy: 'UBND xã Tân Hòa',
          ThoiDiemXuLy: '20250602080000',
          NoiDungXuLy: 'Tiếp nhận hồ sơ',
          TrangThai: 2,
          NgayBatDau: '20250602080000',
          NgayKetThucTheoQuyDinh: '20250609080000',
        },
      ],
    });
  });

  it('DuocThanhToanTrucTuyen is 1 when the (last) payment was made online, 0 when at the counter, by bank transfer or none', async () => {
    const paid = async (...methods: Array<string | undefined>) => {
      setNow('2025-06-02T08:00:00+07:00');
      const code = await receive({ components: [{ name: 'Tờ khai', copies: 1 }] });
      let hour = 10;
      for (const method of methods) {
        await act(`2025-06-02T${hour}:00:00+07:00`, code, 'request-payment', { amount: 50_000 });
        await act(`2025-06-02T${hour}:30:00+07:00`, code, 'confirm-payment', method ? { method } : {});
        hour++;
      }
      return (await portalBody(code)) as Record<string, unknown>;
    };
    const online = await paid('online');
    expect(online.DuocThanhToanTrucTuyen).toBe(1);
    expect([online.HoSoCoThanhPhanSoHoa, online.TaiLieuNop]).toEqual([
      0,
      [{ TenTepDinhKem: 'Tờ khai', DuocSoHoa: 0 }],
    ]);
    expect((await paid(undefined)).DuocThanhToanTrucTuyen).toBe(0);
    expect((await paid('bank_transfer')).DuocThanhToanTrucTuyen).toBe(0);
    expect((await paid('counter', 'online')).DuocThanhToanTrucTuyen).toBe(1);
    expect((await paid('online', 'counter')).DuocThanhToanTrucTuyen).toBe(0);
    expect((await paid()).DuocThanhToanTrucTuyen).toBe(0);
  });

  it('a return that names no method leaves HinhThuc null', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const code = await receive({});
    await act('2025-06-03T15:00:00+07:00', code, 'resolve', { result: 'approved' });
    await act('2025-06-03T16:00:00+07:00', code, 'return');
    expect((await portalBody(code)).HinhThuc).toBeNull();
  });

  it('only sync keys read it, inside their scope: another subtree answers 404 as if absent', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const code = await receive({});
    const elsewhere = (await createUnit(ctx, { name: 'UBND xã khác' })).code;
    expect((await portal(code, await createKey(ctx, 'sync', elsewhere))).statusCode).toBe(404);
    expect((await portal(code, await createKey(ctx, 'sync', department))).statusCode).toBe(404);
    expect((await portal(code, await createKey(ctx, 'sync', commune))).statusCode).toBe(200);
    expect((await portal(code, clerk)).statusCode).toBe(403);
  });
});

describe('the portal format’s pieces', () => {
  it('writes instants as yyyyMMddHHmmss in Vietnamese local time', () => {
    expect(dvcqgDate(new Date('2025-12-31T17:30:05Z'))).toBe('20260101003005');
    expect(dvcqgDate(null)).toBeNull();
  });

  it('types a 12-digit citizen ID as 1, a 9-digit one as 2, and lists no tax code', () => {
    expect(applicantIdentifiers('001099012345')).toEqual([{ LoaiDinhDanh: 1, SoDinhDanh: '001099012345' }]);
    expect(applicantIdentifiers('123456789')).toEqual([{ LoaiDinhDanh: 2, SoDinhDanh: '123456789' }]);
    expect(applicantIdentifiers('0101234567')).toEqual([]);
    expect(applicantIdentifiers('0101234567-001')).toEqual([]);
    expect(applicantIdentifiers(null)).toEqual([]);
  });

  it('a handover’s officer and due fill NguoiXuLy, ChucDanh and NgayKetThucTheoQuyDinh', () => {
    const at = new Date('2025-06-02T10:00:00+07:00');
    expect(
      progressEntry('X-250602-0001', {
        kind: 'transfer',
        at,
        startAt: at,
        unitName: 'Phòng Tư pháp',
        status: 'processing',
        officer: { fullName: 'Trần Thị Bình', title: 'Chuyên viên' },
        dueAt: new Date('2025-06-04T10:00:00+07:00'),
        note: null,
      }),
    ).toEqual({
      MaHoSo: 'X-250602-0001',
      NguoiXuLy: 'Trần Thị Bình',
      ChucDanh: 'Chuyên viên',
      PhongBanXuLy: 'Phòng Tư pháp',
      ThoiDiemXuLy: '20250602100000',
      NoiDungXuLy: 'Chuyển xử lý',
      TrangThai: 4,
      NgayBatDau: '20250602100000',
      NgayKetThucTheoQuyDinh: '20250604100000',
    });
  });

  it('the handovers are the receipt and every assignment after it; other events are not', () => {
    const t = (h: number) => new Date(Date.UTC(2025, 5, 2, h));
    const names: Record<string, string> = { A: 'Xã A', B: 'Phòng B', C: 'Phòng C' };
    const handovers = handoversOf(
      [
        { type: 'intake', at: t(1), toStatus: 'submitted', data: { channel: 'online' } },
        { type: 'accept', at: t(2), toStatus: 'received', data: {} },
        {
          type: 'transferred',
          at: t(3),
          toStatus: 'processing',
          data: { fromUnitCode: 'A', toUnitCode: 'B' },
        },
        { type: 'request-supplement', at: t(4), toStatus: 'awaiting_supplement', data: { reason: 'x' } },
        { type: 'receive-supplement', at: t(5), toStatus: 'processing', data: {} },
        { type: 'assign', at: t(6), toStatus: 'processing', data: { note: 'cán bộ khác' } },
        {
          type: 'transferred',
          at: t(7),
          toStatus: 'processing',
          data: { fromUnitCode: 'B', toUnitCode: 'C' },
        },
        { type: 'resolve', at: t(8), toStatus: 'resolved', data: { result: 'approved' } },
      ],
      'A',
      (code) => names[code]!,
      (at) => new Date(at.getTime() + 86_400_000),
    );
    expect(handovers.map((h) => [h.kind, h.at, h.unitName, h.status, h.note, h.officer, h.dueAt])).toEqual([
      ['receipt', t(2), 'Xã A', 'received', null, null, new Date(t(2).getTime() + 86_400_000)],
      ['transfer', t(3), 'Phòng B', 'processing', null, null, new Date(t(3).getTime() + 86_400_000)],
      ['assign', t(6), 'Phòng B', 'processing', 'cán bộ khác', null, new Date(t(6).getTime() + 86_400_000)],
      ['transfer', t(7), 'Phòng C', 'processing', null, null, new Date(t(7).getTime() + 86_400_000)],
    ]);
  });
});
