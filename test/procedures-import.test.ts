import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createTestContext,
  type TestContext,
  uniqueProcedureCode,
  runCli,
} from './helpers/context.js';

let ctx: TestContext;
let dir: string;
beforeAll(async () => {
  ctx = await createTestContext();
  dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-procedures-'));
});
afterAll(async () => {
  await ctx.close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(ctx.config.DATABASE_URL!, ...args);

const get = async (code: string) =>
  ctx.app.inject({ method: 'GET', url: `/v1/procedures/${code}`, headers: bearer(ctx.adminKey) });

const fullHeader =
  'code,name,fieldCode,fieldName,durationValue,durationUnit,onlineDurationValue,onlineDurationUnit,' +
  'receiptCutoff,supplementPolicy,onlineLevel,fee,active';

describe('cli procedures import', () => {
  it('creates, then updates on a second run; decimal comma, quoted names and empty optional cells', async () => {
    const [cert, birth] = [uniqueProcedureCode(), uniqueProcedureCode()];
    const file = path.join(dir, 'procedures.csv');
    await writeFile(
      file,
      `\uFEFF${fullHeader}\n` +
        `${cert},"Chứng thực bản sao từ bản chính, giấy tờ",G09,Chứng thực,"0,5",working_days,,,15:00,,full,2.000,\n` +
        `${birth},Đăng ký khai sinh,G01,Hộ tịch,3,working_days,1,working_days,,extend,partial,,false\n`,
    );
    const first = await cli('procedures', 'import', file);
    expect(first.stderr, first.stderr).toBe('');
    expect(first.stdout).toContain('procedures: 2 created, 0 updated');
    expect((await get(cert)).json()).toMatchObject({
      name: 'Chứng thực bản sao từ bản chính, giấy tờ',
      field: { code: 'G09', name: 'Chứng thực' },
      duration: { value: 0.5, unit: 'working_days' },
      onlineDuration: null,
      receiptCutoff: '15:00',
      supplementPolicy: 'restart',
      onlineLevel: 'full',
      fee: 2000,
      active: true,
    });
    expect((await get(birth)).json()).toMatchObject({
      duration: { value: 3, unit: 'working_days' },
      onlineDuration: { value: 1, unit: 'working_days' },
      receiptCutoff: null,
      supplementPolicy: 'extend',
      onlineLevel: 'partial',
      fee: null,
      active: false,
    });

    // Second run: a minimal header updates what it states and leaves the other fields alone.
    await writeFile(
      file,
      `code,name,fieldCode,fieldName,durationValue,durationUnit\n` +
        `${cert},Chứng thực bản sao,G09,Chứng thực,1,working_days\n` +
        `${birth},Đăng ký khai sinh,G01,Hộ tịch,"2,5",working_days\n`,
    );
    const again = await cli('procedures', 'import', file);
    expect(again.stdout).toContain('procedures: 0 created, 2 updated');
    expect((await get(cert)).json()).toMatchObject({
      name: 'Chứng thực bản sao',
      duration: { value: 1, unit: 'working_days' },
      receiptCutoff: '15:00',
      onlineLevel: 'full',
      fee: 2000,
    });
    expect((await get(birth)).json()).toMatchObject({
      duration: { value: 2.5, unit: 'working_days' },
      onlineDuration: { value: 1, unit: 'working_days' },
      supplementPolicy: 'extend',
      active: false,
    });
  });

  it('any bad row → nothing written, errors by line and column', async () => {
    const [good, existing] = [uniqueProcedureCode(), uniqueProcedureCode()];
    const seed = path.join(dir, 'seed.csv');
    await writeFile(
      seed,
      `code,name,fieldCode,fieldName,durationValue,durationUnit\n${existing},Cũ,G01,Hộ tịch,3,working_days\n`,
    );
    expect((await cli('procedures', 'import', seed)).stdout).toContain('1 created');

    const file = path.join(dir, 'bad.csv');
    await writeFile(
      file,
      `${fullHeader}\n` +
        `${good},Tốt,G01,Hộ tịch,1,working_days,,,,,,,\n` +
        `${existing},Đã đổi,G01,Hộ tịch,2,working_days,,,,,,,\n` +
        `${uniqueProcedureCode()},Xấu,G01,Hộ tịch,"1,25",working_days,,,,,,,\n` +
        `${uniqueProcedureCode()},Xấu,G01,Hộ tịch,1,working_days,,,25:00,,,,\n` +
        `${uniqueProcedureCode()},Xấu,G01,Hộ tịch,1,weeks,,,,,,,\n` +
        `${good},Lặp,G01,Hộ tịch,1,working_days,,,,,,,\n`,
    );
    const result = await cli('procedures', 'import', '--lang', 'en', file);
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toContain(
      'bad.csv:4: durationValue: A time in working days must be a multiple of 0.5.',
    );
    expect(result.stderr).toContain('bad.csv:5: receiptCutoff:');
    expect(result.stderr).toContain('bad.csv:6: durationUnit:');
    expect(result.stderr).toContain(`bad.csv:7: The code ${good} appears more than once in the file.`);
    // Vietnamese without --lang.
    const vi = await cli('procedures', 'import', file);
    expect(vi.stderr).toContain(
      'bad.csv:4: durationValue: Thời hạn tính theo ngày làm việc phải là bội số của 0,5 ngày.',
    );
    expect(vi.stderr).toContain(
      'bad.csv:5: receiptCutoff: Giờ chốt tiếp nhận phải là giờ phút dạng HH:MM, ví dụ 17:00.',
    );
    expect(vi.stderr).toContain(`bad.csv:7: Mã ${good} xuất hiện nhiều lần trong tệp.`);
    expect(result.stderr).toContain('nothing imported');
    expect((await get(good)).statusCode).toBe(404);
    expect((await get(existing)).json().name).toBe('Cũ');
  });

  it('a file without the required columns is refused; no file → usage', async () => {
    const file = path.join(dir, 'columns.csv');
    await writeFile(file, `code,name\n${uniqueProcedureCode()},Thiếu cột\n`);
    const result = await cli('procedures', 'import', '--lang', 'en', file);
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toContain(
      'The file lacks the columns: fieldCode, fieldName, durationValue, durationUnit.',
    );
    const usage = await cli('procedures', 'import');
    expect('code' in usage && usage.code).toBe(2);
    expect(usage.stderr).toContain('procedures import FILE.csv');
  });
});
