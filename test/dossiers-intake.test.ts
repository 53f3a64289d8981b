import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierCodeCounters, dossiers, idempotencyKeys, outbox } from '../src/db/schema/index.js';
import { intake } from '../src/dossiers/commands.js';
import { createCalendarCache } from '../src/calendar/cache.js';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-time.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

let now = new Date('2025-06-02T08:00:00+07:00');
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ BODY_LIMIT_BYTES: '20000' }, { clock: () => now, poolSize: 12 });
});
afterAll(() => ctx.close());

async function setup() {
  const unit = await createUnit(ctx);
  const clerk = await createKey(ctx, 'clerk', unit.code);
  const procedure = await createProcedure(ctx);
  return { unit: unit.code, clerk, procedure: procedure.code };
}

const post = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: { ...bearer(key), ...headers },
    payload: payload as object,
  });

async function countFor(unitCode: string) {
  const [d] = await ctx.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(dossiers)
    .where(eq(dossiers.unitCode, unitCode));
  const [c] = await ctx.database.db
    .select({ n: sql<number>`coalesce(sum(last), 0)::int` })
    .from(dossierCodeCounters)
    .where(eq(dossierCodeCounters.unitCode, unitCode));
  const [o] = await ctx.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(eq(outbox.unitCode, unitCode));
  return { dossiers: d!.n, counter: c!.n, outbox: o!.n };
}

describe('intake', () => {
  it('a citizen ID typed with spaces or dots is stored as digits and found by the list filter either way', async () => {
    const { clerk, procedure } = await setup();
    for (const typed of ['001 099 012 345', '001.099.012.345']) {
      const res = await post(
        clerk,
        intakeBody(procedure, { applicant: { ...intakeBody(procedure).applicant, idNumber: typed } }),
      );
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().applicant.idNumber).toBe('001099012345');
    }
    for (const filter of ['001099012345', '001 099 012 345', '001.099.012.345']) {
      const list = await ctx.app.inject({
        method: 'GET',
        url: `/v1/dossiers?idNumber=${encodeURIComponent(filter)}&procedureCode=${procedure}`,
        headers: bearer(clerk),
      });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json().items, filter).toHaveLength(2);
    }
  });

  it('writes the dossier, its first event, its deadline row and an outbox row together', async () => {
    const { unit, clerk, procedure } = await setup();
    const res = await post(
      clerk,
      intakeBody(procedure, { summary: 'Trích lục khai sinh', components: [{ name: 'Tờ khai', copies: 1 }] }),
    );
    expect(res.statusCode).toBe(201);
    const d = res.json();
    expect(d.code).toBe(`${unit}-250602-0001`);
    expect(res.headers.etag).toBe('"1"');
    expect(d.components).toEqual([{ name: 'Tờ khai', copies: 1, digitised: false }]);
    expect(await countFor(unit)).toEqual({ dossiers: 1, counter: 1, outbox: 1 });
    const [row] = await ctx.database.db.select().from(outbox).where(eq(outbox.unitCode, unit));
    expect(row!.type).toBe('dossier.received');
    const events = (
      await ctx.app.inject({ method: 'GET', url: `/v1/dossiers/${d.code}/events`, headers: bearer(clerk) })
    ).json();
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      type: 'intake',
      fromStatus: null,
      toStatus: 'received',
      at: '2025-06-02T08:00:00+07:00',
    });
  });

  it('codes are gapless under 50 concurrent intakes of which some roll back', async () => {
    const { unit, clerk, procedure } = await setup();
    const calendars = createCalendarCache(DEFAULT_WORKING_HOURS);
    const principal = {
      keyId: '00000000-0000-0000-0000-000000000000',
      role: 'clerk' as const,
      unitCode: unit,
      scopePath: null,
    };
    const attempts = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 4
        ? // An intake whose surrounding transaction fails after it numbered the dossier.
          ctx.database.db
            .transaction(async (tx) => {
              await intake(
                { db: tx as never, calendars, config: ctx.config, principal, now },
                intakeBody(procedure, { unitCode: unit }) as never,
              );
              throw new Error('rolled back on purpose');
            })
            .then(
              () => 'committed',
              () => 'rolled back',
            )
        : post(clerk, intakeBody(procedure)).then((r) =>
            r.statusCode === 201 ? 'committed' : `failed ${r.statusCode}`,
          ),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o === 'committed')).toHaveLength(40);
    expect(outcomes.filter((o) => o === 'rolled back')).toHaveLength(10);
    const rows = await ctx.database.db
      .select({ code: dossiers.code })
      .from(dossiers)
      .where(eq(dossiers.unitCode, unit));
    const numbers = rows.map((r) => Number(r.code.slice(-4))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('numbers restart at 0001 each local day and follow the receipt date', async () => {
    const { unit, clerk, procedure } = await setup();
    now = new Date('2025-06-03T06:30:00+07:00');
    const first = (
      await post(clerk, intakeBody(procedure, { receivedAt: '2025-06-02T23:30:00+07:00' }))
    ).json();
    const second = (await post(clerk, intakeBody(procedure))).json();
    expect(first.code).toBe(`${unit}-250602-0001`);
    expect(second.code).toBe(`${unit}-250603-0001`);
    now = new Date('2025-06-02T08:00:00+07:00');
  });

  it('NFD text is stored NFC, and the name is found without diacritics', async () => {
    const { clerk, procedure } = await setup();
    const nfd = 'Tra\u0302\u0300n Thi\u0323 \u0110a\u0323\u0306ng Ha\u0300';
    const res = await post(
      clerk,
      intakeBody(procedure, { applicant: { type: 'citizen', fullName: nfd, idNumber: '079199012345' } }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().applicant.fullName).toBe(nfd.normalize('NFC'));
    const found = await ctx.app.inject({
      method: 'GET',
      url: '/v1/dossiers?q=tran%20thi%20dang',
      headers: bearer(clerk),
    });
    expect(found.json().items.map((d: { code: string }) => d.code)).toEqual([res.json().code]);
  });
});

