/**
 * Officers (cán bộ) and who acts on a dossier: the officers' API, personal keys, the acting officer on intake and
 * every action (officerCode, a unit's requireOfficer), the actor of each event and the dossier's holder.
 *
 * Unit tree: P (province) ─┬─ A (commune) ── A1 (department of A)
 *                          └─ B (commune)
 */
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierEvents, dossiers, officers, outbox, units } from '../src/db/schema/index.js';
import { writeIntakes, type IntakeWrite } from '../src/dossiers/intake-batch.js';
import { getDossierInScope } from '../src/dossiers/lookups.js';
import {
  bearer,
  createKey,
  createOfficer,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  runCli,
  uniqueOfficerCode,
  type TestContext,
} from './helpers/context.js';

const now = new Date('2025-06-02T08:00:00+07:00');
let ctx: TestContext;
const tree = {} as { P: string; A: string; A1: string; B: string };
let procedure: string;
/** Unit-wide keys of commune A. */
const keysA = {} as { admin: string; clerk: string; viewer: string; sync: string };
type Officer = Awaited<ReturnType<typeof createOfficer>>;
let hong: Officer; // works in A
let minh: Officer; // works in A1, below A
let lan: Officer; // works in B, outside A

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, key: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

beforeAll(async () => {
  ctx = await createTestContext({}, { clock: () => now });
  tree.P = (await createUnit(ctx, { name: 'Tỉnh' })).code;
  tree.A = (await createUnit(ctx, { parentCode: tree.P, name: 'Xã A' })).code;
  tree.A1 = (await createUnit(ctx, { parentCode: tree.A, name: 'Bộ phận một cửa xã A' })).code;
  tree.B = (await createUnit(ctx, { parentCode: tree.P, name: 'Xã B' })).code;
  procedure = (await createProcedure(ctx)).code;
  for (const role of ['admin', 'clerk', 'viewer', 'sync'] as const)
    keysA[role] = await createKey(ctx, role, tree.A);
  hong = await createOfficer(ctx, tree.A, {
    fullName: 'Lê Thị Hồng',
    title: 'Công chức Văn phòng - Thống kê',
  });
  minh = await createOfficer(ctx, tree.A1, { fullName: 'Đỗ Văn Minh', title: 'Công chức Tư pháp - Hộ tịch' });
  lan = await createOfficer(ctx, tree.B, { fullName: 'Trần Thị Lan', title: 'Công chức Địa chính' });
});
afterAll(() => ctx.close());

const ref = (o: Officer) => ({ code: o.code, fullName: o.fullName, title: o.title });

async function intake(key: string, overrides: Record<string, unknown> = {}) {
  return call('POST', '/v1/dossiers', key, intakeBody(procedure, { unitCode: tree.A, ...overrides }));
}

async function received(key: string, overrides: Record<string, unknown> = {}) {
  const res = await intake(key, overrides);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { code: string; version: number; holder: unknown };
}

const act = (key: string, code: string, action: string, body: object = {}) =>
  call('POST', `/v1/dossiers/${code}/${action}`, key, body);

async function events(code: string, key = keysA.clerk) {
  const res = await call('GET', `/v1/dossiers/${code}/events`, key);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Array<{ type: string; actorKeyId: string | null; actor: unknown }>;
}

async function keyIdOf(secret: string): Promise<string> {
  // The key's id is what an event records: read it back through the event of an intake it made.
  const d = await received(secret);
  return (await events(d.code))[0]!.actorKeyId!;
}

/** How many dossiers and events commune A holds: a refused request must leave both as they were. */
async function stored() {
  const db = ctx.database.db;
  const [d] = await db.select({ n: count() }).from(dossiers).where(eq(dossiers.unitCode, tree.A));
  const [e] = await db
    .select({ n: count() })
    .from(dossierEvents)
    .innerJoin(dossiers, eq(dossiers.id, dossierEvents.dossierId))
    .where(eq(dossiers.unitCode, tree.A));
  return { dossiers: d!.n, events: e!.n };
}

