import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { redactQuery } from '../src/http/logging.js';
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
    expect(lines).toContain('incoming request');
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
