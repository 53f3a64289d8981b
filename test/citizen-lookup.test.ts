import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/sql.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

const now = new Date('2025-06-02T08:00:00+07:00');
const BASE = 'https://dichvucong.example.gov.vn';
let ctx: TestContext;
let unit: string;
let clerk: string;
let viewer: string;
let procedure: string;

beforeAll(async () => {
  ctx = await createTestContext({ PUBLIC_BASE_URL: BASE }, { clock: () => now });
  unit = (await createUnit(ctx, { name: 'UBND xã Tân Lập' })).code;
  clerk = await createKey(ctx, 'clerk', unit);
  viewer = await createKey(ctx, 'viewer', unit);
  procedure = (await createProcedure(ctx)).code;
});
afterAll(() => ctx.close());

const get = (url: string, key: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(key) });

async function receive(overrides: Record<string, unknown> = {}) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(clerk),
    payload: intakeBody(procedure, overrides),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { code: string };
}

describe('the lookup secret (mã tra cứu)', () => {
  it('is drawn at intake, 8 Crockford base32 characters, different for every dossier', async () => {
    const dossiers = await Promise.all(Array.from({ length: 20 }, () => receive()));
    const codes = dossiers.map((d) => d.code);
    const rows = rowsOf<{ lookup_secret: string }>(
      await ctx.database.db.execute(
        sql`select lookup_secret from dossiers where code in (${sql.join(
          codes.map((c) => sql`${c}`),
          sql`, `,
        )})`,
      ),
    );
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(row.lookup_secret).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(new Set(rows.map((r) => r.lookup_secret)).size).toBe(20);
  });

  it('the receipt shows the secret and the public lookup address built on PUBLIC_BASE_URL', async () => {
    const d = await receive();
    const receipt = (await get(`/v1/dossiers/${d.code}/receipt`, clerk)).json();
    expect(receipt.lookup.secret).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(receipt.lookup.url).toBe(`${BASE}/v1/public/dossiers/${d.code}?check=${receipt.lookup.secret}`);
  });

  it('viewer keys never see the secret: not on the receipt, the dossier, its events or the list', async () => {
    const d = await receive();
    const { secret } = (await get(`/v1/dossiers/${d.code}/receipt`, clerk)).json().lookup;
    const receipt = await get(`/v1/dossiers/${d.code}/receipt`, viewer);
    expect(receipt.statusCode).toBe(200);
    expect(receipt.json().lookup).toBeNull();
    for (const url of [
      `/v1/dossiers/${d.code}/receipt`,
      `/v1/dossiers/${d.code}`,
      `/v1/dossiers/${d.code}/events`,
      `/v1/dossiers?unitCode=${unit}`,
    ]) {
      const res = await get(url, viewer);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(secret);
    }
  });

  it('the secret is on the receipt only: the dossier read and the list do not carry it', async () => {
    const d = await receive();
    const { secret } = (await get(`/v1/dossiers/${d.code}/receipt`, clerk)).json().lookup;
    for (const url of [`/v1/dossiers/${d.code}`, `/v1/dossiers?unitCode=${unit}`]) {
      expect((await get(url, clerk)).body).not.toContain(secret);
    }
  });
});

const lookup = (code: string, check: string, remoteAddress = '127.0.0.1') =>
  ctx.app.inject({
    method: 'GET',
    url: `/v1/public/dossiers/${encodeURIComponent(code)}?check=${encodeURIComponent(check)}`,
    remoteAddress,
  });

async function secretOf(code: string): Promise<string> {
  return (await get(`/v1/dossiers/${code}/receipt`, clerk)).json().lookup.secret;
}

