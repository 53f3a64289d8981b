import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createKey,
  createTestContext,
  createUnit,
  type TestContext,
  uniqueProcedureCode,
} from './helpers/context.js';

let ctx: TestContext;
let viewer: string;
let clerk: string;
let sync: string;
let scopedAdmin: string;
beforeAll(async () => {
  ctx = await createTestContext();
  const unit = await createUnit(ctx);
  viewer = await createKey(ctx, 'viewer', unit.code);
  clerk = await createKey(ctx, 'clerk', unit.code);
  sync = await createKey(ctx, 'sync', unit.code);
  scopedAdmin = await createKey(ctx, 'admin', unit.code);
});
afterAll(() => ctx.close());

/** A field code of its own, so filters see only this test's procedures. */
const uniqueFieldCode = () => `F${uniqueProcedureCode().replaceAll('.', '')}`;

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, key: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

function body(overrides: Record<string, unknown> = {}) {
  return {
    code: uniqueProcedureCode(),
    name: 'Đăng ký khai sinh',
    field: { code: 'G01.HT', name: 'Hộ tịch' },
    duration: { value: 3, unit: 'working_days' },
    ...overrides,
  };
}

async function createProcedure(overrides: Record<string, unknown> = {}) {
  const res = await call('POST', '/v1/procedures', ctx.adminKey, body(overrides));
  if (res.statusCode !== 201) throw new Error(`createProcedure: ${res.statusCode} ${res.body}`);
  return res.json();
}

type Page = { items: Array<{ code: string }>; nextCursor: string | null };
const codesOf = async (url: string, key = ctx.adminKey) =>
  ((await call('GET', url, key)).json() as Page).items.map((p) => p.code);

