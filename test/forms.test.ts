/**
 * The printable forms (docs/domain.md, "Printable forms"): each form of Circular 03/2025/TT-VPCP read back from its
 * PDF (pdf-parse) with its Vietnamese text and fields exact, the QR code of Form 01 decoded, 404 for a form that
 * does not apply, JSON or PDF by Accept (406 otherwise), viewer masking, and the Form 07 register over a period.
 */
import { PDFParse } from 'pdf-parse';
import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A CommonJS module whose types declare a default export: its default is the decoder.
const jsQR = jsQRModule.default;
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
const setNow = (s: string) => (now = new Date(s));
let ctx: TestContext;
let province: { code: string; name: string };
let commune: { code: string; name: string };
let department: { code: string; name: string };
let clerk: string;
let viewer: string;
let otherClerk: string;
let counterClerk: { code: string; fullName: string };
let expert: { code: string; fullName: string };
let procedure: string;

beforeAll(async () => {
  ctx = await createTestContext({}, { clock: () => now });
  province = await createUnit(ctx, { name: 'Ủy ban nhân dân tỉnh Hà Tĩnh' });
  commune = await createUnit(ctx, { parentCode: province.code, name: 'Ủy ban nhân dân xã Thạch Hà' });
  department = await createUnit(ctx, { parentCode: commune.code, name: 'Phòng Kinh tế xã Thạch Hà' });
  const other = await createUnit(ctx, { parentCode: province.code, name: 'Ủy ban nhân dân xã Can Lộc' });
  clerk = await createKey(ctx, 'clerk', commune.code);
  viewer = await createKey(ctx, 'viewer', commune.code);
  otherClerk = await createKey(ctx, 'clerk', other.code);
  counterClerk = await createOfficer(ctx, commune.code, {
    fullName: 'Lê Thị Hồng',
    title: 'Công chức một cửa',
  });
  expert = await createOfficer(ctx, department.code, { fullName: 'Trần Văn Đức', title: 'Chuyên viên' });
  procedure = (
    await createProcedure(ctx, {
      name: 'Đăng ký khai sinh',
      fee: 8000,
      duration: { value: 3, unit: 'working_days' },
    })
  ).code;
});
afterAll(() => ctx.close());

const applicant = {
  type: 'citizen',
  fullName: 'Nguyễn Thị Ánh Tuyết',
  idNumber: '001099012345',
  phone: '0912345678',
  address: 'Thôn Đông Hưng, xã Thạch Hà, tỉnh Hà Tĩnh',
};

async function receive(overrides: Record<string, unknown> = {}) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(clerk),
    payload: intakeBody(procedure, {
      unitCode: commune.code,
      officerCode: counterClerk.code,
      applicant,
      components: [
        { name: 'Tờ khai đăng ký khai sinh', copies: 1 },
        { name: 'Giấy chứng sinh', copies: 2 },
      ],
      ...overrides,
    }),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { code: string; dueAt: string; receivedAt: string };
}

