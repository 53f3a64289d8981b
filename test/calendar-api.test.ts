import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, createTestContext, createUnit, type TestContext } from './helpers/context.js';

// Edits touch only 2098–2099 so tests running in parallel keep the real calendar.
let ctx: TestContext;
let clerk: string;
let scopedAdmin: string;
beforeAll(async () => {
  ctx = await createTestContext();
  const unit = await createUnit(ctx);
  clerk = await createKey(ctx, 'clerk', unit.code);
  scopedAdmin = await createKey(ctx, 'admin', unit.code);
});
afterAll(() => ctx.close());

const call = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, key: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

describe('GET /v1/calendar/{year}', () => {
  it('serves the confirmed 2025 calendar with its swaps and sources', async () => {
    const res = await call('GET', '/v1/calendar/2025', clerk);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('confirmed');
    expect(body.workingHours).toEqual([
      { start: '07:30', end: '11:30' },
      { start: '13:00', end: '17:00' },
    ]);
    const byDate = Object.fromEntries(body.days.map((d: { date: string; kind: string }) => [d.date, d.kind]));
    expect(byDate['2025-04-26']).toBe('working_day');
    expect(byDate['2025-05-02']).toBe('day_off');
    expect(byDate['2025-04-30']).toBe('holiday');
    for (const date of ['2025-01-27', '2025-01-31', '2025-04-07', '2025-09-01', '2025-09-02'])
      expect(byDate[date]).toBeDefined();
    for (const d of body.days) expect(d.source.length).toBeGreaterThan(5);
  });

  it('serves generated years as provisional', async () => {
    const body = (await call('GET', '/v1/calendar/2031', clerk)).json();
    expect(body.status).toBe('provisional');
    expect(body.days.length).toBeGreaterThanOrEqual(11);
  });

  it('a year outside 1990–2100 or not a number → 400 problem+json', async () => {
    for (const year of ['1989', '2101', 'abc', '20x5']) {
      const res = await call('GET', `/v1/calendar/${year}`, clerk);
      expect(res.statusCode, year).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('editing the calendar', () => {
  it('only the system admin edits: clerk and scoped admin get 403', async () => {
    const body = { kind: 'holiday', name: 'Ngày thử', source: 'test' };
    expect((await call('PUT', '/v1/calendar/days/2099-06-01', clerk, body)).statusCode).toBe(403);
    expect((await call('PUT', '/v1/calendar/days/2099-06-01', scopedAdmin, body)).statusCode).toBe(403);
    expect((await call('DELETE', '/v1/calendar/days/2099-06-01', scopedAdmin)).statusCode).toBe(403);
    expect((await call('PUT', '/v1/calendar/2099/status', clerk, { status: 'confirmed' })).statusCode).toBe(
      403,
    );
  });

  it('a malformed date → 400', async () => {
    const body = { kind: 'holiday', name: 'x', source: 'y' };
    for (const date of ['2099-02-30', '2099-13-01', '99-01-01', '2101-01-01', 'today']) {
      const res = await call('PUT', `/v1/calendar/days/${date}`, ctx.adminKey, body);
      expect(res.statusCode, date).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
  });

  it('a worked day must be a weekend day and a day off a weekday', async () => {
    const monday = await call('PUT', '/v1/calendar/days/2099-06-01', ctx.adminKey, {
      kind: 'working_day',
      name: 'x',
      source: 'y',
    });
    expect(monday.statusCode).toBe(400);
    expect(monday.json().errors[0].path).toBe('body.kind');
    const saturday = await call('PUT', '/v1/calendar/days/2099-06-06', ctx.adminKey, {
      kind: 'day_off',
      name: 'x',
      source: 'y',
    });
    expect(saturday.statusCode).toBe(400);
  });

  it('set, read back, change deadlines at once, and remove an override', async () => {
    const preview = async () =>
      (
        await call('POST', '/v1/deadlines/preview', clerk, {
          duration: { value: 1, unit: 'working_days' },
          receivedAt: '2099-06-01T07:30:00+07:00',
        })
      ).json().dueAt;
    expect(await preview()).toBe('2099-06-01T17:00:00+07:00');
    const put = await call('PUT', '/v1/calendar/days/2099-06-01', ctx.adminKey, {
      kind: 'day_off',
      name: 'Nghỉ thử',
      source: 'Thông báo thử',
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({
      date: '2099-06-01',
      kind: 'day_off',
      name: 'Nghỉ thử',
      source: 'Thông báo thử',
    });
    const year = (await call('GET', '/v1/calendar/2099', clerk)).json();
    expect(year.days).toContainEqual({
      date: '2099-06-01',
      kind: 'day_off',
      name: 'Nghỉ thử',
      source: 'Thông báo thử',
    });
    expect(await preview()).toBe('2099-06-02T17:00:00+07:00');
    expect((await call('DELETE', '/v1/calendar/days/2099-06-01', ctx.adminKey)).statusCode).toBe(204);
    expect(await preview()).toBe('2099-06-01T17:00:00+07:00');
    const again = await call('DELETE', '/v1/calendar/days/2099-06-01', ctx.adminKey);
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('CALENDAR_DAY_NOT_FOUND');
  });

  it('confirms a year', async () => {
    const res = await call('PUT', '/v1/calendar/2098/status', ctx.adminKey, { status: 'confirmed' });
    expect(res.json()).toEqual({ year: 2098, status: 'confirmed' });
    expect((await call('GET', '/v1/calendar/2098', clerk)).json().status).toBe('confirmed');
    await call('PUT', '/v1/calendar/2098/status', ctx.adminKey, { status: 'provisional' });
  });
});

describe('POST /v1/deadlines/preview around the 2025 holidays', () => {
  const preview = (payload: object) => call('POST', '/v1/deadlines/preview', clerk, payload);
  const cases: Array<[string, object, string, string]> = [
    [
      'received the afternoon before 30/4: the holiday, 1/5, the swapped Friday 2/5 and the weekend do not count',
      { duration: { value: 1, unit: 'working_days' }, receivedAt: '2025-04-29T16:30:00+07:00' },
      '2025-04-29T16:30:00+07:00',
      '2025-05-05T16:30:00+07:00',
    ],
    [
      'the worked Saturday 26/4 counts',
      { duration: { value: 1, unit: 'working_days' }, receivedAt: '2025-04-25T16:00:00+07:00' },
      '2025-04-25T16:00:00+07:00',
      '2025-04-26T16:00:00+07:00',
    ],
    [
      'received on the holiday weekend starts at the next opening',
      { duration: { value: 0.5, unit: 'working_days' }, receivedAt: '2025-05-03T09:00:00+07:00' },
      '2025-05-05T07:30:00+07:00',
      '2025-05-05T11:30:00+07:00',
    ],
    [
      'across Tết 2025: Friday 24/1 afternoon to Monday 3/2',
      { duration: { value: 0.5, unit: 'working_days' }, receivedAt: '2025-01-24T15:00:00+07:00' },
      '2025-01-24T15:00:00+07:00',
      '2025-02-03T09:30:00+07:00',
    ],
    [
      'a receipt cut-off at 15:00 moves the start past Tết',
      {
        duration: { value: 0.5, unit: 'working_days' },
        receivedAt: '2025-01-24T15:00:00+07:00',
        receiptCutoff: '15:00',
      },
      '2025-02-03T07:30:00+07:00',
      '2025-02-03T11:30:00+07:00',
    ],
    [
      'calendar days landing on the swapped day off move to the next working day’s closing',
      { duration: { value: 3, unit: 'calendar_days' }, receivedAt: '2025-04-29T10:00:00+07:00' },
      '2025-04-29T10:00:00+07:00',
      '2025-05-05T17:00:00+07:00',
    ],
    [
      'received at lunch on Hùng Kings’ eve, 4 working hours, lands on the closing of Tuesday 8/4',
      { duration: { value: 4, unit: 'working_hours' }, receivedAt: '2025-04-04T12:00:00+07:00' },
      '2025-04-04T13:00:00+07:00',
      '2025-04-04T17:00:00+07:00',
    ],
  ];
  for (const [rule, payload, startAt, dueAt] of cases) {
    it(rule, async () => {
      const res = await preview(payload);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ startAt, dueAt });
    });
  }

  it('rejects bad input with 400 problem+json', async () => {
    const bad = [
      { duration: { value: 1.25, unit: 'working_days' }, receivedAt: '2025-04-29T16:30:00+07:00' },
      { duration: { value: 1, unit: 'weeks' }, receivedAt: '2025-04-29T16:30:00+07:00' },
      { duration: { value: 1, unit: 'working_days' }, receivedAt: '2025-04-29 16:30' },
      { duration: { value: 1, unit: 'working_days' }, receivedAt: '2025-04-29T16:30:00' },
      { duration: { value: 1, unit: 'working_days' }, receivedAt: '1989-04-29T16:30:00+07:00' },
      { receivedAt: '2025-04-29T16:30:00+07:00' },
      {
        duration: { value: 1, unit: 'working_days' },
        receivedAt: '2025-04-29T16:30:00+07:00',
        receiptCutoff: '25:00',
      },
    ];
    for (const payload of bad) {
      const res = await preview(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
  });
});