describe('procedures catalogue', () => {
  it('creates a procedure with defaults and reads it back in the documented shape', async () => {
    const code = uniqueProcedureCode();
    const res = await call('POST', '/v1/procedures', ctx.adminKey, body({ code }));
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toEqual({
      code,
      name: 'Đăng ký khai sinh',
      field: { code: 'G01.HT', name: 'Hộ tịch' },
      duration: { value: 3, unit: 'working_days' },
      onlineDuration: null,
      receiptCutoff: null,
      supplementPolicy: 'restart',
      onlineLevel: 'none',
      fee: null,
      active: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/),
      updatedAt: expect.stringMatching(/\+07:00$/),
    });
    const got = await call('GET', `/v1/procedures/${code}`, viewer);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);
  });

  it('stores every field, with names trimmed and NFC-normalised', async () => {
    const code = `2.${uniqueProcedureCode()}.000.00.00.H56`;
    const created = await createProcedure({
      code,
      name: '  Chứng thực bản sao từ bản chính  '.normalize('NFD'),
      field: { code: 'G09-CT', name: ' Chứng thực '.normalize('NFD') },
      duration: { value: 0.5, unit: 'working_days' },
      onlineDuration: { value: 4, unit: 'working_hours' },
      receiptCutoff: '15:00',
      supplementPolicy: 'extend',
      onlineLevel: 'full',
      fee: 2000,
      active: false,
    });
    expect(created).toMatchObject({
      code,
      name: 'Chứng thực bản sao từ bản chính'.normalize('NFC'),
      field: { code: 'G09-CT', name: 'Chứng thực'.normalize('NFC') },
      duration: { value: 0.5, unit: 'working_days' },
      onlineDuration: { value: 4, unit: 'working_hours' },
      receiptCutoff: '15:00',
      supplementPolicy: 'extend',
      onlineLevel: 'full',
      fee: 2000,
      active: false,
    });
    expect(created.name).toBe('Chứng thực bản sao từ bản chính');
  });

  it('rejects invalid input with 400 naming the field', async () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['body.duration.value', { duration: { value: 1.25, unit: 'working_days' } }],
      ['body.duration.value', { duration: { value: 1.5, unit: 'calendar_days' } }],
      ['body.duration.unit', { duration: { value: 1, unit: 'weeks' } }],
      ['body.receiptCutoff', { receiptCutoff: '25:00' }],
      ['body.receiptCutoff', { receiptCutoff: '3pm' }],
      ['body.onlineDuration.value', { onlineDuration: { value: 0.3, unit: 'working_days' } }],
      ['body.field', { field: undefined }],
      ['body.field.name', { field: { code: 'G01', name: '   ' } }],
      ['body.name', { name: 'x'.repeat(501) }],
      ['body.code', { code: '1..004616' }],
      ['body.code', { code: '1.004616 ' }],
      ['body.code', { code: '1'.repeat(51) }],
      ['body.supplementPolicy', { supplementPolicy: 'pause' }],
      ['body.onlineLevel', { onlineLevel: 'level4' }],
      ['body.fee', { fee: -1 }],
      ['body.fee', { fee: 10.5 }],
    ];
    for (const [path, overrides] of bad) {
      const res = await call('POST', '/v1/procedures', ctx.adminKey, body(overrides));
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(
        res.json().errors.map((e: { path: string }) => e.path),
        JSON.stringify(overrides),
      ).toContain(path);
    }
  });

  it('a duplicate code → 409 PROCEDURE_ALREADY_EXISTS; an unknown one → 404 PROCEDURE_NOT_FOUND', async () => {
    const { code } = await createProcedure();
    const dup = await call('POST', '/v1/procedures', ctx.adminKey, body({ code }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('PROCEDURE_ALREADY_EXISTS');
    const unknown = uniqueProcedureCode();
    for (const res of [
      await call('GET', `/v1/procedures/${unknown}`, viewer),
      await call('PATCH', `/v1/procedures/${unknown}`, ctx.adminKey, { active: false }),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('PROCEDURE_NOT_FOUND');
    }
  });

  it('patches any subset of fields, clears nullable ones and keeps the code immutable', async () => {
    const { code, createdAt } = await createProcedure({
      onlineDuration: { value: 1, unit: 'working_days' },
      receiptCutoff: '15:00',
      fee: 8000,
    });
    const res = await call('PATCH', `/v1/procedures/${code}`, ctx.adminKey, {
      name: 'Đăng ký khai sinh (sửa)',
      duration: { value: 5, unit: 'working_days' },
      onlineDuration: null,
      receiptCutoff: null,
      fee: null,
      onlineLevel: 'partial',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      code,
      name: 'Đăng ký khai sinh (sửa)',
      field: { code: 'G01.HT', name: 'Hộ tịch' },
      duration: { value: 5, unit: 'working_days' },
      onlineDuration: null,
      receiptCutoff: null,
      fee: null,
      onlineLevel: 'partial',
      supplementPolicy: 'restart',
      active: true,
      createdAt,
    });
    const one = await call('PATCH', `/v1/procedures/${code}`, ctx.adminKey, { active: false });
    expect(one.json()).toMatchObject({
      active: false,
      name: 'Đăng ký khai sinh (sửa)',
      onlineLevel: 'partial',
    });

    const rename = await call('PATCH', `/v1/procedures/${code}`, ctx.adminKey, { code: '1.999999' });
    expect(rename.statusCode).toBe(400);
    expect(rename.json().code).toBe('VALIDATION_FAILED');
    const bad = await call('PATCH', `/v1/procedures/${code}`, ctx.adminKey, {
      duration: { value: 1.25, unit: 'working_days' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await call('GET', `/v1/procedures/${code}`, viewer)).json().duration).toEqual({
      value: 5,
      unit: 'working_days',
    });
  });

  it('only the system admin writes: clerk, viewer, sync and a scoped admin get 403', async () => {
    const { code } = await createProcedure();
    for (const key of [clerk, viewer, sync, scopedAdmin]) {
      const post = await call('POST', '/v1/procedures', key, body());
      expect(post.statusCode).toBe(403);
      expect(post.json().code).toBe('FORBIDDEN');
      expect((await call('PATCH', `/v1/procedures/${code}`, key, { active: false })).statusCode).toBe(403);
    }
    expect((await call('GET', `/v1/procedures/${code}`, ctx.adminKey)).json().active).toBe(true);
  });

  it('every role reads: a viewer gets and lists procedures', async () => {
    const fieldCode = uniqueFieldCode();
    const { code } = await createProcedure({ field: { code: fieldCode, name: 'Lĩnh vực thử' } });
    expect((await call('GET', `/v1/procedures/${code}`, viewer)).statusCode).toBe(200);
    expect(await codesOf(`/v1/procedures?fieldCode=${fieldCode}`, viewer)).toEqual([code]);
    expect((await call('GET', '/v1/procedures', 'not-a-key')).statusCode).toBe(401);
  });

  it('filters by field, active flag and online level', async () => {
    const fieldCode = uniqueFieldCode();
    const field = { code: fieldCode, name: 'Đất đai' };
    const a = (await createProcedure({ field, onlineLevel: 'full' })).code;
    const b = (await createProcedure({ field, onlineLevel: 'partial', active: false })).code;
    const c = (await createProcedure({ field })).code;
    await createProcedure({ onlineLevel: 'full' });
    const base = `/v1/procedures?fieldCode=${fieldCode}`;
    expect(await codesOf(base)).toEqual([a, b, c].sort());
    expect(await codesOf(`${base}&active=false`)).toEqual([b]);
    expect(await codesOf(`${base}&active=true`)).toEqual([a, c].sort());
    expect(await codesOf(`${base}&onlineLevel=full`)).toEqual([a]);
    expect(await codesOf(`${base}&onlineLevel=none&active=true`)).toEqual([c]);
    expect((await call('GET', `${base}&onlineLevel=level4`, viewer)).statusCode).toBe(400);
  });

  it('q finds a substring of the code or name, ignoring case and diacritics', async () => {
    const fieldCode = uniqueFieldCode();
    const field = { code: fieldCode, name: 'Hộ tịch' };
    const birth = (await createProcedure({ field, name: 'Đăng ký khai sinh có yếu tố nước ngoài' })).code;
    const death = (await createProcedure({ field, name: 'Đăng ký khai tử' })).code;
    const base = `/v1/procedures?fieldCode=${fieldCode}&q=`;
    expect(await codesOf(base + encodeURIComponent('dang ky khai sinh'))).toEqual([birth]);
    expect(await codesOf(base + encodeURIComponent('NƯỚC NGOÀI'))).toEqual([birth]);
    expect(await codesOf(base + encodeURIComponent('yeu to'))).toEqual([birth]);
    expect(await codesOf(base + encodeURIComponent('đăng ký'))).toEqual([birth, death].sort());
    expect(await codesOf(base + encodeURIComponent(death.slice(2)))).toEqual([death]);
    expect(await codesOf(base + encodeURIComponent('100%'))).toEqual([]);
  });

  it('pages by code with an opaque cursor and rejects a forged one', async () => {
    const fieldCode = uniqueFieldCode();
    const codes: string[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await createProcedure({ field: { code: fieldCode, name: 'Trang' } })).code);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(
        'GET',
        `/v1/procedures?fieldCode=${fieldCode}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        viewer,
      );
      const page = res.json() as Page;
      seen.push(...page.items.map((p) => p.code));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...codes].sort());
    expect((await call('GET', '/v1/procedures?cursor=nonsense', viewer)).statusCode).toBe(400);
  });
});

describe('POST /v1/deadlines/preview with a procedure', () => {
  const preview = (payload: object) => call('POST', '/v1/deadlines/preview', clerk, payload);

  it("uses the procedure's duration and receipt cut-off", async () => {
    const { code } = await createProcedure({
      duration: { value: 0.5, unit: 'working_days' },
      receiptCutoff: '15:00',
    });
    const res = await preview({ procedureCode: code, receivedAt: '2025-01-24T15:00:00+07:00' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      startAt: '2025-02-03T07:30:00+07:00',
      dueAt: '2025-02-03T11:30:00+07:00',
      duration: { value: 0.5, unit: 'working_days' },
    });
  });

  it('the online channel uses the online time when the procedure has one', async () => {
    const withOnline = await createProcedure({
      duration: { value: 3, unit: 'working_days' },
      onlineDuration: { value: 1, unit: 'working_days' },
    });
    const receivedAt = '2025-04-29T16:30:00+07:00';
    const online = await preview({ procedureCode: withOnline.code, receivedAt, channel: 'online' });
    expect(online.statusCode, online.body).toBe(200);
    expect(online.json()).toMatchObject({
      startAt: '2025-04-29T16:30:00+07:00',
      dueAt: '2025-05-05T16:30:00+07:00',
      duration: { value: 1, unit: 'working_days' },
    });
    const direct = await preview({ procedureCode: withOnline.code, receivedAt, channel: 'direct' });
    expect(direct.json().duration).toEqual({ value: 3, unit: 'working_days' });
    const withoutOnline = await createProcedure({ duration: { value: 2, unit: 'working_days' } });
    const fallback = await preview({ procedureCode: withoutOnline.code, receivedAt, channel: 'online' });
    expect(fallback.json().duration).toEqual({ value: 2, unit: 'working_days' });
  });

  it('an unknown procedure → 404 PROCEDURE_NOT_FOUND; both procedure and duration → 400', async () => {
    const res = await preview({
      procedureCode: uniqueProcedureCode(),
      receivedAt: '2025-04-29T16:30:00+07:00',
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('PROCEDURE_NOT_FOUND');
    const { code } = await createProcedure();
    const both = await preview({
      procedureCode: code,
      duration: { value: 1, unit: 'working_days' },
      receivedAt: '2025-04-29T16:30:00+07:00',
    });
    expect(both.statusCode).toBe(400);
  });
});