async function act(code: string, action: string, body: Record<string, unknown> = {}) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${code}/${action}`,
    headers: bearer(clerk),
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { dueAt: string };
}

function getForm(code: string, form: string, key = clerk, accept?: string) {
  return ctx.app.inject({
    method: 'GET',
    url: `/v1/dossiers/${code}/forms/${form}`,
    headers: { ...bearer(key), ...(accept === undefined ? {} : { accept }) },
  });
}

/** The PDF's text, as pdf-parse reads it back. */
async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

/** The text of the QR code printed on the PDF's first page, or null when there is none. */
async function qrOf(pdf: Buffer): Promise<string | null> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const shot = await parser.getScreenshot({ scale: 2, partial: [1], imageDataUrl: false });
    const png = PNG.sync.read(Buffer.from(shot.pages[0]!.data));
    return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
  } finally {
    await parser.destroy();
  }
}

async function pdfOf(code: string, form: string, key = clerk) {
  const res = await getForm(code, form, key, 'application/pdf');
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  // Lines joined: the wording is checked whatever the line breaks.
  return { res, text: (await pdfText(res.rawPayload)).replace(/\s+/g, ' ') };
}

describe('Form 01, the receipt and appointment', () => {
  it('prints the motto header, the unit, the title and the dossier’s data, dates dd/MM/yyyy and hours HH giờ mm phút', async () => {
    setNow('2025-06-02T14:05:00+07:00');
    const d = await receive();
    const { res, text } = await pdfOf(d.code, '01');
    expect(res.headers['content-disposition']).toBe(`inline; filename="mau-01-${d.code}.pdf"`);
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(text).toContain('ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH');
    expect(text).toContain('ỦY BAN NHÂN DÂN XÃ THẠCH HÀ');
    expect(text).toContain('Mẫu số 01');
    expect(text).toContain('PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(text).toContain(`Mã hồ sơ: ${d.code}`);
    expect(text).toContain('Nguyễn Thị Ánh Tuyết');
    expect(text).toContain('001099012345');
    expect(text).toContain('0912345678');
    expect(text).toContain('Thôn Đông Hưng, xã Thạch Hà, tỉnh Hà Tĩnh');
    expect(text).toContain('Đăng ký khai sinh');
    expect(text).toContain('1) Tờ khai đăng ký khai sinh: 01 bản');
    expect(text).toContain('2) Giấy chứng sinh: 02 bản');
    expect(text).toContain('3 ngày làm việc');
    expect(text).toContain('14 giờ 05 phút, ngày 02/06/2025');
    // Three working days from 14:05 on Monday 2/6 → Thursday 5/6 at 14:05.
    expect(text).toContain('14 giờ 05 phút, ngày 05/06/2025');
    expect(text).toContain('8.000 đồng');
    expect(text).toContain('Lê Thị Hồng');
    expect(text).toBe(text.normalize('NFC'));
  });

  it('prints the lookup secret and a QR code that decodes to the lookup URL', async () => {
    setNow('2025-06-02T09:30:00+07:00');
    const d = await receive();
    const json = (await getForm(d.code, '01')).json();
    expect(json.form).toBe('01');
    expect(json.lookup.secret).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(json.lookup.url).toBe(
      `${ctx.config.PUBLIC_BASE_URL}/v1/public/dossiers/${encodeURIComponent(d.code)}?check=${json.lookup.secret}`,
    );
    expect(json.receivingOfficer).toEqual({
      code: counterClerk.code,
      fullName: 'Lê Thị Hồng',
      title: 'Công chức một cửa',
    });
    const { res, text } = await pdfOf(d.code, '01');
    expect(text).toContain(`Mã tra cứu hồ sơ: ${json.lookup.secret}`);
    expect(text.replace(/\s+/g, '')).toContain(json.lookup.url);
    expect(await qrOf(res.rawPayload)).toBe(json.lookup.url);
  });

  it('an online submission not yet accepted has no receipt (404), the accepted one has', async () => {
    setNow('2025-06-03T10:00:00+07:00');
    const d = await receive({ channel: 'online' });
    const res = await getForm(d.code, '01', clerk, 'application/pdf');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('FORM_NOT_APPLICABLE');
    setNow('2025-06-03T13:20:00+07:00');
    await act(d.code, 'accept', { officerCode: counterClerk.code });
    const { text } = await pdfOf(d.code, '01');
    expect(text).toContain('13 giờ 20 phút, ngày 03/06/2025');
  });
});

describe('forms that apply only after what they record (404 FORM_NOT_APPLICABLE before)', () => {
  it('Form 02 prints the latest supplement request: what is missing, the reason, who asked', async () => {
    setNow('2025-06-04T08:00:00+07:00');
    const d = await receive();
    expect((await getForm(d.code, '02')).statusCode).toBe(404);
    setNow('2025-06-04T10:15:00+07:00');
    await act(d.code, 'request-supplement', {
      reason: 'Giấy chứng sinh bị mờ, không đọc được',
      items: ['Bản chính Giấy chứng sinh', 'Bản sao Căn cước của người mẹ'],
      officerCode: counterClerk.code,
    });
    const json = (await getForm(d.code, '02')).json();
    expect(json).toMatchObject({
      form: '02',
      title: 'PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ',
      requestedAt: '2025-06-04T10:15:00+07:00',
      requestCount: 1,
      reason: 'Giấy chứng sinh bị mờ, không đọc được',
      items: ['Bản chính Giấy chứng sinh', 'Bản sao Căn cước của người mẹ'],
      officer: { code: counterClerk.code },
    });
    const { text } = await pdfOf(d.code, '02');
    expect(text).toContain('Mẫu số 02');
    expect(text).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    expect(text).toContain(`Mã hồ sơ: ${d.code}`);
    expect(text).toContain('Hồ sơ của: Nguyễn Thị Ánh Tuyết');
    expect(text).toContain('Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:');
    expect(text).toContain('1. Bản chính Giấy chứng sinh');
    expect(text).toContain('2. Bản sao Căn cước của người mẹ');
    expect(text).toContain('Lý do: Giấy chứng sinh bị mờ, không đọc được');
    expect(text).toContain('Thời điểm yêu cầu: 10 giờ 15 phút, ngày 04/06/2025');
    expect(text).toContain('NGƯỜI HƯỚNG DẪN');
    expect(text).toContain('Lê Thị Hồng');
  });

  it('Form 03 prints the rejection of a submission, or the refusal of a resolved dossier', async () => {
    setNow('2025-06-05T08:00:00+07:00');
    const online = await receive({ channel: 'online' });
    const direct = await receive();
    for (const code of [online.code, direct.code]) expect((await getForm(code, '03')).statusCode).toBe(404);
    setNow('2025-06-05T09:45:00+07:00');
    await act(online.code, 'reject', { reason: 'Hồ sơ không thuộc thẩm quyền giải quyết của xã' });
    const rejected = await pdfOf(online.code, '03');
    expect(rejected.text).toContain('Mẫu số 03');
    expect(rejected.text).toContain('PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
    expect(rejected.text).toContain(
      'Qua xem xét, Ủy ban nhân dân xã Thạch Hà thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:',
    );
    expect(rejected.text).toContain('Hồ sơ không thuộc thẩm quyền giải quyết của xã');
    expect(rejected.text).toContain('Thời điểm: 09 giờ 45 phút, ngày 05/06/2025');
    expect(rejected.text).toContain('Xin thông báo cho Ông/Bà được biết và thực hiện./.');
    expect((await getForm(online.code, '03')).json()).toMatchObject({ kind: 'rejected', receivedAt: null });

    setNow('2025-06-05T15:00:00+07:00');
    await act(direct.code, 'resolve', { result: 'refused', note: 'Người yêu cầu không đủ điều kiện' });
    const refused = await pdfOf(direct.code, '03');
    expect(refused.text).toContain('thông báo từ chối giải quyết hồ sơ này với lý do cụ thể như sau:');
    expect(refused.text).toContain('Người yêu cầu không đủ điều kiện');
    expect(refused.text).toContain('Thời điểm: 15 giờ 00 phút, ngày 05/06/2025');
    expect((await getForm(direct.code, '03')).json().kind).toBe('refused');
  });

  it('Form 03 does not apply to an approved dossier', async () => {
    setNow('2025-06-05T08:00:00+07:00');
    const d = await receive();
    await act(d.code, 'resolve', { result: 'approved' });
    expect((await getForm(d.code, '03')).json().code).toBe('FORM_NOT_APPLICABLE');
  });

  it('Form 04 names the unit at fault (the one holding the dossier), the reason and the new date', async () => {
    setNow('2025-06-06T08:00:00+07:00');
    const d = await receive();
    expect((await getForm(d.code, '04')).statusCode).toBe(404);
    setNow('2025-06-06T09:00:00+07:00');
    await act(d.code, 'assign', { handlingUnitCode: department.code, toOfficerCode: expert.code });
    setNow('2025-06-10T16:00:00+07:00');
    await act(d.code, 'reschedule', {
      newDueAt: '2025-06-16T10:00:00+07:00',
      reason: 'Cần xác minh thông tin với cơ quan khác',
    });
    const json = (await getForm(d.code, '04')).json();
    expect(json).toMatchObject({
      form: '04',
      faultUnit: { code: department.code, name: 'Phòng Kinh tế xã Thạch Hà' },
      faultOfficer: { code: expert.code, fullName: 'Trần Văn Đức' },
      issuingUnit: { code: department.code, parent: { code: commune.code } },
      newDueAt: '2025-06-16T10:00:00+07:00',
      dueAt: d.dueAt,
    });
    const { text } = await pdfOf(d.code, '04');
    expect(text).toContain('Mẫu số 04');
    expect(text).toContain('PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ');
    expect(text).toContain('PHÒNG KINH TẾ XÃ THẠCH HÀ');
    expect(text).toContain('Kính gửi: Nguyễn Thị Ánh Tuyết');
    expect(text).toContain('Lý do: Cần xác minh thông tin với cơ quan khác');
    expect(text).toContain('Đơn vị chậm trễ: Phòng Kinh tế xã Thạch Hà');
    expect(text).toContain('Ngày hẹn trả kết quả mới: 16/06/2025');
    expect(text).toContain('Thời gian hẹn trả kết quả: 08 giờ 00 phút, ngày 11/06/2025');
    // A line may break after the slash of Ông/Bà.
    expect(text.replaceAll('/ ', '/')).toContain(
      'Phòng Kinh tế xã Thạch Hà xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào 10 giờ 00 phút, ngày 16/06/2025.',
    );
  });

  it('Form 05 prints the notice of stopping with its reason', async () => {
    setNow('2025-06-09T08:00:00+07:00');
    const d = await receive();
    expect((await getForm(d.code, '05')).statusCode).toBe(404);
    setNow('2025-06-09T11:10:00+07:00');
    await act(d.code, 'stop', { reason: 'Người nộp hồ sơ đã chết' });
    const { text } = await pdfOf(d.code, '05');
    expect(text).toContain('Mẫu số 05');
    expect(text).toContain('PHIẾU THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ');
    expect(text).toContain('thông báo dừng giải quyết hồ sơ này kể từ 11 giờ 10 phút, ngày 09/06/2025.');
    expect(text).toContain('Lý do: Người nộp hồ sơ đã chết');
    expect(text).toContain('08 giờ 00 phút, ngày 09/06/2025');
  });
});

describe('Form 06, the control slip', () => {
  it('prints one table row per handover with both units and officers, the time and the outcome', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    setNow('2025-06-02T09:00:00+07:00');
    await act(d.code, 'assign', { handlingUnitCode: department.code, toOfficerCode: expert.code });
    setNow('2025-06-03T15:30:00+07:00');
    await act(d.code, 'resolve', { result: 'approved' });
    const json = (await getForm(d.code, '06')).json();
    const slip = (
      await ctx.app.inject({
        method: 'GET',
        url: `/v1/dossiers/${d.code}/control-slip`,
        headers: bearer(clerk),
      })
    ).json();
    expect(json).toMatchObject({ ...slip, title: 'PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ' });
    const { text } = await pdfOf(d.code, '06');
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Mẫu số 06');
    expect(flat).toContain('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    expect(flat).toContain('Giao: Ủy ban nhân dân xã Thạch Hà (Lê Thị Hồng)');
    expect(flat).toContain('Nhận: Phòng Kinh tế xã Thạch Hà (Trần Văn Đức)');
    expect(flat).toContain('09 giờ 00 phút, ngày 02/06/2025');
    expect(flat).toContain('15 giờ 30 phút, ngày 03/06/2025');
    expect(flat).toContain(json.rows[0].outcomeText);
    expect(json.rows).toHaveLength(2);
  });
});

describe('JSON or PDF by Accept', () => {
  it('JSON without Accept, with */* or application/json; PDF when asked for; 406 when neither is acceptable', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    for (const accept of [undefined, '*/*', 'application/json', 'application/*', 'text/html, */*;q=0.8']) {
      const res = await getForm(d.code, '01', clerk, accept);
      expect(res.statusCode, accept).toBe(200);
      expect(res.headers['content-type'], accept).toContain('application/json');
      expect(res.json().form).toBe('01');
    }
    for (const accept of [
      'application/pdf',
      'application/pdf, application/json',
      'application/json;q=0.5, application/pdf',
    ]) {
      const res = await getForm(d.code, '01', clerk, accept);
      expect(res.headers['content-type'], accept).toBe('application/pdf');
      expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    }
    for (const accept of ['text/html', 'application/xml', 'application/pdf;q=0, application/json;q=0']) {
      const res = await getForm(d.code, '01', clerk, accept);
      expect(res.statusCode, accept).toBe(406);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('NOT_ACCEPTABLE');
    }
  });

  it('an unknown form number is a bad request; another unit’s dossier is not found', async () => {
    const d = await receive();
    const bad = await getForm(d.code, '07');
    expect(bad.statusCode).toBe(400);
    const outside = await getForm(d.code, '01', otherClerk, 'application/pdf');
    expect(outside.statusCode).toBe(404);
    expect(outside.json().code).toBe('DOSSIER_NOT_FOUND');
  });
});

describe('viewer keys', () => {
  it('see the applicant and the clerks’ free text masked, in the JSON and in the PDF, and no lookup secret', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive();
    await act(d.code, 'request-supplement', {
      reason: 'Thiếu bản sao của Nguyễn Thị Ánh Tuyết',
      items: ['CCCD 001099012345'],
    });
    const json = (await getForm(d.code, '02', viewer)).json();
    expect(json.applicant).toMatchObject({
      fullName: 'Nguyễn T** Á** T**',
      idNumber: '********2345',
      phone: '******5678',
      address: '***',
    });
    expect(json.reason).toBe('***');
    expect(json.items).toEqual(['***']);
    for (const form of ['01', '02', '06']) {
      const { text } = await pdfOf(d.code, form, viewer);
      expect(text, form).not.toContain('Ánh Tuyết');
      expect(text, form).not.toContain('001099012345');
      expect(text, form).not.toContain('0912345678');
      expect(text, form).not.toContain('Đông Hưng');
      expect(text, form).toContain('Nguyễn T** Á** T**');
    }
    const receipt = (await getForm(d.code, '01', viewer)).json();
    expect(receipt.lookup).toBeNull();
    const { res, text } = await pdfOf(d.code, '01', viewer);
    expect(text).toContain('Mã tra cứu hồ sơ: ***');
    expect(await qrOf(res.rawPayload)).toBeNull();
    const supplement = await pdfOf(d.code, '02', viewer);
    expect(supplement.text).not.toContain('001099012345');
    expect(supplement.text).toContain('Lý do: ***');
  });
});

describe('Form 07, a unit’s register over a period', () => {
  it('has one row per dossier the unit received in the period, in order, with the circular’s columns', async () => {
    const unit = await createUnit(ctx, { parentCode: commune.code, name: 'Bộ phận Một cửa thôn Đông' });
    const key = await createKey(ctx, 'clerk', unit.code);
    const intake = async (at: string, overrides: Record<string, unknown> = {}) => {
      setNow(at);
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(key),
        payload: intakeBody(procedure, { unitCode: unit.code, applicant, ...overrides }),
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { code: string };
    };
    const before = await intake('2025-06-30T16:00:00+07:00');
    const first = await intake('2025-07-01T08:10:00+07:00');
    const second = await intake('2025-07-31T16:59:00+07:00', {
      applicant: { type: 'organization', fullName: 'Công ty TNHH Hòa Bình', idNumber: '0101234567' },
    });
    const after = await intake('2025-08-01T07:45:00+07:00');
    setNow('2025-07-02T09:00:00+07:00');
    await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${first.code}/assign`,
      headers: bearer(key),
      payload: { handlingUnitCode: unit.code },
    });
    setNow('2025-08-01T08:00:00+07:00');
    const withdrawn = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${second.code}/withdraw`,
      headers: bearer(key),
      payload: { reason: 'Rút' },
    });
    expect(withdrawn.statusCode).toBe(200);

    const res = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units/${unit.code}/register?period=2025-07`,
      headers: bearer(key),
    });
    expect(res.statusCode, res.body).toBe(200);
    const register = res.json();
    expect(register).toMatchObject({
      form: '07',
      title: 'SỔ THEO DÕI HỒ SƠ',
      from: '2025-07-01',
      to: '2025-07-31',
    });
    expect(register.unit).toMatchObject({ code: unit.code, parent: { code: commune.code } });
    expect(register.rows.map((r: { dossierCode: string }) => r.dossierCode)).toEqual([
      first.code,
      second.code,
    ]);
    expect(register.rows[0]).toMatchObject({
      seq: 1,
      sets: 1,
      procedure: { name: 'Đăng ký khai sinh' },
      applicant: { fullName: 'Nguyễn Thị Ánh Tuyết', phone: '0912345678' },
      resolvingUnit: { code: unit.code },
      receivedAt: '2025-07-01T08:10:00+07:00',
      transferredAt: null,
      note: null,
    });
    expect(register.rows[1]).toMatchObject({ seq: 2, status: 'withdrawn', note: 'Rút hồ sơ' });
    expect(register.rows.map((r: { dossierCode: string }) => r.dossierCode)).not.toContain(before.code);
    expect(register.rows.map((r: { dossierCode: string }) => r.dossierCode)).not.toContain(after.code);

    const pdf = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units/${unit.code}/register?from=2025-07-01&to=2025-07-31`,
      headers: { ...bearer(key), accept: 'application/pdf' },
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(
      `inline; filename="mau-07-${unit.code}-2025-07-01-2025-07-31.pdf"`,
    );
    const text = (await pdfText(pdf.rawPayload)).replace(/\s+/g, ' ');
    expect(text).toContain('SỔ THEO DÕI HỒ SƠ');
    expect(text).toContain('Từ ngày 01/07/2025 đến ngày 31/07/2025');
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('BỘ PHẬN MỘT CỬA THÔN ĐÔNG');
    for (const header of [
      'Mã hồ sơ',
      'Tên thủ tục hành chính',
      'Cơ quan chủ trì giải quyết',
      'Hẹn trả kết quả',
      'Ghi chú',
    ])
      expect(text).toContain(header);
    // A dossier code may wrap inside its column.
    const compact = text.replace(/ /g, '');
    expect(compact).toContain(first.code);
    expect(compact).toContain(second.code);
    expect(compact).not.toContain(before.code);
    expect(text).toContain('Công ty TNHH Hòa Bình');
    expect(text).toContain('08 giờ 10 phút 01/07/2025');
    expect(text).toContain('Rút hồ sơ');

    const masked = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units/${unit.code}/register?period=2025-07`,
      headers: bearer(viewer),
    });
    expect(masked.json().rows[0].applicant).toMatchObject({ fullName: 'Nguyễn T** Á** T**', address: '***' });
    const outside = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units/${unit.code}/register?period=2025-07`,
      headers: bearer(otherClerk),
    });
    expect(outside.statusCode).toBe(404);
    const both = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units/${unit.code}/register?period=2025-07&from=2025-07-01&to=2025-07-02`,
      headers: bearer(key),
    });
    expect(both.statusCode).toBe(400);
  });
});
