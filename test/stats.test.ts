import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { dossierDeadlines, dossiers } from '../src/db/schema/index.js';
import { periodDates } from '../src/domain/periods.js';
import {
  addStepTallies,
  addTallies,
  emptyStepTally,
  emptyTally,
  NO_OFFICER,
  type StepRunFacts,
  type Tally,
} from '../src/domain/statistics.js';
import { addDays } from '../src/domain/local-time.js';
import {
  bearer,
  createKey,
  createOfficer,
  createProcedure,
  createIsolatedDatabase,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';
import {
  emptyRow,
  expectPeriodNotEndedAnswers,
  factsOf,
  periodNotEndedScenario,
  periodsAround,
  prng,
  randomHistory,
  referenceGroups,
  subtreeOf,
} from './helpers/histories.js';
import { periodStatistics } from '../src/stats/direct.js';
import { overdueBeforeSql } from '../src/stats/rule.js';
import { overdueBefore } from '../src/domain/timeliness.js';
import { sql } from 'drizzle-orm';

let now = new Date('2025-01-02T08:00:00+07:00');
let ctx: TestContext;
// The maintained figures are global state a running worker elsewhere could touch: a database of its own.
let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
beforeAll(async () => {
  isolated = await createIsolatedDatabase();
  ctx = await createTestContext({ DATABASE_URL: isolated.url }, { clock: () => now, poolSize: 6 });
});
afterAll(async () => {
  await ctx.close();
  await isolated.drop();
});

describe('statistics equal the reference rule over random histories', () => {
  let history: Awaited<ReturnType<typeof randomHistory>>;
  /** Everything the history received or resolves, and the scopes the answers are compared for. */
  let all: Awaited<ReturnType<typeof factsOf>>;
  let scopes: Array<Awaited<ReturnType<typeof subtreeOf>>>;
  type Fact = (typeof all)[number];
  const attributions = ['resolving', 'receiving'] as const;

  it('every column, for many civil, official and explicit periods, grouped several ways, in both attributions', async () => {
    history = await randomHistory(ctx, { get: () => now, set: (d) => (now = d) }, 20250102, 260);
    const { province, communes, centre, departments, done } = history;
    const random = prng(7);
    expect(done).toBeGreaterThan(100);

    all = await factsOf(ctx, [...communes, centre, ...departments]);
    // The province, its centre (which receives for departments outside its subtree), a department of the
    // province and one of another province.
    scopes = await Promise.all([province.code, centre, ...departments].map((code) => subtreeOf(ctx, code)));
    const periods: Array<{ from: string; to: string }> = [];
    for (const reporting of ['civil', 'official'] as const) {
      for (const p of ['2025-01', '2025-02', '2025-03', '2025-Q1', '2025-H1', '2025-M9', '2025'])
        periods.push(periodDates(p, reporting)!);
    }
    for (let i = 0; i < 25; i++) {
      const from = addDays('2025-01-01', Math.floor(random() * 60));
      periods.push({ from, to: addDays(from, Math.floor(random() * 40)) });
    }
    const groupings: Array<[string, (x: Fact, unit: string) => string]> = [
      ['none', () => 'all'],
      ['unit', (_, unit) => unit],
      ['procedure', (x) => x.procedure],
      ['field', (x) => x.field],
      ['channel', (x) => x.facts.channel],
    ];
    let compared = 0;
    const seen = emptyTally();
    const differ = { province: 0, centre: 0 };
    for (const [s, scope] of scopes.entries()) {
      // The province every way; the other scopes by unit and in total, over the civil and official periods.
      const scopeGroupings = s === 0 ? groupings : groupings.slice(0, 2);
      for (const { from, to } of s === 0 ? periods : periods.slice(0, 14)) {
        for (const [groupBy, keyOf] of scopeGroupings) {
          const answers = new Map<string, Map<string, Tally>>();
          for (const attribution of attributions) {
            const query = `unitCode=${scope.code}&from=${from}&to=${to}&groupBy=${groupBy}`;
            const res = await ctx.app.inject({
              method: 'GET',
              // The default attribution is the resolving unit's.
              url: `/v1/stats?${query}${attribution === 'resolving' ? '' : `&attribution=${attribution}`}`,
              headers: bearer(ctx.adminKey),
            });
            expect(res.statusCode, res.body).toBe(200);
            const body = res.json();
            expect(body.attribution).toBe(attribution);
            const expected = referenceGroups(
              all,
              { from, to, granularity: 'day', asOf: now, attribution },
              scope.units,
              keyOf,
            );
            const served = new Map<string, Tally>(
              body.rows.map(
                (r: Tally & { key: string; rates: unknown; label: string; satisfaction: unknown }) => {
                  // Satisfaction has its own oracle (test/citizen-ratings.test.ts); no history here is rated.
                  const { key, rates: _rates, label: _label, satisfaction: _satisfaction, ...t } = r;
                  return [key, t];
                },
              ),
            );
            expect(served, `${scope.code} ${attribution} ${groupBy} ${from}..${to}`).toEqual(expected);
            answers.set(attribution, served);
            const totals = body.totals;
            if (s === 0 && groupBy === 'none') Object.assign(seen, addTallies(seen, totals));
            for (const t of [...body.rows, totals]) {
              expect(t.received.total).toBe(t.resolved.total + t.withdrawn + t.stopped + t.pending.total);
            }
            compared++;
          }
          const [resolving, receiving] = attributions.map((a) => JSON.stringify([...answers.get(a)!]));
          if (groupBy === 'none' && resolving !== receiving) {
            if (s === 0) differ.province++;
            if (s === 1) differ.centre++;
          }
        }
      }
    }
    expect(compared).toBe(2 * (periods.length * groupings.length + 3 * 14 * 2));
    // The histories reach every column, so the equality above is not vacuous.
    for (const n of [
      seen.received.carriedOver,
      seen.received.online,
      seen.received.direct,
      seen.received.postal,
      seen.resolved.early,
      seen.resolved.onTime,
      seen.resolved.overdue,
      seen.withdrawn,
      seen.stopped,
      seen.pending.notYetDue,
      seen.pending.overdue,
    ]) {
      expect(n).toBeGreaterThan(0);
    }
    // Nor is the attribution: the province loses what another province resolves, the centre what it receives
    // for departments.
    expect(differ.province).toBeGreaterThan(0);
    expect(differ.centre).toBeGreaterThan(0);
    expect(
      all.filter((x) => x.unitCode === centre && departments.includes(x.resolvingUnitCode)).length,
    ).toBeGreaterThan(20);
  }, 240_000);

  it('a period not yet ended is judged at the moment of the answer, with either granularity and attribution', async () => {
    // Answers given at instants inside the history (the clock set back): what happened later must not count,
    // and pending dossiers are judged at that instant.
    const [province, centre] = scopes;
    const end = now;
    const first = Math.min(...all.map((x) => x.facts.receivedAt?.getTime() ?? Infinity));
    const random = prng(11);
    const groupings: Array<['none' | 'unit', (x: Fact, unit: string) => string]> = [
      ['none', () => 'all'],
      ['unit', (_, unit) => unit],
    ];
    const seen = emptyTally();
    let judgedEarlier = 0;
    try {
      for (let i = 0; i < 6; i++) {
        const asOf = new Date(first + Math.floor(random() * (end.getTime() - first)));
        now = asOf;
        for (const { from, to } of periodsAround(asOf)) {
          for (const granularity of ['day', 'instant'] as const) {
            for (const attribution of attributions) {
              for (const scope of [province!, centre!]) {
                for (const [groupBy, keyOf] of groupings) {
                  const q = { from, to, granularity, asOf, attribution };
                  const expected = referenceGroups(all, q, scope.units, keyOf);
                  const direct = await periodStatistics(ctx.database.db, {
                    unitPath: scope.path,
                    attribution,
                    from,
                    to,
                    groupBy,
                    granularity,
                    asOf,
                  });
                  const label = `${scope.code} ${attribution} ${granularity} ${groupBy} ${from}..${to} at ${asOf.toISOString()}`;
                  expect(new Map(direct.map((g) => [g.key, { ...g.tally, steps: g.steps }])), label).toEqual(
                    expected,
                  );
                  if (groupBy !== 'none' || scope !== province) continue;
                  const t = expected.get('all') ?? emptyRow();
                  Object.assign(seen, addTallies(seen, t));
                  const atEnd = referenceGroups(all, { ...q, asOf: end }, scope.units, keyOf).get('all');
                  if (JSON.stringify(atEnd?.pending) !== JSON.stringify(t.pending)) judgedEarlier++;
                  if (granularity !== 'day') continue;
                  const res = await ctx.app.inject({
                    method: 'GET',
                    url: `/v1/stats?unitCode=${scope.code}&from=${from}&to=${to}&attribution=${attribution}`,
                    headers: bearer(history.clerk),
                  });
                  expect(res.statusCode, res.body).toBe(200);
                  const { rates: _rates, satisfaction: _satisfaction, ...totals } = res.json().totals;
                  expect(totals, label).toEqual(t);
                }
              }
            }
          }
        }
      }
    } finally {
      now = end;
    }
    // Not vacuous: the answers at those instants differ from the ones given later, and reach every column.
    expect(judgedEarlier).toBeGreaterThan(0);
    for (const n of [
      seen.received.carriedOver,
      seen.received.new,
      seen.resolved.total,
      seen.pending.notYetDue,
      seen.pending.overdue,
    ])
      expect(n).toBeGreaterThan(0);
  }, 240_000);
});

describe('groupBy officer and step equal the reference rule over random histories with handovers', () => {
  const attributions = ['resolving', 'receiving'] as const;

  it('per officer and per step: step runs ended early / on time / overdue and open past their due, in both attributions', async () => {
    const history = await randomHistory(ctx, { get: () => now, set: (d) => (now = d) }, 31337, 240, {
      withSteps: true,
    });
    const { province, communes, centre, departments } = history;
    const all = await factsOf(ctx, [...communes, centre, ...departments]);
    type Fact = (typeof all)[number];
    const scopes = await Promise.all([province.code, centre, ...departments].map((c) => subtreeOf(ctx, c)));
    const random = prng(3);
    const periods: Array<{ from: string; to: string }> = [periodDates('2025-01', 'civil')!];
    for (const p of ['2025-02', '2025-Q1', '2025']) periods.push(periodDates(p, 'official')!);
    for (let i = 0; i < 8; i++) {
      const from = addDays('2025-01-01', Math.floor(random() * 60));
      periods.push({ from, to: addDays(from, Math.floor(random() * 30)) });
    }
    const groupings: Array<[string, (x: Fact, unit: string, s: StepRunFacts) => string]> = [
      ['officer', (_x, _u, s) => s.officerCode ?? NO_OFFICER],
      ['step', (_x, _u, s) => s.stepCode],
      ['unit', (_x, unit) => unit],
      ['none', () => 'all'],
    ];
    const seen = emptyStepTally();
    const officers = new Set<string>();
    for (const scope of scopes) {
      for (const { from, to } of periods) {
        for (const attribution of attributions) {
          const totals = referenceGroups(
            all,
            { from, to, granularity: 'day', asOf: now, attribution },
            scope.units,
            () => 'all',
          );
          for (const [groupBy, keyOf] of groupings) {
            const label = `${scope.code} ${attribution} ${groupBy} ${from}..${to}`;
            const byStep = groupBy === 'officer' || groupBy === 'step' ? keyOf : undefined;
            const expected = referenceGroups(
              all,
              { from, to, granularity: 'day', asOf: now, attribution },
              scope.units,
              (x, unit) => keyOf(x, unit, undefined as unknown as StepRunFacts),
              byStep,
            );
            const res = await ctx.app.inject({
              method: 'GET',
              url: `/v1/stats?unitCode=${scope.code}&from=${from}&to=${to}&groupBy=${groupBy}&attribution=${attribution}`,
              headers: bearer(ctx.adminKey),
            });
            expect(res.statusCode, res.body).toBe(200);
            const body = res.json();
            const served = new Map(
              // Satisfaction has its own oracle (test/citizen-ratings.test.ts); nothing here is rated.
              body.rows.map((r: { key: string; label: string; rates: unknown; satisfaction: unknown }) => {
                const { key, rates: _rates, label: _label, satisfaction: _satisfaction, ...t } = r;
                return [key, t];
              }),
            );
            expect(served, label).toEqual(expected);
            // The totals: the scope's II.06a columns, and the step figures of all the rows.
            const { rates: _rates, satisfaction: _satisfaction, ...t } = body.totals;
            const whole = totals.get('all') ?? emptyRow();
            const stepSum = [...expected.values()].reduce(
              (a, r) => addStepTallies(a, r.steps),
              emptyStepTally(),
            );
            expect(t, label).toEqual({ ...whole, steps: stepSum });
            expect(stepSum, label).toEqual(whole.steps);
            for (const row of body.rows) {
              expect(row.received.total).toBe(
                row.resolved.total + row.withdrawn + row.stopped + row.pending.total,
              );
            }
            if (groupBy === 'officer') {
              for (const [key, row] of expected) {
                officers.add(key);
                if (scope === scopes[0]) Object.assign(seen, addStepTallies(seen, row.steps));
                // Rows by officer carry only the step figures.
                expect({ ...row, steps: emptyStepTally() }, label).toEqual(emptyRow());
              }
            }
          }
        }
      }
    }
    // Not vacuous: every step figure, officers of several units and step runs held by nobody.
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(0);
    expect(officers.has(NO_OFFICER)).toBe(true);
    expect(officers.size).toBeGreaterThan(4);
  }, 240_000);
});

describe('GET /v1/stats', () => {
  it('the inspection article’s figures: 43.7 % early, 56.3 % on time (docs/domain.md §9)', async () => {
    const unit = await createUnit(ctx, { name: 'Trung tâm Phục vụ hành chính công huyện' });
    const viewer = await createKey(ctx, 'viewer', unit.code);
    const procedure = (await createProcedure(ctx)).code;
    const rows: Array<typeof dossiers.$inferInsert> = [];
    let n = 0;
    const add = (count: number, d: Partial<typeof dossiers.$inferInsert>) => {
      for (let i = 0; i < count; i++) {
        n++;
        rows.push({
          code: `${unit.code}-FIX-${n}`,
          unitCode: unit.code,
          handlingUnitCode: unit.code,
          resolvingUnitCode: unit.code,
          procedureCode: procedure,
          channel: 'online',
          status: 'received',
          applicantType: 'citizen',
          applicantName: 'Nguyễn Văn An',
          applicantNameSearch: 'nguyen van an',
          durationValue: 5,
          durationUnit: 'working_days',
          supplementPolicy: 'restart',
          receivedAt: new Date('2024-03-01T08:00:00+07:00'),
          startAt: new Date('2024-03-01T08:00:00+07:00'),
          dueAt: new Date('2024-03-08T08:00:00+07:00'),
          ...d,
        });
      }
    };
    const done = (at: string, outcome: 'early' | 'on_time') => ({
      status: 'returned',
      resolvedAt: new Date(at),
      finishedAt: new Date(at),
      result: 'approved' as const,
      outcome,
    });
    add(356, {
      channel: 'direct',
      receivedAt: new Date('2023-12-20T08:00:00+07:00'),
      ...done('2024-01-03T10:00:00+07:00', 'early'),
    });
    add(1599, done('2024-03-04T10:00:00+07:00', 'early'));
    add(7, { channel: 'direct', ...done('2024-03-04T10:00:00+07:00', 'early') });
    add(2525, done('2024-03-08T10:00:00+07:00', 'on_time'));
    add(3, { status: 'withdrawn', finishedAt: new Date('2024-03-02T10:00:00+07:00') });
    add(2, { status: 'stopped', finishedAt: new Date('2024-03-02T10:00:00+07:00') });
    add(262, {
      receivedAt: new Date('2024-06-27T08:00:00+07:00'),
      dueAt: new Date('2024-07-04T08:00:00+07:00'),
    });
    for (let i = 0; i < rows.length; i += 500) {
      const inserted = await ctx.database.db
        .insert(dossiers)
        .values(rows.slice(i, i + 500))
        .returning({ id: dossiers.id, receivedAt: dossiers.receivedAt, dueAt: dossiers.dueAt });
      await ctx.database.db.insert(dossierDeadlines).values(
        inserted.map((r) => ({
          dossierId: r.id,
          kind: 'statutory' as const,
          startAt: r.receivedAt,
          dueAt: r.dueAt!,
          effectiveAt: r.receivedAt!,
          reason: 'intake',
        })),
      );
    }
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${unit.code}&period=2024-H1`,
      headers: bearer(viewer),
    });
    expect(res.statusCode).toBe(200);
    const { totals, from, to } = res.json();
    expect([from, to]).toEqual(['2024-01-01', '2024-06-30']);
    expect(totals).toEqual({
      received: { total: 4754, carriedOver: 356, new: 4398, online: 4391, direct: 7, postal: 0 },
      resolved: { total: 4487, early: 1962, onTime: 2525, overdue: 0 },
      withdrawn: 3,
      stopped: 2,
      pending: { total: 262, notYetDue: 262, overdue: 0 },
      rates: { onTime: 100, early: 43.7, onDueDate: 56.3, online: 99.8 },
      satisfaction: { rated: 0, verySatisfied: 0, satisfied: 0, dissatisfied: 0 },
      // Dossiers without step runs (recorded before the step clock) count nothing in the steps.
      steps: { early: 0, onTime: 0, overdue: 0, openOverdue: 0 },
    });

    const csv = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${unit.code}&period=2024-H1&format=csv`,
      headers: bearer(viewer),
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('key,label,receivedTotal,carriedOver,new,online');
    expect(lines.at(-1)).toMatch(
      /^total,Tổng cộng,4754,356,4398,4391,7,0,4487,1962,2525,0,3,2,262,262,0,100,99.8,0,0,0,0,0,0,0,0,resolving,\d{4}-\d\d-\d\dT[\d:]{8}\+07:00$/,
    );

    const xlsx = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${unit.code}&period=2024-H1&format=xlsx`,
      headers: bearer(viewer),
    });
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('II.06a')!;
    const cells = (r: number) => (sheet.getRow(r).values as unknown[]).slice(1);
    expect(cells(1)[0]).toBe('Biểu số II.06a/VPCP/KSTT');
    expect(cells(9)).toContain('Trả trước hạn');
    const total = cells(sheet.rowCount - 3);
    // Withdrawn and stopped are folded into resolved on time, as the footnote says.
    expect(total).toEqual(['', 'Tổng cộng', 4754, 356, 4391, 7, 0, 4492, 1962, 2530, 0, 262, 262, 0]);
    expect(String(cells(sheet.rowCount - 1)[0])).toContain('3 hồ sơ công dân rút và 2 hồ sơ dừng xử lý');
  });

  it('official periods run from the 15th; groupBy channel; scope and bad input', async () => {
    const unit = await createUnit(ctx);
    const clerk = await createKey(ctx, 'clerk', unit.code);
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${unit.code}&period=2024-Q1&reporting=official&groupBy=channel`,
      headers: bearer(clerk),
    });
    expect(res.json()).toMatchObject({ from: '2023-12-15', to: '2024-03-14', groupBy: 'channel', rows: [] });
    const other = await createUnit(ctx);
    expect(
      (
        await ctx.app.inject({
          method: 'GET',
          url: `/v1/stats?unitCode=${other.code}&period=2024`,
          headers: bearer(clerk),
        })
      ).statusCode,
    ).toBe(404);
    for (const q of [
      'period=2024-13',
      'from=2024-02-01',
      'from=2024-03-01&to=2024-02-01',
      'period=2024&from=2024-01-01&to=2024-01-31',
      'period=2024&groupBy=day',
      'period=2024&attribution=handling',
    ]) {
      const bad = await ctx.app.inject({ method: 'GET', url: `/v1/stats?${q}`, headers: bearer(clerk) });
      expect(bad.statusCode, q).toBe(400);
    }
  });

  it('this month’s figures call dossiers due next week not yet due, in JSON, CSV and xlsx', async () => {
    const scenario = await periodNotEndedScenario(ctx, { get: () => now, set: (d) => (now = d) });
    await expectPeriodNotEndedAnswers(ctx, scenario, 'dossiers');
  });
});

