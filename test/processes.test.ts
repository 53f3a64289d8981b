import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossiers, procedureProcesses } from '../src/db/schema/index.js';
import { importProcessesCsv } from '../src/processes/import.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  runCli,
  type TestContext,
} from './helpers/context.js';

let ctx: TestContext;
let unit: string;
let clerk: string;
let viewer: string;
let scopedAdmin: string;
let dir: string;
beforeAll(async () => {
  ctx = await createTestContext();
  unit = (await createUnit(ctx)).code;
  clerk = await createKey(ctx, 'clerk', unit);
  viewer = await createKey(ctx, 'viewer', unit);
  scopedAdmin = await createKey(ctx, 'admin', unit);
  dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-processes-'));
});
afterAll(async () => {
  await ctx.close();
  await rm(dir, { recursive: true, force: true });
});

const system = { keyId: 'test', role: 'admin' as const, unitCode: null, scopePath: null };
/** The default working hours: 07:30–11:30 and 13:00–17:00. */
const DAY = 480;

const put = (code: string, steps: unknown, key = ctx.adminKey, lang?: string) =>
  ctx.app.inject({
    method: 'PUT',
    url: `/v1/procedures/${code}/process`,
    headers: { ...bearer(key), ...(lang ? { 'accept-language': lang } : {}) },
    payload: { steps },
  });
const get = (code: string, query = '', key = ctx.adminKey) =>
  ctx.app.inject({ method: 'GET', url: `/v1/procedures/${code}/process${query}`, headers: bearer(key) });

const step = (code: string, value: number, unit: 'hours' | 'days' = 'days', extra: object = {}) => ({
  code,
  name: `Bước ${code}`,
  allotment: { value, unit },
  ...extra,
});

/** A procedure of `days` working days (and optionally a separate online time). */
async function procedure(days = 3, onlineDays?: number): Promise<string> {
  const online =
    onlineDays === undefined ? {} : { onlineDuration: { value: onlineDays, unit: 'working_days' } };
  return (await createProcedure(ctx, { duration: { value: days, unit: 'working_days' }, ...online })).code;
}

async function intake(procedureCode: string, channel = 'direct'): Promise<string> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(clerk),
    payload: intakeBody(procedureCode, { channel }),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().code;
}

async function processVersionOf(code: string): Promise<number | null> {
  const [row] = await ctx.database.db
    .select({ v: dossiers.processVersion })
    .from(dossiers)
    .where(eq(dossiers.code, code));
  return row!.v;
}

