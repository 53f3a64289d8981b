/**
 * The internal process and the step clock (src/domain/steps.ts): one example per rule on the real calendar,
 * then properties over random handover and pause histories on a small synthetic calendar, checked against a
 * minute-by-minute oracle that shares nothing with the working-time tables.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allotmentMinutes,
  applyStepEvent,
  clockSteps,
  hasStep,
  implicitProcess,
  openStep,
  openStepOverdueAt,
  processExcess,
  recomputeOpenStep,
  replaySteps,
  startSteps,
  statutoryWorkingMinutes,
  type ClockStep,
  type ProcessStep,
  type StepClock,
  type StepEvent,
  type StepState,
} from '../../src/domain/steps.js';
import { computeStartAndDue } from '../../src/domain/deadlines.js';
import type { Granularity } from '../../src/domain/timeliness.js';
import {
  addWorkingMinutes,
  buildCalendar,
  parseWorkingHours,
  workingMinutesBetween,
  type CalendarOverrideInput,
} from '../../src/domain/working-time.js';
import { local, overrides2024To2026, vnCalendar as cal } from './fixtures.js';

const at = (s: string) => new Date(`${s}+07:00`);

const process: ProcessStep[] = [
  { code: 'tiep-nhan', name: 'Tiếp nhận, chuyển hồ sơ', allotment: { value: 4, unit: 'hours' } },
  {
    code: 'tham-dinh',
    name: 'Thẩm định',
    allotment: { value: 1, unit: 'days' },
    onlineAllotment: { value: 0.5, unit: 'days' },
  },
  { code: 'phe-duyet', name: 'Phê duyệt', allotment: { value: 0.5, unit: 'days' } },
];

function clockOf(granularity: Granularity = 'day', channel: 'direct' | 'online' = 'direct'): StepClock {
  return { calendar: cal, granularity, steps: clockSteps(process, channel, cal.dayLength) };
}

const start = { at: at('2025-03-03T08:00:00'), unit: '000.17.22.H56', officer: 'CB01' };
const handover = (
  when: string,
  extra: Partial<Extract<StepEvent, { kind: 'handover' }>> = {},
): StepEvent => ({
  kind: 'handover',
  at: at(when),
  fromUnit: '000.17.22.H56',
  toUnit: '000.17.22.H56',
  ...extra,
});
const pause = (when: string): StepEvent => ({ kind: 'pause', at: at(when) });
const resume = (when: string): StepEvent => ({ kind: 'resume', at: at(when) });
const finish = (when: string): StepEvent => ({ kind: 'finish', at: at(when) });

const view = (state: StepState) =>
  state.rows.map((r) => ({
    seq: r.seq,
    step: r.stepCode,
    start: local(r.startAt),
    due: local(r.dueAt),
    end: r.endAt && local(r.endAt),
    outcome: r.outcome,
  }));

describe('the internal process', () => {
  it('an allotment converts to working minutes as the due does: hours to minutes, days to working days', () => {
    expect(allotmentMinutes({ value: 4, unit: 'hours' }, 480)).toBe(240);
    expect(allotmentMinutes({ value: 1.5, unit: 'hours' }, 480)).toBe(90);
    expect(allotmentMinutes({ value: 2.5, unit: 'days' }, 480)).toBe(1200);
    expect(allotmentMinutes({ value: 1, unit: 'days' }, 420)).toBe(420);
  });

  it('the statutory time in working minutes: a calendar day and "the same day" count one working day', () => {
    expect(statutoryWorkingMinutes({ value: 3, unit: 'working_days' }, 480)).toBe(1440);
    expect(statutoryWorkingMinutes({ value: 8, unit: 'working_hours' }, 480)).toBe(480);
    expect(statutoryWorkingMinutes({ value: 15, unit: 'calendar_days' }, 480)).toBe(15 * 480);
    expect(statutoryWorkingMinutes({ value: 0, unit: 'working_days' }, 480)).toBe(480);
    expect(statutoryWorkingMinutes({ value: 0, unit: 'calendar_days' }, 420)).toBe(420);
  });

  it('a procedure without a process has one implicit step holding its whole statutory and online time', () => {
    expect(
      implicitProcess({
        durationValue: 3,
        durationUnit: 'working_days',
        onlineDurationValue: 12,
        onlineDurationUnit: 'working_hours',
      }),
    ).toEqual([
      {
        code: 'xu-ly',
        name: 'Giải quyết hồ sơ',
        allotment: { value: 3, unit: 'days' },
        onlineAllotment: { value: 12, unit: 'hours' },
      },
    ]);
    const [same] = implicitProcess({
      durationValue: 0,
      durationUnit: 'working_days',
      onlineDurationValue: null,
      onlineDurationUnit: null,
    });
    expect(same).toMatchObject({ allotment: { value: 1, unit: 'days' }, onlineAllotment: null });
    // Working hours the due rounds to 0 minutes are "the same day" too, as statutoryWorkingMinutes counts them.
    const [tiny] = implicitProcess({
      durationValue: 1e-12,
      durationUnit: 'working_hours',
      onlineDurationValue: 1e-12,
      onlineDurationUnit: 'working_hours',
    });
    expect(tiny).toMatchObject({
      allotment: { value: 1, unit: 'days' },
      onlineAllotment: { value: 1, unit: 'days' },
    });
    expect(statutoryWorkingMinutes({ value: 1e-12, unit: 'working_hours' }, 480)).toBe(480);
  });

  it('the allotments may not exceed the statutory time; online allotments not the online time', () => {
    const terms = (value: number, online: number | null) => ({
      durationValue: value,
      durationUnit: 'working_days' as const,
      onlineDurationValue: online,
      onlineDurationUnit: online === null ? null : ('working_days' as const),
    });
    // 4 h + 1 day + 0.5 day = 1.5 + … = 960 working minutes; online 4 h + 0.5 + 0.5 = 720.
    expect(processExcess(process, terms(2, null), 480)).toBeNull();
    expect(processExcess(process, terms(1.5, null), 480)).toEqual({
      time: 'statutory',
      allottedMinutes: 960,
      allowedMinutes: 720,
    });
    expect(processExcess(process, terms(2, 1.5), 480)).toBeNull();
    expect(processExcess(process, terms(2, 1), 480)).toEqual({
      time: 'online',
      allottedMinutes: 720,
      allowedMinutes: 480,
    });
  });

  it('in working time, the implicit step of a working-hours or working-days procedure is due with the dossier', () => {
    const duration = fc.oneof(
      fc.integer({ min: 1, max: 40 }).map((h) => ({ value: h / 2, unit: 'working_days' as const })),
      fc.integer({ min: 1, max: 200 }).map((q) => ({ value: q / 4, unit: 'working_hours' as const })),
    );
    const received = fc
      .integer({
        min: at('2024-01-02T00:00:00').getTime() / 1000,
        max: at('2026-11-30T00:00:00').getTime() / 1000,
      })
      .map((sec) => new Date(sec * 1000));
    fc.assert(
      fc.property(duration, received, (d, when) => {
        const { startAt, dueAt } = computeStartAndDue(cal, when, d);
        expect(workingMinutesBetween(cal, startAt, dueAt)).toBe(statutoryWorkingMinutes(d, cal.dayLength));
        const terms = {
          durationValue: d.value,
          durationUnit: d.unit,
          onlineDurationValue: null,
          onlineDurationUnit: null,
        };
        const clock = {
          calendar: cal,
          granularity: 'day' as const,
          steps: clockSteps(implicitProcess(terms), 'direct', cal.dayLength),
        };
        expect(startSteps(clock, { at: startAt, unit: 'U' }).rows[0]!.dueAt).toEqual(dueAt);
      }),
      { numRuns: 500 },
    );
  });

  it('an online dossier runs each step on its online allotment where the step has one', () => {
    expect(clockSteps(process, 'online', 480).map((s) => s.minutes)).toEqual([240, 240, 240]);
    expect(clockSteps(process, 'postal', 480).map((s) => s.minutes)).toEqual([240, 480, 240]);
  });
});

describe('the step clock', () => {
  it('step 1 starts at the start instant, held by the receiving unit, due after its allotment in working time', () => {
    const state = startSteps(clockOf(), start);
    expect(view(state)).toEqual([
      {
        seq: 1,
        step: 'tiep-nhan',
        start: '2025-03-03T08:00:00+07:00',
        due: '2025-03-03T13:30:00+07:00', // 08:00–11:30 is 210 minutes, then 30 after the lunch break
        end: null,
        outcome: null,
      },
    ]);
    expect(state.rows[0]).toMatchObject({ unit: start.unit, toOfficer: 'CB01', fromOfficer: null });
  });

  it('a handover ends the current step at its instant and starts the next one in order', () => {
    const state = replaySteps(clockOf(), start, [
      handover('2025-03-03T10:00:00', {
        fromOfficer: 'CB01',
        toOfficer: 'CB02',
        toUnit: 'PHONG-TP',
        note: 'Chuyển',
      }),
    ]);
    expect(view(state)).toEqual([
      expect.objectContaining({ step: 'tiep-nhan', end: '2025-03-03T10:00:00+07:00', outcome: 'on_time' }),
      {
        seq: 2,
        step: 'tham-dinh',
        start: '2025-03-03T10:00:00+07:00',
        due: '2025-03-04T10:00:00+07:00', // one working day of 480 minutes
        end: null,
        outcome: null,
      },
    ]);
    expect(state.rows[1]).toMatchObject({
      fromOfficer: 'CB01',
      fromUnit: '000.17.22.H56',
      toOfficer: 'CB02',
      unit: 'PHONG-TP',
      note: 'Chuyển',
    });
  });

  it('a handover naming an earlier step sends the dossier back: that step starts again with its whole allotment', () => {
    const state = replaySteps(clockOf(), start, [
      handover('2025-03-03T10:00:00'),
      handover('2025-03-04T09:00:00', { toStepCode: 'tiep-nhan' }),
      handover('2025-03-04T10:00:00'),
    ]);
    expect(view(state).map((r) => [r.step, r.start, r.due])).toEqual([
      ['tiep-nhan', '2025-03-03T08:00:00+07:00', '2025-03-03T13:30:00+07:00'],
      ['tham-dinh', '2025-03-03T10:00:00+07:00', '2025-03-04T10:00:00+07:00'],
      ['tiep-nhan', '2025-03-04T09:00:00+07:00', '2025-03-04T14:30:00+07:00'],
      ['tham-dinh', '2025-03-04T10:00:00+07:00', '2025-03-05T10:00:00+07:00'],
    ]);
  });

  it('a handover without a named step after the last step starts the last step again', () => {
    const state = replaySteps(clockOf(), start, [
      handover('2025-03-03T09:00:00'),
      handover('2025-03-03T10:00:00'),
      handover('2025-03-03T11:00:00', { toOfficer: 'LD01' }),
    ]);
    expect(state.rows.map((r) => r.stepCode)).toEqual(['tiep-nhan', 'tham-dinh', 'phe-duyet', 'phe-duyet']);
    // Half a day (240 minutes) from 11:00: 30 before the lunch break, 210 after it.
    expect(local(state.rows[3]!.dueAt)).toBe('2025-03-03T16:30:00+07:00');
  });

  it('while paused no step clock runs: on resume the current step due moves later by the paused working time', () => {
    const paused = replaySteps(clockOf(), start, [
      handover('2025-03-03T10:00:00'),
      pause('2025-03-04T09:00:00'),
    ]);
    expect(local(openStep(paused)!.dueAt)).toBe('2025-03-04T10:00:00+07:00'); // unchanged while paused
    const resumed = applyStepEvent(paused, resume('2025-03-05T09:00:00'));
    // Paused from 09:00 on the 4th to 09:00 on the 5th: 480 working minutes.
    expect(openStep(resumed)).toMatchObject({ pausedMinutes: 480 });
    expect(local(openStep(resumed)!.dueAt)).toBe('2025-03-05T10:00:00+07:00');
    // Closed steps are not touched.
    expect(resumed.rows[0]).toEqual(paused.rows[0]);
  });

  it('a pause after the step is already late still moves its due: the paused time is not the step’s', () => {
    const state = replaySteps(clockOf(), start, [
      pause('2025-03-04T08:00:00'),
      resume('2025-03-04T09:00:00'),
    ]);
    expect(local(openStep(state)!.dueAt)).toBe('2025-03-03T14:30:00+07:00');
  });

  it('a handover while paused ends the step with the pause so far and starts the next one paused', () => {
    const state = replaySteps(clockOf(), start, [
      pause('2025-03-03T09:00:00'),
      handover('2025-03-03T10:00:00'),
      resume('2025-03-03T11:00:00'),
    ]);
    expect(state.rows[0]).toMatchObject({ pausedMinutes: 60, endAt: at('2025-03-03T10:00:00') });
    expect(local(state.rows[0]!.dueAt)).toBe('2025-03-03T14:30:00+07:00');
    // The next step's clock runs from the resume: 11:00 + 480 working minutes.
    expect(state.rows[1]).toMatchObject({ pausedMinutes: 60 });
    expect(local(state.rows[1]!.dueAt)).toBe('2025-03-04T11:00:00+07:00');
  });

  it('the finish ends the open step, also while paused', () => {
    const state = replaySteps(clockOf(), start, [
      handover('2025-03-03T10:00:00'),
      finish('2025-03-05T16:00:00'),
    ]);
    expect(view(state)[1]).toMatchObject({ end: '2025-03-05T16:00:00+07:00', outcome: 'overdue' });
    expect(openStep(state)).toBeNull();
    const paused = replaySteps(clockOf(), start, [
      pause('2025-03-03T09:00:00'),
      finish('2025-03-03T16:00:00'),
    ]);
    expect(paused.rows[0]).toMatchObject({
      pausedMinutes: 330,
      endAt: at('2025-03-03T16:00:00'),
      outcome: 'early',
    });
  });

  it('a step outcome is the dossier comparison rule on its end and its due (day and instant granularity)', () => {
    // Step 2 starts at 10:00 on the 3rd and is due 2025-03-04 10:00.
    const endedAt = (when: string, granularity: Granularity) =>
      replaySteps(clockOf(granularity), start, [handover('2025-03-03T10:00:00'), handover(when)]).rows[1]!
        .outcome;
    expect(endedAt('2025-03-03T16:00:00', 'day')).toBe('early');
    expect(endedAt('2025-03-04T11:00:00', 'day')).toBe('on_time');
    expect(endedAt('2025-03-04T11:00:00', 'instant')).toBe('overdue');
    expect(endedAt('2025-03-04T10:00:00', 'instant')).toBe('on_time');
    expect(endedAt('2025-03-05T07:30:00', 'day')).toBe('overdue');
  });

  it('the open step is overdue at T by the pending rule, never while paused, never once finished', () => {
    const running = startSteps(clockOf(), start); // due 2025-03-03 13:30
    expect(openStepOverdueAt(running, at('2025-03-03T16:00:00'))).toBe(false);
    expect(openStepOverdueAt(running, at('2025-03-04T07:00:00'))).toBe(true);
    expect(openStepOverdueAt(startSteps(clockOf('instant'), start), at('2025-03-03T13:31:00'))).toBe(true);
    const paused = applyStepEvent(running, pause('2025-03-03T13:00:00'));
    expect(openStepOverdueAt(paused, at('2025-03-05T07:00:00'))).toBe(false);
    const finished = applyStepEvent(running, finish('2025-03-03T13:00:00'));
    expect(openStepOverdueAt(finished, at('2025-03-05T07:00:00'))).toBe(false);
  });

  it('after a calendar change the open step due is counted again; finished steps keep theirs', () => {
    const state = replaySteps(clockOf(), start, [
      handover('2025-03-03T10:00:00'),
      pause('2025-03-03T14:00:00'),
      resume('2025-03-04T14:00:00'),
    ]);
    expect(local(openStep(state)!.dueAt)).toBe('2025-03-05T10:00:00+07:00');
    expect(recomputeOpenStep(state, cal)).toEqual(state);
    // 2025-03-04 becomes a holiday: the pause covered only 14:00–17:00 of the 3rd (180 minutes).
    const changed = buildCalendar({
      overrides: [...overrides2024To2026, { date: '2025-03-04', kind: 'holiday' }],
    });
    const recomputed = recomputeOpenStep(state, changed);
    expect(openStep(recomputed)).toMatchObject({ pausedMinutes: 180 });
    expect(local(openStep(recomputed)!.dueAt)).toBe('2025-03-05T14:30:00+07:00');
    expect(recomputed.rows[0]).toEqual(state.rows[0]);
  });

  it('an event before step 1 starts (received after hours, handed over at once) takes effect at the start', () => {
    // Received Friday 17:30: the clock starts Monday 07:30. Handed over, paused and resumed before that.
    const monday = { ...start, at: at('2025-03-03T07:30:00') };
    const state = replaySteps(clockOf(), monday, [
      handover('2025-02-28T17:40:00'),
      pause('2025-02-28T17:50:00'),
      resume('2025-03-03T08:30:00'),
    ]);
    // Step 1 (4 hours, due Monday 11:30) ends as it starts: on its due date.
    expect(state.rows[0]).toMatchObject({ endAt: monday.at, outcome: 'on_time' });
    expect(state.rows[1]).toMatchObject({ startAt: monday.at, pausedMinutes: 60 });
    // One working day from Monday 07:30, plus the hour paused.
    expect(local(state.rows[1]!.dueAt)).toBe('2025-03-04T08:30:00+07:00');
  });

  it('events out of order, a pause while paused, a resume while running, anything after the finish: RangeError', () => {
    const running = startSteps(clockOf(), start);
    const handed = applyStepEvent(running, handover('2025-03-03T10:00:00'));
    expect(() => applyStepEvent(handed, pause('2025-03-03T09:00:00'))).toThrow(RangeError);
    expect(() => applyStepEvent(running, resume('2025-03-03T09:00:00'))).toThrow(RangeError);
    const paused = applyStepEvent(running, pause('2025-03-03T09:00:00'));
    expect(() => applyStepEvent(paused, pause('2025-03-03T10:00:00'))).toThrow(RangeError);
    const finished = applyStepEvent(running, finish('2025-03-03T09:00:00'));
    expect(() => applyStepEvent(finished, handover('2025-03-03T10:00:00'))).toThrow(RangeError);
    expect(() => applyStepEvent(running, handover('2025-03-03T10:00:00', { toStepCode: 'khac' }))).toThrow(
      RangeError,
    );
    expect(hasStep(clockOf(), 'tham-dinh')).toBe(true);
    expect(hasStep(clockOf(), 'khac')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties on a small synthetic calendar

/** Two short intervals (210 minutes a day), a holiday, a day off and a worked Saturday in June 2025. */
const HOURS = '08:00-10:00,11:00-12:30';
const syntheticOverrides: CalendarOverrideInput[] = [
  { date: '2025-06-04', kind: 'holiday' },
  { date: '2025-06-07', kind: 'working_day' },
  { date: '2025-06-12', kind: 'day_off' },
  { date: '2025-06-21', kind: 'working_day' },
];
const synthetic = buildCalendar({ overrides: syntheticOverrides, workingHours: parseWorkingHours(HOURS) });
const FIRST = at('2025-06-02T00:00:00').getTime();
const MINUTE = 60_000;

