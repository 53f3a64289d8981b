import { eq, sql } from 'drizzle-orm';
import { announce } from '../db/cache-signals.js';
import type { DbOrTx } from '../db/client.js';
import { officers } from '../db/schema/index.js';
import { inScope, type Principal } from '../auth/plugin.js';
import { normalizeText, searchKey } from '../domain/applicant.js';
import { DomainError } from '../domain/errors.js';
import { checkNamedOfficer, type OfficerPlace } from '../domain/officers.js';
import { findUnit } from '../units/queries.js';
import { findOfficer, getOfficerInScope, type OfficerRow } from './queries.js';

/** A unit an officer may be placed in by this caller: it exists inside the caller's scope and is active. */
async function placeFor(db: DbOrTx, principal: Principal, unitCode: string): Promise<void> {
  const unit = await findUnit(db, unitCode);
  if (!unit || !inScope(principal, unit.path)) throw new DomainError('UNIT_NOT_FOUND', { code: unitCode });
  if (!unit.active) throw new DomainError('UNIT_INACTIVE', { code: unitCode });
}

const nameColumns = (fullName: string) => {
  const name = normalizeText(fullName);
  return { fullName: name, fullNameSearch: searchKey(name) };
};

export interface CreateOfficerInput {
  code: string;
  fullName: string;
  title: string;
  unitCode: string;
  active: boolean;
}

export async function createOfficer(
  db: DbOrTx,
  principal: Principal,
  input: CreateOfficerInput,
): Promise<OfficerRow> {
  await placeFor(db, principal, input.unitCode);
  const [row] = await db
    .insert(officers)
    .values({
      code: input.code,
      ...nameColumns(input.fullName),
      title: normalizeText(input.title),
      unitCode: input.unitCode,
      active: input.active,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new DomainError('OFFICER_EXISTS', { code: input.code });
  return row;
}

export interface UpdateOfficerInput {
  fullName?: string | undefined;
  title?: string | undefined;
  unitCode?: string | undefined;
  active?: boolean | undefined;
}

export async function updateOfficer(
  db: DbOrTx,
  principal: Principal,
  code: string,
  patch: UpdateOfficerInput,
): Promise<OfficerRow> {
  const officer = await getOfficerInScope(db, principal, code);
  if (patch.unitCode !== undefined && patch.unitCode !== officer.unitCode) {
    await placeFor(db, principal, patch.unitCode);
  }
  const [row] = await db
    .update(officers)
    .set({
      ...(patch.fullName !== undefined ? nameColumns(patch.fullName) : {}),
      ...(patch.title !== undefined ? { title: normalizeText(patch.title) } : {}),
      ...(patch.unitCode !== undefined ? { unitCode: patch.unitCode } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(officers.code, code))
    .returning();
  // Every API process forgets the officers its intakes named and the statistics answers showing their names.
  await announce(db, 'intake-targets');
  return row!;
}

/**
 * An officer named to work below the unit whose path is `unitPath` (null: anywhere): known, working there and
 * active (checkNamedOfficer), `place` saying which rule asked.
 */
export async function checkOfficerUnder(
  db: DbOrTx,
  code: string,
  unitPath: string | null,
  place: OfficerPlace,
): Promise<void> {
  const officer = await findOfficer(db, code);
  const standing = officer && {
    active: officer.active,
    inPlace: unitPath === null || officer.unitPath.startsWith(unitPath),
  };
  checkNamedOfficer(code, standing ?? null, place);
}
