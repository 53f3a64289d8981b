/**
 * The end-of-run check of `npm run fuzz` (bench/fuzz-store.ts): every row that appeared, disappeared or changed
 * must be explained by a 2xx answer of the run.
 */
import { describe, expect, it } from 'vitest';
import { emptyAnswered, unexplained, type Snapshot } from '../bench/fuzz-store.js';

function snapshotOf(parts: Partial<Snapshot> = {}): Snapshot {
  return {
    dossiers: new Set(['D1']),
    units: new Set(['U1']),
    procedures: new Set(['P1']),
    apiKeys: new Map([['K1', false]]),
    webhooks: new Map([['W1', false]]),
    calendarDays: new Map([['2026-09-02', '(holiday,Quốc khánh,x)']]),
    ownEvents: new Map([['D1', 1]]),
    calendarEvents: new Map(),
    totals: {},
    ...parts,
  };
}

describe('the fuzz run store check', () => {
  it('finds nothing when every new row, revocation, calendar change and event has its 2xx', () => {
    const answered = emptyAnswered();
    answered.dossiers.add('D2');
    answered.dossierWrites.set('D2', 1).set('D1', 1);
    answered.revokedKeys.add('K1');
    answered.calendarPut.add('2026-09-03');
    const after = snapshotOf({
      dossiers: new Set(['D1', 'D2']),
      apiKeys: new Map([['K1', true]]),
      calendarDays: new Map([
        ['2026-09-02', '(holiday,Quốc khánh,x)'],
        ['2026-09-03', '(day_off,Nghỉ bù,x)'],
      ]),
      ownEvents: new Map([
        ['D1', 2],
        ['D2', 1],
      ]),
      calendarEvents: new Map([['D1 2026-09-03', 1]]),
    });
    expect(unexplained(snapshotOf(), after, answered)).toEqual([]);
  });

  it('names each row no 2xx explains, table by table', () => {
    const after = snapshotOf({
      dossiers: new Set(['D1', 'D9']),
      units: new Set(),
      apiKeys: new Map([['K1', true]]),
      webhooks: new Map([
        ['W1', true],
        ['W9', false],
      ]),
      calendarDays: new Map([['2026-09-02', '(day_off,Quốc khánh,x)']]),
      ownEvents: new Map([['D1', 2]]),
      calendarEvents: new Map([['D1 2026-09-05', 1]]),
    });
    expect(unexplained(snapshotOf(), after, emptyAnswered())).toEqual([
      'dossiers: 1 rows no 2xx create answered with: D9',
      'units: 1 rows removed: U1',
      'webhooks: 1 rows no 2xx create answered with: W9',
      'api_keys: 1 keys revoked without a 2xx DELETE: K1',
      'webhooks: 1 webhooks deleted without a 2xx DELETE: W1',
      'calendar_days: 1 dates set without a 2xx PUT: 2026-09-02',
      'dossier_events: 1 dossiers with more new events than 2xx intakes and actions: D1 (+1, 0 2xx)',
      'dossier_events: 1 due_changed events for a date no 2xx calendar edit named: D1 2026-09-05',
    ]);
  });
});
