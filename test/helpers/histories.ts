import { asc, eq, inArray, like, or } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import {
  dossierDeadlines,
  dossierPauses,
  dossierRatings,
  dossierSteps,
  dossiers,
  procedures as proceduresTable,
  units as unitsTable,
} from '../../src/db/schema/index.js';
import type { DossierStatus } from '../../src/domain/lifecycle.js';
import { addDays, localDateOf, type LocalDate } from '../../src/domain/local-time.js';
import { periodDates } from '../../src/domain/periods.js';
import {
  emptyStepTally,
  emptyTally,
  referenceGroups as reference,
  referenceStepGroups,
  type AttributedFacts,
  type Attribution,
  type DossierFacts,
  type StepRunFacts,
  type StepTally,
  type Tally,
} from '../../src/domain/statistics.js';
import type { Granularity } from '../../src/domain/timeliness.js';
import type { RatingFacts, ServiceFacts } from '../../src/domain/service-index.js';
import {
  bearer,
  createKey,
  createOfficer,
  createProcedure,
  createUnit,
  intakeBody,
  type TestContext,
} from './context.js';

/** A small deterministic PRNG so a failing history can be replayed. */
export function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Drives random dossier histories through the HTTP API on an app whose clock the caller controls: intakes
 * (some back-dated) and every kind of action (some entered late), over simulated weeks. The province has two
 * communes and a public-administration centre that receives mostly for departments outside its subtree: one of
 * the province, one of another province (a dossier the province receives but does not resolve). Communes now and
 * then receive for a department too. Returns the units and how many actions succeeded.
 *
 * `withSteps`: also officers in every unit, internal processes on two of the procedures (the third keeps its
 * implicit step), intakes naming the receiving officer, and handovers (some sending the dossier back a step)
 * between the centre, the communes and the departments, to an officer of the unit or to nobody.
 */