// --- the oracle: its own working-minute rule, a minute-by-minute walk, its own step rules ------------------

const oracleIntervals = [
  [8 * 60, 10 * 60],
  [11 * 60, 12 * 60 + 30],
] as const;
const oracleOverrides = new Map(syntheticOverrides.map((o) => [o.date, o.kind]));

function localOf(ms: number) {
  const shifted = new Date(ms + 7 * 3_600_000);
  return {
    date: shifted.toISOString().slice(0, 10),
    minute: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
    weekday: shifted.getUTCDay(),
  };
}

/** Whether the minute starting at `ms` (a whole minute) is working time. */
function oracleWorking(ms: number): boolean {
  const { date, minute, weekday } = localOf(ms);
  const kind = oracleOverrides.get(date);
  const workingDay = kind ? kind === 'working_day' : weekday >= 1 && weekday <= 5;
  return workingDay && oracleIntervals.some(([s, e]) => minute >= s && minute < e);
}

const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

function oracleWorkingIn(fromMs: number, toMs: number): number {
  let n = 0;
  for (let m = floorMinute(fromMs); m < floorMinute(toMs); m += MINUTE) if (oracleWorking(m)) n++;
  return n;
}

/** The end of the minute in which the `total`-th working minute from `startMs` elapses. */
function oracleWalk(startMs: number, total: number): number {
  let count = 0;
  for (let m = floorMinute(startMs); ; m += MINUTE) {
    if (oracleWorking(m) && ++count === total) return m + MINUTE;
  }
}