describe('PUT and GET /v1/procedures/{code}/process', () => {
  it('a procedure without a process answers its implicit single step holding the whole statutory time', async () => {
    const code = await procedure(3, 2);
    const res = await get(code, '', viewer);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      procedureCode: code,
      version: null,
      steps: [
        {
          code: 'xu-ly',
          name: 'Giải quyết hồ sơ',
          allotment: { value: 3, unit: 'days' },
          onlineAllotment: { value: 2, unit: 'days' },
        },
      ],
      implicit: true,
      createdAt: null,
    });
  });

  it('the system admin puts a process: version 1 in the documented shape, readable by every role', async () => {
    const code = await procedure(3);
    const steps = [
      step('tiep-nhan', 4, 'hours'),
      step('tham-dinh', 1.5, 'days', { onlineAllotment: { value: 1, unit: 'days' } }),
      step('phe-duyet', 0.5),
    ];
    const res = await put(code, steps);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      procedureCode: code,
      version: 1,
      steps: [{ ...steps[0], onlineAllotment: null }, steps[1], { ...steps[2], onlineAllotment: null }],
      implicit: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/),
    });
    for (const key of [viewer, clerk, scopedAdmin]) {
      const got = await get(code, '', key);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toEqual(body);
    }
  });

  it('replacing creates the next version; a past version stays readable with ?version=', async () => {
    const code = await procedure(3);
    expect((await put(code, [step('a', 1), step('b', 1)])).json().version).toBe(1);
    const second = await put(code, [step('mot-buoc', 3)]);
    expect(second.json()).toMatchObject({ version: 2, steps: [{ code: 'mot-buoc' }] });
    expect((await get(code)).json()).toMatchObject({ version: 2 });
    expect((await get(code, '?version=1')).json()).toMatchObject({
      version: 1,
      steps: [{ code: 'a' }, { code: 'b' }],
    });
    const missing = await get(code, '?version=3');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({
      code: 'PROCESS_VERSION_NOT_FOUND',
      detail: `Thủ tục ${code} không có phiên bản 3 của quy trình nội bộ.`,
    });
    expect((await get(await procedure(), '?version=1')).json().code).toBe('PROCESS_VERSION_NOT_FOUND');
    expect((await get(code, '?version=0')).statusCode).toBe(400);
  });

  it('a dossier keeps the version in force at its intake; later replacements affect later dossiers only', async () => {
    const code = await procedure(3);
    const before = await intake(code);
    await put(code, [step('a', 1), step('b', 2)]);
    const [first, firstOnline] = [await intake(code), await intake(code, 'online')];
    await put(code, [step('a', 3)]);
    const second = await intake(code);
    expect(await processVersionOf(before)).toBeNull();
    expect(await processVersionOf(first)).toBe(1);
    expect(await processVersionOf(firstOnline)).toBe(1);
    expect(await processVersionOf(second)).toBe(2);
  });

  it('allotments beyond the statutory time → 400 PROCESS_EXCEEDS_STATUTORY_TIME naming both amounts; nothing stored', async () => {
    const code = await procedure(2);
    const steps = [step('a', 1), step('b', 1.5)];
    const vi = await put(code, steps);
    expect(vi.statusCode, vi.body).toBe(400);
    expect(vi.json()).toMatchObject({
      code: 'PROCESS_EXCEEDS_STATUTORY_TIME',
      title: 'Quy trình vượt quá thời hạn giải quyết',
      detail:
        'Tổng thời gian các bước của quy trình nội bộ là 2 ngày 4 giờ làm việc, vượt quá thời hạn giải quyết ' +
        `của thủ tục ${code} là 2 ngày làm việc.`,
    });
    const en = await put(code, steps, ctx.adminKey, 'en');
    expect(en.json().detail).toBe(
      'The steps of the internal process add up to 2 days 4 hours of working time, more than the processing ' +
        `time of procedure ${code}, 2 days of working time.`,
    );
    expect((await get(code)).json()).toMatchObject({ implicit: true, version: null });
    // Exactly the statutory time fits.
    expect((await put(code, [step('a', 8, 'hours'), step('b', 1)])).statusCode).toBe(200);
  });

  it('online allotments beyond the online time → 400 naming the online time; a shorter online allotment fits', async () => {
    const code = await procedure(3, 1);
    const steps = [step('a', 4, 'hours'), step('b', 1)];
    const res = await put(code, steps);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().detail).toBe(
      'Tổng thời gian các bước của quy trình nội bộ là 1 ngày 4 giờ làm việc, vượt quá thời hạn giải quyết ' +
        `trực tuyến của thủ tục ${code} là 1 ngày làm việc.`,
    );
    expect((await get(code)).json().implicit).toBe(true);
    const fitting = [
      step('a', 4, 'hours'),
      step('b', 1, 'days', { onlineAllotment: { value: 4, unit: 'hours' } }),
    ];
    expect((await put(code, fitting)).statusCode).toBe(200);
  });

  it('steps: 1 to 30, unique codes of the documented form, allotments > 0 in half days or whole minutes (one at least)', async () => {
    const code = await procedure(30);
    const cases: Array<[unknown, string, string]> = [
      [[step('a', 1), step('a', 1)], 'body.steps.1.code', 'Mã bước đã dùng cho một bước khác của quy trình'],
      [[step('-a', 1)], 'body.steps.0.code', 'Mã bước bắt đầu bằng chữ hoặc số'],
      [[step('a'.repeat(31), 1)], 'body.steps.0.code', 'Mã bước bắt đầu bằng chữ hoặc số'],
      [[], 'body.steps', 'Danh sách bước phải có ít nhất 1 mục.'],
      [
        Array.from({ length: 31 }, (_, i) => step(`b${i}`, 1, 'hours')),
        'body.steps',
        'Danh sách bước chỉ được có tối đa 30 mục.',
      ],
      [[step('a', 0.25)], 'body.steps.0.allotment.value', 'bội số của 0,5 ngày'],
      [[step('a', 0.001, 'hours')], 'body.steps.0.allotment.value', 'số phút nguyên'],
      // Within rounding of 0 minutes: a whole number of minutes, but none (an intake could not start the step).
      [[step('a', 1e-12, 'hours')], 'body.steps.0.allotment.value', 'từ 1 phút trở lên'],
      [[step('a', 0)], 'body.steps.0.allotment.value', 'Độ dài thời gian của bước phải lớn hơn 0.'],
      [[step('a', 1, 'weeks' as 'days')], 'body.steps.0.allotment.unit', 'hours, days'],
    ];
    for (const [steps, at, message] of cases) {
      const res = await put(code, steps);
      expect(res.statusCode, `${at} ${res.body}`).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      const item = (res.json().errors as Array<{ path: string; message: string }>).find((e) => e.path === at);
      expect(item?.message, `${at} ${res.body}`).toContain(message);
    }
    expect((await get(code)).json().implicit).toBe(true);
  });

  it('migration 0046 gives a minute to the hours a version stored before that rule rounded to none', async () => {
    const code = await procedure(3);
    // A version as the API stored it before: its first step allotted 1e-12 hours (none online), its second fine.
    const tiny = { value: 1e-12, unit: 'hours' };
    await ctx.database.db.insert(procedureProcesses).values({
      procedureCode: code,
      version: 1,
      actorKeyId: 'test',
      steps: [
        { code: 'a', name: 'Bước a', allotment: tiny, onlineAllotment: tiny },
        { code: 'b', name: 'Bước b', allotment: { value: 1, unit: 'days' }, onlineAllotment: null },
      ],
    } as typeof procedureProcesses.$inferInsert);
    const migration = await readFile(
      new URL('../migrations/0046_step_allotment_minute.sql', import.meta.url),
      'utf8',
    );
    await ctx.database.db.execute(sql.raw(migration));
    const read = await get(code);
    expect(read.statusCode, read.body).toBe(200);
    const minute = { value: 1 / 60, unit: 'hours' };
    expect(read.json().steps).toEqual([
      { code: 'a', name: 'Bước a', allotment: minute, onlineAllotment: minute },
      { code: 'b', name: 'Bước b', allotment: { value: 1, unit: 'days' }, onlineAllotment: null },
    ]);
    // Its intakes start the first step, a minute long, on either channel.
    for (const channel of ['direct', 'online'])
      expect(await processVersionOf(await intake(code, channel))).toBe(1);
  });

  it('only the system admin puts a process (403 otherwise); an unknown procedure is 404 for PUT and GET', async () => {
    const code = await procedure();
    for (const key of [scopedAdmin, clerk, viewer]) {
      const res = await put(code, [step('a', 1)], key);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    expect((await get(code)).json().implicit).toBe(true);
    for (const res of [await put('9.999999.404', [step('a', 1)]), await get('9.999999.404')]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('PROCEDURE_NOT_FOUND');
    }
  });
});

