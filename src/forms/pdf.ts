// The printable forms as A4 PDF pages (pdfkit), from the forms' data (src/forms/representation.ts): the national
// motto header with the issuing unit on the left, the form's number and title, the circular's wording and the
// dossier's data. DejaVu Sans (from the dejavu-fonts-ttf package) covers Vietnamese; its files are read and
// parsed once, when this module loads, and each document embeds only the glyphs it uses.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { MASKED } from '../domain/applicant.js';
import {
  addressee,
  formDate,
  formDuration,
  formHour,
  formInstant,
  formMoney,
  type FormNumber,
} from '../domain/forms.js';
import type { FormData, IssuingUnit, RegisterData } from './representation.js';

const fontDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);
const fonts = {
  regular: fontkit.create(readFileSync(path.join(fontDir, 'DejaVuSans.ttf'))),
  bold: fontkit.create(readFileSync(path.join(fontDir, 'DejaVuSans-Bold.ttf'))),
};
type FontName = keyof typeof fonts;

/** What a PDF is rendered from: a dossier's form or a unit's register. */
export type PdfInput = { kind: 'form'; data: FormData } | { kind: 'register'; data: RegisterData };

type Doc = PDFKit.PDFDocument;

const orDots = (value: string | null | undefined) => (value ? value : '…');
const date = (iso: string | null) => (iso ? formDate(new Date(iso)) : '');
const full = (iso: string | null) => (iso ? formInstant(new Date(iso)) : '…');

/** A new A4 document with the fonts registered (by name, so each is embedded once). */
function newDocument(layout: 'portrait' | 'landscape', subject: string): Doc {
  const doc = new PDFDocument({
    size: 'A4',
    layout,
    margins:
      layout === 'portrait'
        ? { top: 42, bottom: 42, left: 70, right: 42 }
        : { top: 36, bottom: 36, left: 36, right: 36 },
    font: null as unknown as string,
    info: { Title: subject, Producer: 'motcua', Creator: 'motcua' },
    bufferPages: false,
  });
  for (const [name, font] of Object.entries(fonts)) doc.registerFont(name, font as unknown as Buffer);
  return doc.font('regular');
}

function use(doc: Doc, font: FontName, size: number): Doc {
  return doc.font(font).fontSize(size);
}

/** The national motto header: the issuing unit on the left, the motto on the right, each underlined. */
function header(doc: Doc, unit: IssuingUnit) {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const leftWidth = Math.round(width * 0.42);
  const rightX = left + leftWidth + 8;
  const rightWidth = width - leftWidth - 8;
  const top = doc.y;
  if (unit.parent)
    use(doc, 'regular', 9.5).text(unit.parent.name.toUpperCase(), left, top, {
      width: leftWidth,
      align: 'center',
    });
  use(doc, 'bold', 9.5).text(unit.name.toUpperCase(), left, unit.parent ? doc.y : top, {
    width: leftWidth,
    align: 'center',
  });
  const leftEnd = doc.y + 4;
  doc
    .moveTo(left + leftWidth / 2 - 30, leftEnd)
    .lineTo(left + leftWidth / 2 + 30, leftEnd)
    .lineWidth(0.6)
    .stroke();
  use(doc, 'bold', 9.5).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', rightX, top, {
    width: rightWidth,
    align: 'center',
  });
  use(doc, 'bold', 10.5).text('Độc lập - Tự do - Hạnh phúc', rightX, doc.y, {
    width: rightWidth,
    align: 'center',
  });
  const rightEnd = doc.y + 4;
  doc
    .moveTo(rightX + rightWidth / 2 - 75, rightEnd)
    .lineTo(rightX + rightWidth / 2 + 75, rightEnd)
    .stroke();
  doc.x = left;
  doc.y = Math.max(leftEnd, rightEnd) + 18;
}

function title(doc: Doc, form: FormNumber, text: string, subtitle?: string) {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  use(doc, 'regular', 8.5).text(`Mẫu số ${form}`, left, doc.y, { width, align: 'center' });
  use(doc, 'bold', 13).text(text, left, doc.y + 2, { width, align: 'center' });
  if (subtitle) use(doc, 'bold', 11).text(subtitle, left, doc.y + 2, { width, align: 'center' });
  doc.y += 12;
  doc.x = left;
}

