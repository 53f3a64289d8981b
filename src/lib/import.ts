import type { Db, Tx } from '../db/client.js';
import { DomainError } from '../domain/errors.js';
import { describeIssue, renderMessage, type Lang, type MessageKey } from '../http/messages.js';
import { describeDomainError } from '../http/problem.js';
import { parseCsv } from './csv.js';

export interface ImportReport {
  created: number;
  updated: number;
  errors: Array<{ line: number; message: string }>;
}

/** A problem with a row that the importer words itself, as a message key of src/http/messages.ts. */
export class ImportProblem extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(key);
  }
}

/** A row's problem in the report's language. */
export function describeRowError(err: unknown, lang: Lang): string {
  if (err instanceof ImportProblem) return renderMessage(err.key, lang, '', err.params);
  if (err instanceof DomainError) return describeDomainError(err, lang);
  return (err as Error).message;
}

export function failedImport(errors: ImportReport['errors']): ImportReport {
  return { created: 0, updated: 0, errors };
}

/**
 * Writes already-validated rows in one transaction, all or nothing: the first row that fails rolls everything
 * back and is reported with its line.
 */
export async function importAllOrNothing<T extends { line: number }>(
  db: Db,
  rows: readonly T[],
  write: (tx: Tx, row: T) => Promise<'created' | 'updated'>,
  lang: Lang,
): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, errors: [] };
  try {
    await db.transaction(async (tx) => {
      for (const row of rows) {
        try {
          report[await write(tx, row)]++;
        } catch (err) {
          report.errors.push({ line: row.line, message: describeRowError(err, lang) });
          throw err;
        }
      }
    });
  } catch (err) {
    if (!report.errors.length) throw err;
    return failedImport(report.errors);
  }
  return report;
}

/** A CSV file's rows by line, or the report of a header that lacks a required column (line 1). */
export type ImportFile =
  | { header: string[]; rows: ReturnType<typeof parseCsv>['rows']; failed?: undefined }
  | { failed: ImportReport };

export function readImportFile(text: string, required: readonly string[], lang: Lang): ImportFile {
  const { header, rows } = parseCsv(text);
  const missing = required.filter((h) => !header.includes(h));
  if (!missing.length) return { header, rows };
  const message = renderMessage('import_missing_columns', lang, '', { columns: missing.join(', ') });
  return { failed: failedImport([{ line: 1, message }]) };
}

/** "15", "0,5" (Vietnamese decimal comma) or "0.5" as a number; anything else is left for the schema to reject. */
export function decimalCell(cell: string): number | string {
  return /^\d+([.,]\d+)?$/.test(cell) ? Number(cell.replace(',', '.')) : cell;
}

/** A value's path as the file's column: 'duration.value' → 'durationValue'. */
export function columnOf(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (i ? String(p).charAt(0).toUpperCase() + String(p).slice(1) : String(p)))
    .join('');
}

/** A row's schema problems, each as "column: sentence", in the report's language. */
export function describeRowIssues(
  issues: ReadonlyArray<{ code: string; message: string; path: PropertyKey[] }>,
  raw: unknown,
  lang: Lang,
  column: (path: PropertyKey[]) => string = columnOf,
): string {
  return issues.map((i) => `${column(i.path)}: ${describeIssue(i, raw, lang)}`).join(' ');
}
