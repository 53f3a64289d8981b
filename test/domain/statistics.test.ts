import { describe, expect, it } from 'vitest';
import {
  addTallies,
  attributedUnit,
  emptyStepTally,
  emptyTally,
  NO_OFFICER,
  ratesOf,
  referenceGroups,
  referenceStepGroups,
  referenceTally as tally,
  stepDueAt,
  stepTallyOf,
  type Attribution,
  type DossierFacts,
  type StepRunFacts,
} from '../../src/domain/statistics.js';

const t = (s: string) => new Date(s);

function dossier(overrides: Partial<DossierFacts>): DossierFacts {
  return {
    channel: 'direct',
    status: 'received',
    receivedAt: t('2024-03-01T08:00:00+07:00'),
    resolvedAt: null,
    finishedAt: null,
    outcome: null,
    dues: [{ effectiveAt: t('2024-03-01T08:00:00+07:00'), dueAt: t('2024-03-05T17:00:00+07:00') }],
    pauses: [],
    ...overrides,
  };
}

const resolved = (
  at: string,
  outcome: 'early' | 'on_time' | 'overdue',
  received = '2024-03-01T08:00:00+07:00',
) => dossier({ status: 'resolved', receivedAt: t(received), resolvedAt: t(at), finishedAt: t(at), outcome });

describe('II.06a columns', () => {
  it('carried over: received before A and not finished before A', () => {
    const facts = [
      dossier({ receivedAt: t('2024-02-20T08:00:00+07:00') }),
      resolved('2024-02-28T10:00:00+07:00', 'early', '2024-02-20T08:00:00+07:00'),
      resolved('2024-03-02T10:00:00+07:00', 'early', '2024-02-20T08:00:00+07:00'),
    ];
    const r = tally(facts, '2024-03-01', '2024-03-31', 'day');
    expect(r.received).toMatchObject({ carriedOver: 2, new: 0, total: 2 });
  });

  it('new by channel: received in [A, B]', () => {
    const facts = [
      dossier({ channel: 'online' }),
      dossier({ channel: 'postal' }),
      dossier({ channel: 'direct', receivedAt: t('2024-03-31T23:59:00+07:00') }),
      dossier({ channel: 'direct', receivedAt: t('2024-04-01T00:00:00+07:00') }),
    ];
    expect(tally(facts, '2024-03-01', '2024-03-31', 'day').received).toEqual({
      total: 3,
      carriedOver: 0,
      new: 3,
      online: 1,
      direct: 1,
      postal: 1,
    });
  });

  it('resolved, withdrawn, stopped: finished that way inside the period (by local date)', () => {
    const facts = [
      resolved('2024-03-02T10:00:00+07:00', 'early'),
      resolved('2024-03-05T16:00:00+07:00', 'on_time'),
      resolved('2024-03-20T10:00:00+07:00', 'overdue'),
      dossier({
        status: 'returned',
        resolvedAt: t('2024-03-03T10:00:00+07:00'),
        finishedAt: t('2024-03-03T10:00:00+07:00'),
        outcome: 'early',
      }),
      dossier({ status: 'withdrawn', finishedAt: t('2024-03-04T10:00:00+07:00') }),
      dossier({ status: 'stopped', finishedAt: t('2024-03-04T10:00:00+07:00') }),
      resolved('2024-04-01T00:30:00+07:00', 'overdue'),
    ];
    const r = tally(facts, '2024-03-01', '2024-03-31', 'day');
    expect(r.resolved).toEqual({ total: 4, early: 2, onTime: 1, overdue: 1 });
    expect([r.withdrawn, r.stopped]).toEqual([1, 1]);
    expect(r.pending.total).toBe(1);
  });

  it('pending is judged at the end of B with the due in force then, and paused is not yet due', () => {
    const facts = [
      // due 5/3, still open: overdue at the end of March
      dossier({}),
      // its due moved to 10/4 on 4/3 (a restart): not yet due at the end of March
      dossier({
        dues: [
          { effectiveAt: t('2024-03-01T08:00:00+07:00'), dueAt: t('2024-03-05T17:00:00+07:00') },
          { effectiveAt: t('2024-03-04T08:00:00+07:00'), dueAt: t('2024-04-10T17:00:00+07:00') },
        ],
      }),
      // the due moved only after the period: judged with the old due → overdue
      dossier({
        dues: [
          { effectiveAt: t('2024-03-01T08:00:00+07:00'), dueAt: t('2024-03-05T17:00:00+07:00') },
          { effectiveAt: t('2024-04-02T08:00:00+07:00'), dueAt: t('2024-04-20T17:00:00+07:00') },
        ],
      }),
      // paused at the end of March: not yet due
      dossier({
        pauses: [{ pausedAt: t('2024-03-04T08:00:00+07:00'), resumedAt: t('2024-04-03T08:00:00+07:00') }],
      }),
      // resolved after the period: pending at its end
      resolved('2024-04-02T10:00:00+07:00', 'overdue'),
    ];
    expect(tally(facts, '2024-03-01', '2024-03-31', 'day').pending).toEqual({
      total: 5,
      notYetDue: 2,
      overdue: 3,
    });
  });

  it('day granularity: due on the last day of the period is not yet overdue at its end; instant: it is', () => {
    const facts = [
      dossier({
        dues: [{ effectiveAt: t('2024-03-01T08:00:00+07:00'), dueAt: t('2024-03-31T11:00:00+07:00') }],
      }),
    ];
    expect(tally(facts, '2024-03-01', '2024-03-31', 'day').pending.overdue).toBe(0);
    expect(tally(facts, '2024-03-01', '2024-03-31', 'instant').pending.overdue).toBe(1);
  });

  it('rejected and never-accepted submissions are never counted', () => {
    const facts = [
      dossier({ status: 'rejected', receivedAt: null, finishedAt: t('2024-03-02T08:00:00+07:00') }),
      dossier({ status: 'submitted', receivedAt: null, dues: [] }),
      dossier({ status: 'withdrawn', receivedAt: null, finishedAt: t('2024-03-02T08:00:00+07:00') }),
    ];
    expect(tally(facts, '2024-03-01', '2024-03-31', 'day').received.total).toBe(0);
  });
});

