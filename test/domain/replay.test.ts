import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeStartAndDue, replayDue, resumeDue, type Duration } from '../../src/domain/deadlines.js';
import { buildCalendar } from '../../src/domain/working-time.js';
import { overrides2024To2026, vnCalendar } from './fixtures.js';

const t = (s: string) => new Date(s);
const fiveDays: Duration = { value: 5, unit: 'working_days' };

describe('replayDue (calendar change recomputation)', () => {
  it('on an unchanged calendar equals intake followed by each extend resume', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 700 * 24 * 60 }),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 20 * 24 * 60 }), fc.integer({ min: 0, max: 10 * 24 * 60 })),
          {
            maxLength: 4,
          },
        ),
        fc.integer({ min: 0, max: 60 }),
        (startOffset, gaps, halfDays) => {
          const duration: Duration = { value: halfDays / 2, unit: 'working_days' };
          const origin = new Date(Date.parse('2024-01-02T00:00:00+07:00') + startOffset * 60_000);
          let { dueAt } = computeStartAndDue(vnCalendar, origin, duration);
          let cursor = origin.getTime();
          const pauses = [];
          for (const [wait, length] of gaps) {
            const pausedAt = new Date(cursor + wait * 60_000);
            const resumedAt = new Date(pausedAt.getTime() + length * 60_000);
            dueAt = resumeDue(vnCalendar, { policy: 'extend', pausedAt, resumedAt, dueAt, duration }).dueAt;
            pauses.push({ pausedAt, resumedAt });
            cursor = resumedAt.getTime();
          }
          expect(replayDue(vnCalendar, { origin, duration, extendPauses: pauses }).dueAt).toEqual(dueAt);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a new holiday inside the running period moves the due one working day later', () => {
    const origin = t('2025-06-02T08:00:00+07:00');
    const before = replayDue(vnCalendar, { origin, duration: fiveDays, extendPauses: [] });
    expect(before.dueAt).toEqual(t('2025-06-09T08:00:00+07:00'));
    const withHoliday = buildCalendar({
      overrides: [...overrides2024To2026, { date: '2025-06-04', kind: 'holiday' }],
    });
    expect(replayDue(withHoliday, { origin, duration: fiveDays, extendPauses: [] }).dueAt).toEqual(
      t('2025-06-10T08:00:00+07:00'),
    );
  });

  it('a receipt day that becomes a day off moves the start to the next opening', () => {
    const origin = t('2025-06-02T08:00:00+07:00');
    const cal = buildCalendar({
      overrides: [...overrides2024To2026, { date: '2025-06-02', kind: 'day_off' }],
    });
    expect(replayDue(cal, { origin, duration: fiveDays, extendPauses: [] })).toEqual({
      startAt: t('2025-06-03T07:30:00+07:00'),
      dueAt: t('2025-06-09T17:00:00+07:00'),
    });
  });
});