function expectProblem(
  res: { statusCode: number; body: string; json(): { code: string } },
  status: number,
  code: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json().code).toBe(code);
}

describe('the officers of a unit: /v1/officers', () => {
  it('an admin adds, reads, renames, moves and deactivates an officer; every role of the scope reads them', async () => {
    const code = uniqueOfficerCode();
    const created = await call('POST', '/v1/officers', keysA.admin, {
      code,
      fullName: '  Nguyễn   Thị Thu  ',
      title: 'Công chức Tư pháp - Hộ tịch',
      unitCode: tree.A1,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      code,
      fullName: 'Nguyễn Thị Thu',
      title: 'Công chức Tư pháp - Hộ tịch',
      unitCode: tree.A1,
      active: true,
    });
    for (const key of Object.values(keysA)) {
      const got = await call('GET', `/v1/officers/${code}`, key);
      expect(got.statusCode, got.body).toBe(200);
      expect(got.json().fullName).toBe('Nguyễn Thị Thu');
    }
    const patched = await call('PATCH', `/v1/officers/${code}`, keysA.admin, {
      fullName: 'Nguyễn Thị Thu Hà',
      title: 'Phó Chủ tịch UBND xã',
      unitCode: tree.A,
      active: false,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      code,
      fullName: 'Nguyễn Thị Thu Hà',
      title: 'Phó Chủ tịch UBND xã',
      unitCode: tree.A,
      active: false,
    });
    expect((await call('GET', `/v1/officers/${code}`, keysA.viewer)).json()).toEqual(patched.json());
  });

  it('a code already taken → 409 OFFICER_EXISTS; a malformed code → 400 on body.code; nothing stored', async () => {
    const again = await call('POST', '/v1/officers', ctx.adminKey, {
      code: hong.code,
      fullName: 'Người khác',
      title: 'Chức danh khác',
      unitCode: tree.B,
    });
    expectProblem(again, 409, 'OFFICER_EXISTS');
    expect((await call('GET', `/v1/officers/${hong.code}`, ctx.adminKey)).json().fullName).toBe(
      'Lê Thị Hồng',
    );
    for (const code of ['.CB1', 'CB 1', 'C'.repeat(41), 'Cán.bộ']) {
      const bad = await call('POST', '/v1/officers', ctx.adminKey, {
        code,
        fullName: 'Ai đó',
        title: 'Công chức',
        unitCode: tree.A,
      });
      expectProblem(bad, 400, 'VALIDATION_FAILED');
      expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('body.code');
      const [row] = await ctx.database.db.select().from(officers).where(eq(officers.code, code));
      expect(row).toBeUndefined();
    }
    const noTitle = await call('POST', '/v1/officers', ctx.adminKey, {
      code: uniqueOfficerCode(),
      fullName: 'Ai đó',
      unitCode: tree.A,
    });
    expect(noTitle.json().errors).toEqual([{ path: 'body.title', message: 'Thiếu chức danh.' }]);
  });

  it('lists by code with keyset pages, filtered by unit subtree, active flag and name without diacritics', async () => {
    const unit = (await createUnit(ctx, { parentCode: tree.A })).code;
    const below = (await createUnit(ctx, { parentCode: unit })).code;
    const made = [
      await createOfficer(ctx, unit, { fullName: 'Phạm Đức Anh' }),
      await createOfficer(ctx, below, { fullName: 'Vũ Thị Ánh' }),
      await createOfficer(ctx, below, { fullName: 'Hoàng Văn Đông', active: false }),
    ];
    const codes = async (query: string, key = keysA.viewer) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await call(
          'GET',
          `/v1/officers?${query}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
          key,
        );
        expect(res.statusCode, res.body).toBe(200);
        out.push(...res.json().items.map((o: { code: string }) => o.code));
        cursor = res.json().nextCursor;
      } while (cursor);
      return out;
    };
    const all = made.map((o) => o.code).sort();
    expect(await codes(`unitCode=${unit}`)).toEqual(all);
    expect(await codes(`unitCode=${below}`)).toEqual([made[1]!.code, made[2]!.code].sort());
    expect(await codes(`unitCode=${unit}&active=false`)).toEqual([made[2]!.code]);
    expect(await codes(`unitCode=${unit}&q=${encodeURIComponent('DUC ANH')}`)).toEqual([made[0]!.code]);
    expect(await codes(`unitCode=${unit}&q=anh`)).toEqual([made[0]!.code, made[1]!.code].sort());
    expect(await codes(`unitCode=${unit}&q=dong`)).toEqual([made[2]!.code]);
  });

  it('outside the scope: 404 exactly as if absent, never listed; units outside → UNIT_NOT_FOUND', async () => {
    const outside = await call('GET', `/v1/officers/${lan.code}`, keysA.clerk);
    const unknown = await call('GET', '/v1/officers/CB.KHONG.CO', keysA.clerk);
    expectProblem(outside, 404, 'OFFICER_NOT_FOUND');
    expectProblem(unknown, 404, 'OFFICER_NOT_FOUND');
    expect(outside.json().detail.replace(lan.code, '?')).toBe(
      unknown.json().detail.replace('CB.KHONG.CO', '?'),
    );
    const listed = await call('GET', '/v1/officers?limit=200', keysA.viewer);
    const seen = listed.json().items.map((o: { code: string; unitCode: string }) => o.code);
    expect(seen).toEqual(expect.arrayContaining([hong.code, minh.code]));
    expect(seen).not.toContain(lan.code);
    expectProblem(await call('GET', `/v1/officers?unitCode=${tree.B}`, keysA.viewer), 404, 'UNIT_NOT_FOUND');
    expectProblem(
      await call('PATCH', `/v1/officers/${lan.code}`, keysA.admin, { title: 'x' }),
      404,
      'OFFICER_NOT_FOUND',
    );
    const intoB = await call('POST', '/v1/officers', keysA.admin, {
      code: uniqueOfficerCode(),
      fullName: 'Ai đó',
      title: 'Công chức',
      unitCode: tree.B,
    });
    expectProblem(intoB, 404, 'UNIT_NOT_FOUND');
    expectProblem(
      await call('PATCH', `/v1/officers/${hong.code}`, keysA.admin, { unitCode: tree.B }),
      404,
      'UNIT_NOT_FOUND',
    );
    expect((await call('GET', `/v1/officers/${hong.code}`, keysA.admin)).json().unitCode).toBe(tree.A);
  });

  it('only admins write (403 for clerk, viewer and sync keys); an inactive unit takes no officer (422)', async () => {
    for (const role of ['clerk', 'viewer', 'sync'] as const) {
      const post = await call('POST', '/v1/officers', keysA[role], {
        code: uniqueOfficerCode(),
        fullName: 'Ai đó',
        title: 'Công chức',
        unitCode: tree.A,
      });
      expectProblem(post, 403, 'FORBIDDEN');
      expectProblem(
        await call('PATCH', `/v1/officers/${hong.code}`, keysA[role], { active: false }),
        403,
        'FORBIDDEN',
      );
    }
    const closed = (await createUnit(ctx, { parentCode: tree.A })).code;
    await call('PATCH', `/v1/units/${closed}`, ctx.adminKey, { active: false });
    const res = await call('POST', '/v1/officers', keysA.admin, {
      code: uniqueOfficerCode(),
      fullName: 'Ai đó',
      title: 'Công chức',
      unitCode: closed,
    });
    expectProblem(res, 422, 'UNIT_INACTIVE');
  });
});

describe('personal keys', () => {
  it('POST /v1/api-keys with officerCode makes a personal key, shown with its officer', async () => {
    const res = await call('POST', '/v1/api-keys', keysA.admin, {
      name: 'Chị Hồng',
      role: 'clerk',
      officerCode: minh.code,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ role: 'clerk', unitCode: tree.A, officerCode: minh.code });
    const listed = await call('GET', '/v1/api-keys?limit=200', keysA.admin);
    const item = listed.json().items.find((k: { id: string }) => k.id === res.json().id);
    expect(item.officerCode).toBe(minh.code);
    const unitWide = await call('POST', '/v1/api-keys', keysA.admin, {
      name: 'Phần mềm một cửa',
      role: 'clerk',
    });
    expect(unitWide.json().officerCode).toBeNull();
  });

  it('the officer must be active and work in the key’s unit or below: 400, no key made', async () => {
    const inactive = await createOfficer(ctx, tree.A, { active: false });
    const cases: Array<[object, string]> = [
      [{ officerCode: lan.code }, 'OFFICER_NOT_IN_SCOPE'],
      [{ officerCode: 'CB.KHONG.CO' }, 'OFFICER_NOT_IN_SCOPE'],
      [{ officerCode: hong.code, unitCode: tree.A1 }, 'OFFICER_NOT_IN_SCOPE'],
      [{ officerCode: inactive.code }, 'OFFICER_INACTIVE'],
    ];
    const before = (await call('GET', '/v1/api-keys?limit=200', keysA.admin)).json().items.length;
    for (const [body, code] of cases) {
      const res = await call('POST', '/v1/api-keys', keysA.admin, {
        name: 'cá nhân',
        role: 'clerk',
        ...body,
      });
      expectProblem(res, 400, code);
    }
    expect((await call('GET', '/v1/api-keys?limit=200', keysA.admin)).json().items.length).toBe(before);
  });

  it('the CLI makes a personal key, and refuses an officer outside the key’s unit', async () => {
    const out = await runCli(
      ctx.config.DATABASE_URL!,
      ...['keys', 'create', '--role', 'clerk', '--unit', tree.A, '--name', 'quầy 2', '--officer', hong.code],
    );
    expect(out.stdout, out.stderr).toContain(`officer ${hong.code}`);
    const secret = /secret \(shown once\): (\S+)/.exec(out.stdout)![1]!;
    const d = await received(secret);
    expect(d.holder).toEqual(ref(hong));
    const refused = await runCli(
      ctx.config.DATABASE_URL!,
      ...['keys', 'create', '--role', 'clerk', '--unit', tree.A, '--name', 'quầy 3', '--officer', lan.code],
    );
    expect('code' in refused && refused.code).toBe(1);
    expect(refused.stderr).toContain(`Officer ${lan.code} cannot be named here.`);
  });

  it('a personal key’s intake and actions are its officer’s: the event’s actor and the dossier’s holder', async () => {
    const personal = await createKey(ctx, 'clerk', tree.A, minh.code);
    const keyId = await keyIdOf(personal);
    const d = await received(personal);
    expect(d.holder).toEqual(ref(minh));
    // Naming its own officer is fine.
    expect(
      (await act(personal, d.code, 'assign', { note: 'xử lý', officerCode: minh.code })).statusCode,
    ).toBe(200);
    expect((await act(personal, d.code, 'request-supplement', { reason: 'Thiếu bản sao' })).statusCode).toBe(
      200,
    );
    const trail = await events(d.code, keysA.viewer);
    expect(trail.map((e) => e.type)).toEqual(['intake', 'assign', 'request-supplement']);
    for (const e of trail) {
      expect(e.actorKeyId).toBe(keyId);
      expect(e.actor).toEqual({ keyId, officer: ref(minh) });
    }
  });

  it('naming another officer → 403 OFFICER_MISMATCH, nothing stored', async () => {
    const personal = await createKey(ctx, 'clerk', tree.A, hong.code);
    const d = await received(personal);
    const before = await stored();
    expectProblem(await intake(personal, { officerCode: minh.code }), 403, 'OFFICER_MISMATCH');
    const res = await act(personal, d.code, 'assign', { officerCode: minh.code });
    expectProblem(res, 403, 'OFFICER_MISMATCH');
    expect(res.json().detail).toBe(
      `Khóa API cá nhân này là của cán bộ ${hong.code}, không được thao tác với tư cách cán bộ ${minh.code}.`,
    );
    expect(await stored()).toEqual(before);
  });

  it('a deactivated officer’s key may read but not act (403 KEY_OFFICER_INACTIVE); unit-wide keys may not name them (400)', async () => {
    const leaving = await createOfficer(ctx, tree.A, { fullName: 'Bùi Văn Tâm' });
    const personal = await createKey(ctx, 'clerk', tree.A, leaving.code);
    const d = await received(personal);
    await call('PATCH', `/v1/officers/${leaving.code}`, ctx.adminKey, { active: false });
    const before = await stored();
    expectProblem(await intake(personal), 403, 'KEY_OFFICER_INACTIVE');
    expectProblem(
      await act(personal, d.code, 'resolve', { result: 'approved' }),
      403,
      'KEY_OFFICER_INACTIVE',
    );
    expect((await call('GET', `/v1/dossiers/${d.code}`, personal)).statusCode).toBe(200);
    expectProblem(await intake(keysA.clerk, { officerCode: leaving.code }), 400, 'OFFICER_INACTIVE');
    expectProblem(
      await act(keysA.clerk, d.code, 'resolve', { result: 'approved', officerCode: leaving.code }),
      400,
      'OFFICER_INACTIVE',
    );
    expect(await stored()).toEqual(before);
    // Active again: the key acts again, and the dossier still names its holder.
    await call('PATCH', `/v1/officers/${leaving.code}`, ctx.adminKey, { active: true });
    const resolved = await act(personal, d.code, 'resolve', { result: 'approved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json().holder).toEqual({ ...ref(leaving) });
  });
});

describe('the acting officer of a unit-wide key', () => {
  it('names an officer of its scope: recorded on the event; the intake’s officer holds the dossier', async () => {
    const keyId = await keyIdOf(keysA.clerk);
    const d = await received(keysA.clerk, { officerCode: minh.code });
    expect(d.holder).toEqual(ref(minh));
    const accepted = await act(keysA.clerk, d.code, 'request-payment', {
      amount: 8000,
      officerCode: hong.code,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    // Any action but assign leaves the holder as it was.
    expect(accepted.json().holder).toEqual(ref(minh));
    expect((await act(keysA.clerk, d.code, 'confirm-payment')).statusCode).toBe(200);
    const trail = await events(d.code, keysA.viewer);
    expect(trail.map((e) => [e.type, e.actor])).toEqual([
      ['intake', { keyId, officer: ref(minh) }],
      ['request-payment', { keyId, officer: ref(hong) }],
      ['confirm-payment', { keyId, officer: null }],
    ]);
    // The event's data keeps what the action carried, not the acting officer (it has its own place).
    const [row] = await ctx.database.db
      .select()
      .from(dossierEvents)
      .innerJoin(dossiers, eq(dossiers.id, dossierEvents.dossierId))
      .where(and(eq(dossierEvents.type, 'request-payment'), eq(dossiers.code, d.code)));
    expect(row!.dossier_events.data).toEqual({ amount: 8000, policy: 'extend' });
    expect(row!.dossier_events.officerCode).toBe(hong.code);
  });

  it('an officer outside its scope, or unknown, → 400 OFFICER_NOT_IN_SCOPE alike; nothing stored', async () => {
    const d = await received(keysA.clerk);
    const before = await stored();
    const outside = await intake(keysA.clerk, { officerCode: lan.code });
    const unknown = await intake(keysA.clerk, { officerCode: 'CB.KHONG.CO' });
    expectProblem(outside, 400, 'OFFICER_NOT_IN_SCOPE');
    expectProblem(unknown, 400, 'OFFICER_NOT_IN_SCOPE');
    expect(outside.json().detail).toBe(
      `Không thể chỉ định cán bộ ${lan.code}. Cán bộ được chỉ định phải làm việc tại đơn vị của khóa API hoặc một đơn vị trực thuộc.`,
    );
    expectProblem(
      await act(keysA.clerk, d.code, 'assign', { officerCode: lan.code }),
      400,
      'OFFICER_NOT_IN_SCOPE',
    );
    expect(await stored()).toEqual(before);
    // The next intake takes the next number: the refused ones burnt none.
    const next = await received(keysA.clerk);
    expect(Number(next.code.slice(-4))).toBe(Number(d.code.slice(-4)) + 1);
  });

  it('assign names the new holder: active, in the target unit or below; moving elsewhere without one clears it', async () => {
    const province = await createKey(ctx, 'clerk', tree.P);
    const d = await received(province, { officerCode: hong.code });
    const before = await stored();
    expectProblem(
      await act(province, d.code, 'assign', { handlingUnitCode: tree.A1, toOfficerCode: hong.code }),
      400,
      'OFFICER_NOT_IN_SCOPE',
    );
    const inactive = await createOfficer(ctx, tree.A1, { active: false });
    expectProblem(
      await act(province, d.code, 'assign', { handlingUnitCode: tree.A1, toOfficerCode: inactive.code }),
      400,
      'OFFICER_INACTIVE',
    );
    expect(await stored()).toEqual(before);
    const toMinh = await act(province, d.code, 'assign', {
      handlingUnitCode: tree.A1,
      toOfficerCode: minh.code,
      officerCode: hong.code,
    });
    expect(toMinh.statusCode, toMinh.body).toBe(200);
    expect(toMinh.json()).toMatchObject({ handlingUnit: { code: tree.A1 }, holder: ref(minh) });
    const back = await act(province, d.code, 'assign', { handlingUnitCode: tree.B });
    expect(back.json()).toMatchObject({ handlingUnit: { code: tree.B }, holder: null });
    const trail = await call('GET', `/v1/dossiers/${d.code}/events`, province);
    expect(
      trail
        .json()
        .items.slice(1)
        .map((e: { type: string; data: object }) => [e.type, e.data]),
    ).toEqual([
      [
        'transferred',
        {
          handlingUnitCode: tree.A1,
          toOfficerCode: minh.code,
          fromUnitCode: tree.A,
          toUnitCode: tree.A1,
          fromOfficerCode: hong.code,
          fromStepCode: 'xu-ly',
          toStepCode: 'xu-ly',
        },
      ],
      [
        'transferred',
        {
          handlingUnitCode: tree.B,
          fromUnitCode: tree.A1,
          toUnitCode: tree.B,
          fromOfficerCode: minh.code,
          toOfficerCode: null,
          fromStepCode: 'xu-ly',
          toStepCode: 'xu-ly',
        },
      ],
    ]);
  });

  it('requireOfficer on a parent unit: unit-wide keys below it must name the officer (400 OFFICER_REQUIRED)', async () => {
    const district = (await createUnit(ctx, { parentCode: tree.P })).code;
    const commune = (await createUnit(ctx, { parentCode: district })).code;
    const officer = await createOfficer(ctx, commune, { fullName: 'Ngô Thị Mai' });
    const clerk = await createKey(ctx, 'clerk', commune);
    const personal = await createKey(ctx, 'clerk', commune, officer.code);
    const body = intakeBody(procedure, { unitCode: commune });
    const before = await call('POST', '/v1/dossiers', clerk, body);
    expect(before.statusCode, before.body).toBe(201);
    const set = await call('PATCH', `/v1/units/${district}`, ctx.adminKey, { requireOfficer: true });
    expect(set.json().requireOfficer).toBe(true);
    expect((await call('GET', `/v1/units/${commune}`, clerk)).json().requireOfficer).toBe(false);

    const refused = await call('POST', '/v1/dossiers', clerk, body);
    expectProblem(refused, 400, 'OFFICER_REQUIRED');
    expect(refused.json().detail).toBe(
      `Đơn vị ${commune} yêu cầu ghi rõ cán bộ thực hiện: hãy ghi mã cán bộ, hoặc dùng khóa API cá nhân.`,
    );
    const code = before.json().code as string;
    expectProblem(await act(clerk, code, 'resolve', { result: 'approved' }), 400, 'OFFICER_REQUIRED');
    const [row] = await ctx.database.db.select().from(dossiers).where(eq(dossiers.code, code));
    expect(row!.version).toBe(1);

    expect(
      (await call('POST', '/v1/dossiers', clerk, { ...body, officerCode: officer.code })).statusCode,
    ).toBe(201);
    expect((await call('POST', '/v1/dossiers', personal, body)).statusCode).toBe(201);
    expect(
      (await act(clerk, code, 'resolve', { result: 'approved', officerCode: officer.code })).statusCode,
    ).toBe(200);
    // A unit created inside with requireOfficer of its own shows it; the flag is set at creation too.
    const strict = await call('POST', '/v1/units', ctx.adminKey, {
      code: `${commune}.X1`,
      name: 'Bộ phận một cửa',
      parentCode: commune,
      requireOfficer: true,
    });
    expect(strict.json().requireOfficer).toBe(true);
  });

  it('a change made elsewhere (another process, straight in the database) is refused by the intake itself, with its reason', async () => {
    const unit = (await createUnit(ctx, { parentCode: tree.P })).code;
    const officer = await createOfficer(ctx, unit);
    const clerk = await createKey(ctx, 'clerk', unit);
    const unnamed = intakeBody(procedure, { unitCode: unit });
    const body = { ...unnamed, officerCode: officer.code };
    // Remembered by this process for the next intakes.
    expect((await call('POST', '/v1/dossiers', clerk, body)).statusCode).toBe(201);
    await ctx.database.db.update(officers).set({ active: false }).where(eq(officers.code, officer.code));
    expectProblem(await call('POST', '/v1/dossiers', clerk, body), 400, 'OFFICER_INACTIVE');
    await ctx.database.db.update(officers).set({ active: true }).where(eq(officers.code, officer.code));
    expect((await call('POST', '/v1/dossiers', clerk, unnamed)).statusCode).toBe(201);
    // requireOfficer set behind the process's back.
    await ctx.database.db.update(units).set({ requireOfficer: true }).where(eq(units.code, unit));
    expectProblem(await call('POST', '/v1/dossiers', clerk, unnamed), 400, 'OFFICER_REQUIRED');
  });
});

describe('what the dossier and its events show', () => {
  it('viewers see the holder and the acting officers by name (staff, not applicants)', async () => {
    const d = await received(keysA.clerk, { officerCode: hong.code });
    const got = await call('GET', `/v1/dossiers/${d.code}`, keysA.viewer);
    expect(got.json().holder).toEqual(ref(hong));
    expect(got.json().applicant.fullName).not.toBe('Nguyễn Văn An');
    const listed = await call('GET', `/v1/dossiers?unitCode=${tree.A}&limit=200`, keysA.viewer);
    expect(listed.json().items.find((x: { code: string }) => x.code === d.code).holder).toEqual(ref(hong));
    expect((await events(d.code, keysA.viewer))[0]!.actor).toMatchObject({ officer: ref(hong) });
  });

  it('the changes announced (change feed, webhooks) carry the holder with the dossier', async () => {
    const d = await received(keysA.clerk, { officerCode: minh.code });
    const assigned = await act(keysA.clerk, d.code, 'assign', { toOfficerCode: hong.code });
    expect(assigned.statusCode, assigned.body).toBe(200);
    const announced = await ctx.database.db
      .select({ type: outbox.type, payload: outbox.payload })
      .from(outbox)
      .innerJoin(dossiers, eq(dossiers.id, outbox.dossierId))
      .where(eq(dossiers.code, d.code))
      .orderBy(outbox.id);
    expect(
      announced.map((o) => [o.type, (o.payload as { dossier: { holder: unknown } }).dossier.holder]),
    ).toEqual([
      ['dossier.received', ref(minh)],
      ['dossier.processing', ref(hong)],
      ['dossier.handed_over', ref(hong)],
    ]);
  });

  it('by code: the compiled read with a holder gives what drizzle gives', async () => {
    const d = await received(keysA.clerk, { officerCode: hong.code });
    const principal = { keyId: 'test', role: 'admin' as const, unitCode: null, scopePath: null };
    const db = ctx.database.db;
    const compiled = await getDossierInScope(db, principal, d.code);
    const viaDrizzle = await db.transaction((tx) => getDossierInScope(tx, principal, d.code));
    expect(compiled).toStrictEqual(viaDrizzle);
    expect(compiled.holder).toEqual(ref(hong));
  });
});

describe('the intake statement decides, whatever a cache said', () => {
  /** A checked intake of `unitCode` on 2025-06-02, as the command hands it to the statement. */
  const item = (unitCode: string, extra: Partial<IntakeWrite>): IntakeWrite => ({
    unitCode,
    resolvingUnitCode: unitCode,
    procedureCode: procedure,
    scopePath: null,
    codePrefix: `${unitCode}-250602-`,
    codeDay: '2025-06-02',
    channel: 'direct',
    status: 'received',
    applicantType: 'citizen',
    applicantName: 'Nguyễn Văn An',
    applicantNameSearch: 'nguyen van an',
    processVersion: null,
    applicantIdNumber: null,
    applicantPhone: null,
    applicantEmail: null,
    applicantAddress: null,
    contactConsent: false,
    contactEmail: null,
    contactPhone: null,
    summary: null,
    components: [],
    durationValue: 2,
    durationUnit: 'working_days',
    receiptCutoff: null,
    supplementPolicy: 'restart',
    submittedAt: null,
    receivedAt: now,
    startAt: now,
    dueAt: new Date('2025-06-04T08:00:00+07:00'),
    eventAt: now,
    actorKeyId: '00000000-0000-0000-0000-000000000000',
    eventData: { channel: 'direct' },
    outboxType: 'dossier.received',
    payload: { dossier: { code: '', status: 'received' } },
    ...extra,
  });

  it('writes an intake only with an active officer where the key may name one, or none where none is required', async () => {
    const district = (await createUnit(ctx, { parentCode: tree.P })).code;
    const commune = (await createUnit(ctx, { parentCode: district })).code;
    const here = await createOfficer(ctx, commune);
    const away = await createOfficer(ctx, tree.B);
    const gone = await createOfficer(ctx, commune, { active: false });
    const [districtPath] = await ctx.database.db
      .select({ path: units.path })
      .from(units)
      .where(eq(units.code, district));
    const scope = districtPath!.path;
    await ctx.database.db.update(units).set({ requireOfficer: true }).where(eq(units.code, district));
    const written = await writeIntakes(ctx.database.db, [
      item(commune, { officerCode: here.code, officerScopePath: scope }),
      item(commune, {}),
      item(commune, { officerCode: away.code, officerScopePath: scope }),
      // A personal key's officer: no scope to work in, but active.
      item(commune, { officerCode: away.code, officerScopePath: null }),
      item(commune, { officerCode: gone.code, officerScopePath: null }),
      item(commune, { officerCode: 'CB.KHONG.CO' }),
    ]);
    expect(written.map((w) => w && w.code.slice(-4))).toEqual(['0001', null, null, '0002', null, null]);
    const rows = await ctx.database.db
      .select({ holder: dossiers.holderOfficerCode, officer: dossierEvents.officerCode })
      .from(dossiers)
      .innerJoin(dossierEvents, eq(dossierEvents.dossierId, dossiers.id))
      .where(eq(dossiers.unitCode, commune))
      .orderBy(dossiers.id);
    expect(rows).toEqual([
      { holder: here.code, officer: here.code },
      { holder: away.code, officer: away.code },
    ]);
  });
});