describe('a period not yet ended is judged at the moment of the answer (asOf)', () => {
  const asOf = t('2024-03-12T10:00:00+07:00');
  const duesOn = (due: string) => [{ effectiveAt: t('2024-02-01T08:00:00+07:00'), dueAt: t(due) }];
  const identity = (r: ReturnType<typeof tally>) =>
    expect(r.received.total).toBe(r.resolved.total + r.withdrawn + r.stopped + r.pending.total);

  it('a dossier due next week is not yet due in this month’s figures, with either granularity', () => {
    const facts = [
      dossier({ receivedAt: t('2024-03-11T08:00:00+07:00'), dues: duesOn('2024-03-19T17:00:00+07:00') }),
      dossier({ receivedAt: t('2024-03-12T08:00:00+07:00'), dues: duesOn('2024-03-20T17:00:00+07:00') }),
    ];
    for (const granularity of ['day', 'instant'] as const) {
      expect(tally(facts, '2024-03-01', '2024-03-31', granularity, asOf).pending).toEqual({
        total: 2,
        notYetDue: 2,
        overdue: 0,
      });
    }
    // Once March has ended, they are overdue at its end.
    expect(tally(facts, '2024-03-01', '2024-03-31', 'day').pending.overdue).toBe(2);
    expect(
      tally(facts, '2024-03-01', '2024-03-31', 'day', t('2024-04-01T08:00:00+07:00')).pending.overdue,
    ).toBe(2);
  });

  it('a dossier overdue at asOf, its due before the end of the period, is overdue; paused it is not yet due', () => {
    const facts = [
      dossier({ dues: duesOn('2024-03-11T17:00:00+07:00') }),
      dossier({
        dues: duesOn('2024-03-11T17:00:00+07:00'),
        pauses: [{ pausedAt: t('2024-03-11T08:00:00+07:00'), resumedAt: null }],
      }),
    ];
    for (const granularity of ['day', 'instant'] as const) {
      expect(tally(facts, '2024-03-01', '2024-03-31', granularity, asOf).pending).toEqual({
        total: 2,
        notYetDue: 1,
        overdue: 1,
      });
    }
  });

  it('day granularity: due earlier today is not yet overdue at asOf; instant: it is', () => {
    const facts = [dossier({ dues: duesOn('2024-03-12T09:00:00+07:00') })];
    expect(tally(facts, '2024-03-01', '2024-03-31', 'day', asOf).pending.overdue).toBe(0);
    expect(tally(facts, '2024-03-01', '2024-03-31', 'instant', asOf).pending.overdue).toBe(1);
  });

  it('a period that has ended keeps the answer at its end', () => {
    const facts = [
      // not yet due at the end of February, overdue at asOf
      dossier({ receivedAt: t('2024-02-26T08:00:00+07:00'), dues: duesOn('2024-03-04T17:00:00+07:00') }),
      // overdue at the end of February, resolved since
      resolved('2024-03-05T10:00:00+07:00', 'overdue', '2024-02-20T08:00:00+07:00'),
    ];
    facts[1]!.dues = duesOn('2024-02-23T17:00:00+07:00');
    for (const granularity of ['day', 'instant'] as const) {
      const r = tally(facts, '2024-02-01', '2024-02-29', granularity, asOf);
      expect(r.pending).toEqual({ total: 2, notYetDue: 1, overdue: 1 });
      expect(r).toEqual(tally(facts, '2024-02-01', '2024-02-29', granularity));
    }
  });

  it('nothing after asOf counts: received later is left out, finished later is pending', () => {
    const facts = [
      dossier({ receivedAt: t('2024-03-12T11:00:00+07:00') }),
      resolved('2024-03-12T11:00:00+07:00', 'early'),
      dossier({ status: 'withdrawn', finishedAt: t('2024-03-13T08:00:00+07:00') }),
      resolved('2024-03-12T09:59:00+07:00', 'overdue'),
    ];
    const r = tally(facts, '2024-03-01', '2024-03-31', 'day', asOf);
    expect(r.received).toMatchObject({ total: 3, carriedOver: 0, new: 3 });
    expect(r.resolved).toEqual({ total: 1, early: 0, onTime: 0, overdue: 1 });
    expect(r.withdrawn).toBe(0);
    expect(r.pending).toEqual({ total: 2, notYetDue: 0, overdue: 2 });
    identity(r);
  });

  it('a period that begins after asOf carries over what is open at asOf, judged then', () => {
    const facts = [
      dossier({}),
      dossier({ dues: duesOn('2024-03-29T17:00:00+07:00') }),
      resolved('2024-03-10T10:00:00+07:00', 'early'),
      resolved('2024-04-02T10:00:00+07:00', 'early'),
    ];
    const r = tally(facts, '2024-04-01', '2024-04-30', 'day', asOf);
    expect(r.received).toMatchObject({ total: 3, carriedOver: 3, new: 0 });
    expect(r.resolved.total).toBe(0);
    expect(r.pending).toEqual({ total: 3, notYetDue: 1, overdue: 2 });
    identity(r);
  });
});

