import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../src/domain/local-time.js';

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