async function act(code: string, action: string, payload: object = {}) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/v1/dossiers/${code}/${action}`,
    headers: bearer(clerk),
    payload,
  });
  expect(res.statusCode, res.body).toBe(200);
}

const citizenKeys = [
  'applicantName',
  'appointment',
  'code',
  'outcome',
  'procedure',
  'receivedAt',
  'resultReady',
  'status',
  'statusLabel',
  'timeliness',
  'unit',
];

describe('the citizen lookup (GET /v1/public/dossiers/{code}?check=)', () => {
  it('opens with the lookup secret and no API key, answering the citizen view and nothing else', async () => {
    const d = await receive();
    const res = await lookup(d.code, await secretOf(d.code));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const view = res.json();
    expect(Object.keys(view).sort()).toEqual(citizenKeys);
    expect(Object.keys(view.procedure).sort()).toEqual(['code', 'name']);
    expect(Object.keys(view.unit).sort()).toEqual(['code', 'name']);
    expect(Object.keys(view.appointment).sort()).toEqual(['at', 'originalAt', 'rescheduled']);
    expect(view).toEqual({
      code: d.code,
      status: 'received',
      statusLabel: 'đã tiếp nhận',
      procedure: { code: procedure, name: 'Cấp bản sao trích lục hộ tịch' },
      unit: { code: unit, name: 'UBND xã Tân Lập' },
      receivedAt: '2025-06-02T08:00:00+07:00',
      appointment: {
        at: '2025-06-04T08:00:00+07:00',
        rescheduled: false,
        originalAt: '2025-06-04T08:00:00+07:00',
      },
      timeliness: 'on_track',
      outcome: null,
      resultReady: false,
      applicantName: 'Nguyễn V** A**',
    });
    // Nothing personal beyond the masked name.
    for (const personal of ['0912345678', '001099012345', 'Nguyễn Văn An', '5678', '2345']) {
      expect(res.body).not.toContain(personal);
    }
  });

  it('the 4-digit fallbacks: the last 4 digits of the phone or of the identifier open it too', async () => {
    const d = await receive();
    expect((await lookup(d.code, '5678')).statusCode).toBe(200);
    expect((await lookup(d.code, '2345')).statusCode).toBe(200);
    expect((await lookup(d.code, '1234')).statusCode).toBe(404);
  });

  it('a dossier without a phone opens by the identifier only, never by digits it does not have', async () => {
    const d = await receive({
      applicant: { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '001199054321' },
    });
    expect((await lookup(d.code, '4321')).statusCode).toBe(200);
    expect((await lookup(d.code, '5678')).statusCode).toBe(404);
    expect((await lookup(d.code, '0000')).statusCode).toBe(404);
  });

  it('the secret may be typed in lower case, with a space or a hyphen', async () => {
    const d = await receive();
    const secret = await secretOf(d.code);
    for (const typed of [
      secret.toLowerCase(),
      `${secret.slice(0, 4)}-${secret.slice(4)}`,
      `${secret.slice(0, 4)} ${secret.slice(4)}`,
    ]) {
      expect((await lookup(d.code, typed)).statusCode, typed).toBe(200);
    }
  });

  it('shows a rescheduled appointment, the outcome and that the result is ready', async () => {
    const d = await receive();
    const secret = await secretOf(d.code);
    await act(d.code, 'reschedule', { newDueAt: '2025-06-10T16:00:00+07:00', reason: 'Cần xác minh thêm' });
    const rescheduled = (await lookup(d.code, secret)).json();
    expect(rescheduled.appointment).toEqual({
      at: '2025-06-10T16:00:00+07:00',
      rescheduled: true,
      originalAt: '2025-06-04T08:00:00+07:00',
    });
    expect(rescheduled.resultReady).toBe(false);
    await act(d.code, 'resolve', { result: 'approved' });
    const resolved = (await lookup(d.code, secret)).json();
    expect(resolved).toMatchObject({
      status: 'resolved',
      statusLabel: 'đã có kết quả',
      resultReady: true,
      outcome: 'early',
      timeliness: null,
    });
    expect(Object.keys(resolved).sort()).toEqual(citizenKeys);
    await act(d.code, 'return', {});
    expect((await lookup(d.code, secret)).json()).toMatchObject({ status: 'returned', resultReady: true });
  });

  it('enumeration gets nothing: random codes and random checks all answer the same 404', async () => {
    const d = await receive();
    const secret = await secretOf(d.code);
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const randomSecret = () =>
      Array.from({ length: 8 }, () => alphabet[Math.floor(Math.random() * 32)]).join('');
    const guesses: Array<[string, string]> = [];
    for (let i = 0; i < 8; i++) {
      let wrong = randomSecret();
      while (wrong === secret) wrong = randomSecret();
      guesses.push([d.code, wrong]);
      guesses.push([d.code, String(1000 + Math.floor(Math.random() * 1000))]); // never 2345 or 5678
      guesses.push([`${unit}-250602-${String(9000 + i)}`, secret]);
      guesses.push([`${unit}-250602-${String(9000 + i)}`, '5678']);
      guesses.push([`X${Math.random().toString(36).slice(2)}`, wrong]);
    }
    guesses.push([d.code, 'not-a-secret'], [d.code, secret.slice(0, 7)]);
    const shapes = new Set<string>();
    for (const [code, check] of guesses) {
      const res = await lookup(code, check);
      expect(res.statusCode, `${code} ${check}`).toBe(404);
      const { requestId, ...body } = res.json();
      expect(requestId).toBe(res.headers['x-request-id']);
      const headerNames = Object.keys(res.headers)
        .filter((h) => h !== 'date' && h !== 'x-request-id' && h !== 'content-length')
        .sort();
      shapes.add(
        JSON.stringify({ body, headerNames }).replaceAll(JSON.stringify(code).slice(1, -1), '{code}'),
      );
    }
    expect(shapes.size).toBe(1);
    const [shape] = [...shapes];
    expect(JSON.parse(shape!).body).toMatchObject({ status: 404, code: 'DOSSIER_NOT_FOUND' });
  });

  it('an API key changes nothing: the public route answers the citizen view to keys too', async () => {
    const d = await receive();
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/v1/public/dossiers/${d.code}?check=${await secretOf(d.code)}`,
      headers: bearer(viewer),
    });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual(citizenKeys);
  });

  it('a missing or malformed check is refused as invalid input (400), before any dossier is read', async () => {
    const d = await receive();
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/public/dossiers/${d.code}` })).statusCode).toBe(
      400,
    );
    expect((await lookup(d.code, 'a/b')).statusCode).toBe(400);
  });
});