describe('the inspection article’s figures (docs/domain.md §9)', () => {
  it('gives 4,754 received, 4,487 resolved at 43.7 % early and 56.3 % on time, 262 not yet due', () => {
    const facts: DossierFacts[] = [];
    const times = (n: number, make: (i: number) => DossierFacts) => {
      for (let i = 0; i < n; i++) facts.push(make(i));
    };
    const inPeriod = '2024-03-01T08:00:00+07:00';
    times(356, () => resolved('2024-01-10T10:00:00+07:00', 'early', '2023-12-20T08:00:00+07:00'));
    times(1606, (i) => ({
      ...resolved('2024-03-03T10:00:00+07:00', 'early', inPeriod),
      channel: i < 1599 ? 'online' : 'direct',
    }));
    times(2525, () => ({ ...resolved('2024-03-05T10:00:00+07:00', 'on_time', inPeriod), channel: 'online' }));
    times(3, () =>
      dossier({ channel: 'online', status: 'withdrawn', finishedAt: t('2024-03-02T08:00:00+07:00') }),
    );
    times(2, () =>
      dossier({ channel: 'online', status: 'stopped', finishedAt: t('2024-03-02T08:00:00+07:00') }),
    );
    times(262, () =>
      dossier({
        channel: 'online',
        receivedAt: t('2024-06-28T08:00:00+07:00'),
        dues: [{ effectiveAt: t('2024-06-28T08:00:00+07:00'), dueAt: t('2024-07-05T17:00:00+07:00') }],
      }),
    );
    const r = tally(facts, '2024-01-01', '2024-06-30', 'day');
    expect(r.received).toEqual({
      total: 4754,
      carriedOver: 356,
      new: 4398,
      online: 4391,
      direct: 7,
      postal: 0,
    });
    expect(r.resolved).toEqual({ total: 4487, early: 1962, onTime: 2525, overdue: 0 });
    expect(r.pending).toEqual({ total: 262, notYetDue: 262, overdue: 0 });
    expect(r.withdrawn + r.stopped).toBe(5);
    expect(r.received.total).toBe(r.resolved.total + r.withdrawn + r.stopped + r.pending.total);
    expect(ratesOf(r)).toEqual({ onTime: 100, early: 43.7, onDueDate: 56.3, online: 99.8 });
  });
});

