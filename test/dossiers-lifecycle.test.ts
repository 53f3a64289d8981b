import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';
import { rows } from '../src/db/sql.js';

// The app's clock is set per step, so deadlines are checked against real 2025 dates.
let now = new Date('2025-04-25T08:00:00+07:00');
const setNow = (s: string) => (now = new Date(s));
let ctx: TestContext;
let clerk: string;
let unitCode: string;
let otherUnit: string;

beforeAll(async () => {
  ctx = await createTestContext({}, { clock: () => now });
  const province = await createUnit(ctx);
  unitCode = (await createUnit(ctx, { parentCode: province.code })).code;
  otherUnit = (await createUnit(ctx, { parentCode: province.code })).code;
  clerk = await createKey(ctx, 'clerk', province.code);
});
afterAll(() => ctx.close());

type Dossier = Record<string, unknown> & {
  code: string;
  status: string;
  version: number;
  dueAt: string | null;
};

async function receive(procedureCode: string, overrides: Record<string, unknown> = {}): Promise<Dossier> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(clerk),
    payload: intakeBody(procedureCode, { unitCode, ...overrides }),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function act(code: string, action: string, body: object = {}, headers: Record<string, string> = {}) {
  return ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${code}/${action}`,
    headers: { ...bearer(clerk), ...headers },
    payload: body,
  });
}

/**
 * A successful action. Its answer, and the snapshot in each announcement it wrote, are the dossier as a read after
 * it finds it: the action knows its row without reading it back, and writes its announcements with its update.
 */
async function ok(code: string, action: string, body: object = {}): Promise<Dossier> {
  const announcedAfter = async (id: number) =>
    rows<{ id: number; type: string; dossier: Record<string, unknown> }>(
      ctx.database.db,
      sql`select o.id::int as id, o.type, o.payload->'dossier' as dossier from outbox o
        join dossiers d on d.id = o.dossier_id where d.code = ${code} and o.id > ${id} order by o.id`,
    );
  const read = async () =>
    (
      await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${code}`, headers: bearer(clerk) })
    ).json<Dossier>();
  const [last, was] = [(await announcedAfter(0)).at(-1)?.id ?? 0, (await read()).status];
  const res = await act(code, action, body);
  expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
  const answer = res.json<Dossier>();
  expect(answer, action).toStrictEqual(await read());
  // Every announcement the action wrote (its new status first, when it changed), each with the dossier as stored.
  const announced = await announcedAfter(last);
  expect(announced.length, action).toBeGreaterThan(0);
  if (answer.status !== was) expect(announced[0]!.type, action).toBe(`dossier.${answer.status}`);
  const { timeliness: _t, remainingWorkingMinutes: _r, ...stored } = answer;
  for (const a of announced) expect(a.dossier, `${action}: ${a.type}`).toStrictEqual(stored);
  return answer;
}