interface OracleRow {
  code: string;
  start: number;
  end: number | null;
  spans: Array<[number, number]>;
  pauseFrom: number | null;
}

function oracleSteps(steps: ClockStep[], startMs: number, events: StepEvent[], granularity: Granularity) {
  let index = 0;
  let paused = false;
  const rows: OracleRow[] = [{ code: steps[0]!.code, start: startMs, end: null, spans: [], pauseFrom: null }];
  for (const e of events) {
    const t = e.at.getTime();
    const cur = rows[rows.length - 1]!;
    if (e.kind === 'pause') {
      paused = true;
      cur.pauseFrom = t;
    } else if (e.kind === 'resume') {
      paused = false;
      cur.spans.push([cur.pauseFrom!, t]);
      cur.pauseFrom = null;
    } else {
      if (paused) cur.spans.push([cur.pauseFrom!, t]);
      cur.end = t;
      if (e.kind === 'finish') break;
      index = e.toStepCode
        ? steps.findIndex((s) => s.code === e.toStepCode)
        : Math.min(index + 1, steps.length - 1);
      rows.push({ code: steps[index]!.code, start: t, end: null, spans: [], pauseFrom: paused ? t : null });
    }
  }
  return rows.map((r) => {
    const minutes = steps.find((s) => s.code === r.code)!.minutes;
    const pausedMinutes = r.spans.reduce((sum, [a, b]) => sum + oracleWorkingIn(a, b), 0);
    const due = oracleWalk(r.start, minutes + pausedMinutes);
    let outcome: string | null = null;
    if (r.end !== null) {
      const [endDate, dueDate] = [localOf(r.end).date, localOf(due).date];
      if (endDate < dueDate) outcome = 'early';
      else if (endDate > dueDate) outcome = 'overdue';
      else outcome = granularity === 'day' || r.end <= due ? 'on_time' : 'overdue';
    }
    return { stepCode: r.code, startAt: r.start, dueAt: due, endAt: r.end, outcome, pausedMinutes };
  });
}

