import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../src/domain/errors.js';
import { errorTable } from '../src/http/error-codes.js';
import { preferredLanguage } from '../src/http/problem.js';
import { bearer, createTestContext, type TestContext } from './helpers/context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ BODY_LIMIT_BYTES: '2048' });
});
afterAll(() => ctx.close());

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, requestId: res.headers['x-request-id'] });
  expect(typeof body.type).toBe('string');
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}

/** Writes `request` as is on a new connection and resolves with every byte answered before it closed. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(request));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined); // a reset after the answer: what was read is what counts
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('problem+json errors', () => {
  it('every error code has a status and both languages', () => {
    for (const code of errorCodes) {
      const spec = errorTable[code];
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.en.length).toBeGreaterThan(0);
      expect(spec.vi.length).toBeGreaterThan(0);
    }
  });

  it('validation errors list each field with its path', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/units',
      headers: bearer(ctx.adminKey),
      payload: { code: 'lower', name: '' },
    });
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    const paths = (body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(['body.code', 'body.name']);
  });

  it('a NUL character anywhere → 400 naming where it lies', async () => {
    const cases: Array<[string, object, string]> = [
      ['/v1/units', { code: 'X1', name: 'Xã\u0000' }, 'body.name'],
      ['/v1/units', { code: 'X1', name: 'Xã', extra: { list: ['a', 'b\u0000'] } }, 'body.extra.list.1'],
      ['/v1/units', { code: 'X1', 'na\u0000me': 'Xã' }, 'body'],
      ['/v1/units?q=a%00b', { code: 'X1', name: 'Xã' }, 'querystring.q'],
    ];
    for (const [url, payload, path] of cases) {
      const res = await ctx.app.inject({ method: 'POST', url, headers: bearer(ctx.adminKey), payload });
      const body = expectProblem(res, 400, 'VALIDATION_FAILED');
      expect((body.errors as Array<{ path: string }>)[0]!.path, url).toBe(path);
    }
  });

  it('detail is Vietnamese when Accept-Language prefers vi', async () => {
    const vi = await ctx.app.inject({
      method: 'GET',
      url: '/v1/units/999.99.99.Z98',
      headers: { ...bearer(ctx.adminKey), 'accept-language': 'vi-VN,vi;q=0.9,en;q=0.5' },
    });
    expect(expectProblem(vi, 404, 'UNIT_NOT_FOUND').detail).toBe('Không tồn tại đơn vị 999.99.99.Z98.');
    const en = await ctx.app.inject({
      method: 'GET',
      url: '/v1/units/999.99.99.Z98',
      headers: { ...bearer(ctx.adminKey), 'accept-language': 'en-US,en;q=0.9' },
    });
    const enProblem = expectProblem(en, 404, 'UNIT_NOT_FOUND');
    expect(enProblem.detail).toBe('Unit 999.99.99.Z98 does not exist.');
    expect(enProblem.title).toBe('Unit not found');
  });

  it('Vietnamese is the default: English only when Accept-Language prefers it over Vietnamese', async () => {
    const none = await ctx.app.inject({
      method: 'GET',
      url: '/v1/units/999.99.99.Z98',
      headers: bearer(ctx.adminKey),
    });
    const problem = expectProblem(none, 404, 'UNIT_NOT_FOUND');
    expect(problem.detail).toBe('Không tồn tại đơn vị 999.99.99.Z98.');
    expect(problem.title).toBe('Không tìm thấy đơn vị');
    expect(preferredLanguage(undefined)).toBe('vi');
    expect(preferredLanguage('')).toBe('vi');
    expect(preferredLanguage('en;q=0.9, vi;q=0.4')).toBe('en');
    expect(preferredLanguage('en-GB')).toBe('en');
    expect(preferredLanguage('fr, en;q=0.5')).toBe('en');
    expect(preferredLanguage('fr, vi;q=0.8')).toBe('vi');
    expect(preferredLanguage('fr')).toBe('vi');
    expect(preferredLanguage('*')).toBe('vi');
    expect(preferredLanguage('vi, en')).toBe('vi');
    expect(preferredLanguage('en, vi')).toBe('en');
    expect(preferredLanguage('vi;q=0.5, en;q=0.6')).toBe('en');
    expect(preferredLanguage('vi')).toBe('vi');
  });

  it('malformed JSON → 400 MALFORMED_REQUEST', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/units',
      headers: { ...bearer(ctx.adminKey), 'content-type': 'application/json' },
      payload: '{"code": ',
    });
    expectProblem(res, 400, 'MALFORMED_REQUEST');
  });

  it('a body over the limit → 413, a non-JSON body → 415', async () => {
    const big = await ctx.app.inject({
      method: 'POST',
      url: '/v1/units',
      headers: bearer(ctx.adminKey),
      payload: { code: '000.00.00.H01', name: 'x'.repeat(4000) },
    });
    expectProblem(big, 413, 'PAYLOAD_TOO_LARGE');
    const xml = await ctx.app.inject({
      method: 'POST',
      url: '/v1/units',
      headers: { ...bearer(ctx.adminKey), 'content-type': 'application/xml' },
      payload: '<unit/>',
    });
    expectProblem(xml, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unknown route → 404 ROUTE_NOT_FOUND', async () => {
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('every response carries x-request-id, reusing a well-formed incoming one', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'clerk-42' },
    });
    expect(res.headers['x-request-id']).toBe('clerk-42');
    const fresh = await ctx.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a 401 carries WWW-Authenticate: Bearer, with invalid_token when a key was presented', async () => {
    const none = await ctx.app.inject({ method: 'GET', url: '/v1/units' });
    expectProblem(none, 401, 'UNAUTHORIZED');
    expect(none.headers['www-authenticate']).toBe('Bearer realm="motcua"');
    const wrong = await ctx.app.inject({ method: 'GET', url: '/v1/units', headers: bearer('mc_wrong') });
    expectProblem(wrong, 401, 'UNAUTHORIZED');
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="motcua", error="invalid_token"');
  });

  it('x-request-id is on errors met before routing and on the not-found route', async () => {
    const long = await ctx.app.inject({
      method: 'GET',
      url: `/v1/units/${'A'.repeat(150)}`,
      headers: { ...bearer(ctx.adminKey), 'x-request-id': 'clerk-long' },
    });
    const problem = expectProblem(long, 400, 'VALIDATION_FAILED');
    expect(long.headers['x-request-id']).toBe('clerk-long');
    expect(problem.errors).toEqual([{ path: 'params', message: 'Tham số đường dẫn quá dài.' }]);
    const badUrl = await ctx.app.inject({ method: 'GET', url: '/v1/units/%E0%A4%A' });
    expectProblem(badUrl, 400, 'MALFORMED_REQUEST');
    expect(badUrl.headers['x-request-id']).toBeTruthy();
    const missing = await ctx.app.inject({
      method: 'GET',
      url: '/v1/nothing-here',
      headers: { 'x-request-id': 'clerk-404' },
    });
    expectProblem(missing, 404, 'ROUTE_NOT_FOUND');
    expect(missing.headers['x-request-id']).toBe('clerk-404');
  });

  it('requests the HTTP parser refuses (headers over 16 KiB, not HTTP at all) → 400 problem+json, then close', async () => {
    await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = ctx.app.server.address() as net.AddressInfo;
    const tooLong = `GET /v1/units?q=${'a'.repeat(17_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    for (const [request, detail] of [
      [tooLong, 'Dòng yêu cầu và các tiêu đề'],
      ['NOT HTTP AT ALL\r\n\r\n', 'Yêu cầu không đúng quy cách.'],
    ] as const) {
      const answer = await rawExchange(port, request);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((h) => [
          h.slice(0, h.indexOf(':')).toLowerCase(),
          h.slice(h.indexOf(':') + 1).trim(),
        ]),
      );
      expect(statusLine, request.slice(0, 40)).toBe('HTTP/1.1 400 Bad Request');
      expect(headers.connection).toBe('close');
      expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body));
      const problem = expectProblem(
        { statusCode: 400, headers, json: () => JSON.parse(body) },
        400,
        'MALFORMED_REQUEST',
      );
      expect(problem.detail).toContain(detail);
    }
  });

  it('a 5xx never leaks internals', async () => {
    // A route that fails with an internal message, on a throwaway instance of the same app.
    const { buildApp } = await import('../src/app.js');
    const failing = await buildApp({
      config: ctx.config,
      db: ctx.database.db,
      checks: { postgres: ctx.database.ping },
    });
    failing.get('/boom', async () => {
      throw new Error('secret table users_pii is broken');
    });
    await failing.ready();
    const res = await failing.inject({ method: 'GET', url: '/boom' });
    const body = expectProblem(res, 500, 'INTERNAL_ERROR');
    expect(JSON.stringify(body)).not.toContain('users_pii');
    await failing.close();
  });
});
