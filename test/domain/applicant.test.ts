import { describe, expect, it } from 'vitest';
import { MASKED, maskApplicant, maskEventData, maskFreeText, maskName } from '../../src/domain/applicant.js';

describe('maskName', () => {
  it('keeps the first word whole and every other word as its first letter and **', () => {
    expect(maskName('Nguyễn Văn A')).toBe('Nguyễn V** A**');
    expect(maskName('Trần Thị Ngọc Ánh')).toBe('Trần T** N** Á**');
    expect(maskName('Công ty TNHH Hòa Phát')).toBe('Công t** T** H** P**');
  });

  it('takes Vietnamese letters whole, also from a name written decomposed (NFD)', () => {
    expect(maskName('Đặng Đức Ưng')).toBe('Đặng Đ** Ư**');
    const nfd = 'Lê Ấn Ước'.normalize('NFD');
    expect(maskName(nfd)).toBe('Lê Ấ** Ư**');
    expect(maskName(nfd)).toBe('Lê Ấ** Ư**'.normalize('NFC'));
  });

  it('a one-word name stays as it is; spaces are normalised', () => {
    expect(maskName('Hoa')).toBe('Hoa');
    expect(maskName('  Lê   Thị  Hoa ')).toBe('Lê T** H**');
  });
});

describe('maskApplicant', () => {
  const applicant = {
    type: 'citizen' as const,
    fullName: 'Lê Thị Hoa',
    idNumber: '001199004567',
    phone: '0987654321',
    email: 'hoa@example.vn',
    address: 'Số 1 đường Lý Thường Kiệt',
  };

  it('masks every field a viewer key reads, in the same order', () => {
    const masked = maskApplicant(applicant);
    expect(masked).toEqual({
      type: 'citizen',
      fullName: 'Lê T** H**',
      idNumber: '********4567',
      phone: '******4321',
      email: 'h***@example.vn',
      address: '***',
    });
    expect(Object.keys(masked)).toEqual(Object.keys(applicant));
  });

  it('a masked field is never null, a missing one stays null', () => {
    expect(MASKED).not.toBeNull();
    expect(maskApplicant({ ...applicant, idNumber: null, phone: null, email: null, address: null })).toEqual({
      type: 'citizen',
      fullName: 'Lê T** H**',
      idNumber: null,
      phone: null,
      email: null,
      address: null,
    });
  });
});

describe('free text for a masked reader', () => {
  it('maskFreeText: any text reads as the marker, a missing one stays missing', () => {
    expect(maskFreeText('Khai sinh cho cháu Lê Thị Bé')).toBe(MASKED);
    expect(maskFreeText(null)).toBeNull();
  });

  it('maskEventData: reason, note, items and comment masked, the rest of the data kept', () => {
    expect(
      maskEventData({
        reason: 'Thiếu CCCD',
        note: 'x',
        items: ['CCCD'],
        newDueAt: '2025-06-10T17:00:00+07:00',
      }),
    ).toEqual({ reason: MASKED, note: MASKED, items: MASKED, newDueAt: '2025-06-10T17:00:00+07:00' });
  });
});
