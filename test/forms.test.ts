/**
 * The printable forms (docs/domain.md, "Printable forms"): each form of Circular 03/2025/TT-VPCP read back from its
 * PDF (pdf-parse) with its Vietnamese text and fields exact, the QR code of Form 01 decoded, 404 for a form that
 * does not apply, JSON or PDF by Accept (406 otherwise), viewer masking, and the Form 07 register over a period.
 */
import { PDFParse } from 'pdf-parse';
import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

async function pdfOf(code: string, form: string, key = clerk) {
  const res = await getForm(code, form, key, 'application/pdf');
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  return { res, text: await pdfText(res.rawPayload) };
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
});