// --- random processes and histories ------------------------------------------------------------------------

const stepsArb = fc
  .array(fc.integer({ min: 1, max: 450 }), { minLength: 1, maxLength: 5 })
  .map((minutes) => minutes.map((m, i) => ({ code: `B${i + 1}`, name: `Bước ${i + 1}`, minutes: m })));

/** A history: each entry a gap in seconds and what happens; pauses and resumes alternate by construction. */
const historyArb = (steps: ClockStep[]) =>
  fc.record({
    startOffset: fc.integer({ min: 0, max: 3 * 86_400 }),
    granularity: fc.constantFrom<Granularity>('day', 'instant'),
    moves: fc.array(
      fc.record({
        gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * 86_400 })),
        kind: fc.constantFrom('handover', 'handover', 'handover', 'toggle-pause'),
        target: fc.option(fc.constantFrom(...steps.map((s) => s.code)), { nil: undefined }),
      }),
      { maxLength: 12 },
    ),
    finishGap: fc.option(fc.integer({ min: 0, max: 2 * 86_400 }), { nil: undefined }),
  });

function buildEvents(history: {
  startOffset: number;
  moves: Array<{ gap: number; kind: string; target: string | undefined }>;
  finishGap: number | undefined;
}): { startAt: Date; events: StepEvent[] } {
  let t = FIRST + history.startOffset * 1000;
  const startAt = new Date(t);
  let paused = false;
  const events: StepEvent[] = [];
  for (const move of history.moves) {
    t += move.gap * 1000;
    const when = new Date(t);
    if (move.kind === 'toggle-pause') {
      events.push({ kind: paused ? 'resume' : 'pause', at: when });
      paused = !paused;
    } else {
      events.push({
        kind: 'handover',
        at: when,
        toStepCode: move.target,
        fromUnit: 'U1',
        toUnit: 'U2',
        fromOfficer: 'A',
        toOfficer: 'B',
      });
    }
  }
  if (history.finishGap !== undefined)
    events.push({ kind: 'finish', at: new Date(t + history.finishGap * 1000) });
  return { startAt, events };
}