export async function randomHistory(
  ctx: TestContext,
  clock: { get(): Date; set(d: Date): void },
  seed: number,
  steps: number,
  /**
   * `serviceFacts`: also digitised components (at intake and later), payments by every method and electronic
   * results. `withSteps`: see above.
   */
  options: { serviceFacts?: boolean; withSteps?: boolean } = {},
) {
  const withSteps = options.withSteps ?? false;
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const province = await createUnit(ctx);
  const communes = [
    (await createUnit(ctx, { parentCode: province.code })).code,
    (await createUnit(ctx, { parentCode: province.code })).code,
  ];
  const centre = (
    await createUnit(ctx, { parentCode: province.code, name: 'Trung tâm Phục vụ hành chính công' })
  ).code;
  const departments = [
    (await createUnit(ctx, { parentCode: province.code, name: 'Sở Tư pháp' })).code,
    (await createUnit(ctx, { name: 'Sở Tư pháp tỉnh khác' })).code,
  ];
  const clerk = await createKey(ctx, 'clerk', province.code);
  const procs = [
    (
      await createProcedure(ctx, {
        duration: { value: 3, unit: 'working_days' },
        supplementPolicy: 'restart',
      })
    ).code,
    (
      await createProcedure(ctx, {
        duration: { value: 8, unit: 'working_hours' },
        supplementPolicy: 'extend',
        field: { code: 'F2', name: 'Đất đai' },
      })
    ).code,
    (
      await createProcedure(ctx, {
        duration: { value: 10, unit: 'calendar_days' },
        onlineDuration: { value: 5, unit: 'working_days' },
      })
    ).code,
  ];
  const officersOf = new Map<string, string[]>();
  if (withSteps) {
    for (const unit of [centre, ...communes, ...departments]) {
      const n = unit === centre || departments.includes(unit) ? 2 : 1;
      const codes: string[] = [];
      for (let i = 0; i < n; i++) codes.push((await createOfficer(ctx, unit)).code);
      officersOf.set(unit, codes);
    }
    const processes: Array<Array<[string, number, 'hours' | 'days']>> = [
      [
        ['tiep-nhan', 4, 'hours'],
        ['tham-dinh', 1.5, 'days'],
        ['phe-duyet', 1, 'days'],
      ],
      [
        ['tiep-nhan', 2, 'hours'],
        ['xu-ly-ho-so', 6, 'hours'],
      ],
    ];
    for (const [i, process] of processes.entries()) {
      const res = await ctx.app.inject({
        method: 'PUT',
        url: `/v1/procedures/${procs[i]}/process`,
        headers: bearer(ctx.adminKey),
        payload: {
          steps: process.map(([code, value, unit]) => ({
            code,
            name: `Bước ${code}`,
            allotment: { value, unit },
          })),
        },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
  }
  const officerOf = (unit: string) => {
    const codes = officersOf.get(unit);
    return codes && random() < 0.8 ? { officerCode: pick(codes) } : {};
  };
  const live: Array<{ code: string; status: string; lastAt: number; rescheduled: boolean }> = [];
  const act = async (d: (typeof live)[number], action: string, body: Record<string, unknown>) => {
    // Sometimes entered late: between the latest event and now.
    const at =
      random() < 0.3
        ? new Date(
            Math.max(d.lastAt, clock.get().getTime() - 2 * 86_400_000) + Math.floor(random() * 3_600_000),
          )
        : null;
    const payload = at && at.getTime() <= clock.get().getTime() ? { ...body, at: at.toISOString() } : body;
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${d.code}/${action}`,
      headers: bearer(clerk),
      payload,
    });
    if (res.statusCode === 200) {
      d.status = res.json().status;
      d.lastAt = 'at' in payload ? new Date(payload.at as string).getTime() : clock.get().getTime();
      if (action === 'reschedule') d.rescheduled = true;
    }
    return res.statusCode;
  };
  let done = 0;
  for (let step = 0; step < steps; step++) {
    clock.set(new Date(clock.get().getTime() + Math.floor(random() * 9 * 3_600_000)));
    const open = live.filter((d) => !['rejected', 'withdrawn', 'stopped', 'returned'].includes(d.status));
    if (random() < 0.35 || open.length === 0) {
      const backdate = random() < 0.25 ? Math.floor(random() * 2 * 86_400_000) : 0;
      const channel = pick(['direct', 'online', 'online', 'postal'] as const);
      const unitCode = random() < 0.3 ? centre : pick(communes);
      const forDepartment = random() < (unitCode === centre ? 0.8 : 0.1);
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(clerk),
        payload: intakeBody(pick(procs), {
          unitCode,
          ...(forDepartment ? { resolvingUnitCode: pick(departments) } : {}),
          channel,
          ...(backdate ? { receivedAt: new Date(clock.get().getTime() - backdate).toISOString() } : {}),
          ...(options.serviceFacts
            ? {
                components: [
                  { name: 'Tờ khai', copies: 1, digitised: random() < 0.4 },
                  { name: 'Bản sao CCCD', copies: 1, digitised: random() < 0.2 },
                ],
              }
            : {}),
          ...(withSteps ? officerOf(unitCode) : {}),
        }),
      });
      expect(res.statusCode, res.body).toBe(201);
      live.push({
        code: res.json().code,
        status: res.json().status,
        lastAt: clock.get().getTime() - backdate,
        rescheduled: false,
      });
      continue;
    }
    const d = pick(open);
    const actions: Record<string, Array<[string, Record<string, unknown>]>> = {
      submitted: [
        ['accept', {}],
        ['accept', {}],
        ['reject', { reason: 'Sai' }],
        ['withdraw', { reason: 'Rút' }],
      ],
      received: [
        ['assign', {}],
        ['assign', { handlingUnitCode: pick(communes) }],
        ['resolve', { result: 'approved' }],
        ['request-supplement', { reason: 'Thiếu' }],
        ['request-payment', {}],
        ['withdraw', { reason: 'Rút' }],
        ['stop', { reason: 'Dừng' }],
      ],
      processing: [
        ['resolve', { result: 'approved' }],
        ['resolve', { result: 'refused', note: 'Không đủ' }],
        ['request-supplement', { reason: 'Thiếu' }],
        ['request-payment', {}],
        ['stop', { reason: 'Dừng' }],
      ],
      awaiting_supplement: [
        ['receive-supplement', {}],
        ['receive-supplement', {}],
        ['withdraw', { reason: 'Rút' }],
      ],
      awaiting_payment: [
        ['confirm-payment', {}],
        ['stop', { reason: 'Dừng' }],
      ],
      resolved: [['return', {}]],
    };
    if (['received', 'processing'].includes(d.status) && !d.rescheduled && random() < 0.1) {
      await act(d, 'reschedule', {
        newDueAt: new Date(clock.get().getTime() + 20 * 86_400_000).toISOString(),
        reason: 'Xin lỗi',
      });
      continue;
    }
    if (withSteps && ['received', 'processing'].includes(d.status) && random() < 0.45) {
      const toUnitCode = pick([centre, ...communes, ...departments]);
      const to = officerOf(toUnitCode);
      const back = random() < 0.15 ? { stepCode: 'tiep-nhan' } : {};
      const body = {
        ...(random() < 0.7 ? { toUnitCode } : {}),
        ...('officerCode' in to ? { toOfficerCode: to.officerCode } : {}),
        ...back,
      };
      if ((await act(d, 'hand-over', body)) === 200) done++;
      continue;
    }
    if (options.serviceFacts && d.status !== 'submitted' && random() < 0.15) {
      const resolved = ['resolved', 'returned'].includes(d.status);
      const body =
        resolved && random() < 0.5 ? { electronicResult: true } : { digitisedComponents: [pick([0, 1])] };
      if ((await act(d, 'record-digitisation', body)) === 200) done++;
      continue;
    }
    const [action, picked] = pick(actions[d.status]!);
    let body = picked;
    if (options.serviceFacts && action === 'confirm-payment') {
      const method = pick(['online', 'online', 'counter', 'bank_transfer', undefined]);
      body = method ? { method, amount: Math.floor(random() * 100) * 1000 } : {};
    }
    if ((await act(d, action, body)) === 200) {
      done++;
      // Most returned dossiers are rated, from a paper form.
      if (options.serviceFacts && action === 'return' && random() < 0.7) {
        const res = await ctx.app.inject({
          method: 'POST',
          url: `/v1/dossiers/${d.code}/rating`,
          headers: bearer(clerk),
          payload: { level: pick(['very_satisfied', 'satisfied', 'satisfied', 'dissatisfied'] as const) },
        });
        expect(res.statusCode, res.body).toBe(201);
      }
    }
  }
  return { province, communes, centre, departments, clerk, done };
}

/**
 * Facts for the oracle, read straight from the dossiers received or resolved by `unitCodes`, their statutory due
 * history and their pauses.
 */
export async function factsOf(ctx: TestContext, unitCodes: string[]) {
  const db = ctx.database.db;
  const rows = await db
    .select({ d: dossiers, fieldCode: proceduresTable.fieldCode })
    .from(dossiers)
    .innerJoin(proceduresTable, eq(proceduresTable.code, dossiers.procedureCode))
    .where(or(inArray(dossiers.unitCode, unitCodes), inArray(dossiers.resolvingUnitCode, unitCodes)));
  const ids = rows.map((r) => r.d.id);
  const dues = ids.length
    ? await db
        .select()
        .from(dossierDeadlines)
        .where(inArray(dossierDeadlines.dossierId, ids))
        .orderBy(asc(dossierDeadlines.id))
    : [];
  const pauses = ids.length
    ? await db.select().from(dossierPauses).where(inArray(dossierPauses.dossierId, ids))
    : [];
  const ratings = ids.length
    ? await db.select().from(dossierRatings).where(inArray(dossierRatings.dossierId, ids))
    : [];
  const stepRows = ids.length
    ? await db
        .select()
        .from(dossierSteps)
        .where(inArray(dossierSteps.dossierId, ids))
        .orderBy(asc(dossierSteps.seq))
    : [];
  return rows.map(({ d, fieldCode }) => ({
    unitCode: d.unitCode,
    resolvingUnitCode: d.resolvingUnitCode,
    procedure: d.procedureCode,
    field: fieldCode,
    facts: {
      channel: d.channel,
      status: d.status as DossierStatus,
      receivedAt: d.receivedAt,
      resolvedAt: d.resolvedAt,
      finishedAt: d.finishedAt,
      outcome: d.outcome,
      dues: dues
        .filter((x) => x.dossierId === d.id && x.kind === 'statutory')
        .map((x) => ({ effectiveAt: x.effectiveAt, dueAt: x.dueAt })),
      pauses: pauses
        .filter((p) => p.dossierId === d.id)
        .map((p) => ({ pausedAt: p.pausedAt, resumedAt: p.resumedAt })),
    } satisfies DossierFacts,
    service: {
      receivedAt: d.receivedAt,
      hasDigitisedComponents: d.hasDigitisedComponents,
      paidAt: d.paidAt,
      paymentMethod: d.paymentMethod,
    } satisfies ServiceFacts,
    ratings: ratings
      .filter((r) => r.dossierId === d.id)
      .map((r) => ({ level: r.level, ratedAt: r.ratedAt }) satisfies RatingFacts),
    steps: stepRows
      .filter((r) => r.dossierId === d.id)
      .map((r): StepRunFacts => ({
        officerCode: r.toOfficerCode,
        stepCode: r.stepCode,
        startAt: r.startAt,
        dueAt: r.dueAt,
        endAt: r.endAt,
        outcome: r.outcome,
        pauses: r.pauses.map((p) => ({
          from: new Date(p.from),
          to: p.to === null ? null : new Date(p.to),
          ...(p.dueBefore ? { dueBefore: new Date(p.dueBefore) } : {}),
        })),
      })),
  }));
}

/** A unit's subtree (the unit included): its path, for the direct statistics, and its units' codes. */
export async function subtreeOf(ctx: TestContext, unitCode: string) {
  const db = ctx.database.db;
  const [unit] = await db.select().from(unitsTable).where(eq(unitsTable.code, unitCode));
  const found = await db
    .select({ code: unitsTable.code })
    .from(unitsTable)
    .where(like(unitsTable.path, `${unit!.path}%`));
  return { code: unitCode, path: unit!.path, units: new Set(found.map((u) => u.code)) };
}

/** A row of the reference: the II.06a columns and the step figures. */
export type ReferenceRow = Tally & { steps: StepTally };

/**
 * The reference rule's groups (those with something received or a step counted) for the dossiers attributed to
 * one of `units`, as answered at `asOf`; `keyOf` gets the dossier and the unit it is attributed to. `byStep`
 * (grouping by officer or step): the key of each step run, the groups then carrying only the step figures.
 */
export function referenceGroups<X extends AttributedFacts & { steps: readonly StepRunFacts[] }>(
  all: X[],
  q: { from: string; to: string; granularity: Granularity; asOf: Date; attribution: Attribution },
  units: Set<string>,
  keyOf: (x: X, unit: string) => string,
  byStep?: (x: X, unit: string, s: StepRunFacts) => string,
): Map<string, ReferenceRow> {
  const counted = (u: string) => units.has(u);
  const tallies = byStep ? new Map<string, Tally>() : reference(all, q, counted, keyOf);
  const steps = referenceStepGroups(all, q, counted, byStep ?? ((x, unit) => keyOf(x, unit)));
  const rows = new Map<string, ReferenceRow>();
  for (const key of [...new Set([...tallies.keys(), ...steps.keys()])].sort()) {
    rows.set(key, { ...(tallies.get(key) ?? emptyTally()), steps: steps.get(key) ?? emptyStepTally() });
  }
  return rows;
}

/** An empty reference row. */
export const emptyRow = (): ReferenceRow => ({ ...emptyTally(), steps: emptyStepTally() });

/**
 * Statistics of a period that has not ended, on units of their own: `report` holds two dossiers received on
 * Tuesday 10/6/2025 and due next week; `late` one received 20/5 (due in May, resolved 2/6) and one received
 * 29/5 and due 5/6, still open. Moves the clock to 10/6/2025 10:00 and leaves it there.
 */
export async function periodNotEndedScenario(ctx: TestContext, clock: { get(): Date; set(d: Date): void }) {
  const first = new Date('2025-05-20T09:00:00+07:00');
  expect(clock.get() < first, 'the clock only moves forward').toBe(true);
  const parent = await createUnit(ctx);
  const report = (await createUnit(ctx, { parentCode: parent.code })).code;
  const late = (await createUnit(ctx, { parentCode: parent.code })).code;
  const clerk = await createKey(ctx, 'clerk', parent.code);
  const days = async (value: number) =>
    (await createProcedure(ctx, { duration: { value, unit: 'working_days' } })).code;
  const [twoDays, fiveDays] = [await days(2), await days(5)];
  const intake = async (procedureCode: string, unitCode: string) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerk),
      payload: intakeBody(procedureCode, { unitCode }),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { code: string; dueAt: string };
  };
  const at = (s: string) => clock.set(new Date(s));
  const before = (a: string, b: string) => expect(Date.parse(a), `${a} < ${b}`).toBeLessThan(Date.parse(b));

  clock.set(first);
  const dueInMay = await intake(twoDays, late);
  before(dueInMay.dueAt, '2025-05-31T00:00:00+07:00');
  at('2025-05-29T09:00:00+07:00');
  const dueInJune = await intake(fiveDays, late);
  before('2025-06-01T00:00:00+07:00', dueInJune.dueAt);
  before(dueInJune.dueAt, '2025-06-10T00:00:00+07:00');
  at('2025-06-02T10:00:00+07:00');
  const resolved = await ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${dueInMay.code}/resolve`,
    headers: bearer(clerk),
    payload: { result: 'approved' },
  });
  expect(resolved.statusCode, resolved.body).toBe(200);
  at('2025-06-10T09:00:00+07:00');
  for (const d of [await intake(fiveDays, report), await intake(fiveDays, report)]) {
    // Due next week, before the end of June.
    before('2025-06-16T00:00:00+07:00', d.dueAt);
    before(d.dueAt, '2025-06-21T00:00:00+07:00');
  }
  at('2025-06-10T10:00:00+07:00');
  return { clerk, report, late };
}

/**
 * What the scenario above must answer, in JSON, CSV and the II.06a spreadsheet: this month's pending dossiers
 * due next week are not yet due; one due before today (and before the end of the month) is overdue; May, which
 * has ended, is judged at its end.
 */
export async function expectPeriodNotEndedAnswers(
  ctx: TestContext,
  s: Awaited<ReturnType<typeof periodNotEndedScenario>>,
  source: 'figures' | 'dossiers',
) {
  const get = async (unitCode: string, period: string, format = 'json') => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/v1/stats?unitCode=${unitCode}&period=${period}&format=${format}`,
      headers: bearer(s.clerk),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res;
  };
  const zero = { total: 0, early: 0, onTime: 0, overdue: 0 };

  const june = (await get(s.report, '2025-06')).json();
  expect(june.source).toBe(source);
  expect(june.asOf).toBe('2025-06-10T10:00:00+07:00');
  expect(june.totals).toMatchObject({
    received: { total: 2, carriedOver: 0, new: 2, online: 0, direct: 2, postal: 0 },
    resolved: zero,
    pending: { total: 2, notYetDue: 2, overdue: 0 },
  });
  const csv = (await get(s.report, '2025-06', 'csv')).body
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  const header = csv[0]!.split(',');
  const total = csv.at(-1)!.split(',');
  const column = (name: string) => total[header.indexOf(name)];
  expect(total[0]).toBe('total');
  // When the pending dossiers were judged travels with the file.
  expect(column('asOf')).toBe('2025-06-10T10:00:00+07:00');
  expect([column('pendingTotal'), column('pendingNotYetDue'), column('pendingOverdue')]).toEqual([
    '2',
    '2',
    '0',
  ]);
  const xlsx = await get(s.report, '2025-06', 'xlsx');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  const sheet = book.getWorksheet('II.06a')!;
  const totalRow = (sheet.getRow(sheet.rowCount - 3).values as unknown[]).slice(1);
  expect(totalRow[1]).toBe('Tổng cộng');
  // Received total, then pending total, not yet due, overdue.
  expect([totalRow[2], ...totalRow.slice(-3)]).toEqual([2, 2, 2, 0]);

  const lateJune = (await get(s.late, '2025-06')).json();
  expect(lateJune.source).toBe(source);
  expect(lateJune.totals).toMatchObject({
    received: { total: 2, carriedOver: 2, new: 0 },
    resolved: { total: 1, early: 0, onTime: 0, overdue: 1 },
    pending: { total: 1, notYetDue: 0, overdue: 1 },
  });
  const may = (await get(s.late, '2025-05')).json();
  expect(may.source).toBe(source);
  expect(may.totals).toMatchObject({
    received: { total: 2, carriedOver: 0, new: 2 },
    resolved: zero,
    pending: { total: 2, notYetDue: 1, overdue: 1 },
  });
  for (const body of [june, lateJune, may]) {
    for (const t of [...body.rows, body.totals]) {
      expect(t.received.total).toBe(t.resolved.total + t.withdrawn + t.stopped + t.pending.total);
    }
  }
}

/** Periods around `asOf`'s day: its month (civil and official) and ranges that end before, on or after it. */
export function periodsAround(asOf: Date): Array<{ from: LocalDate; to: LocalDate }> {
  const today = localDateOf(asOf);
  return [
    periodDates(today.slice(0, 7), 'civil')!,
    periodDates(today.slice(0, 7), 'official')!,
    { from: addDays(today, -10), to: addDays(today, 5) },
    { from: today, to: today },
    { from: addDays(today, -6), to: today },
    { from: addDays(today, 1), to: addDays(today, 20) },
    { from: addDays(today, -20), to: addDays(today, -1) },
  ];
}
