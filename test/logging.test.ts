import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loggerOptions, redactPersonal, redactQuery } from '../src/http/logging.js';
import { bearer, createTestContext, testConfig, type TestContext } from './helpers/context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('logs carry no personal data or secrets', () => {
  it('redacts the Authorization header, query values and personal fields', async () => {
    const stream = new PassThrough();
    let lines = '';
    stream.on('data', (chunk: Buffer) => (lines += chunk.toString()));
    const app = await buildApp({
      config: testConfig({ LOG_LEVEL: 'trace' }),
      db: ctx.database.db,
      checks: { postgres: ctx.database.ping },
      logStream: stream,
    });
    app.post('/echo-log', async (request) => {
      request.log.info(
        { applicant: { fullName: 'Nguyễn Văn A', idNumber: '001099012345', phone: '0912345678' } },
        'intake',
      );
      return { ok: true };
    });
    await app.ready();
    await app.inject({
      method: 'GET',
      url: '/v1/units?q=Nguy%E1%BB%85n&idNumber=001099012345',
      headers: bearer(ctx.adminKey),
    });
    await app.inject({ method: 'POST', url: '/echo-log', payload: {} });
    await app.close();
    expect(lines).toContain('request completed');
    expect(lines).toContain('"statusCode":200');
    expect(lines).toContain('"url":"/v1/units?q=%5Bredacted%5D&idNumber=%5Bredacted%5D"');
    for (const secret of [ctx.adminKey, '001099012345', '0912345678', 'Nguyễn', 'Nguy%E1%BB%85n']) {
      expect(lines).not.toContain(secret);
    }
    expect(lines).toContain('[redacted]');
  });

  it('redactQuery blanks only personal parameters', () => {
    expect(redactQuery('/v1/dossiers?status=received&idNumber=001099012345&q=an')).toBe(
      '/v1/dossiers?status=received&idNumber=%5Bredacted%5D&q=%5Bredacted%5D',
    );
    expect(redactQuery('/v1/units')).toBe('/v1/units');
  });
});

describe('redactPersonal', () => {
  it('blanks personal keys in plain objects and arrays down to four levels, copying only what changes', () => {
    const shared = { status: 'received' };
    const input = {
      shared,
      applicant: { fullName: 'Trần Thị B', idNumber: '001099012345', type: 'citizen' },
      list: [{ phone: '0912345678' }, { note: 'x' }],
      deep: { a: { b: { email: 'b@example.vn' } } },
      tooDeep: { a: { b: { c: { email: 'kept@example.vn' } } } },
      headers: { authorization: 'Bearer k', 'idempotency-key': 'abc', accept: 'json' },
      missing: { phone: null },
    };
    const out = redactPersonal(input);
    expect(out).toEqual({
      shared,
      applicant: { fullName: '[redacted]', idNumber: '[redacted]', type: 'citizen' },
      list: [{ phone: '[redacted]' }, { note: 'x' }],
      deep: { a: { b: { email: '[redacted]' } } },
      tooDeep: { a: { b: { c: { email: 'kept@example.vn' } } } },
      headers: { authorization: '[redacted]', 'idempotency-key': '[redacted]', accept: 'json' },
      missing: { phone: null },
    });
    expect(out.shared).toBe(shared);
    expect(out.tooDeep).toBe(input.tooDeep);
    expect(input.applicant.idNumber).toBe('001099012345');
  });

  it('returns an object without personal keys as it is', () => {
    const line = { res: { statusCode: 200 }, responseTime: 1.5 };
    expect(redactPersonal(line)).toBe(line);
  });
});

describe('a failed statement logs none of the values it was given', () => {
  it('drops drizzle’s params, PostgreSQL’s detail and the values its message quotes, in the error and its cause', async () => {
    const name = 'Nguyễn Văn Lỗi';
    const id = '001099012399';
    const errors: unknown[] = [];
    await ctx.database.db
      .execute(sql`select ${name}::int, ${id}::text`)
      .catch((e: unknown) => errors.push(e));
    await ctx.database.db
      .execute(
        sql`insert into units (code, name, path) values (${id}, ${name}, ${'/x/'}), (${id}, ${name}, ${'/y/'})`,
      )
      .catch((e: unknown) => errors.push(e));
    expect(errors).toHaveLength(2);
    const stream = new PassThrough();
    let lines = '';
    stream.on('data', (chunk: Buffer) => (lines += chunk.toString()));
    const log = pino(loggerOptions('info'), stream);
    for (const err of errors) {
      log.error({ err }, 'failed');
      log.warn({ err: (err as Error).message }, 'failed, as a message');
    }
    await new Promise((r) => setImmediate(r));
    expect(lines.split('\n').filter(Boolean)).toHaveLength(4);
    expect(lines).toContain('Failed query');
    expect(lines).toContain('params: [redacted]');
    expect(lines).toContain('"code":"23505"');
    expect(lines).not.toContain('Lỗi');
    expect(lines).not.toContain(id);
  });
});
