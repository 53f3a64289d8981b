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