describe('intake names the resolving unit', () => {
  /** A provincial centre (whose clerk receives) and a department outside its subtree. */
  async function centreAndDepartment() {
    const province = await createUnit(ctx, { name: 'UBND tỉnh' });
    const centre = await createUnit(ctx, {
      parentCode: province.code,
      name: 'Trung tâm Phục vụ hành chính công',
    });
    const department = await createUnit(ctx, { parentCode: province.code, name: 'Sở Tư pháp' });
    const clerk = await createKey(ctx, 'clerk', centre.code);
    const procedure = (await createProcedure(ctx)).code;
    return { centre, department, clerk, procedure };
  }

  it('by default the receiving unit resolves the dossier', async () => {
    const { unit, clerk, procedure } = await setup();
    const res = await post(clerk, intakeBody(procedure));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().resolvingUnit).toEqual({ code: unit, name: 'Đơn vị thử' });
    const [row] = await ctx.database.db
      .select({ resolving: dossiers.resolvingUnitCode, elsewhere: dossiers.resolvedElsewhere })
      .from(dossiers)
      .where(eq(dossiers.code, res.json().code));
    expect(row).toEqual({ resolving: unit, elsewhere: false });
  });

  it('a centre receives for a department outside its subtree: numbered by the centre, resolved by the department', async () => {
    const { centre, department, clerk, procedure } = await centreAndDepartment();
    for (let i = 0; i < 2; i++) {
      // The second time from the targets cache.
      const res = await post(clerk, intakeBody(procedure, { resolvingUnitCode: department.code }));
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      expect(body.code).toBe(`${centre.code}-250602-000${i + 1}`);
      expect(body.unit).toEqual({ code: centre.code, name: centre.name });
      expect(body.handlingUnit).toEqual({ code: centre.code, name: centre.name });
      expect(body.resolvingUnit).toEqual({ code: department.code, name: department.name });
      const read = await ctx.app.inject({
        method: 'GET',
        url: `/v1/dossiers/${body.code}`,
        headers: bearer(clerk),
      });
      expect(read.json()).toEqual(body);
      const [announced] = await ctx.database.db
        .select({ payload: outbox.payload })
        .from(outbox)
        .where(sql`${outbox.payload} -> 'dossier' ->> 'code' = ${body.code}`);
      expect(announced!.payload).toMatchObject({ dossier: { resolvingUnit: body.resolvingUnit } });
    }
    // Naming the receiving unit itself is the default spelled out.
    const own = await post(clerk, intakeBody(procedure, { resolvingUnitCode: centre.code }));
    expect(own.json().resolvingUnit.code).toBe(centre.code);
  });

  it('an unknown or deactivated resolving unit → 400 in Vietnamese, nothing numbered or stored', async () => {
    const { centre, department, clerk, procedure } = await centreAndDepartment();
    const unknown = await post(clerk, intakeBody(procedure, { resolvingUnitCode: '999.99.99.Z97' }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      code: 'RESOLVING_UNIT_NOT_FOUND',
      detail: 'Không tồn tại đơn vị giải quyết 999.99.99.Z97.',
    });
    const english = await post(clerk, intakeBody(procedure, { resolvingUnitCode: '999.99.99.Z97' }), {
      'accept-language': 'en',
    });
    expect(english.json().detail).toBe('The resolving unit 999.99.99.Z97 does not exist.');
    await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/units/${department.code}`,
      headers: bearer(ctx.adminKey),
      payload: { active: false },
    });
    const inactive = await post(clerk, intakeBody(procedure, { resolvingUnitCode: department.code }));
    expect(inactive.statusCode).toBe(400);
    expect(inactive.json()).toMatchObject({
      code: 'RESOLVING_UNIT_INACTIVE',
      detail: `Đơn vị giải quyết ${department.code} đã ngừng hoạt động nên không nhận hồ sơ mới.`,
    });
    const malformed = await post(clerk, intakeBody(procedure, { resolvingUnitCode: 'sở tư pháp' }));
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('VALIDATION_FAILED');
    expect(await countFor(centre.code)).toEqual({ dossiers: 0, counter: 0, outbox: 0 });
  });

  it('a resolving unit deactivated by another process meanwhile → 400, and the next number stays gapless', async () => {
    const { centre, department, clerk, procedure } = await centreAndDepartment();
    const body = intakeBody(procedure, { resolvingUnitCode: department.code });
    expect((await post(clerk, body)).statusCode).toBe(201); // now cached
    await ctx.database.db.execute(sql`update units set active = false where code = ${department.code}`);
    const res = await post(clerk, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('RESOLVING_UNIT_INACTIVE');
    expect(await countFor(centre.code)).toEqual({ dossiers: 1, counter: 1, outbox: 1 });
    await ctx.database.db.execute(sql`update units set active = true where code = ${department.code}`);
    expect((await post(clerk, body)).json().code).toBe(`${centre.code}-250602-0002`);
  });
});

describe('intake with the procedure and unit reused from the cache', () => {
  const deactivate = (table: 'procedures' | 'units', code: string) =>
    ctx.database.db.execute(sql`update ${sql.identifier(table)} set active = false where code = ${code}`);

  it('the outbox snapshot is the response without its live fields, code and creation instant included', async () => {
    const { unit, clerk, procedure } = await setup();
    const res = await post(clerk, intakeBody(procedure));
    expect(res.statusCode).toBe(201);
    const { timeliness, remainingWorkingMinutes, ...stored } = res.json();
    expect(timeliness).toBeDefined();
    expect(remainingWorkingMinutes).toBeDefined();
    const [row] = await ctx.database.db.select().from(outbox).where(eq(outbox.unitCode, unit));
    expect(row!.payload).toEqual({ dossier: stored });
    const [created] = await ctx.database.db
      .select({ at: dossiers.createdAt })
      .from(dossiers)
      .where(eq(dossiers.code, stored.code));
    expect(Math.floor(created!.at.getTime() / 1000) * 1000).toBe(new Date(stored.createdAt).getTime());
    const read = await ctx.app.inject({
      method: 'GET',
      url: `/v1/dossiers/${stored.code}`,
      headers: bearer(clerk),
    });
    expect(read.json()).toEqual(res.json());
  });

  it('a procedure deactivated by another process meanwhile → 422, nothing numbered or written', async () => {
    const { unit, clerk, procedure } = await setup();
    expect((await post(clerk, intakeBody(procedure))).statusCode).toBe(201); // now cached
    await deactivate('procedures', procedure); // not through this app: its cache still says active
    const res = await post(clerk, intakeBody(procedure));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('PROCEDURE_INACTIVE');
    expect(await countFor(unit)).toEqual({ dossiers: 1, counter: 1, outbox: 1 });
  });

  it('a unit deactivated by another process meanwhile → 422, and the next number stays gapless', async () => {
    const { unit, clerk, procedure } = await setup();
    const other = await createProcedure(ctx);
    expect((await post(clerk, intakeBody(procedure))).statusCode).toBe(201);
    await deactivate('units', unit);
    const res = await post(clerk, intakeBody(procedure));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('UNIT_INACTIVE');
    await ctx.database.db.execute(sql`update units set active = true where code = ${unit}`);
    const next = await post(clerk, intakeBody(other.code));
    expect(next.json().code).toBe(`${unit}-250602-0002`);
  });

  it('a unit moved out of the key’s scope by another process meanwhile → 404, nothing written', async () => {
    const province = await createUnit(ctx);
    const elsewhere = await createUnit(ctx);
    const commune = await createUnit(ctx, { parentCode: province.code });
    const clerk = await createKey(ctx, 'clerk', province.code);
    const procedure = (await createProcedure(ctx)).code;
    const body = intakeBody(procedure, { unitCode: commune.code });
    expect((await post(clerk, body)).statusCode).toBe(201);
    // Re-rooted under the other unit, as a move through another API instance would leave it.
    await ctx.database.db.execute(
      sql`update units set parent_code = ${elsewhere.code},
            path = (select path from units where code = ${elsewhere.code}) || substr(path, length(
              (select path from units where code = ${province.code})) + 1)
          where code = ${commune.code}`,
    );
    const res = await post(clerk, body);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('UNIT_NOT_FOUND');
    expect(await countFor(commune.code)).toEqual({ dossiers: 1, counter: 1, outbox: 1 });
  });

  it('a procedure changed through the API applies to the very next intake', async () => {
    const { clerk, procedure } = await setup();
    const first = (await post(clerk, intakeBody(procedure))).json();
    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/procedures/${procedure}`,
      headers: bearer(ctx.adminKey),
      payload: { duration: { value: 5, unit: 'working_days' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const second = (await post(clerk, intakeBody(procedure))).json();
    expect(first.duration).not.toEqual(second.duration);
    expect(second.duration).toEqual({ value: 5, unit: 'working_days' });
    expect(second.dueAt).toBe('2025-06-09T08:00:00+07:00');
  });
});

describe('Idempotency-Key', () => {
  it('the same key and body replays the first response; a different body → 422', async () => {
    const { unit, clerk, procedure } = await setup();
    const body = intakeBody(procedure);
    const first = await post(clerk, body, { 'idempotency-key': 'retry-1' });
    now = new Date('2025-06-02T09:00:00+07:00');
    const retry = await post(clerk, body, { 'idempotency-key': 'retry-1' });
    now = new Date('2025-06-02T08:00:00+07:00');
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(first.body); // byte for byte, fields in the same order
    expect(retry.headers.etag).toBe(first.headers.etag);
    const other = await post(clerk, { ...body, summary: 'khác' }, { 'idempotency-key': 'retry-1' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await countFor(unit)).dossiers).toBe(1);
  });

  it('concurrent duplicates make one dossier and all get its response', async () => {
    const { unit, clerk, procedure } = await setup();
    const body = intakeBody(procedure);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => post(clerk, body, { 'idempotency-key': 'burst' })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.json().code)).size).toBe(1);
    expect(await countFor(unit)).toEqual({ dossiers: 1, counter: 1, outbox: 1 });
  });

  it('a failed intake does not keep the key', async () => {
    const { clerk, procedure } = await setup();
    const bad = await post(clerk, intakeBody('0.000000'), { 'idempotency-key': 'after-fix' });
    expect(bad.statusCode).toBe(404);
    const good = await post(clerk, intakeBody(procedure), { 'idempotency-key': 'after-fix' });
    expect(good.statusCode).toBe(201);
    const keys = await ctx.database.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.key, 'after-fix')));
    expect(keys).toHaveLength(1);
  });
});

