import type { Db } from '../db/client.js';
import {
  decimalCell,
  describeRowIssues,
  failedImport,
  importAllOrNothing,
  readImportFile,
  type ImportReport,
} from '../lib/import.js';
import { renderMessage, type Lang } from '../http/messages.js';
import type { Principal } from '../auth/plugin.js';
import { CreateProcedureBody, UpdateProcedureBody } from './schemas.js';
import { createProcedure, updateProcedure, type CreateProcedureInput } from './commands.js';
import { findProcedure } from './queries.js';

const required = ['code', 'name', 'fieldCode', 'fieldName', 'durationValue', 'durationUnit'];

/** "8000", "8.000" or "8 000" (thousands grouped the Vietnamese way): a fee is whole đồng. */
function fee(cell: string): number | string {
  return /^\d+$|^\d{1,3}([. ]\d{3})+$/.test(cell) ? Number(cell.replace(/[. ]/g, '')) : cell;
}

const flags: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

/**
 * One row as a create body. A column missing from the header leaves that field alone on update; an empty
 * cell means null for onlineDuration, receiptCutoff and fee, and the default (on create) or the current value
 * (on update) for supplementPolicy, onlineLevel and active.
 */
function rowBody(values: Record<string, string>, header: string[]): Record<string, unknown> {
  const has = (h: string) => header.includes(h);
  const body: Record<string, unknown> = {
    code: values.code,
    name: values.name,
    field: { code: values.fieldCode, name: values.fieldName },
    duration: { value: decimalCell(values.durationValue ?? ''), unit: values.durationUnit },
  };
  if (has('onlineDurationValue') || has('onlineDurationUnit')) {
    const value = values.onlineDurationValue ?? '';
    const unit = values.onlineDurationUnit ?? '';
    body.onlineDuration = value === '' && unit === '' ? null : { value: decimalCell(value), unit };
  }
  if (has('receiptCutoff')) body.receiptCutoff = values.receiptCutoff || null;
  if (has('fee')) body.fee = values.fee ? fee(values.fee) : null;
  for (const h of ['supplementPolicy', 'onlineLevel'] as const) if (values[h]) body[h] = values[h];
  if (values.active) body.active = flags[values.active.toLowerCase()] ?? values.active;
  return body;
}

/**
 * Imports procedures from CSV with the header
 * `code,name,fieldCode,fieldName,durationValue,durationUnit[,onlineDurationValue,onlineDurationUnit,
 * receiptCutoff,supplementPolicy,onlineLevel,fee,active]`: new codes are created, existing ones updated with
 * the file's values. All or nothing: with any error, nothing is written and the errors are reported by line.
 */
export async function importProceduresCsv(
  db: Db,
  principal: Principal,
  text: string,
  lang: Lang = 'vi',
): Promise<ImportReport> {
  const file = readImportFile(text, required, lang);
  if (file.failed) return file.failed;
  const { header, rows } = file;

  const errors: ImportReport['errors'] = [];
  const parsed: Array<{ line: number; body: CreateProcedureInput; given: Set<string> }> = [];
  const seen = new Set<string>();
  for (const { line, values } of rows) {
    const raw = rowBody(values, header);
    const r = CreateProcedureBody.safeParse(raw);
    if (!r.success) {
      errors.push({ line, message: describeRowIssues(r.error.issues, raw, lang) });
      continue;
    }
    if (seen.has(r.data.code)) {
      errors.push({ line, message: renderMessage('import_duplicate_code', lang, '', { code: r.data.code }) });
    }
    seen.add(r.data.code);
    parsed.push({ line, body: r.data, given: new Set(Object.keys(raw)) });
  }
  if (errors.length) return failedImport(errors);

  return importAllOrNothing(
    db,
    parsed,
    async (tx, { body, given }) => {
      if (await findProcedure(tx, body.code)) {
        const { code, ...fields } = body;
        // Only what the row states: defaults filled in by the schema must not overwrite current values.
        const patch = Object.fromEntries(Object.entries(fields).filter(([k]) => given.has(k)));
        await updateProcedure(tx, principal, code, UpdateProcedureBody.parse(patch));
        return 'updated';
      }
      await createProcedure(tx, principal, body);
      return 'created';
    },
    lang,
  );
}
