import { describe, expect, it } from 'vitest';
import {
  actingOfficerCode,
  checkActingOfficer,
  checkNamedOfficer,
  OFFICER_CODE_PATTERN,
} from '../../src/domain/officers.js';

const refusal = (f: () => void) => {
  try {
    f();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return null;
};

describe('who acts', () => {
  it('a personal key acts as its officer; naming the same one is fine, naming another is a mismatch', () => {
    expect(actingOfficerCode('CB.1', undefined)).toBe('CB.1');
    expect(actingOfficerCode('CB.1', 'CB.1')).toBe('CB.1');
    expect(refusal(() => actingOfficerCode('CB.1', 'CB.2'))).toBe('OFFICER_MISMATCH');
  });

  it('a unit-wide key acts as the officer it names, or as nobody', () => {
    expect(actingOfficerCode(null, 'CB.2')).toBe('CB.2');
    expect(actingOfficerCode(null, undefined)).toBeNull();
  });
});

describe('who may act', () => {
  const here = { active: true, inPlace: true };
  const check = (over: Partial<Parameters<typeof checkActingOfficer>[0]>) =>
    refusal(() =>
      checkActingOfficer({
        personal: false,
        code: 'CB.1',
        officer: here,
        required: false,
        unitCode: 'U',
        ...over,
      }),
    );

  it('a named officer must be known and in the key’s scope (one answer for both), and active', () => {
    expect(check({})).toBeNull();
    expect(check({ officer: null })).toBe('OFFICER_NOT_IN_SCOPE');
    expect(check({ officer: { active: true, inPlace: false } })).toBe('OFFICER_NOT_IN_SCOPE');
    expect(check({ officer: { active: false, inPlace: false } })).toBe('OFFICER_NOT_IN_SCOPE');
    expect(check({ officer: { active: false, inPlace: true } })).toBe('OFFICER_INACTIVE');
  });

  it('nobody named: refused only where the unit requires an officer', () => {
    expect(check({ code: null, officer: null })).toBeNull();
    expect(check({ code: null, officer: null, required: true })).toBe('OFFICER_REQUIRED');
  });

  it('a personal key’s officer must be active, wherever they work now; the requirement is met by the key', () => {
    expect(check({ personal: true, officer: { active: true, inPlace: false }, required: true })).toBeNull();
    expect(check({ personal: true, officer: { active: false, inPlace: true } })).toBe('KEY_OFFICER_INACTIVE');
  });

  it('an officer named to receive something names the place it must lie in', () => {
    let reason: unknown;
    try {
      checkNamedOfficer('CB.9', null, 'officer_in_target_unit');
    } catch (err) {
      reason = (err as { params: { reason: string } }).params.reason;
    }
    expect(reason).toBe('officer_in_target_unit');
  });
});

describe('officer codes', () => {
  it('a letter or digit first, then up to 39 letters, digits, dots, underscores or hyphens', () => {
    for (const ok of ['1', 'CB.0012', 'le_thi-hong.2', 'A'.repeat(40)])
      expect(OFFICER_CODE_PATTERN.test(ok), ok).toBe(true);
    for (const bad of ['', '.CB', '-1', 'CB 1', 'A'.repeat(41), 'Hồng', 'CB/1'])
      expect(OFFICER_CODE_PATTERN.test(bad), bad).toBe(false);
  });
});
