import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInstant, formatInstantsIn } from '../../src/domain/local-time.js';

/** The plain definition: the instant at +07:00 as RFC 3339, seconds kept, milliseconds dropped. */
const reference = (instant: Date) =>
  new Date(instant.getTime() + 7 * 3_600_000).toISOString().slice(0, 19) + '+07:00';

describe('formatInstant', () => {
  it('writes the local time at +07:00, seconds kept and milliseconds dropped', () => {
    expect(formatInstant(new Date('2025-06-02T01:00:00.999Z'))).toBe('2025-06-02T08:00:00+07:00');
    expect(formatInstant(new Date('2025-12-31T17:00:00Z'))).toBe('2026-01-01T00:00:00+07:00');
    expect(formatInstant(new Date('2025-12-31T16:59:59.5Z'))).toBe('2025-12-31T23:59:59+07:00');
    expect(formatInstant(new Date('1969-12-31T16:59:59Z'))).toBe('1969-12-31T23:59:59+07:00');
  });

  it('agrees with the plain definition on any instant from 1900 to 2200', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        (d) => formatInstant(d) === reference(d),
      ),
      { numRuns: 20_000 },
    );
  });
});

describe('formatInstantsIn', () => {
  it('rewrites every instant of a payload at any depth, in any offset, as formatInstant writes it', () => {
    const payload = {
      dueAt: '2025-06-02T10:00:00.000Z',
      previousDueAt: '2025-06-02T17:00:00+07:00',
      resumedAt: '2025-06-02T17:00:00.999+07:00',
      policy: 'extend',
      nested: { list: ['2025-06-01T20:30:15.250+00:00', 'Thiếu bản sao', 3], when: '2025-06-02T03:00-05:00' },
    };
    expect(formatInstantsIn(payload)).toEqual({
      dueAt: '2025-06-02T17:00:00+07:00',
      previousDueAt: '2025-06-02T17:00:00+07:00',
      resumedAt: '2025-06-02T17:00:00+07:00',
      policy: 'extend',
      nested: { list: ['2025-06-02T03:30:15+07:00', 'Thiếu bản sao', 3], when: '2025-06-02T15:00:00+07:00' },
    });
  });

  it('leaves local dates, clock times, free text, numbers, booleans and null as they are', () => {
    const payload = {
      date: '2025-05-01',
      cutoff: '15:00',
      note: 'hẹn 2025-06-02T10:00:00Z',
      amount: 8000,
      done: true,
      none: null,
    };
    expect(formatInstantsIn(payload)).toEqual(payload);
  });

  it('does not change the payload it is given', () => {
    const payload = { dueAt: '2025-06-02T10:00:00Z' };
    formatInstantsIn(payload);
    expect(payload.dueAt).toBe('2025-06-02T10:00:00Z');
  });
});