describe('processes CSV import', () => {
  const header =
    'procedureCode,stepOrder,stepCode,stepName,allotmentValue,allotmentUnit,onlineAllotmentValue,onlineAllotmentUnit';

  it('cli: each procedure’s rows, in step order, become one version; a second run adds the next version', async () => {
    const [p1, p2] = [await procedure(3, 2), await procedure(1)];
    const file = path.join(dir, 'processes.csv');
    await writeFile(
      file,
      `\uFEFF${header}\n` +
        `${p1},2,tham-dinh,"Thẩm định, trình ký","1,5",days,1,days\n` +
        `${p2},1,xu-ly,Xử lý,8,hours,,\n` +
        `${p1},1,tiep-nhan,Tiếp nhận,4,hours,,\n`,
    );
    const first = await runCli(ctx.config.DATABASE_URL!, 'processes', 'import', file);
    expect(first.stderr, first.stderr).toBe('');
    expect(first.stdout).toContain('processes: 2 created, 0 updated');
    expect((await get(p1)).json()).toMatchObject({
      version: 1,
      steps: [
        {
          code: 'tiep-nhan',
          name: 'Tiếp nhận',
          allotment: { value: 4, unit: 'hours' },
          onlineAllotment: null,
        },
        {
          code: 'tham-dinh',
          name: 'Thẩm định, trình ký',
          allotment: { value: 1.5, unit: 'days' },
          onlineAllotment: { value: 1, unit: 'days' },
        },
      ],
    });
    expect((await get(p2)).json()).toMatchObject({ version: 1, steps: [{ code: 'xu-ly' }] });

    await writeFile(file, `${header.split(',').slice(0, 6).join(',')}\n${p1},1,mot-cua,Một cửa,2,days\n`);
    const again = await runCli(ctx.config.DATABASE_URL!, 'processes', 'import', file);
    expect(again.stdout).toContain('processes: 0 created, 1 updated');
    expect((await get(p1)).json()).toMatchObject({ version: 2, steps: [{ code: 'mot-cua' }] });
  });

  it('row errors name their line and column; nothing is written', async () => {
    const [p1, p2] = [await procedure(3), await procedure(3)];
    const csv =
      `${header}\n` +
      `${p1},1,a,Bước một,1,days,,\n` + // line 2: fine
      `${p2},x,b,Bước,1,days,,\n` + // line 3: step order
      `${p1},1,c,Bước,1,days,,\n` + // line 4: order repeated
      `${p1},2,a,Bước,1,weeks,,\n` + // line 5: code repeated, unit unknown
      `${p2},1,-b,Bước,"0,25",days,,\n`; // line 6: bad code, not half days
    const report = await importProcessesCsv(ctx.database.db, system, csv, DAY);
    expect(report.created + report.updated).toBe(0);
    expect(report.errors).toEqual([
      { line: 3, message: 'stepOrder: Thứ tự bước phải là một số.' },
      { line: 4, message: `Thủ tục ${p1} có nhiều dòng cùng thứ tự bước 1.` },
      {
        line: 5,
        message:
          'allotmentUnit: Đơn vị tính thời gian của bước phải là một trong các giá trị: hours, days. ' +
          'stepCode: Mã bước đã dùng cho một bước khác của quy trình; mỗi bước cần một mã riêng.',
      },
      {
        line: 6,
        message: expect.stringMatching(
          /^stepCode: Mã bước bắt đầu bằng chữ hoặc số.* allotmentValue: Thời hạn tính theo ngày làm việc phải là bội số của 0,5 ngày\.$/,
        ),
      },
    ]);
    for (const code of [p1, p2]) expect((await get(code)).json().implicit).toBe(true);
  });

  it('a procedure’s own problem is reported on its first row, and the procedures before it are rolled back', async () => {
    const [fits, tooLong] = [await procedure(3), await procedure(1)];
    const csv =
      `${header}\n` +
      `${fits},1,a,Một,1,days,,\n` +
      `${tooLong},1,a,Một,1,days,,\n` +
      `${tooLong},2,b,Hai,1,hours,,\n`;
    const vi = await importProcessesCsv(ctx.database.db, system, csv, DAY);
    expect(vi.errors).toEqual([
      {
        line: 3,
        message:
          'Tổng thời gian các bước của quy trình nội bộ là 1 ngày 1 giờ làm việc, vượt quá thời hạn giải quyết ' +
          `của thủ tục ${tooLong} là 1 ngày làm việc.`,
      },
    ]);
    const unknown = await importProcessesCsv(
      ctx.database.db,
      system,
      `${header}\n9.999999.404,1,a,Một,1,days,,\n`,
      DAY,
      'en',
    );
    expect(unknown.errors).toEqual([{ line: 2, message: 'Procedure 9.999999.404 does not exist.' }]);
    for (const code of [fits, tooLong]) expect((await get(code)).json().implicit).toBe(true);
  });

  it('a header without the required columns is refused on line 1', async () => {
    const report = await importProcessesCsv(ctx.database.db, system, 'procedureCode,stepCode\n1.1,a\n', DAY);
    expect(report.errors).toEqual([
      { line: 1, message: 'Tệp thiếu các cột: stepOrder, stepName, allotmentValue, allotmentUnit.' },
    ]);
  });
});
