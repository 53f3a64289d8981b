import { describe, expect, it } from 'vitest';
import { checkOpens, LOOKUP_SECRET_ALPHABET, lookupUrl, readLookupCheck } from '../../src/domain/lookup.js';

describe('the lookup secret and check (mã tra cứu)', () => {
  it('the alphabet is Crockford base32: 32 characters without I, L, O, U', () => {
    expect(LOOKUP_SECRET_ALPHABET).toHaveLength(32);
    expect(new Set(LOOKUP_SECRET_ALPHABET).size).toBe(32);
    for (const c of 'ILOU') expect(LOOKUP_SECRET_ALPHABET).not.toContain(c);
  });

  it('a typed secret ignores case, spaces and hyphens, and reads O as 0, I and L as 1', () => {
    expect(readLookupCheck('7kq2-m9xd')).toEqual({ kind: 'secret', value: '7KQ2M9XD' });
    expect(readLookupCheck(' 7KQ2 M9XD ')).toEqual({ kind: 'secret', value: '7KQ2M9XD' });
    expect(readLookupCheck('OIL2M9XD')).toEqual({ kind: 'secret', value: '0112M9XD' });
  });

  it('4 digits are the tail of a phone or identifier; anything else is no valid check', () => {
    expect(readLookupCheck('5678')).toEqual({ kind: 'last4', value: '5678' });
    expect(readLookupCheck('567')).toBeNull();
    expect(readLookupCheck('7KQ2M9XU')).toBeNull();
    expect(readLookupCheck('7KQ2M9XDD')).toBeNull();
    expect(readLookupCheck('')).toBeNull();
  });

  const credentials = { secret: '7KQ2M9XD', phone: '0912345678', idNumber: '001099012345' };

  it('the check opens the dossier with its secret or the last 4 digits of the phone or the identifier', () => {
    expect(checkOpens(readLookupCheck('7kq2m9xd'), credentials)).toBe(true);
    expect(checkOpens(readLookupCheck('5678'), credentials)).toBe(true);
    expect(checkOpens(readLookupCheck('2345'), credentials)).toBe(true);
  });

  it('a wrong check, a secret one character off, or no valid check never opens it', () => {
    expect(checkOpens(readLookupCheck('7KQ2M9XE'), credentials)).toBe(false);
    expect(checkOpens(readLookupCheck('1234'), credentials)).toBe(false);
    expect(checkOpens(readLookupCheck('abc'), credentials)).toBe(false);
    expect(checkOpens(null, credentials)).toBe(false);
  });

  it('4 digits never open by a phone or identifier that was not given, or a secret that is 4 digits long', () => {
    const none = { secret: '00005678', phone: null, idNumber: null };
    expect(checkOpens(readLookupCheck('5678'), none)).toBe(false);
    expect(checkOpens(readLookupCheck('0000'), none)).toBe(false);
    expect(checkOpens(readLookupCheck('678'), { ...none, phone: '678' })).toBe(false);
  });

  it('the lookup address is the public route with the code and the secret, a trailing slash ignored', () => {
    expect(lookupUrl('https://dichvucong.example.gov.vn/', 'H40.99-250602-0001', '7KQ2M9XD')).toBe(
      'https://dichvucong.example.gov.vn/v1/public/dossiers/H40.99-250602-0001?check=7KQ2M9XD',
    );
    expect(lookupUrl('http://localhost:3000', 'A B', 'X')).toBe(
      'http://localhost:3000/v1/public/dossiers/A%20B?check=X',
    );
  });
});