describe('paths through the lifecycle over HTTP (docs/domain.md §7)', () => {
  it('direct: receive → assign → supplement → payment → resolve → return, each step an event', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const p = await createProcedure(ctx, { duration: { value: 5, unit: 'working_days' } });
    const d = await receive(p.code);
    expect(d).toMatchObject({ status: 'received', nationalStatus: 2, startAt: '2025-06-02T08:00:00+07:00' });
    expect(d.dueAt).toBe('2025-06-09T08:00:00+07:00');
    expect(d.code).toMatch(new RegExp(`^${unitCode.replaceAll('.', '\\.')}-250602-\\d{4}$`));
    expect(
      await ok(d.code, 'assign', { handlingUnitCode: otherUnit, note: 'chuyển phòng chuyên môn' }),
    ).toMatchObject({
      status: 'processing',
      nationalStatus: 4,
      handlingUnit: { code: otherUnit },
    });
    setNow('2025-06-03T09:00:00+07:00');
    expect(await ok(d.code, 'request-supplement', { reason: 'Thiếu bản sao CCCD' })).toMatchObject({
      status: 'awaiting_supplement',
      nationalStatus: 5,
      timeliness: 'paused',
      pausedAt: '2025-06-03T09:00:00+07:00',
    });
    setNow('2025-06-04T09:00:00+07:00');
    const resumed = await ok(d.code, 'receive-supplement');
    // restart (the default): the full 5 working days count again from the supplement.
    expect(resumed).toMatchObject({
      status: 'processing',
      startAt: '2025-06-04T09:00:00+07:00',
      dueAt: '2025-06-11T09:00:00+07:00',
    });
    expect(await ok(d.code, 'request-payment', { amount: 50000 })).toMatchObject({
      status: 'awaiting_payment',
      nationalStatus: 6,
    });
    setNow('2025-06-05T09:00:00+07:00');
    // A payment pause always extends: by the 8 working hours spent waiting.
    expect(await ok(d.code, 'confirm-payment')).toMatchObject({
      status: 'processing',
      dueAt: '2025-06-12T09:00:00+07:00',
    });
    setNow('2025-06-10T10:00:00+07:00');
    expect(await ok(d.code, 'resolve', { result: 'approved' })).toMatchObject({
      status: 'resolved',
      nationalStatus: 9,
      result: 'approved',
      outcome: 'early',
      finishedAt: '2025-06-10T10:00:00+07:00',
      timeliness: null,
    });
    const returned = await ok(d.code, 'return', { method: 'counter' });
    expect(returned).toMatchObject({
      status: 'returned',
      nationalStatus: 10,
      returnedAt: '2025-06-10T10:00:00+07:00',
    });
    const events = (
      await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${d.code}/events`, headers: bearer(clerk) })
    ).json();
    expect(events.items.map((e: { type: string }) => e.type)).toEqual([
      'intake',
      'transferred',
      'request-supplement',
      'receive-supplement',
      'request-payment',
      'confirm-payment',
      'resolve',
      'return',
    ]);
    expect(events.items[1].data).toMatchObject({ fromUnitCode: unitCode, toUnitCode: otherUnit });
  });

  it('online: submitted without a due; accept starts the clock with the online time', async () => {
    setNow('2025-06-02T20:00:00+07:00');
    const p = await createProcedure(ctx, {
      duration: { value: 5, unit: 'working_days' },
      onlineDuration: { value: 3, unit: 'working_days' },
    });
    const d = await receive(p.code, { channel: 'online' });
    expect(d).toMatchObject({
      status: 'submitted',
      nationalStatus: 1,
      dueAt: null,
      receivedAt: null,
      timeliness: null,
    });
    expect(d.submittedAt).toBe('2025-06-02T20:00:00+07:00');
    setNow('2025-06-03T08:00:00+07:00');
    expect(await ok(d.code, 'accept')).toMatchObject({
      status: 'received',
      receivedAt: '2025-06-03T08:00:00+07:00',
      dueAt: '2025-06-06T08:00:00+07:00',
      duration: { value: 3, unit: 'working_days' },
    });
  });

  it('an action whose fields are all optional takes no body at all, as well as {}', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const p = await createProcedure(ctx);
    const bare = (code: string, action: string) =>
      ctx.app.inject({ method: 'POST', url: `/v1/dossiers/${code}/${action}`, headers: bearer(clerk) });
    const online = await receive(p.code, { channel: 'online' });
    const accepted = await bare(online.code, 'accept');
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().status).toBe('received');
    const assigned = await bare(online.code, 'assign');
    expect(assigned.statusCode, assigned.body).toBe(200);
    await ok(online.code, 'request-payment', {});
    const paid = await bare(online.code, 'confirm-payment');
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json().status).toBe('processing');
    await ok(online.code, 'resolve', { result: 'approved' });
    expect((await bare(online.code, 'return')).json().status).toBe('returned');

    const other = await receive(p.code, { channel: 'online' });
    expect((await ok(other.code, 'accept', {})).status).toBe('received');
    // An action that needs fields still says which, in Vietnamese, when the body is missing.
    const reject = await bare(other.code, 'withdraw');
    expect(reject.statusCode).toBe(400);
    expect(reject.json().errors).toEqual([{ path: 'body', message: 'Thiếu nội dung yêu cầu.' }]);
  });

  it('reject (Form 03), withdraw and stop end a dossier; each needs its reason', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const p = await createProcedure(ctx);
    const online = await receive(p.code, { channel: 'online' });
    expect((await act(online.code, 'reject', {})).statusCode).toBe(400);
    expect(await ok(online.code, 'reject', { reason: 'Sai thủ tục' })).toMatchObject({
      status: 'rejected',
      nationalStatus: 3,
    });
    const submitted = await receive(p.code, { channel: 'online' });
    expect(await ok(submitted.code, 'withdraw', { reason: 'Người nộp rút' })).toMatchObject({
      status: 'withdrawn',
      nationalStatus: 7,
    });
    const direct = await receive(p.code);
    await ok(direct.code, 'request-supplement', { reason: 'x' });
    expect(await ok(direct.code, 'stop', { reason: 'Hết thời hạn bổ sung' })).toMatchObject({
      status: 'stopped',
      nationalStatus: 8,
      finishedAt: '2025-06-02T08:00:00+07:00',
    });
  });

  it('an illegal action → 409 INVALID_TRANSITION naming the state and the action', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const p = await createProcedure(ctx);
    const d = await receive(p.code);
    for (const [action, body] of [
      ['accept', {}],
      ['return', {}],
      ['receive-supplement', {}],
      ['confirm-payment', {}],
      ['reject', { reason: 'x' }],
    ] as const) {
      const res = await act(d.code, action, body, { 'accept-language': 'en' });
      expect(res.statusCode, action).toBe(409);
      expect(res.json().code).toBe('INVALID_TRANSITION');
      expect(res.json().detail).toBe(`A dossier in state received cannot ${action}.`);
    }
    // Vietnamese by default: the state and the action by their names at the counter.
    const accept = await act(d.code, 'accept');
    expect(accept.json().detail).toBe(
      'Hồ sơ ở trạng thái «đã tiếp nhận» không thể thực hiện thao tác «tiếp nhận».',
    );
    await ok(d.code, 'resolve', { result: 'refused', note: 'Không đủ điều kiện' });
    const again = await act(d.code, 'resolve', { result: 'approved' });
    expect(again.statusCode).toBe(409);
    expect((await act(d.code, 'withdraw', { reason: 'x' })).statusCode).toBe(409);
  });

  it('a refusal needs its reason', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive((await createProcedure(ctx)).code);
    const res = await act(d.code, 'resolve', { result: 'refused' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('body.note');
  });
});

describe('deadline rules through the actions', () => {
  it('restart across the 30/4 holidays: the full time counts again from the supplement', async () => {
    const p = await createProcedure(ctx, {
      duration: { value: 2, unit: 'working_days' },
      supplementPolicy: 'restart',
    });
    setNow('2025-04-25T08:00:00+07:00');
    const d = await receive(p.code);
    // Friday 25/4 (450 min) + the worked Saturday 26/4 (480) + 30 min on Monday 28/4.
    expect(d.dueAt).toBe('2025-04-28T08:00:00+07:00');
    setNow('2025-04-28T07:45:00+07:00');
    await ok(d.code, 'request-supplement', { reason: 'Thiếu giấy tờ' });
    setNow('2025-04-29T16:00:00+07:00');
    const resumed = await ok(d.code, 'receive-supplement');
    // 60 min on Tuesday 29/4; 30/4, 1/5, the swapped 2/5 and the weekend are off; Monday 5/5 and Tuesday 6/5.
    expect(resumed).toMatchObject({
      startAt: '2025-04-29T16:00:00+07:00',
      dueAt: '2025-05-06T16:00:00+07:00',
    });
  });

  it('extend across the 30/4 holidays: the due moves by the working time spent paused', async () => {
    const p = await createProcedure(ctx, {
      duration: { value: 2, unit: 'working_days' },
      supplementPolicy: 'extend',
    });
    setNow('2025-04-25T08:00:00+07:00');
    const d = await receive(p.code);
    expect(d.dueAt).toBe('2025-04-28T08:00:00+07:00');
    setNow('2025-04-25T16:00:00+07:00');
    const paused = await ok(d.code, 'request-supplement', { reason: 'Thiếu giấy tờ' });
    expect(paused.remainingWorkingMinutes).toBe(570);
    setNow('2025-04-29T10:00:00+07:00');
    const resumed = await ok(d.code, 'receive-supplement');
    // Paused 1,170 working minutes; the remaining 570 run from Tuesday 10:00 past the holidays.
    expect(resumed).toMatchObject({
      startAt: '2025-04-25T08:00:00+07:00',
      dueAt: '2025-05-05T11:30:00+07:00',
    });
    expect(resumed.remainingWorkingMinutes).toBe(570);
  });

  it('reschedule once; resolving after the statutory due is overdue despite the apology', async () => {
    const p = await createProcedure(ctx, { duration: { value: 1, unit: 'working_days' } });
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive(p.code);
    expect(d.dueAt).toBe('2025-06-03T08:00:00+07:00');
    const earlier = await act(d.code, 'reschedule', { newDueAt: '2025-06-02T17:00:00+07:00', reason: 'x' });
    expect(earlier.statusCode).toBe(400);
    const rescheduled = await ok(d.code, 'reschedule', {
      newDueAt: '2025-06-06T17:00:00+07:00',
      reason: 'Chờ xác minh',
    });
    expect(rescheduled).toMatchObject({
      dueAt: '2025-06-03T08:00:00+07:00',
      rescheduledDueAt: '2025-06-06T17:00:00+07:00',
    });
    const second = await act(d.code, 'reschedule', {
      newDueAt: '2025-06-09T17:00:00+07:00',
      reason: 'lần hai',
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('INVALID_TRANSITION');
    setNow('2025-06-05T10:00:00+07:00');
    expect((await ok(d.code, 'resolve', { result: 'approved' })).outcome).toBe('overdue');
  });

  it('outcome by local day: resolving on the due date after the due hour is on time', async () => {
    const p = await createProcedure(ctx, { duration: { value: 4, unit: 'working_hours' } });
    setNow('2025-06-02T07:30:00+07:00');
    const d = await receive(p.code);
    expect(d.dueAt).toBe('2025-06-02T11:30:00+07:00');
    setNow('2025-06-02T16:00:00+07:00');
    expect((await ok(d.code, 'resolve', { result: 'approved' })).outcome).toBe('on_time');
  });

  it('live timeliness: on track, due soon, overdue', async () => {
    const p = await createProcedure(ctx, { duration: { value: 3, unit: 'working_days' } });
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive(p.code);
    const get = async () =>
      (await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${d.code}`, headers: bearer(clerk) })).json();
    expect((await get()).timeliness).toBe('on_track');
    setNow('2025-06-04T09:00:00+07:00');
    expect(await get()).toMatchObject({ timeliness: 'due_soon', remainingWorkingMinutes: 420 });
    setNow('2025-06-06T08:00:00+07:00');
    const late = await get();
    expect(late.timeliness).toBe('overdue');
    expect(late.remainingWorkingMinutes).toBeLessThan(0);
  });
});