/** A line of the form: a label and its value, the value in bold. */
function line(doc: Doc, label: string, value: string | null | undefined) {
  use(doc, 'regular', 11).text(`${label}: `, { continued: true, lineGap: 3 });
  use(doc, 'bold', 11).text(orDots(value), { lineGap: 3 });
}

function paragraph(doc: Doc, text: string, options: { indent?: number; font?: FontName } = {}) {
  use(doc, options.font ?? 'regular', 11).text(text, {
    lineGap: 3,
    indent: options.indent ?? 0,
    align: 'justify',
  });
}

/** The two signature blocks at the foot: who hands the slip over and who receives it. */
function signatures(
  doc: Doc,
  left: { role: string; name?: string | null } | null,
  right: { role: string; name?: string | null },
) {
  const x = doc.page.margins.left;
  const width = doc.page.width - x - doc.page.margins.right;
  const half = width / 2;
  doc.y += 16;
  const top = doc.y;
  let bottom = top;
  const block = (bx: number, b: { role: string; name?: string | null }) => {
    use(doc, 'bold', 10.5).text(b.role, bx, top, { width: half, align: 'center' });
    use(doc, 'regular', 9).text('(Ký và ghi rõ họ tên)', bx, doc.y, { width: half, align: 'center' });
    if (b.name) use(doc, 'bold', 10.5).text(b.name, bx, doc.y + 48, { width: half, align: 'center' });
    bottom = Math.max(bottom, doc.y);
  };
  if (left) block(x, left);
  block(x + half, right);
  doc.x = x;
  doc.y = bottom;
}

/**
 * The QR code of a URL as vector shapes, `size` points wide, its top left at (x, y): each row's run of dark
 * modules one rectangle (a third of the drawing operations of one square per module).
 */
function qrCode(doc: Doc, url: string, x: number, y: number, size: number) {
  const modules = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules;
  const quiet = 2;
  const cell = size / (modules.size + 2 * quiet);
  for (let r = 0; r < modules.size; r++) {
    for (let c = 0; c < modules.size; c++) {
      if (!modules.get(r, c)) continue;
      let end = c;
      while (end + 1 < modules.size && modules.get(r, end + 1)) end++;
      doc.rect(x + (c + quiet) * cell, y + (r + quiet) * cell, (end - c + 1) * cell, cell + 0.05);
      c = end;
    }
  }
  doc.fillColor('black').fill();
}

function applicantLines(doc: Doc, data: Extract<FormData, { applicant: unknown }>) {
  const a = data.applicant;
  line(doc, a.type === 'citizen' ? 'Số định danh cá nhân' : 'Mã số thuế', a.idNumber);
  line(doc, 'Địa chỉ', a.address);
  line(doc, 'Số điện thoại', a.phone);
  if (a.email) line(doc, 'Email', a.email);
}

function form01(doc: Doc, d: Extract<FormData, { form: '01' }>) {
  // Null for viewer keys: no secret, no QR code.
  const lookup = d.lookup;
  const qrSize = 84;
  const qrTop = doc.y;
  if (lookup) qrCode(doc, lookup.url, doc.page.width - doc.page.margins.right - qrSize, qrTop - 6, qrSize);
  title(doc, '01', d.title, `Mã hồ sơ: ${d.dossierCode}`);
  if (lookup) doc.y = Math.max(doc.y, qrTop + qrSize - 4);
  paragraph(doc, `${d.unit.name} tiếp nhận hồ sơ của:`);
  line(doc, 'Họ và tên', d.applicant.fullName);
  applicantLines(doc, d);
  line(doc, 'Nội dung yêu cầu giải quyết', `${d.procedure.name} (mã thủ tục ${d.procedure.code})`);
  paragraph(doc, '1. Thành phần hồ sơ nộp gồm:');
  if (d.components.length === 0) paragraph(doc, '(không kê khai)', { indent: 14 });
  d.components.forEach((c, i) =>
    paragraph(doc, `${i + 1}) ${c.name}: ${String(c.copies).padStart(2, '0')} bản`, { indent: 14 }),
  );
  line(doc, '2. Số lượng hồ sơ', '01 (bộ)');
  line(doc, '3. Thời gian giải quyết hồ sơ theo quy định là', formDuration(d.duration));
  line(doc, '4. Thời gian nhận hồ sơ', full(d.receivedAt));
  line(doc, '5. Thời gian trả kết quả giải quyết hồ sơ', full(d.dueAt));
  if (d.rescheduledDueAt) line(doc, '   Hẹn lại ngày trả kết quả', full(d.rescheduledDueAt));
  if (d.fee !== null) line(doc, '6. Phí, lệ phí', formMoney(d.fee));
  line(doc, `${d.fee !== null ? '7' : '6'}. Mã tra cứu hồ sơ`, lookup ? lookup.secret : MASKED);
  if (lookup) paragraph(doc, `Tra cứu tình trạng hồ sơ bằng mã QR hoặc tại địa chỉ: ${lookup.url}`);
  signatures(
    doc,
    { role: 'NGƯỜI NỘP HỒ SƠ', name: d.applicant.fullName },
    { role: 'NGƯỜI TIẾP NHẬN HỒ SƠ', name: d.receivingOfficer?.fullName ?? null },
  );
}

