/**
 * What a viewer key (a read-only dashboard) sees of an applicant: every read that carries the applicant shows
 * it masked, and a viewer cannot look a person up. Clerk, sync and admin keys see the applicant whole.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, dossiers } from '../src/db/schema/index.js';
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
let ctx: TestContext;
let unit: string;
let procedure: string;
const keys = {} as Record<'clerk' | 'viewer' | 'sync' | 'admin', string>;
let code: string;

const person = {
  type: 'citizen',
  fullName: 'Nguyễn Văn Đức',
  idNumber: '079203001234',
  phone: '0903123456',
  email: 'duc.nguyen@example.vn',
  address: 'Số 12 đường Lê Lợi, phường Bến Thành',
};
const maskedPerson = {
  type: 'citizen',
  fullName: 'Nguyễn V** Đ**',
  idNumber: '********1234',
  phone: '******3456',
  email: 'd***@example.vn',
  address: '***',
};
/** Whatever would tell a reader who the person is. */
const clearValues = [
  person.fullName,
  'Văn Đức',
  'nguyen van duc',
  person.idNumber,
  person.phone,
  person.email,
  person.address,
  'Lê Lợi',
];

const get = (url: string, key: string, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'GET', url, headers: { ...bearer(key), ...headers } });

async function post(url: string, payload: object) {
  const res = await ctx.app.inject({ method: 'POST', url, headers: bearer(keys.clerk), payload });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json() as { code: string };
}

const leaksIn = (body: string) => clearValues.filter((v) => body.includes(v));

beforeAll(async () => {
  ctx = await createTestContext({}, { clock: () => now });
  unit = (await createUnit(ctx, { name: 'Xã Riêng Tư' })).code;
  procedure = (await createProcedure(ctx, { fee: 8000 })).code;
  for (const role of ['clerk', 'viewer', 'sync', 'admin'] as const)
    keys[role] = await createKey(ctx, role, unit);
  code = (await post('/v1/dossiers', intakeBody(procedure, { unitCode: unit, applicant: person }))).code;
  await post(`/v1/dossiers/${code}/request-supplement`, {
    reason: 'Thiếu bản sao giấy khai sinh',
    items: ['Bản sao'],
  });
  await post(`/v1/dossiers/${code}/receive-supplement`, {});
  const [row] = await ctx.database.db
    .select({ id: dossiers.id })
    .from(dossiers)
    .where(eq(dossiers.code, code));
  await ctx.database.db.insert(alerts).values({
    dossierId: row!.id,
    kind: 'overdue',
    target: 'statutory',
    dueAt: new Date('2025-06-04T08:00:00+07:00'),
  });
});
afterAll(() => ctx.close());