describe('optimistic concurrency and late entry', () => {
  it('ETag carries the version; a stale If-Match → 412 and nothing changes', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive((await createProcedure(ctx)).code);
    const got = await ctx.app.inject({
      method: 'GET',
      url: `/v1/dossiers/${d.code}`,
      headers: bearer(clerk),
    });
    expect(got.headers.etag).toBe('"1"');
    const first = await act(d.code, 'assign', {}, { 'if-match': '"1"' });
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    const stale = await act(d.code, 'request-supplement', { reason: 'x' }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('VERSION_MISMATCH');
    const after = (
      await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${d.code}`, headers: bearer(clerk) })
    ).json();
    expect(after).toMatchObject({ status: 'processing', version: 2 });
  });

  it('concurrent actions on one dossier: exactly one wins each state', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const d = await receive((await createProcedure(ctx)).code);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => act(d.code, 'resolve', { result: 'approved' }, { 'if-match': '"1"' })),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c !== 200).every((c) => c === 412)).toBe(true);
  });

  it('an action `at` in the future, beyond the window, or before the latest event → 400', async () => {
    setNow('2025-06-05T10:00:00+07:00');
    const d = await receive((await createProcedure(ctx)).code, { receivedAt: '2025-06-04T09:00:00+07:00' });
    expect(d.receivedAt).toBe('2025-06-04T09:00:00+07:00');
    for (const at of [
      '2025-06-05T11:00:00+07:00',
      '2025-06-01T09:00:00+07:00',
      '2025-06-04T08:00:00+07:00',
    ]) {
      const res = await act(d.code, 'assign', { at });
      expect(res.statusCode, at).toBe(400);
      expect(res.json().errors[0].path).toBe('body.at');
    }
    const late = await ok(d.code, 'resolve', { result: 'approved', at: '2025-06-04T15:00:00+07:00' });
    expect(late).toMatchObject({ resolvedAt: '2025-06-04T15:00:00+07:00', outcome: 'early' });
  });

  it('an action dated up to a minute ahead (clock skew): the next one sent without `at` takes its instant', async () => {
    setNow('2025-06-05T10:00:00+07:00');
    const d = await receive((await createProcedure(ctx)).code);
    await ok(d.code, 'assign');
    // The clerk's clock runs 40 s ahead: the pause starts after the server's now.
    await ok(d.code, 'request-supplement', { reason: 'Thiếu bản sao', at: '2025-06-05T10:00:40+07:00' });
    const resumed = await ok(d.code, 'receive-supplement');
    const resolved = await ok(d.code, 'resolve', { result: 'approved' });
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: '2025-06-05T10:00:40+07:00' });
    const events = (
      await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${d.code}/events`, headers: bearer(clerk) })
    ).json() as { items: Array<{ type: string; at: string }> };
    expect(events.items.slice(-3).map((e) => [e.type, e.at])).toEqual([
      ['request-supplement', '2025-06-05T10:00:40+07:00'],
      ['receive-supplement', '2025-06-05T10:00:40+07:00'],
      ['resolve', '2025-06-05T10:00:40+07:00'],
    ]);
    expect(resumed.version).toBe(resolved.version - 1);
    // Once the server's clock passes it, actions are dated now again.
    setNow('2025-06-05T10:05:00+07:00');
    expect(await ok(d.code, 'return', { method: 'counter' })).toMatchObject({
      returnedAt: '2025-06-05T10:05:00+07:00',
    });
  });

  /**
   * Sends a resolve of `code` while another transaction holds the dossier (having run `hold`, given the dossier's
   * id) and commits that transaction 300 ms later: the resolve's response.
   */
  async function resolveWhileHeld(code: string, hold: (other: pg.Client, id: string) => Promise<unknown>) {
    const other = new pg.Client({ connectionString: inject('databaseUrl') });
    await other.connect();
    try {
      await other.query('begin');
      const { rows } = await other.query<{ id: string }>(
        'select id from dossiers where code = $1 for update',
        [code],
      );
      await hold(other, rows[0]!.id);
      const waiting = act(code, 'resolve', { result: 'approved' });
      await new Promise((r) => setTimeout(r, 300));
      await other.query('commit');
      return await waiting;
    } finally {
      await other.end();
    }
  }

  it('an action that waited for another one on the same dossier sees the event it committed', async () => {
    setNow('2025-06-05T10:00:00+07:00');
    const d = await receive((await createProcedure(ctx)).code);
    await ok(d.code, 'assign');
    // Another transaction holds the dossier and records an event dated 40 s ahead, the way a skewed clerk's
    // action would; the resolve sent meanwhile waits for the lock, then must be dated after that event.
    const res = await resolveWhileHeld(d.code, (other, id) =>
      other.query(
        `insert into dossier_events (dossier_id, type, from_status, to_status, at, data)
         values ($1, 'record-digitisation', 'processing', 'processing', $2, '{}')`,
        [id, '2025-06-05T10:00:40+07:00'],
      ),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ resolvedAt: '2025-06-05T10:00:40+07:00' });
  });

  it('an action that waited for a transaction holding the dossier reads what it committed', async () => {
    setNow('2025-06-05T10:00:00+07:00');
    const unit = await createUnit(ctx, { parentCode: unitCode });
    const d = await receive((await createProcedure(ctx)).code, { unitCode: unit.code });
    await ok(d.code, 'assign');
    // The holder changes no column of the dossier (as a calendar change that moves none of its dates) but
    // renames its unit; the resolve sent meanwhile answers with the new name.
    const res = await resolveWhileHeld(d.code, (other) =>
      other.query("update units set name = 'Phòng đã đổi tên' where code = $1", [unit.code]),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'resolved', handlingUnit: { name: 'Phòng đã đổi tên' } });
  });

  it('an action that waited for a handover to another unit acts on the dossier as handed over', async () => {
    setNow('2025-06-05T10:00:00+07:00');
    const d = await receive((await createProcedure(ctx)).code);
    await ok(d.code, 'assign');
    // Another transaction hands the dossier over to the other unit; the resolve sent meanwhile waits for the
    // lock, then finds the dossier under its new handling unit (not as missing).
    const res = await resolveWhileHeld(d.code, (other, id) =>
      other.query('update dossiers set handling_unit_code = $2, version = version + 1 where id = $1', [
        id,
        otherUnit,
      ]),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'resolved', version: 4, handlingUnit: { code: otherUnit } });
  });
});

