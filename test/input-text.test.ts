import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossiers } from '../src/db/schema/index.js';
import { checkInputText } from '../src/http/input.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

// Text typed with combining accents (NFD), as some keyboards and copies from PDF send it, and its composed form.
const nfd = (text: string) => text.normalize('NFD');
const UNIT_NAME = 'Xã Hòa Bình Tỉnh Điện Biên';
const REASON = 'Thiếu bản sao giấy khai sinh có chứng thực';

let ctx: TestContext;
let clerk: string;
let unitCode: string;
let procedureCode: string;
beforeAll(async () => {
  ctx = await createTestContext();
  unitCode = (await createUnit(ctx)).code;
  clerk = await createKey(ctx, 'clerk', unitCode);
  procedureCode = (await createProcedure(ctx)).code;
});
afterAll(() => ctx.close());

describe('text is NFC-normalised on input', () => {
  it('the combining form differs from the composed one (the premise of these tests)', () => {
    expect(nfd(UNIT_NAME)).not.toBe(UNIT_NAME);
    expect(nfd(UNIT_NAME).normalize('NFC')).toBe(UNIT_NAME);
  });

  it('a unit named in combining accents is stored composed, and found by that name', async () => {
    const created = await createUnit(ctx, { name: nfd(UNIT_NAME) });
    expect(created.name).toBe(UNIT_NAME);
    const read = await ctx.app.inject({ url: `/v1/units/${created.code}`, headers: bearer(ctx.adminKey) });
    expect(read.json().name).toBe(UNIT_NAME);
    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/units/${created.code}`,
      headers: bearer(ctx.adminKey),
      payload: { name: nfd(`${UNIT_NAME} mới`) },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().name).toBe(`${UNIT_NAME} mới`);
  });

  it("an API key's name, and an action's reason and items in the audit trail, are stored composed", async () => {
    const key = await ctx.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(ctx.adminKey),
      payload: { name: nfd('Phần mềm một cửa xã'), role: 'viewer', unitCode },
    });
    expect(key.statusCode, key.body).toBe(201);
    expect(key.json().name).toBe('Phần mềm một cửa xã');

    const intake = await ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerk),
      payload: intakeBody(procedureCode, { unitCode, summary: nfd('Đăng ký khai sinh cho con') }),
    });
    expect(intake.statusCode, intake.body).toBe(201);
    const dossier = intake.json() as { code: string; summary: string };
    expect(dossier.summary).toBe('Đăng ký khai sinh cho con');
    const asked = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${dossier.code}/request-supplement`,
      headers: bearer(clerk),
      payload: { reason: nfd(REASON), items: [nfd('Giấy khai sinh bản sao')] },
    });
    expect(asked.statusCode, asked.body).toBe(200);
    const events = await ctx.app.inject({
      url: `/v1/dossiers/${dossier.code}/events`,
      headers: bearer(clerk),
    });
    const request = (events.json().items as Array<{ type: string; data: Record<string, unknown> }>).find(
      (e) => e.data.reason !== undefined,
    );
    expect(request?.data.reason).toBe(REASON);
    expect(request?.data.items).toEqual(['Giấy khai sinh bản sao']);
  });

  it('the check puts the query and every string of the body in NFC, in lists and nested objects too, and leaves path parameters and keys alone', () => {
    const request = {
      params: { code: nfd('Mã') },
      query: { q: nfd('Ánh Nguyệt'), unitCode: '000.00.00.H56' },
      body: {
        applicant: { fullName: nfd('Lê Thị Hồng') },
        items: [nfd('Giấy tờ'), 3, null],
        [nfd('khóa')]: 'x',
      },
    };
    let outcome: unknown = 'not called';
    checkInputText(request as unknown as FastifyRequest, {} as FastifyReply, (err) => (outcome = err));
    expect(outcome).toBeUndefined();
    expect(request.query).toEqual({ q: 'Ánh Nguyệt', unitCode: '000.00.00.H56' });
    expect(request.body).toEqual({
      applicant: { fullName: 'Lê Thị Hồng' },
      items: ['Giấy tờ', 3, null],
      [nfd('khóa')]: 'x',
    });
    expect(request.params.code).toBe(nfd('Mã'));
  });

  it('a name searched in combining accents finds the name typed composed', async () => {
    const intake = await ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerk),
      payload: intakeBody(procedureCode, {
        unitCode,
        applicant: { type: 'citizen', fullName: 'Trần Thị Ánh Nguyệt', idNumber: '001199054321' },
      }),
    });
    expect(intake.statusCode, intake.body).toBe(201);
    const list = await ctx.app.inject({
      url: `/v1/dossiers?unitCode=${unitCode}&q=${encodeURIComponent(nfd('Ánh Nguyệt'))}`,
      headers: bearer(clerk),
    });
    expect(list.statusCode, list.body).toBe(200);
    expect((list.json().items as Array<{ code: string }>).map((d) => d.code)).toEqual([intake.json().code]);
  });
});

describe('half a surrogate pair is refused like a NUL', () => {
  const intakeWith = (fullName: string) =>
    ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerk),
      payload: intakeBody(procedureCode, {
        unitCode,
        applicant: { type: 'citizen', fullName, idNumber: '001199054321' },
      }),
    });
  const dossierCount = async () => await ctx.database.db.$count(dossiers);

  it('an intake whose applicant name holds a lone half is a 400 naming the field, and nothing is stored', async () => {
    const before = await dossierCount();
    for (const name of ['Nguyễn \ud800', '\udc00Văn', '\ud800\udc00\ud800']) {
      const res = await intakeWith(name);
      expect(res.statusCode, res.body).toBe(400);
      const problem = res.json() as { code: string; errors: Array<{ path: string; message: string }> };
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.errors.map((e) => e.path)).toEqual(['body.applicant.fullName']);
      expect(problem.errors[0]!.message).toMatch(/^Họ và tên .*UTF-16/);
    }
    expect(await dossierCount()).toBe(before);
  });

  it('a whole pair is one character outside the basic plane, and is stored as sent', async () => {
    const name = 'Nguyễn 𠀧 An';
    const res = await intakeWith(name);
    expect(res.statusCode, res.body).toBe(201);
    expect((res.json() as { applicant: { fullName: string } }).applicant.fullName).toBe(name);
  });

  it('the check finds a lone half in the query and in a key, and gives its path', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ params: {}, query: { q: 'An\ud800' }, body: undefined }, 'querystring.q'],
      [{ params: {}, query: {}, body: { note: { ['k\udfff']: 1 } } }, 'body.note'],
    ];
    for (const [request, path] of cases) {
      let outcome: unknown = 'not called';
      checkInputText(request as unknown as FastifyRequest, {} as FastifyReply, (err) => (outcome = err));
      expect(outcome).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ path, message: 'unpaired_surrogate' }],
      });
    }
  });
});
