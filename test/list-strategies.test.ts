import { describe, expect, it } from 'vitest';
import { chooseListStrategy, MAX_DAYS_BY_DAY, MAX_UNITS_IN_PARTS } from '../src/dossiers/list-strategies.js';
import { addDays } from '../src/domain/local-time.js';
import { chooseNameRead } from '../src/dossiers/name-search.js';

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

  it("fetches a unit's overdue dossiers through the status-due indexes, the province's through the open dossiers' due index or their newest, and walks the newest for the rest", () => {
    expect(chooseListStrategy({ restrictedToUnits: true, otherFilters: true, timeliness: 'overdue' })).toBe(
      'unit overdue through status-due indexes',
    );
    expect(chooseListStrategy({ restrictedToUnits: false, otherFilters: true, timeliness: 'overdue' })).toBe(
      'open overdue sorted',
    );
    // Nothing but the timeliness: the pending dossiers walked newest first, the due checked in their index.
    expect(
      chooseListStrategy({
        restrictedToUnits: false,
        otherFilters: true,
        timeliness: 'overdue',
        timelinessAlone: true,
      }),
    ).toBe('open overdue newest first');
    // A unit's, alone too: its status-due indexes.
    expect(
      chooseListStrategy({
        restrictedToUnits: true,
        otherFilters: true,
        timeliness: 'overdue',
        timelinessAlone: true,
      }),
    ).toBe('unit overdue through status-due indexes');
    // An officer's or an open step's overdue: walked along their own newest-first index.
    expect(
      chooseListStrategy({
        restrictedToUnits: false,
        otherFilters: true,
        timeliness: 'overdue',
        holderOrStep: true,
      }),
    ).toBe('newest first');
    expect(chooseListStrategy({ restrictedToUnits: true, otherFilters: true, timeliness: 'due_soon' })).toBe(
      'newest first',
    );
    expect(chooseListStrategy({ restrictedToUnits: false, otherFilters: false })).toBe('newest first');
  });

  it("reads a few units' newest dossiers unit by unit when nothing else is filtered, and walks a large scope's", () => {
    for (const unitCount of [1, MAX_UNITS_IN_PARTS]) {
      expect(chooseListStrategy({ restrictedToUnits: true, unitCount, otherFilters: false })).toBe(
        'unit newest in three parts',
      );
    }
    expect(
      chooseListStrategy({ restrictedToUnits: true, unitCount: MAX_UNITS_IN_PARTS + 1, otherFilters: false }),
    ).toBe('newest first');
    // Another filter (a status, a procedure, an identifier): its own index, weighed by the planner against the walk.
    expect(chooseListStrategy({ restrictedToUnits: true, unitCount: 1, otherFilters: true })).toBe(
      'newest first',
    );
    // Pending statuses alone (received, processing: the clerks' queue): their own three parts.
    for (const unitCount of [1, MAX_UNITS_IN_PARTS]) {
      expect(
        chooseListStrategy({
          restrictedToUnits: true,
          unitCount,
          otherFilters: true,
          pendingStatusesAlone: true,
        }),
      ).toBe('unit pending in three parts');
    }
    expect(
      chooseListStrategy({
        restrictedToUnits: true,
        unitCount: MAX_UNITS_IN_PARTS + 1,
        otherFilters: true,
        pendingStatusesAlone: true,
      }),
    ).toBe('newest first');
    // A received period: its own three parts.
    expect(chooseListStrategy({ restrictedToUnits: true, unitCount: 1, otherFilters: false, ...month })).toBe(
      'unit received in three parts',
    );
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

describe('the name search chooses how to read on past its window', () => {
  // Shares as the window of the newest 1,000 rows shows them, at 5 M dossiers.
  const at5M = { need: 50, upper: 5_000_000, m: 0, filtersHidden: false };

  it('reads on along the ids when the name is common wherever the filters keep most rows', () => {
    const province = { ...at5M, f: 1, d: 0.04, r: 0.04, filtersHidden: true };
    expect(chooseNameRead(province)).toEqual({ read: 'ids newest first', fetchLeads: true });
  });

  it("reads one unit's own dossiers newest first when the name is common there", () => {
    // A given name alone, in one name of seven and inside a word of one in five, in a commune of 50,000 (1 %).
    const commune = { ...at5M, f: 0.01, d: 0.15, m: 0.2, r: 0.01 * 0.15 };
    expect(chooseNameRead({ ...commune, oneUnit: true }).read).toBe('one unit newest first');
    // Not with other filters beside the unit (their rows are not read in that order).
    expect(chooseNameRead(commune).read).not.toBe('one unit newest first');
  });

  it("reads one unit's own name keys when the name is rarer there, however small the unit looked", () => {
    // "Minh Long": 13 in the window, the commune's dossiers 1 (it holds 41,000 of the 5 M): its 437 matches lie
    // in its newest 4,988 rows, and its keys lead to them alone.
    const commune = { ...at5M, f: 0.001, d: 0.013, r: 0.001 * 0.013, oneUnit: true };
    expect(chooseNameRead(commune).read).toBe('one unit by its keys');
    // 500 dossiers of 5 M, and a name the window did not see.
    const small = { ...at5M, f: 0.0001, d: 0.001, r: 0.0001 * 0.001, oneUnit: true };
    expect(chooseNameRead(small).read).toBe('one unit by its keys');
    // A full name the window did not see, in a commune of 100,000: its keys, not the province's.
    const fullName = { ...at5M, f: 0.02, d: 0.001, r: 0.02 * 0.001, oneUnit: true };
    expect(chooseNameRead(fullName).read).toBe('one unit by its keys');
    // Not in a department of 90,000 of which a third another unit received: those are read newest first beside
    // its keys, tens of thousands of rows for a rare name; the keys of the blocks cost less.
    const department = { ...fullName, f: 0.018, elsewhere: 0.006, r: 0.018 * 0.001 };
    expect(chooseNameRead(department)).toEqual({ read: 'name keys', fetchLeads: true });
    // With few of them, its own keys again.
    expect(chooseNameRead({ ...department, elsewhere: 0.001 }).read).toBe('one unit by its keys');
  });

  it('reads the name keys for a name the window did not see, fetching the rows they lead to', () => {
    // Filters beside a unit (a status, a procedure): the keys of the blocks, the rows fetched and checked.
    const fullName = { ...at5M, f: 0.02, d: 0.001, r: 0.02 * 0.001 };
    expect(chooseNameRead(fullName)).toEqual({ read: 'name keys', fetchLeads: true });
    // When the keys lead to more rows than the filters keep entries in their blocks: the filters' entries
    // intersected with the keys.
    const common = { ...at5M, f: 0.02, d: 0.004, m: 0.001, r: 0.02 * 0.004 };
    expect(chooseNameRead(common)).toEqual({ read: 'name keys', fetchLeads: false });
  });

  it('fetches and sorts the rows of filters that keep few, when the name is frequent among them', () => {
    const fewRows = { ...at5M, f: 0.001, d: 0.2, r: 0.001 * 0.2 };
    expect(chooseNameRead(fewRows).read).toBe('filters sorted');
  });
});
