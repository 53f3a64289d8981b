import { describe, expect, it } from 'vitest';
import { chooseListStrategy, MAX_DAYS_BY_DAY } from '../src/dossiers/list-strategies.js';
import { addDays } from '../src/domain/local-time.js';

const month = { receivedFrom: '2025-06-01', receivedTo: '2025-06-30' };

describe('the dossier list chooses how to read a page', () => {
  it('reads a received period with nothing else to filter day by day, up to the longest period', () => {
    expect(chooseListStrategy({ restrictedToUnits: false, otherFilters: false, ...month })).toBe(
      'received period day by day',
    );
    const from = '2024-01-01';
    const longest = { receivedFrom: from, receivedTo: addDays(from, MAX_DAYS_BY_DAY - 1) };
    const longer = { receivedFrom: from, receivedTo: addDays(from, MAX_DAYS_BY_DAY) };
    expect(chooseListStrategy({ restrictedToUnits: false, otherFilters: false, ...longest })).toBe(
      'received period day by day',
    );
    expect(chooseListStrategy({ restrictedToUnits: false, otherFilters: false, ...longer })).toBe(
      'received range sorted',
    );
  });

  it('sorts a received range when another filter applies or only one end is given', () => {
    expect(chooseListStrategy({ restrictedToUnits: false, otherFilters: true, ...month })).toBe(
      'received range sorted',
    );
    expect(
      chooseListStrategy({ restrictedToUnits: false, otherFilters: false, receivedFrom: '2025-06-01' }),
    ).toBe('received range sorted');
  });

  it("reads a unit's received period in three parts, with or without other filters", () => {
    for (const otherFilters of [false, true]) {
      expect(chooseListStrategy({ restrictedToUnits: true, otherFilters, ...month })).toBe(
        'unit received in three parts',
      );
    }
    expect(
      chooseListStrategy({ restrictedToUnits: true, otherFilters: false, receivedTo: '2025-06-30' }),
    ).toBe('unit received in three parts');
  });

  it("fetches a unit's overdue dossiers through the status-due indexes, and walks the newest for the rest", () => {
    expect(chooseListStrategy({ restrictedToUnits: true, otherFilters: true, timeliness: 'overdue' })).toBe(
      'unit overdue through status-due indexes',
    );
    expect(chooseListStrategy({ restrictedToUnits: false, otherFilters: true, timeliness: 'overdue' })).toBe(
      'newest first',
    );
    expect(chooseListStrategy({ restrictedToUnits: true, otherFilters: true, timeliness: 'due_soon' })).toBe(
      'newest first',
    );
    expect(chooseListStrategy({ restrictedToUnits: false, otherFilters: false })).toBe('newest first');
  });

  it('fetches the open steps past their due through their index, with or without a unit', () => {
    for (const restrictedToUnits of [false, true]) {
      expect(chooseListStrategy({ restrictedToUnits, otherFilters: true, timeliness: 'step_overdue' })).toBe(
        'open steps overdue sorted',
      );
    }
    // A received period still decides first.
    expect(
      chooseListStrategy({
        restrictedToUnits: true,
        otherFilters: true,
        timeliness: 'step_overdue',
        ...month,
      }),
    ).toBe('unit received in three parts');
  });
});
