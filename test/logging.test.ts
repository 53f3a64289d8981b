import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { redactPersonal, redactQuery } from '../src/http/logging.js';
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
