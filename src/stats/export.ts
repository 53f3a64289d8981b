import ExcelJS from 'exceljs';
import type { z } from 'zod';
import type { Stats } from './schemas.js';

type StatsBody = z.infer<typeof Stats>;
type Counts = StatsBody['totals'];

/** The groupings whose rows carry only the step figures (src/domain/statistics.ts). */
const byStepRun = (stats: StatsBody) => stats.groupBy === 'officer' || stats.groupBy === 'step';

const csvColumns: Array<[string, (c: Counts) => number | string | null]> = [
  ['receivedTotal', (c) => c.received.total],
  ['carriedOver', (c) => c.received.carriedOver],
  ['new', (c) => c.received.new],
  ['online', (c) => c.received.online],
  ['direct', (c) => c.received.direct],
  ['postal', (c) => c.received.postal],
  ['resolvedTotal', (c) => c.resolved.total],
  ['early', (c) => c.resolved.early],
  ['onTime', (c) => c.resolved.onTime],
  ['overdue', (c) => c.resolved.overdue],
  ['withdrawn', (c) => c.withdrawn],
  ['stopped', (c) => c.stopped],
  ['pendingTotal', (c) => c.pending.total],
  ['pendingNotYetDue', (c) => c.pending.notYetDue],
  ['pendingOverdue', (c) => c.pending.overdue],
  ['onTimeRate', (c) => c.rates.onTime],
  ['onlineRate', (c) => c.rates.online],
  ['stepsEarly', (c) => c.steps.early],
  ['stepsOnTime', (c) => c.steps.onTime],
  ['stepsOverdue', (c) => c.steps.overdue],
  ['stepsOpenOverdue', (c) => c.steps.openOverdue],
  ['rated', (c) => c.satisfaction.rated],
  ['verySatisfied', (c) => c.satisfaction.verySatisfied],
  ['satisfied', (c) => c.satisfaction.satisfied],
  ['dissatisfied', (c) => c.satisfaction.dissatisfied],
];

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * One line per group and a last line `total`; UTF-8 with a BOM so Excel reads Vietnamese names. The last two
 * columns say how the figures were counted: `attribution`, the unit each dossier counts for (resolving or
 * receiving: two downloads of a period differ by it), and `asOf`, when pending dossiers were judged (two
 * downloads of a period not yet ended differ by it). The `steps*` columns are the step figures (grouped by
 * officer or step, the only figures of a group line; the total line has the scope's II.06a columns).
 */
export function statsCsv(stats: StatsBody): string {
  const lines = [['key', 'label', ...csvColumns.map(([name]) => name), 'attribution', 'asOf'].join(',')];
  for (const row of [...stats.rows, { key: 'total', label: 'Tổng cộng', ...stats.totals }]) {
    const counts = csvColumns.map(([, get]) => get(row));
    lines.push([row.key, row.label, ...counts, stats.attribution, stats.asOf].map(csvCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** How the heading names the unit the dossiers are counted for. */
const attributionHeadings: Record<StatsBody['attribution'], string> = {
  resolving: 'Số liệu tính theo đơn vị giải quyết hồ sơ.',
  receiving: 'Số liệu tính theo đơn vị tiếp nhận hồ sơ.',
};

/**
 * Form II.06a/VPCP/KSTT as a spreadsheet, with its Vietnamese headings and the unit the dossiers are counted for.
 * As provincial practice does, withdrawn and stopped dossiers are counted as resolved on time, which a footnote
 * says. A second sheet, "Bước xử lý", holds the step figures (who is late) of every group and the total; grouped
 * by officer or step, the II.06a sheet has only the total line (its groups have no II.06a columns).
 */
export async function statsXlsx(stats: StatsBody, unitName: string): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'motcua';
  const sheet = book.addWorksheet('II.06a');
  sheet.addRow(['Biểu số II.06a/VPCP/KSTT']);
  sheet.addRow(['TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH']);
  sheet.addRow([`Đơn vị: ${unitName}`]);
  sheet.addRow([`Kỳ báo cáo: từ ngày ${vnDate(stats.from)} đến ngày ${vnDate(stats.to)}`]);
  sheet.addRow([attributionHeadings[stats.attribution]]);
  const blank = (n: number) => Array<string>(n).fill('');
  const heads = [
    ['STT', 'Lĩnh vực / nhóm', 'Số hồ sơ nhận giải quyết', ...blank(4), 'Kết quả giải quyết', ...blank(6)],
    ['', '', 'Tổng số', 'Kỳ trước chuyển qua', 'Trực tuyến', 'Trực tiếp', 'Dịch vụ bưu chính'],
    [...blank(7), 'Số hồ sơ đã giải quyết', ...blank(3), 'Số hồ sơ đang giải quyết', ...blank(2)],
    [
      ...blank(7),
      'Tổng số',
      'Trả trước hạn',
      'Trả đúng thời hạn (*)',
      'Trả quá hạn',
      'Tổng số',
      'Chưa đến hạn',
      'Quá hạn',
    ],
  ];
  for (const h of heads) sheet.addRow(h).font = { bold: true };
  sheet.mergeCells('C6:G6');
  sheet.mergeCells('H6:N6');
  sheet.mergeCells('H8:K8');
  sheet.mergeCells('L8:N8');
  const line = (n: number | string, label: string, c: Counts) => {
    const folded = c.withdrawn + c.stopped;
    sheet.addRow([
      n,
      label,
      c.received.total,
      c.received.carriedOver,
      c.received.online,
      c.received.direct,
      c.received.postal,
      c.resolved.total + folded,
      c.resolved.early,
      c.resolved.onTime + folded,
      c.resolved.overdue,
      c.pending.total,
      c.pending.notYetDue,
      c.pending.overdue,
    ]);
  };
  if (!byStepRun(stats)) stats.rows.forEach((row, i) => line(i + 1, row.label, row));
  line('', 'Tổng cộng', stats.totals);
  sheet.getRow(sheet.rowCount).font = { bold: true };
  sheet.addRow([]);
  sheet.addRow([
    `(*) Bao gồm ${stats.totals.withdrawn} hồ sơ công dân rút và ${stats.totals.stopped} hồ sơ dừng xử lý, ` +
      'được tính là giải quyết đúng hạn theo thực tiễn báo cáo của tỉnh.',
  ]);
  sheet.addRow([`Số liệu tính đến: ${stats.asOf}`]);
  sheet.getColumn(2).width = 40;
  satisfactionSheet(book, stats, unitName);
  stepsSheet(book, stats, unitName);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The satisfaction ratings of the period (đánh giá mức độ hài lòng), one line per group, on a sheet of their own. */
function satisfactionSheet(book: ExcelJS.Workbook, stats: StatsBody, unitName: string): void {
  const sheet = book.addWorksheet('Hài lòng');
  sheet.addRow(['KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG']);
  sheet.addRow([`Đơn vị: ${unitName}`]);
  sheet.addRow([`Kỳ báo cáo: từ ngày ${vnDate(stats.from)} đến ngày ${vnDate(stats.to)}`]);
  sheet.addRow([attributionHeadings[stats.attribution]]);
  sheet.addRow([
    'STT',
    'Lĩnh vực / nhóm',
    'Số lượt đánh giá',
    'Rất hài lòng',
    'Hài lòng',
    'Không hài lòng',
  ]).font = { bold: true };
  const line = (n: number | string, label: string, c: Counts) =>
    sheet.addRow([
      n,
      label,
      c.satisfaction.rated,
      c.satisfaction.verySatisfied,
      c.satisfaction.satisfied,
      c.satisfaction.dissatisfied,
    ]);
  stats.rows.forEach((row, i) => line(i + 1, row.label, row));
  line('', 'Tổng cộng', stats.totals).font = { bold: true };
  sheet.addRow([]);
  sheet.addRow(['Số lượt đánh giá được ghi nhận trong kỳ báo cáo (trực tuyến hoặc theo phiếu giấy).']);
  sheet.getColumn(2).width = 40;
}

/** The heading of the group column of the steps sheet, by grouping. */
const stepGroupHeadings: Record<StatsBody['groupBy'], string> = {
  none: 'Toàn bộ',
  unit: 'Đơn vị',
  procedure: 'Thủ tục hành chính',
  field: 'Lĩnh vực',
  channel: 'Kênh tiếp nhận',
  officer: 'Cán bộ, công chức',
  step: 'Bước xử lý',
};

/** The step figures (who is late): one line per group, then the total. */
function stepsSheet(book: ExcelJS.Workbook, stats: StatsBody, unitName: string) {
  const sheet = book.addWorksheet('Bước xử lý');
  sheet.addRow(['TÌNH HÌNH XỬ LÝ CÁC BƯỚC THEO QUY TRÌNH NỘI BỘ']);
  sheet.addRow([`Đơn vị: ${unitName}`]);
  sheet.addRow([`Kỳ báo cáo: từ ngày ${vnDate(stats.from)} đến ngày ${vnDate(stats.to)}`]);
  sheet.addRow([attributionHeadings[stats.attribution]]);
  sheet.addRow([
    'STT',
    stepGroupHeadings[stats.groupBy],
    'Mã',
    'Số bước hoàn thành trước hạn',
    'Số bước hoàn thành đúng hạn',
    'Số bước hoàn thành quá hạn',
    'Số bước đang xử lý quá hạn',
  ]).font = { bold: true };
  const line = (n: number | string, key: string, label: string, c: Counts) =>
    sheet.addRow([n, label, key, c.steps.early, c.steps.onTime, c.steps.overdue, c.steps.openOverdue]);
  stats.rows.forEach((row, i) => line(i + 1, row.key, row.label, row));
  line('', '', 'Tổng cộng', stats.totals).font = { bold: true };
  sheet.addRow([]);
  sheet.addRow([`Số liệu tính đến: ${stats.asOf}`]);
  sheet.getColumn(2).width = 40;
}

function vnDate(d: string): string {
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
}
