import { z } from 'zod';
import type { Db } from '../db/client.js';
import {
  describeRowIssues,
  failedImport,
  ImportProblem,
  importAllOrNothing,
  readImportFile,
  type ImportReport,
} from '../lib/import.js';
import { renderMessage, type Lang } from '../http/messages.js';
import type { Principal } from '../auth/plugin.js';
import { UnitCode } from './schemas.js';
import { createUnit, updateUnit } from './commands.js';
import { findUnit } from './queries.js';

const Row = z.object({
  code: UnitCode,
  name: z.string().trim().min(1).max(300),
  parentCode: z.union([z.literal(''), UnitCode]),
  active: z.enum(['', 'true', 'false', '1', '0']).optional(),
});

/**
 * Imports units from CSV with the header `code,name,parentCode[,active]`, rows in any order (parents are
 * created before their children). Existing units get the file's name and active flag. All or nothing: with
 * any error, nothing is written and the errors are reported by line.
 */
export async function importUnitsCsv(
  db: Db,
  principal: Principal,
  text: string,
  lang: Lang = 'vi',
): Promise<ImportReport> {
  const file = readImportFile(text, ['code', 'name', 'parentCode'], lang);
  if (file.failed) return file.failed;
  const { rows } = file;

  const errors: ImportReport['errors'] = [];
  const parsed = new Map<
    string,
    { line: number; code: string; name: string; parentCode: string | null; active?: boolean }
  >();
  for (const { line, values } of rows) {
    const r = Row.safeParse(values);
    if (!r.success) {
      errors.push({ line, message: describeRowIssues(r.error.issues, values, lang) });
      continue;
    }
    if (parsed.has(r.data.code)) {
      errors.push({ line, message: renderMessage('import_duplicate_code', lang, '', { code: r.data.code }) });
    }
    parsed.set(r.data.code, {
      line,
      code: r.data.code,
      name: r.data.name,
      parentCode: r.data.parentCode || null,
      ...(r.data.active ? { active: r.data.active === 'true' || r.data.active === '1' } : {}),
    });
  }
  if (errors.length) return failedImport(errors);
  const insertOrder = topologicalOrder([...parsed.values()], errors, lang);
  if (errors.length) return failedImport(errors);

  return importAllOrNothing(
    db,
    insertOrder,
    async (tx, u) => {
      const existing = await findUnit(tx, u.code);
      if (!existing) {
        await createUnit(tx, principal, { ...u, active: u.active ?? true });
        return 'created';
      }
      if ((existing.parentCode ?? null) !== u.parentCode) {
        throw existing.parentCode
          ? new ImportProblem('import_unit_elsewhere', { code: u.code, parentCode: existing.parentCode })
          : new ImportProblem('import_unit_root', { code: u.code });
      }
      await updateUnit(tx, principal, u.code, { name: u.name, active: u.active });
      return 'updated';
    },
    lang,
  );
}

/** Parents before children; a cycle inside the file is an error. */
function topologicalOrder<T extends { code: string; parentCode: string | null; line: number }>(
  items: T[],
  errors: ImportReport['errors'],
  lang: Lang,
): T[] {
  const byCode = new Map(items.map((i) => [i.code, i]));
  const done = new Set<string>();
  const order: T[] = [];
  for (const item of items) {
    const chain: T[] = [];
    let cur: T | undefined = item;
    const seen = new Set<string>();
    while (cur && !done.has(cur.code)) {
      if (seen.has(cur.code)) {
        errors.push({
          line: cur.line,
          message: renderMessage('import_parent_cycle', lang, '', { code: cur.code }),
        });
        return [];
      }
      seen.add(cur.code);
      chain.push(cur);
      cur = cur.parentCode ? byCode.get(cur.parentCode) : undefined;
    }
    for (const c of chain.reverse()) {
      done.add(c.code);
      order.push(c);
    }
  }
  return order;
}
