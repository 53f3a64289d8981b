/**
 * The citizen's lookup (tra cứu hồ sơ): a dossier's code plus a check value opens its public view. The check is
 * the dossier's lookup secret (mã tra cứu), printed on the receipt (Form 01) and carried by its QR code and the
 * receipt e-mail or SMS, or, for a citizen who lost the slip, the last 4 digits of the applicant's phone or
 * identifier.
 *
 * The secret: 8 characters of Crockford's base32 alphabet (digits and capital letters without I, L, O and U,
 * so nothing reads as something else), 40 random bits drawn by the database at intake from its strong random
 * source (`dossier_lookup_secret()`, the dossiers table's default). As typed back, case, spaces and hyphens do not
 * matter and the look-alikes read as Crockford's do: O as 0, I and L as 1.
 */
import { timingSafeEqual } from 'node:crypto';

export const LOOKUP_SECRET_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const LOOKUP_SECRET_LENGTH = 8;

const secretPattern = new RegExp(`^[${LOOKUP_SECRET_ALPHABET}]{${LOOKUP_SECRET_LENGTH}}$`);

/** A check as typed, read: the lookup secret, 4 digits (the tail of the phone or identifier), or nothing valid. */
export type LookupCheck = { kind: 'secret'; value: string } | { kind: 'last4'; value: string } | null;

/** Reads a typed check: "abcd-1234", "ABCD 1234" and "ABCD1234" are the same secret; "2345" is a tail. */
export function readLookupCheck(input: string): LookupCheck {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{4}$/.test(compact)) return { kind: 'last4', value: compact };
  const secret = compact.replace(/O/g, '0').replace(/[IL]/g, '1');
  return secretPattern.test(secret) ? { kind: 'secret', value: secret } : null;
}

/** What a dossier can be checked against: its secret, the applicant's phone and identifier (null: not given). */
export interface LookupCredentials {
  secret: string;
  phone: string | null;
  idNumber: string | null;
}

/** Equal in time independent of where they differ (both padded to one length, the length compared apart). */
function sameText(a: string, b: string): boolean {
  const size = 16;
  const left = Buffer.alloc(size);
  const right = Buffer.alloc(size);
  left.write(a.slice(0, size));
  right.write(b.slice(0, size));
  return timingSafeEqual(left, right) && a.length === b.length;
}

const tail = (value: string | null) => (value === null ? '' : value.replace(/\D/g, '').slice(-4));

/**
 * Whether a check opens a dossier. Every comparison is made whatever the check is and whatever matched, each in
 * constant time, so the time taken says nothing about which part was right; a dossier missing (the caller passes
 * stand-in credentials) costs the same. A 4-digit check never matches a phone or identifier shorter than 4 digits.
 */
export function checkOpens(check: LookupCheck, credentials: LookupCredentials): boolean {
  const given = check?.value ?? '';
  const bySecret = sameText(given, credentials.secret) && check?.kind === 'secret';
  const phone = tail(credentials.phone);
  const idNumber = tail(credentials.idNumber);
  const byPhone = sameText(given, phone) && phone.length === 4 && check?.kind === 'last4';
  const byId = sameText(given, idNumber) && idNumber.length === 4 && check?.kind === 'last4';
  return bySecret || byPhone || byId;
}

/**
 * The public lookup address of a dossier, as the QR code on the receipt, the receipt e-mail and the SMS carry it:
 * `{base}/v1/public/dossiers/{code}?check={secret}`, where `base` is PUBLIC_BASE_URL (a trailing slash ignored).
 */
export function lookupUrl(baseUrl: string, code: string, secret: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/v1/public/dossiers/${encodeURIComponent(code)}?check=${encodeURIComponent(secret)}`;
}
