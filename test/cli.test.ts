import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, uniqueUnitCode, type TestContext, runCli } from './helpers/context.js';
import { parseCsv } from '../src/lib/csv.js';

let ctx: TestContext;
let dir: string;
beforeAll(async () => {
  ctx = await createTestContext();
  dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-cli-'));
});
afterAll(async () => {
  await ctx.close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(ctx.config.DATABASE_URL!, ...args);

describe('cli', () => {
  it('units import: parents first, quoted names, then updates on a second run', async () => {
    const [root, child, grandchild] = [uniqueUnitCode(), uniqueUnitCode(), uniqueUnitCode()];
    const file = path.join(dir, 'units.csv');
    await writeFile(
      file,
      `\uFEFFcode,name,parentCode,active\n${grandchild},"Xã Hòa, thôn 1",${child},\n${child},Huyện cũ,${root},false\n${root},Tỉnh,,\n`,
    );
    const first = await cli('units', 'import', file);
    expect(first.stdout).toContain('3 created, 0 updated');
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units/${grandchild}`,
      headers: bearer(ctx.adminKey),
    });
    expect(res.json()).toMatchObject({ name: 'Xã Hòa, thôn 1', parentCode: child, active: true });
    const again = await cli('units', 'import', file);
    expect(again.stdout).toContain('0 created, 3 updated');
    const old = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units/${child}`,
      headers: bearer(ctx.adminKey),
    });
    expect(old.json().active).toBe(false);
  });

  it('units import: any bad row → nothing written, errors by line', async () => {
    const good = uniqueUnitCode();
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, `code,name,parentCode\n${good},Tốt,\nbad code,Xấu,\n`);
    const result = await cli('units', 'import', file);
    expect('code' in result && result.code).toBe(1);
    expect(result.stderr).toContain('bad.csv:3');
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units/${good}`,
      headers: bearer(ctx.adminKey),
    });
    expect(res.statusCode).toBe(404);
  });

  it('keys create prints a working secret once, scoped to the unit', async () => {
    const unit = uniqueUnitCode();
    const file = path.join(dir, 'one.csv');
    await writeFile(file, `code,name,parentCode\n${unit},Xã,\n`);
    await cli('units', 'import', file);
    const out = await cli('keys', 'create', '--role', 'clerk', '--unit', unit, '--name', 'quầy 1');
    const secret = /secret \(shown once\): (\S+)/.exec(out.stdout)?.[1];
    expect(secret).toBeDefined();
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/units', headers: bearer(secret!) });
    expect(res.json().items.map((u: { code: string }) => u.code)).toEqual([unit]);
    const bad = await cli('keys', 'create', '--role', 'boss', '--name', 'x');
    expect('code' in bad && bad.code).toBe(2);
  });

  it('parseCsv handles quotes, escaped quotes, CRLF and embedded line breaks', () => {
    const { header, rows } = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",2\r\n');
    expect(header).toEqual(['a', 'b']);
    expect(rows.map((r) => r.values)).toEqual([
      { a: 'x, y', b: 'say "hi"' },
      { a: 'multi\nline', b: '2' },
    ]);
    expect(rows[1]!.line).toBe(3);
  });
});
