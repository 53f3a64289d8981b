/**
 * Applicants (người nộp hồ sơ) and their personal data (Decree 13/2023/NĐ-CP): identifier formats, the
 * accent-insensitive search key, and masking for read-only keys.
 */
export type ApplicantType = 'citizen' | 'organization';

/**
 * Identifier by applicant type: a citizen shows a 12-digit citizen ID (CCCD) or a legacy 9-digit ID (CMND);
 * an organisation its tax code, 10 digits, or 13 for a branch (written with or without the hyphen). The
 * problem is named by its message key (the HTTP layer words it).
 */
export function identifierProblem(type: ApplicantType, idNumber: string): 'citizen_id' | 'tax_code' | null {
  if (type === 'citizen') return /^(\d{12}|\d{9})$/.test(idNumber) ? null : 'citizen_id';
  return /^\d{10}(-?\d{3})?$/.test(idNumber) ? null : 'tax_code';
}

/**
 * An identifier as stored and searched: the spaces and dots clerks type to group digits ("001 099 012 345",
 * "001.099.012.345") dropped. A tax code's branch hyphen stays.
 */
export function normalizeIdNumber(value: string): string {
  return value.replace(/[\s.]/g, '');
}

/** NFC, single spaces, trimmed: how every name is stored. */
export function normalizeText(value: string): string {
  return value.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * The search key of a name: lower case, without diacritics, "đ" as "d", single spaces.
 * "Nguyễn Văn Đức" → "nguyen van duc", so "nguyen van duc" and "Nguyen Van Duc" both find it.
 */
export function searchKey(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * What a masked field reads as when there is no shape worth keeping (an address): a marker, never null, so a
 * masked value stays distinct from a missing one (null).
 */
export const MASKED = '***';

/**
 * Text a clerk typed freely (a dossier's summary, an action's reason, note or list of missing papers) often names
 * the person ("cho cháu Nguyễn Văn B", "CCCD 001…"): a masked reader sees the marker instead, null staying null.
 */
export function maskFreeText<T>(value: T): T | typeof MASKED {
  return value === null || value === undefined ? value : MASKED;
}

/** The free-text fields of an event's data. */
const freeTextKeys = new Set(['reason', 'note', 'items', 'comment']);

/** An event's data for a masked reader: every free-text field replaced by the marker. */
export function maskEventData(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, freeTextKeys.has(key) ? maskFreeText(value) : value]),
  );
}

/** The applicant as responses show it. */
export interface ApplicantView {
  type: ApplicantType;
  fullName: string;
  idNumber: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
}

/**
 * The applicant as read-only (viewer) keys see it, the one masking rule: the name keeps its shape, the
 * identifier and phone their last 4 digits, the e-mail its first letter and domain, the address becomes the
 * marker. A field that was never given stays null.
 */
export function maskApplicant<T extends ApplicantView>(applicant: T): T {
  return {
    ...applicant,
    fullName: maskName(applicant.fullName),
    idNumber: maskTail(applicant.idNumber),
    phone: maskTail(applicant.phone),
    email: maskEmail(applicant.email),
    address: applicant.address === null ? null : MASKED,
  };
}

/**
 * A name keeping its shape: the first word whole, every other word its first letter and "**":
 * "Nguyễn Văn A" → "Nguyễn V** A**", "Đặng Thị Ánh" → "Đặng T** Á**". Letters are taken whole after NFC,
 * with any combining mark NFC leaves attached.
 */
export function maskName(value: string): string {
  const [first = '', ...rest] = normalizeText(value).split(' ');
  return [first, ...rest.map((word) => `${/^\P{M}\p{M}*/u.exec(word)?.[0] ?? ''}**`)].join(' ');
}

/** Keeps the last `visible` characters: "001099012345" → "********2345". */
export function maskTail(value: string | null, visible = 4): string | null {
  if (value === null) return null;
  if (value.length <= visible) return '*'.repeat(value.length);
  return '*'.repeat(value.length - visible) + value.slice(-visible);
}

/** "an.nguyen@example.vn" → "a***@example.vn". */
export function maskEmail(value: string | null): string | null {
  if (value === null) return null;
  const at = value.indexOf('@');
  return at <= 0 ? '***' : `${value[0]}***${value.slice(at)}`;
}