describe('attribution', () => {
  // A provincial centre receives for a department outside its subtree; a commune resolves what it receives.
  const centre = 'C';
  const department = 'S';
  const commune = 'X';
  const facts = [
    { unitCode: centre, resolvingUnitCode: department, facts: dossier({}) },
    {
      unitCode: centre,
      resolvingUnitCode: department,
      facts: resolved('2024-03-04T10:00:00+07:00', 'early'),
    },
    { unitCode: commune, resolvingUnitCode: commune, facts: dossier({ channel: 'online' }) },
  ];
  const q = { from: '2024-03-01', to: '2024-03-31', granularity: 'day' as const };

  it('a dossier counts for its resolving unit by default, for its receiving unit in the counter’s view', () => {
    expect(attributedUnit(facts[0]!, 'resolving')).toBe(department);
    expect(attributedUnit(facts[0]!, 'receiving')).toBe(centre);
    const byUnit = (attribution: Attribution, counted: (unit: string) => boolean) =>
      referenceGroups(facts, { ...q, attribution }, counted, (_, unit) => unit);
    const everywhere = () => true;
    expect([...byUnit('resolving', everywhere).keys()].sort()).toEqual([department, commune].sort());
    expect([...byUnit('receiving', everywhere).keys()].sort()).toEqual([centre, commune].sort());
    // The centre's own figures hold what it resolves, not what it receives for the department.
    expect(byUnit('resolving', (u) => u === centre).size).toBe(0);
    const counter = byUnit('receiving', (u) => u === centre).get(centre)!;
    expect(counter.received.total).toBe(2);
    expect(counter.resolved.early).toBe(1);
    expect(byUnit('resolving', (u) => u === department).get(department)).toEqual(counter);
    // A dossier resolved where it was received counts the same either way.
    expect(byUnit('resolving', (u) => u === commune)).toEqual(byUnit('receiving', (u) => u === commune));
  });

  it('every attribution partitions the same dossiers: the totals and the identity agree', () => {
    for (const attribution of ['resolving', 'receiving'] as const) {
      const groups = referenceGroups(
        facts,
        { ...q, attribution },
        () => true,
        (_, unit) => unit,
      );
      const t = [...groups.values()].reduce(addTallies, emptyTally());
      expect(t).toEqual(
        tally(
          facts.map((x) => x.facts),
          q.from,
          q.to,
          q.granularity,
        ),
      );
      for (const g of [...groups.values(), t])
        expect(g.received.total).toBe(g.resolved.total + g.withdrawn + g.stopped + g.pending.total);
    }
  });
});