describe('what a viewer key sees of an applicant', () => {
  it('the dossier by code, the list and the receipt show the applicant masked, exactly', async () => {
    const byCode = await get(`/v1/dossiers/${code}`, keys.viewer);
    expect(byCode.statusCode).toBe(200);
    expect(byCode.json().applicant).toEqual(maskedPerson);
    const list = (await get(`/v1/dossiers?unitCode=${unit}&limit=200`, keys.viewer)).json();
    expect(list.items.find((d: { code: string }) => d.code === code).applicant).toEqual(maskedPerson);
    const receipt = await get(`/v1/dossiers/${code}/receipt`, keys.viewer);
    expect(receipt.json().applicant).toEqual(maskedPerson);
    for (const res of [byCode, receipt]) expect(leaksIn(res.body)).toEqual([]);
    expect(leaksIn(JSON.stringify(list))).toEqual([]);
  });

  it('the events, the alerts and the statistics (JSON and CSV) carry nothing of the person', async () => {
    const reads = [
      `/v1/dossiers/${code}/events`,
      `/v1/alerts?dossierCode=${encodeURIComponent(code)}`,
      `/v1/alerts?unitCode=${unit}`,
      `/v1/stats?unitCode=${unit}&period=2025-06&groupBy=procedure`,
      `/v1/stats?unitCode=${unit}&period=2025-06&groupBy=unit&format=csv`,
    ];
    for (const url of reads) {
      const res = await get(url, keys.viewer);
      expect(res.statusCode, url).toBe(200);
      expect(leaksIn(res.body), url).toEqual([]);
    }
    // The events are there, with what the clerk wrote about the papers.
    const events = (await get(`/v1/dossiers/${code}/events`, keys.viewer)).json().items;
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      'intake',
      'request-supplement',
      'receive-supplement',
    ]);
    expect(
      (await get(`/v1/alerts?dossierCode=${encodeURIComponent(code)}`, keys.viewer)).json().items,
    ).toHaveLength(1);
  });

  it('a masked field reads as a marker or a masked value, a field never given stays null', async () => {
    const bare = await post(
      '/v1/dossiers',
      intakeBody(procedure, {
        unitCode: unit,
        applicant: { type: 'citizen', fullName: 'Đào  Thị Ánh Tuyết' },
      }),
    );
    expect((await get(`/v1/dossiers/${bare.code}`, keys.viewer)).json().applicant).toEqual({
      type: 'citizen',
      fullName: 'Đào T** Á** T**',
      idNumber: null,
      phone: null,
      email: null,
      address: null,
    });
    expect((await get(`/v1/dossiers/${bare.code}`, keys.clerk)).json().applicant.fullName).toBe(
      'Đào Thị Ánh Tuyết',
    );
  });

  it('a viewer of the resolving unit, outside the receiving unit’s subtree, reads the applicant masked too', async () => {
    const department = (await createUnit(ctx, { name: 'Sở Tư pháp' })).code;
    const viewer = await createKey(ctx, 'viewer', department);
    const sync = await createKey(ctx, 'sync', department);
    const theirs = (
      await post(
        '/v1/dossiers',
        intakeBody(procedure, { unitCode: unit, resolvingUnitCode: department, applicant: person }),
      )
    ).code;
    const byCode = await get(`/v1/dossiers/${theirs}`, viewer);
    expect(byCode.json()).toMatchObject({ resolvingUnit: { code: department }, applicant: maskedPerson });
    const list = await get(`/v1/dossiers?unitCode=${department}&limit=200`, viewer);
    expect(list.json().items.map((d: { applicant: unknown }) => d.applicant)).toEqual([maskedPerson]);
    const receipt = await get(`/v1/dossiers/${theirs}/receipt`, viewer);
    for (const res of [byCode, list, receipt]) expect(leaksIn(res.body)).toEqual([]);
    expect((await get(`/v1/dossiers?idNumber=${person.idNumber}`, viewer)).statusCode).toBe(403);
    expect((await get(`/v1/dossiers/${theirs}`, sync)).json().applicant).toEqual(person);
  });

  it('clerk, sync and admin keys read the applicant whole on the same reads', async () => {
    for (const role of ['clerk', 'sync', 'admin'] as const) {
      expect((await get(`/v1/dossiers/${code}`, keys[role])).json().applicant, role).toEqual(person);
      expect((await get(`/v1/dossiers/${code}/receipt`, keys[role])).json().applicant, role).toEqual(person);
      const list = (await get(`/v1/dossiers?unitCode=${unit}&limit=200`, keys[role])).json();
      expect(list.items.find((d: { code: string }) => d.code === code).applicant, role).toEqual(person);
    }
  });
});