function form02(doc: Doc, d: Extract<FormData, { form: '02' }>) {
  title(doc, '02', d.title, `Mã hồ sơ: ${d.dossierCode}`);
  line(doc, 'Hồ sơ của', d.applicant.fullName);
  line(doc, 'Nội dung yêu cầu giải quyết', `${d.procedure.name} (mã thủ tục ${d.procedure.code})`);
  applicantLines(doc, d);
  if (d.receivedAt) line(doc, 'Thời gian nhận hồ sơ', full(d.receivedAt));
  paragraph(doc, 'Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:');
  if (d.items.length === 0) paragraph(doc, '(xem lý do)', { indent: 14 });
  d.items.forEach((item, i) => paragraph(doc, `${i + 1}. ${item}`, { indent: 14 }));
  line(doc, 'Lý do', d.reason);
  line(doc, 'Thời điểm yêu cầu', full(d.requestedAt));
  paragraph(
    doc,
    `Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ${addressee(d.applicant.type)} liên hệ với ` +
      `${d.officer ? `${d.officer.fullName}, ` : ''}${d.unit.name} để được hướng dẫn.`,
  );
  signatures(doc, null, { role: 'NGƯỜI HƯỚNG DẪN', name: d.officer?.fullName ?? null });
}

function form03(doc: Doc, d: Extract<FormData, { form: '03' }>) {
  title(doc, '03', d.title, `Mã hồ sơ: ${d.dossierCode}`);
  paragraph(doc, `${d.unit.name} tiếp nhận hồ sơ của:`);
  line(doc, 'Họ và tên', d.applicant.fullName);
  applicantLines(doc, d);
  line(doc, 'Nội dung yêu cầu giải quyết', `${d.procedure.name} (mã thủ tục ${d.procedure.code})`);
  line(
    doc,
    d.receivedAt ? 'Thời gian nhận hồ sơ' : 'Thời gian nộp hồ sơ',
    full(d.receivedAt ?? d.submittedAt),
  );
  paragraph(
    doc,
    d.kind === 'rejected'
      ? `Qua xem xét, ${d.unit.name} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:`
      : `Qua xem xét, ${d.unit.name} thông báo từ chối giải quyết hồ sơ này với lý do cụ thể như sau:`,
  );
  paragraph(doc, d.reason, { indent: 14, font: 'bold' });
  line(doc, 'Thời điểm', full(d.decidedAt));
  paragraph(doc, `Xin thông báo cho ${addressee(d.applicant.type)} được biết và thực hiện./.`);
  signatures(doc, null, { role: 'NGƯỜI TIẾP NHẬN HỒ SƠ', name: d.officer?.fullName ?? null });
}