describe('the overdue-before threshold', () => {
  it('is the same in SQL as in the reference, around local and UTC midnight, with either granularity', async () => {
    const instants = [
      '2025-03-09T23:59:59.999+07:00',
      '2025-03-10T00:00:00.000+07:00',
      '2025-03-10T06:59:59.999+07:00',
      '2025-03-10T07:00:00.000+07:00',
      '2025-03-10T16:59:00.123+07:00',
      '2025-12-31T23:30:00.000+07:00',
    ].map((s) => new Date(s));
    for (const granularity of ['day', 'instant'] as const) {
      for (const at of instants) {
        const result = (await ctx.database.db.execute(
          sql`select (extract(epoch from ${overdueBeforeSql(sql`${at}::timestamptz`, granularity)}) * 1000)::float8 as ms`,
        )) as unknown as { rows: Array<{ ms: number }> };
        expect(result.rows[0]!.ms, `${granularity} ${at.toISOString()}`).toBe(
          overdueBefore(at, granularity).getTime(),
        );
      }
    }
  });
});

// Last: its clock (December 2025) lies after every other test's.
describe('who is late (GET /v1/stats groupBy officer and step)', () => {
  it('who is late: per officer and per step, steps ended early / on time / overdue and open past their due; a paused one is not', async () => {
    // Monday 1/12/2025 08:00 at a unit's counter; the process: receipt (4 hours), appraisal (2 days), approval.
    now = new Date('2025-12-01T08:00:00+07:00');
    const unit = await createUnit(ctx, { name: 'Bộ phận một cửa xã' });
    const clerk = await createKey(ctx, 'clerk', unit.code);
    const viewer = await createKey(ctx, 'viewer', unit.code);
    const [counter, expert, head] = await Promise.all(
      ['Nguyễn Thị Lan', 'Trần Văn Minh', 'Lê Thị Hồng'].map((fullName) =>
        createOfficer(ctx, unit.code, { fullName }),
      ),
    );
    const procedure = (await createProcedure(ctx, { duration: { value: 5, unit: 'working_days' } })).code;
    const put = await ctx.app.inject({
      method: 'PUT',
      url: `/v1/procedures/${procedure}/process`,
      headers: bearer(ctx.adminKey),
      payload: {
        steps: [
          { code: 'tiep-nhan', name: 'Tiếp nhận', allotment: { value: 4, unit: 'hours' } },
          { code: 'tham-dinh', name: 'Thẩm định', allotment: { value: 2, unit: 'days' } },
          { code: 'phe-duyet', name: 'Phê duyệt', allotment: { value: 1, unit: 'days' } },
        ],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const post = async (url: string, payload: object) => {
      const res = await ctx.app.inject({ method: 'POST', url, headers: bearer(clerk), payload });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json() as { code: string };
    };
    const receive = (officer: { code: string } | null) =>
      post(
        '/v1/dossiers',
        intakeBody(procedure, { unitCode: unit.code, ...(officer ? { officerCode: officer.code } : {}) }),
      );
    const [a, b, c, d, e] = [
      await receive(counter!),
      await receive(counter!),
      await receive(counter!),
      await receive(counter!),
      await receive(null),
    ];
    now = new Date('2025-12-01T09:00:00+07:00');
    // d waits for a supplement: its step is paused, never overdue.
    await post(`/v1/dossiers/${d!.code}/request-supplement`, { reason: 'Thiếu giấy tờ' });
    now = new Date('2025-12-01T10:00:00+07:00');
    // a: the receipt ends on its due date (on time); the appraisal, due Wednesday, ends Tuesday (early).
    await post(`/v1/dossiers/${a!.code}/hand-over`, { toOfficerCode: expert!.code });
    now = new Date('2025-12-02T09:00:00+07:00');
    await post(`/v1/dossiers/${a!.code}/hand-over`, { toOfficerCode: head!.code });
    // b: the receipt, due Monday, ends Tuesday (overdue).
    await post(`/v1/dossiers/${b!.code}/hand-over`, { toOfficerCode: expert!.code });
    // Wednesday: c and e still at the receipt, due Monday (open overdue); a's approval is due today (not yet).
    now = new Date('2025-12-03T10:00:00+07:00');
    const get = async (query: string, key = viewer) => {
      const res = await ctx.app.inject({
        method: 'GET',
        url: `/v1/stats?unitCode=${unit.code}&${query}`,
        headers: bearer(key),
      });
      expect(res.statusCode, res.body).toBe(200);
      return res;
    };
    const steps = (early: number, onTime: number, overdue: number, openOverdue: number) => ({
      early,
      onTime,
      overdue,
      openOverdue,
    });
    const byOfficer = (await get('period=2025-12&groupBy=officer')).json();
    expect(byOfficer.groupBy).toBe('officer');
    expect(
      byOfficer.rows.map((r: { key: string; label: string; steps: unknown }) => [r.key, r.label, r.steps]),
    ).toEqual(
      [
        [counter!.code, 'Nguyễn Thị Lan', steps(0, 1, 1, 1)],
        [expert!.code, 'Trần Văn Minh', steps(1, 0, 0, 0)],
        [NO_OFFICER, 'Chưa giao cán bộ', steps(0, 0, 0, 1)],
      ].sort(([x], [y]) => (String(x) < String(y) ? -1 : 1)),
    );
    // Rows by officer carry only the step figures; the totals the unit's II.06a columns.
    for (const row of byOfficer.rows) expect(row.received.total).toBe(0);
    expect(byOfficer.totals).toMatchObject({
      received: { total: 5, new: 5 },
      pending: { total: 5, notYetDue: 5, overdue: 0 },
      steps: steps(1, 1, 1, 2),
    });
    const byStep = (await get('period=2025-12&groupBy=step')).json();
    expect(
      byStep.rows.map((r: { key: string; label: string; steps: unknown }) => [r.key, r.label, r.steps]),
    ).toEqual([
      ['tham-dinh', 'Thẩm định', steps(1, 0, 0, 0)],
      ['tiep-nhan', 'Tiếp nhận', steps(0, 1, 1, 2)],
    ]);
    // Every grouping carries the steps: here in total, and the unit's row.
    const byUnit = (await get('period=2025-12&groupBy=unit&attribution=receiving')).json();
    expect(byUnit.rows.map((r: { key: string; steps: unknown }) => [r.key, r.steps])).toEqual([
      [unit.code, steps(1, 1, 1, 2)],
    ]);
    // A week later, once d's supplement came back and its due moved: at the end of the first week its step was
    // paused, so the week's figures still do not count it.
    now = new Date('2025-12-08T09:00:00+07:00');
    await post(`/v1/dossiers/${d!.code}/receive-supplement`, {});
    now = new Date('2025-12-10T09:00:00+07:00');
    const week = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${unit.code}&from=2025-12-01&to=2025-12-03&groupBy=officer`,
      headers: bearer(viewer),
    });
    expect(week.json().totals.steps).toEqual(steps(1, 1, 1, 2));
    expect(c!.code).not.toBe(e!.code);

    // CSV: the step columns; xlsx: the sheet "Bước xử lý" with Vietnamese headings.
    const csv = (await get('from=2025-12-01&to=2025-12-03&groupBy=officer&format=csv')).body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const header = csv[0]!.split(',');
    expect(header.slice(-10)).toEqual([
      'stepsEarly',
      'stepsOnTime',
      'stepsOverdue',
      'stepsOpenOverdue',
      'rated',
      'verySatisfied',
      'satisfied',
      'dissatisfied',
      'attribution',
      'asOf',
    ]);
    const xlsx = await get('from=2025-12-01&to=2025-12-03&groupBy=step&format=xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Bước xử lý')!;
    const cells = (r: number) => (sheet.getRow(r).values as unknown[]).slice(1);
    expect(cells(5)).toEqual([
      'STT',
      'Bước xử lý',
      'Mã',
      'Số bước hoàn thành trước hạn',
      'Số bước hoàn thành đúng hạn',
      'Số bước hoàn thành quá hạn',
      'Số bước đang xử lý quá hạn',
    ]);
    expect(cells(6)).toEqual([1, 'Thẩm định', 'tham-dinh', 1, 0, 0, 0]);
    expect(cells(8)).toEqual(['', 'Tổng cộng', '', 1, 1, 1, 2]);
  });
});