const scenario = stepsArb.chain((steps) => historyArb(steps).map((history) => ({ steps, history })));

function run({
  steps,
  history,
}: {
  steps: ClockStep[];
  history: Parameters<typeof buildEvents>[0] & { granularity: Granularity };
}) {
  const { startAt, events } = buildEvents(history);
  const clock: StepClock = { calendar: synthetic, granularity: history.granularity, steps };
  const begin = { at: startAt, unit: 'U0' };
  return { clock, begin, events, startAt, state: replaySteps(clock, begin, events) };
}

const RUNS = { numRuns: 300 };

describe('step clock properties over random histories', () => {
  it('every due lies inside working time (a working minute or the end of an interval)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        for (const row of run(s).state.rows) {
          expect(row.dueAt.getUTCSeconds()).toBe(0);
          // The minute before the due is a working minute: the due ends it.
          expect(oracleWorking(row.dueAt.getTime() - MINUTE), local(row.dueAt)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('due − start in working minutes, less the paused working time, equals the allotment', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        for (const row of run(s).state.rows) {
          const paused = row.pauses.reduce(
            (sum, p) => sum + (p.to ? workingMinutesBetween(synthetic, p.from, p.to) : 0),
            0,
          );
          expect(row.pausedMinutes).toBe(paused);
          expect(workingMinutesBetween(synthetic, row.startAt, row.dueAt) - row.pausedMinutes).toBe(
            row.allotmentMinutes,
          );
        }
      }),
      RUNS,
    );
  });

  it('steps are contiguous: step 1 starts at the start, each step starts where the previous one ended', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { state, startAt, events } = run(s);
        const { rows } = state;
        expect(rows[0]!.startAt).toEqual(startAt);
        rows.forEach((row, i) => {
          expect(row.seq).toBe(i + 1);
          if (i > 0) expect(row.startAt).toEqual(rows[i - 1]!.endAt);
          if (i < rows.length - 1) expect(row.endAt).not.toBeNull();
        });
        const finished = events.at(-1)?.kind === 'finish';
        expect(openStep(state) === null).toBe(finished);
        expect(rows.length).toBe(1 + events.filter((e) => e.kind === 'handover').length);
      }),
      RUNS,
    );
  });

  it('a resume moves the open step’s due later by exactly the working time paused', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { clock, begin, events } = run(s);
        let state = startSteps(clock, begin);
        for (const event of events) {
          const before = state;
          state = applyStepEvent(state, event);
          if (event.kind !== 'resume') continue;
          const [was, now] = [openStep(before)!, openStep(state)!];
          const pausedFrom = was.pauses.at(-1)!.from;
          const paused = workingMinutesBetween(synthetic, pausedFrom, event.at);
          expect(workingMinutesBetween(synthetic, was.dueAt, now.dueAt)).toBe(paused);
          expect(now.dueAt).toEqual(addWorkingMinutes(synthetic, was.dueAt, paused));
        }
      }),
      RUNS,
    );
  });

  it('the incremental form (state stored and reloaded between events) and the replay agree', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (s, cut) => {
        const { clock, begin, events, state: replayed } = run(s);
        let state = startSteps(clock, begin);
        for (const event of events) {
          // As the wiring does: rows and pause read back from storage, the clock rebuilt.
          const stored = structuredClone({
            rows: state.rows,
            pausedAt: state.pausedAt,
            finishedAt: state.finishedAt,
            lastAt: state.lastAt,
          });
          state = applyStepEvent({ clock, ...stored }, event);
        }
        expect(state.rows).toEqual(replayed.rows);
        const k = events.length ? cut % (events.length + 1) : 0;
        const resumedFromPrefix = events
          .slice(k)
          .reduce(applyStepEvent, replaySteps(clock, begin, events.slice(0, k)));
        expect(resumedFromPrefix.rows).toEqual(replayed.rows);
      }),
      RUNS,
    );
  });

  it('a minute-by-minute oracle agrees: step codes, starts, ends, dues, paused time and outcomes', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { state, events, startAt } = run(s);
        const expected = oracleSteps(s.steps, startAt.getTime(), events, s.history.granularity);
        expect(
          state.rows.map((r) => ({
            stepCode: r.stepCode,
            startAt: r.startAt.getTime(),
            dueAt: r.dueAt.getTime(),
            endAt: r.endAt?.getTime() ?? null,
            outcome: r.outcome,
            pausedMinutes: r.pausedMinutes,
          })),
        ).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('after a calendar change the open step equals a replay on the new calendar; finished steps stay', () => {
    const changed = buildCalendar({
      overrides: [
        ...syntheticOverrides,
        { date: '2025-06-03', kind: 'holiday' },
        { date: '2025-06-14', kind: 'working_day' },
      ],
      workingHours: parseWorkingHours(HOURS),
    });
    fc.assert(
      fc.property(scenario, (s) => {
        const { clock, begin, events, state } = run(s);
        expect(recomputeOpenStep(state, synthetic)).toEqual(state);
        const recomputed = recomputeOpenStep(state, changed);
        const replayed = replaySteps({ ...clock, calendar: changed }, begin, events);
        expect(openStep(recomputed)).toEqual(openStep(replayed));
        const closed = (x: StepState) => x.rows.filter((r) => r.endAt !== null);
        expect(closed(recomputed)).toEqual(closed(state));
      }),
      RUNS,
    );
  });
});
