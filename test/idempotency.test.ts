import { describe, expect, it } from 'vitest';
import { requestHash } from '../src/dossiers/idempotency.js';

describe('requestHash', () => {
  it('the same fields with the same values give the same hash, in any order and at any depth', () => {
    const a = {
      procedureCode: '1.001',
      applicant: { type: 'citizen', fullName: 'An' },
      components: [{ copies: 1 }],
    };
    const b = {
      components: [{ copies: 1 }],
      applicant: { fullName: 'An', type: 'citizen' },
      procedureCode: '1.001',
    };
    expect(requestHash(a)).toBe(requestHash(b));
  });

  it('another value, another field or another order of a list gives another hash', () => {
    const base = { procedureCode: '1.001', components: [{ name: 'A' }, { name: 'B' }] };
    expect(requestHash({ ...base, procedureCode: '1.002' })).not.toBe(requestHash(base));
    expect(requestHash({ ...base, summary: 'x' })).not.toBe(requestHash(base));
    expect(requestHash({ ...base, components: [{ name: 'B' }, { name: 'A' }] })).not.toBe(requestHash(base));
  });
});