describe('bad input → 4xx problem+json and nothing written', () => {
  const cases: Array<[string, (p: string) => unknown, number, string]> = [
    ['unknown procedure', () => intakeBody('0.999999'), 404, 'PROCEDURE_NOT_FOUND'],
    [
      'a wrong citizen identifier',
      (p) => intakeBody(p, { applicant: { type: 'citizen', fullName: 'A', idNumber: '12345' } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a tax code for a citizen',
      (p) => intakeBody(p, { applicant: { type: 'citizen', fullName: 'A', idNumber: '0101234567' } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a future receivedAt',
      (p) => intakeBody(p, { receivedAt: '2025-06-02T10:00:00+07:00' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a receivedAt beyond the back-dating window',
      (p) => intakeBody(p, { receivedAt: '2025-05-29T10:00:00+07:00' }),
      400,
      'VALIDATION_FAILED',
    ],
    ['an unknown channel', (p) => intakeBody(p, { channel: 'fax' }), 400, 'VALIDATION_FAILED'],
    ['a missing applicant', (p) => ({ procedureCode: p, channel: 'direct' }), 400, 'VALIDATION_FAILED'],
    [
      'an oversized body',
      (p) =>
        intakeBody(p, {
          summary: 'x'.repeat(1900),
          components: Array.from({ length: 60 }, () => ({ name: 'y'.repeat(400), copies: 1 })),
        }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ];
  for (const [name, body, status, code] of cases) {
    it(name, async () => {
      const { unit, clerk, procedure } = await setup();
      const res = await post(clerk, body(procedure));
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(code);
      expect(await countFor(unit)).toEqual({ dossiers: 0, counter: 0, outbox: 0 });
    });
  }

  it('malformed JSON', async () => {
    const { unit, clerk } = await setup();
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: { ...bearer(clerk), 'content-type': 'application/json' },
      payload: '{"procedureCode": "1.0",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('MALFORMED_REQUEST');
    expect(await countFor(unit)).toEqual({ dossiers: 0, counter: 0, outbox: 0 });
  });

  it('an inactive procedure or unit → 422', async () => {
    const { unit, clerk, procedure } = await setup();
    await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/procedures/${procedure}`,
      headers: bearer(ctx.adminKey),
      payload: { active: false },
    });
    expect((await post(clerk, intakeBody(procedure))).json().code).toBe('PROCEDURE_INACTIVE');
    const other = await createProcedure(ctx);
    await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/units/${unit}`,
      headers: bearer(ctx.adminKey),
      payload: { active: false },
    });
    expect((await post(clerk, intakeBody(other.code))).json().code).toBe('UNIT_INACTIVE');
    expect(await countFor(unit)).toEqual({ dossiers: 0, counter: 0, outbox: 0 });
  });
});