describe('a viewer cannot look a person up', () => {
  const withoutRequestId = (body: string) => {
    const { requestId: _, ...rest } = JSON.parse(body) as Record<string, unknown>;
    return rest;
  };

  it('idNumber and q get 403 APPLICANT_FILTER_FORBIDDEN, the same whether the person has a dossier or not', async () => {
    const pairs: Array<[string, string]> = [
      [`idNumber=${person.idNumber}`, 'idNumber=079203009999'],
      [`q=${encodeURIComponent('nguyen van duc')}`, `q=${encodeURIComponent('khong co ai')}`],
      [`q=${encodeURIComponent(person.fullName)}&unitCode=${unit}`, `q=Ai&unitCode=${unit}`],
      // Refused before the unit is looked at: a unit outside the scope or unknown says nothing either.
      [`idNumber=${person.idNumber}&unitCode=${unit}`, `idNumber=${person.idNumber}&unitCode=999.99.99.Z97`],
    ];
    for (const [found, notFound] of pairs) {
      const a = await get(`/v1/dossiers?${found}`, keys.viewer);
      const b = await get(`/v1/dossiers?${notFound}`, keys.viewer);
      for (const res of [a, b]) {
        expect(res.statusCode, found).toBe(403);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().code).toBe('APPLICANT_FILTER_FORBIDDEN');
        expect(leaksIn(res.body)).toEqual([]);
      }
      expect(withoutRequestId(a.body), `${found} / ${notFound}`).toEqual(withoutRequestId(b.body));
    }
  });

  it('the refusal names the filters, in Vietnamese and in English as asked', async () => {
    const vi = await get(`/v1/dossiers?idNumber=${person.idNumber}`, keys.viewer, {
      'accept-language': 'vi',
    });
    expect(vi.json().detail).toBe(
      'Khóa API có vai trò «chỉ xem» không được tìm hồ sơ theo số giấy tờ tùy thân (idNumber), vì như vậy sẽ tiết lộ ai có hồ sơ.',
    );
    // Vietnamese is also what a request without Accept-Language gets.
    const byDefault = await get(`/v1/dossiers?idNumber=${person.idNumber}`, keys.viewer);
    expect(byDefault.json().detail).toBe(vi.json().detail);
    const en = await get(`/v1/dossiers?idNumber=${person.idNumber}&q=duc`, keys.viewer, {
      'accept-language': 'en',
    });
    expect(en.json().detail).toBe(
      'A viewer key may not search dossiers by identity number (idNumber) and search text (q), since that would reveal who has a dossier.',
    );
  });

  it('text a clerk typed (the summary, a reason, a note, the missing papers) reads as *** to a viewer, whole to others', async () => {
    const mine = (
      await post(
        '/v1/dossiers',
        intakeBody(procedure, { unitCode: unit, applicant: person, summary: 'Khai sinh cho cháu Lê Thị Bé' }),
      )
    ).code;
    await post(`/v1/dossiers/${mine}/request-supplement`, {
      reason: 'Thiếu CCCD của mẹ',
      items: ['CCCD mẹ'],
    });
    const byViewer = (await get(`/v1/dossiers/${mine}`, keys.viewer)).json();
    expect(byViewer.summary).toBe('***');
    const listed = (await get(`/v1/dossiers?unitCode=${unit}&limit=200`, keys.viewer)).json();
    expect(listed.items.find((d: { code: string }) => d.code === mine).summary).toBe('***');
    const viewerEvents = (await get(`/v1/dossiers/${mine}/events`, keys.viewer)).json().items;
    const supplement = viewerEvents.find((e: { type: string }) => e.type === 'request-supplement');
    expect(supplement.data).toMatchObject({ reason: '***', items: '***' });
    const everything = JSON.stringify([byViewer, listed, viewerEvents]);
    for (const typed of ['Lê Thị Bé', 'CCCD của mẹ', 'CCCD mẹ']) expect(everything).not.toContain(typed);

    for (const key of [keys.clerk, keys.sync]) {
      expect((await get(`/v1/dossiers/${mine}`, key)).json().summary).toBe('Khai sinh cho cháu Lê Thị Bé');
      const events = (await get(`/v1/dossiers/${mine}/events`, key)).json().items;
      expect(events.find((e: { type: string }) => e.type === 'request-supplement').data).toMatchObject({
        reason: 'Thiếu CCCD của mẹ',
        items: ['CCCD mẹ'],
      });
    }
  });

  it('clerk and sync keys still find the person by identifier and by name, with the data whole', async () => {
    for (const role of ['clerk', 'sync'] as const) {
      for (const filter of [
        `idNumber=${person.idNumber}`,
        `q=${encodeURIComponent('nguyen van duc')}&unitCode=${unit}`,
      ]) {
        const res = await get(`/v1/dossiers?${filter}`, keys[role]);
        expect(res.statusCode, `${role} ${filter}`).toBe(200);
        const items = res.json().items as Array<{ code: string; applicant: unknown }>;
        expect(
          items.map((d) => d.code),
          `${role} ${filter}`,
        ).toContain(code);
        expect(items.find((d) => d.code === code)!.applicant).toEqual(person);
      }
    }
  });
});