function form04(doc: Doc, d: Extract<FormData, { form: '04' }>) {
  const who = addressee(d.applicant.type);
  title(doc, '04', d.title, `Mã hồ sơ: ${d.dossierCode}`);
  line(doc, 'Kính gửi', d.applicant.fullName);
  paragraph(
    doc,
    `Ngày ${date(d.receivedAt)}, ${d.unit.name} tiếp nhận hồ sơ của ${who} đề nghị giải quyết thủ tục hành chính ` +
      `${d.procedure.name}, mã hồ sơ ${d.dossierCode}.`,
  );
  line(doc, 'Thời hạn giải quyết hồ sơ theo quy định', formDuration(d.duration));
  line(doc, 'Thời gian hẹn trả kết quả', full(d.dueAt));
  paragraph(
    doc,
    `Tuy nhiên đến nay, ${d.faultUnit.name}` +
      `${d.faultStep ? ` (bước «${d.faultStep.name}»${d.faultOfficer ? `, cán bộ ${d.faultOfficer.fullName}` : ''})` : ''}` +
      ` chưa giải quyết xong hồ sơ của ${who}.`,
  );
  line(doc, 'Lý do', d.reason);
  paragraph(
    doc,
    `Sự chậm trễ này đã gây phiền hà cho ${who}. ${d.faultUnit.name} xin lỗi ${who} và sẽ trả kết quả giải quyết ` +
      `hồ sơ cho ${who} vào ${formHour(new Date(d.newDueAt))}, ngày ${formDate(new Date(d.newDueAt))}.`,
  );
  line(doc, 'Đơn vị chậm trễ', d.faultUnit.name);
  line(doc, 'Ngày hẹn trả kết quả mới', formDate(new Date(d.newDueAt)));
  paragraph(doc, `Rất mong nhận được sự thông cảm của ${who} vì sự chậm trễ này./.`);
  line(doc, 'Thời điểm lập phiếu', full(d.rescheduledAt));
  signatures(doc, null, { role: 'THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ', name: null });
}

function form05(doc: Doc, d: Extract<FormData, { form: '05' }>) {
  const who = addressee(d.applicant.type);
  title(doc, '05', d.title, `Mã hồ sơ: ${d.dossierCode}`);
  line(doc, 'Kính gửi', d.applicant.fullName);
  applicantLines(doc, d);
  paragraph(
    doc,
    `${d.unit.name} đã tiếp nhận hồ sơ của ${who} lúc ${full(d.receivedAt)}, đề nghị giải quyết thủ tục hành ` +
      `chính ${d.procedure.name} (mã thủ tục ${d.procedure.code}).`,
  );
  paragraph(doc, `${d.unit.name} thông báo dừng giải quyết hồ sơ này kể từ ${full(d.stoppedAt)}.`);
  line(doc, 'Lý do', d.reason);
  paragraph(doc, `Xin thông báo để ${who} được biết./.`);
  signatures(doc, null, { role: 'THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ', name: d.officer?.fullName ?? null });
}

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'center';
}

/**
 * A table with wrapped cells and ruled borders; a row that does not fit on the page starts a new one, which
 * repeats the header row.
 */
function table(doc: Doc, columns: Column[], rows: string[][], size: number) {
  const x0 = doc.page.margins.left;
  const pad = 3;
  const heightOf = (cells: string[], font: FontName) => {
    use(doc, font, size);
    return (
      Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: columns[i]!.width - 2 * pad }))) +
      2 * pad
    );
  };
  const drawRow = (cells: string[], font: FontName, height: number) => {
    const y = doc.y;
    let x = x0;
    use(doc, font, size);
    cells.forEach((cell, i) => {
      const col = columns[i]!;
      doc.rect(x, y, col.width, height).lineWidth(0.5).stroke();
      doc.text(cell, x + pad, y + pad, {
        width: col.width - 2 * pad,
        align: font === 'bold' ? 'center' : (col.align ?? 'left'),
      });
      x += col.width;
    });
    doc.x = x0;
    doc.y = y + height;
  };
  const headerCells = columns.map((c) => c.header);
  const headerHeight = heightOf(headerCells, 'bold');
  drawRow(headerCells, 'bold', headerHeight);
  const bottom = doc.page.height - doc.page.margins.bottom;
  for (const cells of rows) {
    const height = heightOf(cells, 'regular');
    if (doc.y + height > bottom) {
      doc.addPage();
      drawRow(headerCells, 'bold', headerHeight);
    }
    drawRow(cells, 'regular', height);
  }
}

const party = (p: { unit: { name: string }; officer: { fullName: string } | null } | null) =>
  p ? `${p.unit.name}${p.officer ? ` (${p.officer.fullName})` : ''}` : '';

