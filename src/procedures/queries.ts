import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { procedures } from '../db/schema/index.js';
import { escapeLike } from '../db/sql.js';
import type { Duration } from '../domain/deadlines.js';
import { formatInstant } from '../domain/local-time.js';

export type ProcedureRow = typeof procedures.$inferSelect;

export async function findProcedure(db: DbOrTx, code: string): Promise<ProcedureRow | undefined> {
  const [row] = await db.select().from(procedures).where(eq(procedures.code, code)).limit(1);
  return row;
}

/** Lower case without diacritics, "đ" → "d": how `q` compares with names. */
export function foldText(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

// The same folding in SQL for the (precomposed, NFC) Vietnamese letters, without needing `unaccent`.
const accented = 'àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ';
const foldFrom = accented + accented.toUpperCase();
const foldTo = [...foldFrom].map(foldText).join('');

export async function listProcedures(
  db: DbOrTx,
  q: {
    fieldCode?: string | undefined;
    active?: boolean | undefined;
    onlineLevel?: ProcedureRow['onlineLevel'] | undefined;
    q?: string | undefined;
    after?: string | undefined;
    limit: number;
  },
): Promise<ProcedureRow[]> {
  const pattern = q.q ? `%${escapeLike(foldText(q.q))}%` : undefined;
  return db
    .select()
    .from(procedures)
    .where(
      and(
        q.fieldCode ? eq(procedures.fieldCode, q.fieldCode) : undefined,
        q.active === undefined ? undefined : eq(procedures.active, q.active),
        q.onlineLevel ? eq(procedures.onlineLevel, q.onlineLevel) : undefined,
        pattern
          ? or(
              sql`lower(${procedures.code}) like ${pattern}`,
              sql`lower(translate(${procedures.name}, ${foldFrom}, ${foldTo})) like ${pattern}`,
            )
          : undefined,
        q.after ? gt(procedures.code, q.after) : undefined,
      ),
    )
    .orderBy(asc(procedures.code))
    .limit(q.limit);
}

export function durationOf(row: ProcedureRow): Duration {
  return { value: row.durationValue, unit: row.durationUnit };
}

/** The separate time of the online channel, or null when the procedure has none. */
export function onlineDurationOf(row: ProcedureRow): Duration | null {
  return row.onlineDurationValue !== null && row.onlineDurationUnit !== null
    ? { value: row.onlineDurationValue, unit: row.onlineDurationUnit }
    : null;
}

export function toProcedureResponse(row: ProcedureRow) {
  return {
    code: row.code,
    name: row.name,
    field: { code: row.fieldCode, name: row.fieldName },
    duration: durationOf(row),
    onlineDuration: onlineDurationOf(row),
    receiptCutoff: row.receiptCutoff,
    supplementPolicy: row.supplementPolicy,
    onlineLevel: row.onlineLevel,
    fee: row.fee,
    active: row.active,
    createdAt: formatInstant(row.createdAt),
    updatedAt: formatInstant(row.updatedAt),
  };
}
