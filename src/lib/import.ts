import type { Db, Tx } from '../db/client.js';
import { DomainError } from '../domain/errors.js';
import { renderMessage, type Lang, type MessageKey } from '../http/messages.js';
import { describeDomainError } from '../http/problem.js';

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