function form06(doc: Doc, d: Extract<FormData, { form: '06' }>) {
  title(doc, '06', d.title, `Mã hồ sơ: ${d.dossierCode}`);
  line(doc, 'Kèm theo hồ sơ của', d.applicant.fullName);
  line(doc, 'Nội dung yêu cầu giải quyết', `${d.procedure.name} (mã thủ tục ${d.procedure.code})`);
  line(doc, 'Thời gian nhận hồ sơ', full(d.receivedAt));
  line(doc, 'Thời hạn giải quyết theo quy định', formDuration(d.duration));
  line(doc, 'Thời gian hẹn trả kết quả', full(d.dueAt));
  if (d.rescheduledDueAt) line(doc, 'Hẹn lại ngày trả kết quả', full(d.rescheduledDueAt));
  doc.y += 6;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  table(
    doc,
    [
      { header: 'TÊN CƠ QUAN', width: width * 0.4 },
      { header: 'THỜI GIAN GIAO, NHẬN HỒ SƠ', width: width * 0.22, align: 'center' },
      {
        header: 'KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)',
        width: width * 0.2,
        align: 'center',
      },
      { header: 'GHI CHÚ', width: width * 0.18 },
    ],
    d.rows.map((r) => [
      `${r.seq}. Giao: ${party(r.giving)}\nNhận: ${r.receiving ? party(r.receiving) : 'trả kết quả'}\n(Bước: ${r.step.name})`,
      full(r.at),
      r.outcomeText ?? '',
      r.note ?? '',
    ]),
    9,
  );
}

function register(doc: Doc, d: RegisterData) {
  title(
    doc,
    '07',
    d.title,
    `Từ ngày ${formDate(new Date(`${d.from}T00:00:00+07:00`))} đến ngày ${formDate(new Date(`${d.to}T00:00:00+07:00`))}`,
  );
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const w = (share: number) => (width * share) / 100;
  table(
    doc,
    [
      { header: 'TT', width: w(3.5), align: 'center' },
      { header: 'Mã hồ sơ', width: w(11) },
      { header: 'Tên thủ tục hành chính', width: w(11.5) },
      { header: 'Số lượng hồ sơ (bộ)', width: w(5), align: 'center' },
      { header: 'Tên cá nhân, tổ chức', width: w(9) },
      { header: 'Địa chỉ, số điện thoại', width: w(10) },
      { header: 'Cơ quan chủ trì giải quyết', width: w(9) },
      { header: 'Nhận hồ sơ', width: w(7), align: 'center' },
      { header: 'Hẹn trả kết quả', width: w(7), align: 'center' },
      { header: 'Chuyển hồ sơ đến cơ quan giải quyết', width: w(7), align: 'center' },
      { header: 'Nhận kết quả từ cơ quan giải quyết', width: w(7), align: 'center' },
      { header: 'Trả kết quả cho cá nhân, tổ chức', width: w(7), align: 'center' },
      { header: 'Ghi chú', width: w(6) },
    ],
    d.rows.map((r) => [
      String(r.seq),
      r.dossierCode,
      r.procedure.name,
      String(r.sets).padStart(2, '0'),
      r.applicant.fullName,
      [r.applicant.address, r.applicant.phone].filter(Boolean).join(', '),
      r.resolvingUnit.name,
      `${formHour(new Date(r.receivedAt))}\n${date(r.receivedAt)}`,
      date(r.dueAt),
      date(r.transferredAt),
      date(r.resolvedAt),
      date(r.returnedAt),
      r.note ?? '',
    ]),
    7.5,
  );
  if (d.rows.length === 0)
    use(doc, 'regular', 9).text('Không có hồ sơ nào được tiếp nhận trong kỳ.', { lineGap: 3 });
}

/** Renders a form or a register to a PDF file. Synchronous work; see src/forms/render-pool.ts for where it runs. */
export function renderPdf(input: PdfInput): Promise<Buffer> {
  const landscape = input.kind === 'register';
  const subject =
    input.kind === 'register'
      ? `${input.data.title} ${input.data.unit.code} ${input.data.from} – ${input.data.to}`
      : `${input.data.title} ${input.data.dossierCode}`;
  const doc = newDocument(landscape ? 'landscape' : 'portrait', subject);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  if (input.kind === 'register') {
    header(doc, input.data.unit);
    register(doc, input.data);
  } else {
    const d = input.data;
    header(doc, d.issuingUnit);
    if (d.form === '01') form01(doc, d);
    else if (d.form === '02') form02(doc, d);
    else if (d.form === '03') form03(doc, d);
    else if (d.form === '04') form04(doc, d);
    else if (d.form === '05') form05(doc, d);
    else form06(doc, d);
  }
  doc.end();
  return done;
}
