/**
 * Who acts on a dossier (docs/domain.md, People). A personal key (bound to an officer) acts as its officer; a
 * unit-wide key, the clerk software's, names the acting officer per request (`officerCode`), and must where the
 * dossier's unit or one above it requires it. Every event records the acting officer, where known.
 */
import { DomainError } from './errors.js';

/** An officer's code: a letter or digit, then up to 39 letters, digits, dots, underscores or hyphens. */
export const OFFICER_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/**
 * The acting officer's code: a personal key's own officer (naming another officer is refused, naming the same
 * one is allowed), else the officer the request names, else nobody.
 */
export function actingOfficerCode(keyOfficerCode: string | null, named: string | undefined): string | null {
  if (keyOfficerCode === null) return named ?? null;
  if (named !== undefined && named !== keyOfficerCode) {
    throw new DomainError('OFFICER_MISMATCH', { code: named, keyOfficerCode });
  }
  return keyOfficerCode;
}

/** What is known of an officer where a request names one. */
export interface OfficerStanding {
  active: boolean;
  /** Inside the units the request may name an officer of (the key's scope, or the unit receiving a dossier). */
  inPlace: boolean;
}

/** Where a named officer must work, as the message that says so (src/http/messages.ts). */
export type OfficerPlace = 'officer_in_key_scope' | 'officer_in_target_unit' | 'officer_in_key_unit';

/**
 * An officer a request names: known and working inside `place`, else OFFICER_NOT_IN_SCOPE (the same answer for
 * an unknown code and one outside, so codes outside the caller's units cannot be probed); and active, else
 * OFFICER_INACTIVE.
 */
export function checkNamedOfficer(code: string, officer: OfficerStanding | null, place: OfficerPlace): void {
  if (!officer || !officer.inPlace) throw new DomainError('OFFICER_NOT_IN_SCOPE', { code, reason: place });
  if (!officer.active) throw new DomainError('OFFICER_INACTIVE', { code });
}

/**
 * The acting officer may act on a dossier of `unitCode`:
 * - with a personal key, its officer must be active (else KEY_OFFICER_INACTIVE: the key acts for no one else);
 *   where the officer works was checked when the key was made;
 * - a unit-wide key naming an officer: see checkNamedOfficer, the key's scope being the place;
 * - a unit-wide key naming nobody, where the unit or one above it requires the officer: OFFICER_REQUIRED.
 */
export function checkActingOfficer(input: {
  personal: boolean;
  code: string | null;
  officer: OfficerStanding | null;
  required: boolean;
  unitCode: string;
}): void {
  const { personal, code, officer } = input;
  if (code === null) {
    if (input.required) throw new DomainError('OFFICER_REQUIRED', { unitCode: input.unitCode });
    return;
  }
  if (personal) {
    if (!officer?.active) throw new DomainError('KEY_OFFICER_INACTIVE', { code });
    return;
  }
  checkNamedOfficer(code, officer, 'officer_in_key_scope');
}