describe('step figures (who is late)', () => {
  const run = (overrides: Partial<StepRunFacts>): StepRunFacts => ({
    officerCode: 'CB.01',
    stepCode: 'tham-dinh',
    startAt: t('2024-03-04T08:00:00+07:00'),
    dueAt: t('2024-03-06T17:00:00+07:00'),
    endAt: null,
    outcome: null,
    pauses: [],
    ...overrides,
  });
  const march = (s: StepRunFacts, asOf?: Date, granularity: 'day' | 'instant' = 'day') =>
    stepTallyOf(s, '2024-03-01', '2024-03-31', granularity, asOf);

  it('a step run ended in the period counts by its outcome: early, on time, overdue', () => {
    const ended = (outcome: 'early' | 'on_time' | 'overdue') =>
      run({ endAt: t('2024-03-05T10:00:00+07:00'), outcome });
    expect(march(ended('early'))).toEqual({ early: 1, onTime: 0, overdue: 0, openOverdue: 0 });
    expect(march(ended('on_time'))).toEqual({ early: 0, onTime: 1, overdue: 0, openOverdue: 0 });
    expect(march(ended('overdue'))).toEqual({ early: 0, onTime: 0, overdue: 1, openOverdue: 0 });
    // Ended before the period, or after T: not an ended step of the period.
    const before = run({ startAt: t('2024-02-26T08:00:00+07:00'), endAt: t('2024-02-28T10:00:00+07:00') });
    expect(march({ ...before, outcome: 'early' })).toEqual(emptyStepTally());
    expect(march(ended('early'), t('2024-03-05T09:00:00+07:00'))).toEqual(emptyStepTally());
  });

  it('a step run open at T past its due is open overdue (same rule as pending overdue)', () => {
    // Due 6/3: overdue from 7/3 with day granularity; at T = the end of March it is.
    expect(march(run({}))).toEqual({ early: 0, onTime: 0, overdue: 0, openOverdue: 1 });
    // On its due date, after the due instant: overdue only with the instant granularity.
    const dueDay = t('2024-03-06T17:30:00+07:00');
    expect(march(run({}), dueDay).openOverdue).toBe(0);
    expect(march(run({}), dueDay, 'instant').openOverdue).toBe(1);
    // Ended after T: open at T.
    const later = run({ endAt: t('2024-04-02T10:00:00+07:00'), outcome: 'overdue' });
    expect(march(later)).toEqual({ early: 0, onTime: 0, overdue: 0, openOverdue: 1 });
    // Not started by T.
    expect(march(run({}), t('2024-03-04T07:00:00+07:00'))).toEqual(emptyStepTally());
  });

  it('a paused dossier’s step is not overdue; a later pause does not move the due in force at T', () => {
    const paused = run({ pauses: [{ from: t('2024-03-05T09:00:00+07:00'), to: null }] });
    expect(march(paused).openOverdue).toBe(0);
    // Paused from 10/3 to 20/3: the resume moved its due from 6/3 to 14/3. At 8/3 it was due 6/3: overdue then.
    const resumed = run({
      dueAt: t('2024-03-14T17:00:00+07:00'),
      pauses: [
        {
          from: t('2024-03-10T09:00:00+07:00'),
          to: t('2024-03-20T09:00:00+07:00'),
          dueBefore: t('2024-03-06T17:00:00+07:00'),
        },
      ],
    });
    const at8 = t('2024-03-08T10:00:00+07:00');
    expect(stepDueAt(resumed, at8)).toEqual(t('2024-03-06T17:00:00+07:00'));
    expect(march(resumed, at8).openOverdue).toBe(1);
    expect(march(resumed, t('2024-03-12T10:00:00+07:00')).openOverdue).toBe(0); // paused
    expect(march(resumed, t('2024-03-21T10:00:00+07:00')).openOverdue).toBe(1); // resumed: its due now, 14/3, is past
    expect(march(resumed).openOverdue).toBe(1);
  });

  it('grouped by officer (nobody named: NO_OFFICER) and by step; dossiers without step runs count nothing', () => {
    const base = { unitCode: 'A', resolvingUnitCode: 'B', facts: dossier({}) };
    const all = [
      { ...base, steps: [run({}), run({ officerCode: null, stepCode: 'phe-duyet' })] },
      { ...base, steps: [] },
      { ...base, unitCode: 'B', resolvingUnitCode: 'C', steps: [run({})] },
    ];
    const q = {
      from: '2024-03-01',
      to: '2024-03-31',
      granularity: 'day' as const,
      attribution: 'resolving' as const,
    };
    const byOfficer = referenceStepGroups(
      all,
      q,
      (u) => u === 'B',
      (_x, _u, s) => s.officerCode ?? NO_OFFICER,
    );
    expect([...byOfficer]).toEqual([
      ['CB.01', { early: 0, onTime: 0, overdue: 0, openOverdue: 1 }],
      [NO_OFFICER, { early: 0, onTime: 0, overdue: 0, openOverdue: 1 }],
    ]);
    const receiving = referenceStepGroups(
      all,
      { ...q, attribution: 'receiving' },
      (u) => u === 'B',
      (_x, _u, s) => s.stepCode,
    );
    expect([...receiving]).toEqual([['tham-dinh', { early: 0, onTime: 0, overdue: 0, openOverdue: 1 }]]);
  });
});