describe('payment and digitisation facts', () => {
  const events = async (code: string) =>
    (
      await ctx.app.inject({
        method: 'GET',
        url: `/v1/dossiers/${code}/events`,
        headers: bearer(clerk),
      })
    ).json().items as Array<{ type: string; data: Record<string, unknown> }>;

  it('confirm-payment records the method and the amount on the dossier and its event; default counter and the amount requested', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const p = await createProcedure(ctx);
    const d = await receive(p.code);
    expect(d.payment).toBeNull();
    await ok(d.code, 'request-payment', { amount: 120_000 });
    setNow('2025-06-02T09:00:00+07:00');
    const paid = await ok(d.code, 'confirm-payment', { method: 'online', amount: 125_000 });
    expect(paid.payment).toEqual({ method: 'online', amount: 125_000, paidAt: '2025-06-02T09:00:00+07:00' });
    expect((await events(d.code)).at(-1)).toMatchObject({
      type: 'confirm-payment',
      data: { method: 'online', amount: 125_000 },
    });

    // A second payment: nothing named → at the counter, the amount the request named; the dossier shows it.
    await ok(d.code, 'request-payment', { amount: 30_000 });
    setNow('2025-06-02T10:00:00+07:00');
    const again = await ok(d.code, 'confirm-payment');
    expect(again.payment).toEqual({ method: 'counter', amount: 30_000, paidAt: '2025-06-02T10:00:00+07:00' });
    expect((await events(d.code)).at(-1)).toMatchObject({ data: { method: 'counter', amount: 30_000 } });

    // A request that named no amount and a confirmation that names none: no amount.
    await ok(d.code, 'request-payment');
    const none = await ok(d.code, 'confirm-payment', { method: 'bank_transfer' });
    expect(none.payment).toMatchObject({ method: 'bank_transfer', amount: null });
  });

  it('confirm-payment with an unknown method or a negative amount → 400, nothing stored', async () => {
    const p = await createProcedure(ctx);
    const d = await receive(p.code);
    await ok(d.code, 'request-payment');
    for (const body of [{ method: 'cash' }, { amount: -1 }, { amount: 1.5 }]) {
      const res = await act(d.code, 'confirm-payment', body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    const read = await ctx.app.inject({
      method: 'GET',
      url: `/v1/dossiers/${d.code}`,
      headers: bearer(clerk),
    });
    expect(read.json()).toMatchObject({ status: 'awaiting_payment', payment: null });
  });

  it('intake components may be digitised (default not); hasDigitisedComponents says whether any is', async () => {
    const p = await createProcedure(ctx);
    const plain = await receive(p.code, { components: [{ name: 'Tờ khai', copies: 1 }] });
    expect(plain.components).toEqual([{ name: 'Tờ khai', copies: 1, digitised: false }]);
    expect(plain).toMatchObject({ hasDigitisedComponents: false, electronicResult: false });
    const scanned = await receive(p.code, {
      components: [
        { name: 'Tờ khai', copies: 1, digitised: true },
        { name: 'Bản sao CCCD', copies: 2, digitised: false },
      ],
    });
    expect(scanned.hasDigitisedComponents).toBe(true);
    const read = await ctx.app.inject({
      method: 'GET',
      url: `/v1/dossiers/${scanned.code}`,
      headers: bearer(clerk),
    });
    expect(read.json().components).toEqual([
      { name: 'Tờ khai', copies: 1, digitised: true },
      { name: 'Bản sao CCCD', copies: 2, digitised: false },
    ]);
    expect((await receive(p.code)).hasDigitisedComponents).toBe(false);
  });

  it('record-digitisation marks components digitised after intake and, once resolved, the result electronic', async () => {
    setNow('2025-06-02T08:00:00+07:00');
    const p = await createProcedure(ctx);
    const d = await receive(p.code, {
      components: [
        { name: 'Tờ khai', copies: 1 },
        { name: 'Bản sao CCCD', copies: 1 },
      ],
    });
    setNow('2025-06-02T09:00:00+07:00');
    const recorded = await ok(d.code, 'record-digitisation', { digitisedComponents: [1] });
    expect(recorded).toMatchObject({
      status: 'received',
      version: d.version + 1,
      hasDigitisedComponents: true,
    });
    expect(recorded.components).toEqual([
      { name: 'Tờ khai', copies: 1, digitised: false },
      { name: 'Bản sao CCCD', copies: 1, digitised: true },
    ]);
    expect((await events(d.code)).at(-1)).toMatchObject({
      type: 'record-digitisation',
      data: { digitisedComponents: [1] },
    });
    // Before the result: no electronic result; a position the dossier lacks; nothing at all → 400, nothing stored.
    for (const [body, path] of [
      [{ electronicResult: true }, 'body.electronicResult'],
      [{ digitisedComponents: [0, 2] }, 'body.digitisedComponents'],
      [{}, 'body.digitisedComponents'],
    ] as const) {
      const res = await act(d.code, 'record-digitisation', body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual([path]);
    }
    await ok(d.code, 'resolve', { result: 'approved' });
    const electronic = await ok(d.code, 'record-digitisation', {
      electronicResult: true,
      digitisedComponents: [0],
    });
    expect(electronic).toMatchObject({ status: 'resolved', electronicResult: true });
    expect((electronic.components as Array<{ digitised: boolean }>).map((c) => c.digitised)).toEqual([
      true,
      true,
    ]);
    await ok(d.code, 'return');
    expect((await ok(d.code, 'record-digitisation', { digitisedComponents: [0] })).status).toBe('returned');
  });

  it('record-digitisation of a submission not accepted, or of a rejected, withdrawn or stopped dossier → 409', async () => {
    const p = await createProcedure(ctx);
    const submitted = await receive(p.code, {
      channel: 'online',
      components: [{ name: 'Tờ khai', copies: 1 }],
    });
    const res = await act(submitted.code, 'record-digitisation', { digitisedComponents: [0] });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('INVALID_TRANSITION');
    await ok(submitted.code, 'reject', { reason: 'Sai thủ tục' });
    expect((await act(submitted.code, 'record-digitisation', { digitisedComponents: [0] })).statusCode).toBe(
      409,
    );
  });
});
