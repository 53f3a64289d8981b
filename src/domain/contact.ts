/**
 * The applicant's contact for notifications (DOMAIN: the citizen's side): consent, an e-mail address and a
 * Vietnamese mobile number. Personal data (Decree 13/2023/NĐ-CP): masked for viewer keys, never logged.
 */
import { maskEmail, maskTail } from './applicant.js';

export interface ContactView {
  consent: boolean;
  email: string | null;
  phone: string | null;
}

/**
 * A Vietnamese mobile number as stored: ten digits from 0, the network prefix 03, 05, 07, 08 or 09 (the
 * numbering since 2018). Clerks type it with spaces, dots or hyphens, or in the international form
 * (+84 912 345 678, 84912345678): all read as 0912345678. Null when it is no such number (a landline cannot
 * take an SMS).
 */
export function normalizeMobilePhone(value: string): string | null {
  const digits = value.trim().replace(/[\s.-]/g, '');
  const national = /^\+?84\d{9}$/.test(digits) ? `0${digits.replace(/^\+?84/, '')}` : digits;
  return /^0[35789]\d{8}$/.test(national) ? national : null;
}

/** The number as SMS gateways take it: international, without the plus (0912345678 → 84912345678). */
export function internationalPhone(national: string): string {
  return `84${national.slice(1)}`;
}

/** The contact as viewer keys see it: the e-mail its first letter and domain, the phone its last 4 digits. */
export function maskContact(contact: ContactView): ContactView {
  return { consent: contact.consent, email: maskEmail(contact.email), phone: maskTail(contact.phone) };
}

/** A notification's address as every list shows it: masked like the contact's. */
export function maskAddress(channel: 'email' | 'sms', address: string): string {
  return channel === 'email' ? maskEmail(address)! : maskTail(address)!;
}
