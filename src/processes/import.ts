import { z } from 'zod';
import type { Db } from '../db/client.js';
import {
  columnOf,
  decimalCell,
  describeRowIssues,
  failedImport,
  importAllOrNothing,
  readImportFile,
  type ImportReport,
} from '../lib/import.js';
import { renderMessage, type Lang } from '../http/messages.js';
import type { Principal } from '../auth/plugin.js';
import { ProcedureCode } from '../procedures/schemas.js';
import { replaceProcess, type ProcessSteps } from './commands.js';
import { PutProcessBody } from './schemas.js';

const required = ['procedureCode', 'stepOrder', 'stepCode', 'stepName', 'allotmentValue', 'allotmentUnit'];

const RowKey = z.object({
  procedureCode: ProcedureCode,
  stepOrder: z.coerce.number().int().min(1).max(999),
});

/** A step's fields as the file names its columns: code → stepCode, allotment.value → allotmentValue. */
function stepColumn(path: PropertyKey[]): string {
  const [field, ...rest] = path;
  const renamed = field === 'code' ? 'stepCode' : field === 'name' ? 'stepName' : field;
  return columnOf([renamed ?? '', ...rest]);
}

/** One row's step as the API takes it; empty online cells mean no separate online allotment. */
function stepOf(values: Record<string, string>): Record<string, unknown> {
  const onlineValue = values.onlineAllotmentValue ?? '';
  const onlineUnit = values.onlineAllotmentUnit ?? '';
  return {
    code: values.stepCode,
    name: values.stepName,
    allotment: { value: decimalCell(values.allotmentValue ?? ''), unit: values.allotmentUnit },
    onlineAllotment:
      onlineValue === '' && onlineUnit === '' ? null : { value: decimalCell(onlineValue), unit: onlineUnit },
  };
}

interface Group {
  procedureCode: string;
  rows: Array<{ line: number; order: number; step: Record<string, unknown> }>;
}

/**
 * Imports internal processes from CSV with the header `procedureCode,stepOrder,stepCode,stepName,
 * allotmentValue,allotmentUnit[,onlineAllotmentValue,onlineAllotmentUnit]`, one row per step: the rows of a
 * procedure, ordered by stepOrder, replace its process as one new version, under the same rules as
 * `PUT /v1/procedures/{code}/process`. All or nothing: with any error, nothing is written and the errors are
 * reported by line (a procedure's own problem, such as exceeding its statutory time, on its first row).
 * Counts a procedure's first process as created, a replacement as updated.
 */
export async function importProcessesCsv(
  db: Db,
  principal: Principal,
  text: string,
  dayLength: number,
  lang: Lang = 'vi',
): Promise<ImportReport> {
  const file = readImportFile(text, required, lang);
  if (file.failed) return file.failed;

  const errors: ImportReport['errors'] = [];
  const groups = new Map<string, Group>();
  for (const { line, values } of file.rows) {
    const key = RowKey.safeParse(values);
    if (!key.success) {
      errors.push({ line, message: describeRowIssues(key.error.issues, values, lang) });
      continue;
    }
    const { procedureCode, stepOrder } = key.data;
    const group = groups.get(procedureCode) ?? { procedureCode, rows: [] };
    groups.set(procedureCode, group);
    if (group.rows.some((r) => r.order === stepOrder)) {
      const params = { code: procedureCode, order: stepOrder };
      errors.push({ line, message: renderMessage('import_step_order_repeated', lang, '', params) });
      continue;
    }
    group.rows.push({ line, order: stepOrder, step: stepOf(values) });
  }

  const parsed: Array<{ line: number; procedureCode: string; steps: ProcessSteps }> = [];
  for (const group of groups.values()) {
    const rows = group.rows.sort((a, b) => a.order - b.order);
    if (!rows.length) continue;
    const raw = { steps: rows.map((r) => r.step) };
    const r = PutProcessBody.safeParse(raw);
    if (r.success) {
      parsed.push({ line: rows[0]!.line, procedureCode: group.procedureCode, steps: r.data.steps });
      continue;
    }
    // A step's problems on its own line, named by their columns; a problem of the whole list on the first line.
    const byLine = new Map<number, string[]>();
    for (const issue of r.error.issues) {
      const index = issue.path[1];
      const row = typeof index === 'number' ? rows[index] : undefined;
      const column = row ? (p: PropertyKey[]) => stepColumn(p.slice(2)) : () => 'procedureCode';
      const line = (row ?? rows[0]!).line;
      byLine.set(line, [...(byLine.get(line) ?? []), describeRowIssues([issue], raw, lang, column)]);
    }
    for (const [line, messages] of byLine) errors.push({ line, message: messages.join(' ') });
  }
  if (errors.length) return failedImport(errors.sort((a, b) => a.line - b.line));

  return importAllOrNothing(
    db,
    parsed,
    async (tx, { procedureCode, steps }) => {
      const row = await replaceProcess(tx, principal, procedureCode, steps, dayLength);
      return row.version === 1 ? 'created' : 'updated';
    },
    lang,
  );
}
