import { describe, expect, it } from 'vitest';
import {
  internationalPhone,
  maskAddress,
  maskContact,
  normalizeMobilePhone,
} from '../../src/domain/contact.js';

describe('the contact for notifications', () => {
  it('a Vietnamese mobile number is stored as ten digits from 0, however it was typed', () => {
    for (const typed of ['0912345678', '0912 345 678', '091.234.5678', '84912345678', '+84 912 345 678']) {
      expect(normalizeMobilePhone(typed), typed).toBe('0912345678');
    }
    for (const prefix of ['03', '05', '07', '08', '09']) {
      expect(normalizeMobilePhone(`${prefix}12345678`)).toBe(`${prefix}12345678`);
    }
  });

  it('a landline, an old 11-digit number or a foreign number is no mobile number for SMS', () => {
    for (const typed of [
      '02438251234',
      '024 3825 1234',
      '01212345678',
      '0112345678',
      '+1 415 555 0100',
      '091234567',
    ]) {
      expect(normalizeMobilePhone(typed), typed).toBeNull();
    }
  });

  it('gateways get the international form without the plus', () => {
    expect(internationalPhone('0912345678')).toBe('84912345678');
  });

  it('viewer keys see the e-mail by its first letter and domain and the phone by its last 4 digits', () => {
    expect(maskContact({ consent: true, email: 'an.nguyen@example.vn', phone: '0912345678' })).toEqual({
      consent: true,
      email: 'a***@example.vn',
      phone: '******5678',
    });
    expect(maskContact({ consent: false, email: null, phone: null })).toEqual({
      consent: false,
      email: null,
      phone: null,
    });
    expect(maskAddress('sms', '0912345678')).toBe('******5678');
    expect(maskAddress('email', 'an.nguyen@example.vn')).toBe('a***@example.vn');
  });
});
