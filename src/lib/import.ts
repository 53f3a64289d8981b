import type { Db, Tx } from '../db/client.js';

export interface ImportReport {
  created: number;
  updated: number;
  errors: Array<{ line: number; message: string }>;
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
): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, errors: [] };
  try {
    await db.transaction(async (tx) => {
      for (const row of rows) {
        try {
          report[await write(tx, row)]++;
        } catch (err) {
          report.errors.push({ line: row.line, message: (err as Error).message });
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
