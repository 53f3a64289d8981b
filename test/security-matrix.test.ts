/**
 * Every operation of the OpenAPI document × every kind of caller × inside / outside the caller's unit scope,
 * checked against the table below (written from the "who" column of API.md, not from the routes).
 *
 * Unit tree: R (root) ─┬─ P ── A      keys under test are scoped to P; "inside" resources live in A (P's subtree),
 *                      └─ Q           "outside" ones in Q (a sibling of P).
 */
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, dossiers, webhookDeliveries, webhooks } from '../src/db/schema/index.js';
import type { ErrorCode } from '../src/domain/errors.js';
import type { Role } from '../src/auth/keys.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

type Scope = 'inside' | 'outside';
type Caller = 'system admin' | Role | 'no key' | 'revoked key';
const callers: Caller[] = ['system admin', 'admin', 'clerk', 'viewer', 'sync', 'no key', 'revoked key'];

/** A request to make, built for one caller and one side of the scope (fresh resources when it changes state). */
interface Built {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
}

interface Rule {
  /**
   * API.md "who": anyone (no key needed), all (any valid key), the listed roles (a system admin is an admin), or
   * the system admin alone.
   */
  who: 'anyone' | 'all' | 'system admin' | Role[];
  /** Where the request names a unit-scoped resource (the "outside" request names one in Q); none = unscoped. */
  scoped: 'path' | 'query' | 'body' | 'none';
  /** The answer of an allowed caller inside its scope. */
  ok: number;
  /** The problem code of an allowed caller naming a resource outside its scope (404, as if it did not exist). */
  notFound?: ErrorCode;
  build: (scope: Scope) => Promise<Built> | Built;
}

let ctx: TestContext;
const keys = {} as Record<Caller, string | undefined>;
const tree = {} as { R: string; P: string; A: string; Q: string };
let procedureCode: string;
/** A clerk at the root: builds dossiers anywhere. */
let builder: string;
/** Shared read-only fixtures per side of the scope. */
const shared = {} as Record<
  Scope,
  {
    unit: string;
    dossier: string;
    alertId: string;
    webhookId: string;
    deliveryId: string;
    syncKey: string;
    officer: string;
  }
>;
/** Identifiers of the Q side: no 2xx answer to a P-scoped key may contain any of them. */
const outsideIds: string[] = [];
/** Personal data of the inside dossier a viewer must never see in clear (names are masked too). */
const insidePersonal = { fullName: '', idNumber: '', phone: '', address: '' };
const createdWebhooks: string[] = [];
let dateCounter = 0;
let serial = 0;

const inject = (method: string, url: string, key: string | undefined, body?: unknown) =>
  ctx.app.inject({
    method: method as 'GET',
    url,
    headers: key ? bearer(key) : {},
    ...(body === undefined ? {} : { payload: body as object }),
  });

async function ok<T = Record<string, unknown>>(
  method: string,
  url: string,
  key: string,
  body?: unknown,
): Promise<T> {
  const res = await inject(method, url, key, body);
  if (res.statusCode >= 300) throw new Error(`fixture ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.body ? (res.json() as T) : (undefined as T);
}

const unitOf = (scope: Scope) => (scope === 'inside' ? tree.A : tree.Q);

/** A dossier in A or Q, moved through `before` actions first. */
async function dossier(scope: Scope, channel = 'direct', before: Array<[string, object]> = []) {
  serial += 1;
  const applicant = {
    type: 'citizen',
    fullName: `Trần Thị Ma Trận ${serial}`,
    idNumber: `0791${String(serial).padStart(8, '0')}`,
    phone: `0987${String(serial).padStart(6, '0')}`,
    address: `Số ${serial} đường Ma Trận`,
  };
  const d = await ok<{ code: string }>(
    'POST',
    '/v1/dossiers',
    builder,
    intakeBody(procedureCode, { unitCode: unitOf(scope), channel, applicant }),
  );
  for (const [action, body] of before) await ok('POST', `/v1/dossiers/${d.code}/${action}`, builder, body);
  return { code: d.code, applicant };
}

async function webhook(scope: Scope) {
  const w = await ok<{ id: string }>('POST', '/v1/webhooks', shared[scope].syncKey, {
    url: 'http://127.0.0.1:9/security-matrix',
    events: ['test.never_sent'],
  });
  createdWebhooks.push(w.id);
  return w.id;
}

/** A weekday of 2099 no other test uses: calendar edits there move no dossier. */
function freshDate(): string {
  for (;;) {
    dateCounter += 1;
    const d = new Date(Date.UTC(2099, 0, 1) + dateCounter * 86_400_000);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) return d.toISOString().slice(0, 10);
  }
}

const reason = { reason: 'Lý do thử nghiệm' };
const actionSetups: Record<string, { channel?: string; before?: Array<[string, object]>; body: object }> = {
  accept: { channel: 'online', body: {} },
  reject: { channel: 'online', body: reason },
  assign: { body: { note: 'Chuyển xử lý' } },
  'hand-over': { body: { note: 'Chuyển bước thẩm định' } },
  'request-supplement': { body: reason },
  'receive-supplement': { before: [['request-supplement', reason]], body: {} },
  'request-payment': { body: { amount: 50_000 } },
  'confirm-payment': { before: [['request-payment', {}]], body: {} },
  reschedule: {
    body: { ...reason, newDueAt: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 19) + 'Z' },
  },
  resolve: { body: { result: 'approved' } },
  return: { before: [['resolve', { result: 'approved' }]], body: {} },
  withdraw: { body: reason },
  stop: { body: reason },
};

const actionRule = (action: string): Rule => ({
  who: ['clerk'],
  scoped: 'path',
  ok: 200,
  notFound: 'DOSSIER_NOT_FOUND',
  build: async (scope) => {
    const setup = actionSetups[action]!;
    const d = await dossier(scope, setup.channel, setup.before);
    return { params: { code: d.code }, body: setup.body };
  },
});

const readDossier: Rule = {
  who: 'all',
  scoped: 'path',
  ok: 200,
  notFound: 'DOSSIER_NOT_FOUND',
  build: (scope) => ({ params: { code: shared[scope].dossier } }),
};

/** The expected behaviour of every operation, by operationId. */
const table: Record<string, Rule> = {
  healthz: { who: 'anyone', scoped: 'none', ok: 200, build: () => ({}) },
  readyz: { who: 'anyone', scoped: 'none', ok: 200, build: () => ({}) },

  createUnit: {
    who: ['admin'],
    scoped: 'body',
    ok: 201,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({
      body: { code: `${unitOf(scope)}.N${++serial}`, name: 'Đơn vị con', parentCode: unitOf(scope) },
    }),
  },
  listUnits: { who: 'all', scoped: 'none', ok: 200, build: () => ({ query: 'limit=200' }) },
  getUnit: {
    who: 'all',
    scoped: 'path',
    ok: 200,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({ params: { code: unitOf(scope) } }),
  },
  updateUnit: {
    who: ['admin'],
    scoped: 'path',
    ok: 200,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({ params: { code: unitOf(scope) }, body: { name: `Đổi tên ${++serial}` } }),
  },

  createOfficer: {
    who: ['admin'],
    scoped: 'body',
    ok: 201,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({
      body: {
        code: `MT.${process.pid}.${++serial}`,
        fullName: 'Cán bộ ma trận',
        title: 'Công chức',
        unitCode: unitOf(scope),
      },
    }),
  },
  listOfficers: {
    who: 'all',
    scoped: 'query',
    ok: 200,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({ query: scope === 'inside' ? 'limit=200' : `unitCode=${tree.Q}` }),
  },
  getOfficer: {
    who: 'all',
    scoped: 'path',
    ok: 200,
    notFound: 'OFFICER_NOT_FOUND',
    build: (scope) => ({ params: { code: shared[scope].officer } }),
  },
  updateOfficer: {
    who: ['admin'],
    scoped: 'path',
    ok: 200,
    notFound: 'OFFICER_NOT_FOUND',
    build: (scope) => ({ params: { code: shared[scope].officer }, body: { title: `Chức danh ${++serial}` } }),
  },

  createApiKey: {
    who: ['admin'],
    scoped: 'body',
    ok: 201,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({ body: { name: 'ma trận', role: 'viewer', unitCode: unitOf(scope) } }),
  },
  listApiKeys: { who: ['admin'], scoped: 'none', ok: 200, build: () => ({ query: 'limit=200' }) },
  revokeApiKey: {
    who: ['admin'],
    scoped: 'path',
    ok: 204,
    notFound: 'API_KEY_NOT_FOUND',
    build: async (scope) => {
      const k = await ok<{ id: string }>('POST', '/v1/api-keys', ctx.adminKey, {
        name: 'sắp thu hồi',
        role: 'viewer',
        unitCode: unitOf(scope),
      });
      return { params: { id: k.id } };
    },
  },

  createProcedure: {
    who: 'system admin',
    scoped: 'none',
    ok: 201,
    build: () => ({
      body: {
        code: `9.MT${process.pid}.${++serial}`,
        name: 'Thủ tục ma trận',
        field: { code: 'G01.MT', name: 'Ma trận' },
        duration: { value: 3, unit: 'working_days' },
      },
    }),
  },
  listProcedures: { who: 'all', scoped: 'none', ok: 200, build: () => ({}) },
  getProcedure: { who: 'all', scoped: 'none', ok: 200, build: () => ({ params: { code: procedureCode } }) },
  updateProcedure: {
    who: 'system admin',
    scoped: 'none',
    ok: 200,
    build: () => ({ params: { code: procedureCode }, body: { name: `Thủ tục đổi tên ${++serial}` } }),
  },
  putProcedureProcess: {
    who: 'system admin',
    scoped: 'none',
    ok: 200,
    build: () => ({
      params: { code: procedureCode },
      body: { steps: [{ code: `b${++serial}`, name: 'Giải quyết', allotment: { value: 1, unit: 'days' } }] },
    }),
  },
  getProcedureProcess: {
    who: 'all',
    scoped: 'none',
    ok: 200,
    build: () => ({ params: { code: procedureCode } }),
  },

  getCalendarYear: { who: 'all', scoped: 'none', ok: 200, build: () => ({ params: { year: '2099' } }) },
  putCalendarDay: {
    who: 'system admin',
    scoped: 'none',
    ok: 200,
    build: () => ({
      params: { date: freshDate() },
      body: { kind: 'holiday', name: 'Ngày thử', source: 'security matrix' },
    }),
  },
  deleteCalendarDay: {
    who: 'system admin',
    scoped: 'none',
    ok: 204,
    build: async () => {
      const date = freshDate();
      await ok('PUT', `/v1/calendar/days/${date}`, ctx.adminKey, {
        kind: 'holiday',
        name: 'Ngày thử',
        source: 'security matrix',
      });
      return { params: { date } };
    },
  },
  putCalendarYearStatus: {
    who: 'system admin',
    scoped: 'none',
    ok: 200,
    build: () => ({ params: { year: '2099' }, body: { status: 'provisional' } }),
  },

  previewDeadline: {
    who: 'all',
    scoped: 'none',
    ok: 200,
    build: () => ({ body: { procedureCode, receivedAt: '2025-04-29T09:00:00+07:00' } }),
  },

  intakeDossier: {
    who: ['clerk'],
    scoped: 'body',
    ok: 201,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({ body: intakeBody(procedureCode, { unitCode: unitOf(scope) }) }),
  },
  listDossiers: {
    who: 'all',
    scoped: 'query',
    ok: 200,
    notFound: 'UNIT_NOT_FOUND',
    // Inside: everything the key sees (nothing of Q may be in it); outside: Q named as a filter.
    build: (scope) => ({ query: scope === 'inside' ? 'limit=200' : `unitCode=${tree.Q}` }),
  },
  getDossier: readDossier,
  listDossierEvents: readDossier,
  getDossierReceipt: readDossier,
  listDossierSteps: readDossier,
  getDossierControlSlip: readDossier,
  listDossierNotifications: { ...readDossier, who: ['clerk', 'sync'] },
  getDossierForm: {
    ...readDossier,
    build: (scope) => ({ params: { code: shared[scope].dossier, form: '01' } }),
  },
  getUnitRegister: {
    who: 'all',
    scoped: 'path',
    ok: 200,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({ params: { code: unitOf(scope) }, query: 'period=2025-06' }),
  },
  ...Object.fromEntries(
    Object.keys(actionSetups).map((action) => [
      `${action.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Dossier`,
      actionRule(action),
    ]),
  ),

  getStats: {
    who: 'all',
    scoped: 'query',
    ok: 200,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({ query: `unitCode=${unitOf(scope)}&from=2025-01-01&to=2025-12-31` }),
  },

  listAlerts: {
    who: 'all',
    scoped: 'query',
    ok: 200,
    notFound: 'UNIT_NOT_FOUND',
    build: (scope) => ({ query: scope === 'inside' ? 'limit=200' : `unitCode=${tree.Q}` }),
  },
  acknowledgeAlert: {
    who: ['clerk'],
    scoped: 'path',
    ok: 200,
    notFound: 'ALERT_NOT_FOUND',
    build: (scope) => ({ params: { id: shared[scope].alertId } }),
  },

  listChanges: { who: ['sync'], scoped: 'none', ok: 200, build: () => ({ query: 'limit=1000' }) },
  getDossierDvcqg: {
    who: ['sync'],
    scoped: 'path',
    ok: 200,
    notFound: 'DOSSIER_NOT_FOUND',
    build: (scope) => ({ params: { code: shared[scope].dossier } }),
  },

  createWebhook: {
    who: ['sync', 'admin'],
    scoped: 'none',
    ok: 201,
    build: () => ({ body: { url: 'http://127.0.0.1:9/security-matrix', events: ['test.never_sent'] } }),
  },
  listWebhooks: { who: ['sync', 'admin'], scoped: 'none', ok: 200, build: () => ({ query: 'limit=200' }) },
  deleteWebhook: {
    who: ['sync', 'admin'],
    scoped: 'path',
    ok: 204,
    notFound: 'WEBHOOK_NOT_FOUND',
    build: async (scope) => ({ params: { id: await webhook(scope) } }),
  },
  listWebhookDeliveries: {
    who: ['sync', 'admin'],
    scoped: 'path',
    ok: 200,
    notFound: 'WEBHOOK_NOT_FOUND',
    build: (scope) => ({ params: { id: shared[scope].webhookId } }),
  },
  redeliverWebhookDelivery: {
    who: ['sync', 'admin'],
    scoped: 'path',
    ok: 202,
    notFound: 'WEBHOOK_NOT_FOUND',
    build: (scope) => ({ params: { id: shared[scope].webhookId, deliveryId: shared[scope].deliveryId } }),
  },
};

type Expected = { status: number; code?: ErrorCode };

/** The outcome the table promises for one caller on one side of the scope. */
function expected(rule: Rule, caller: Caller, scope: Scope): Expected {
  if (rule.who === 'anyone') return { status: rule.ok };
  if (caller === 'no key' || caller === 'revoked key') return { status: 401, code: 'UNAUTHORIZED' };
  const role: Role = caller === 'system admin' ? 'admin' : caller;
  const allowed =
    rule.who === 'all' || (rule.who === 'system admin' ? caller === 'system admin' : rule.who.includes(role));
  if (!allowed) return { status: 403, code: 'FORBIDDEN' };
  // The system admin has no scope: nothing is outside it.
  if (scope === 'outside' && rule.scoped !== 'none' && caller !== 'system admin') {
    return { status: 404, code: rule.notFound! };
  }
  return { status: rule.ok };
}

beforeAll(async () => {
  ctx = await createTestContext();
  tree.R = (await createUnit(ctx, { name: 'Tỉnh ma trận' })).code;
  tree.P = (await createUnit(ctx, { parentCode: tree.R, name: 'Huyện P' })).code;
  tree.A = (await createUnit(ctx, { parentCode: tree.P, name: 'Xã A' })).code;
  tree.Q = (await createUnit(ctx, { parentCode: tree.R, name: 'Huyện Q' })).code;
  procedureCode = (await createProcedure(ctx)).code;
  builder = await createKey(ctx, 'clerk', tree.R);

  keys['system admin'] = ctx.adminKey;
  for (const role of ['admin', 'clerk', 'viewer', 'sync'] as const)
    keys[role] = await createKey(ctx, role, tree.P);
  keys['no key'] = undefined;
  const revoked = await ok<{ id: string; key: string }>('POST', '/v1/api-keys', ctx.adminKey, {
    name: 'thu hồi',
    role: 'admin',
    unitCode: tree.P,
  });
  await ok('DELETE', `/v1/api-keys/${revoked.id}`, ctx.adminKey);
  keys['revoked key'] = revoked.key;

  for (const scope of ['inside', 'outside'] as const) {
    const d = await dossier(scope);
    const [row] = await ctx.database.db
      .insert(alerts)
      .values({
        dossierId: (
          await ctx.database.db.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.code, d.code))
        )[0]!.id,
        kind: 'overdue',
        target: 'statutory',
        dueAt: new Date('2025-05-06T09:30:00Z'),
      })
      .returning();
    const syncKey = await createKey(ctx, 'sync', unitOf(scope));
    const officer = await ok<{ code: string }>('POST', '/v1/officers', ctx.adminKey, {
      code: `MT.${scope.toUpperCase()}.${process.pid}`,
      fullName: `Cán bộ ${scope}`,
      title: 'Công chức',
      unitCode: unitOf(scope),
    });
    shared[scope] = {
      unit: unitOf(scope),
      dossier: d.code,
      alertId: String(row!.id),
      webhookId: '',
      deliveryId: '',
      syncKey,
      officer: officer.code,
    };
    const webhookId = await webhook(scope);
    const [delivery] = await ctx.database.db
      .insert(webhookDeliveries)
      .values({
        webhookId,
        outboxId: 1,
        type: 'dossier.received',
        body: {},
        status: 'failed',
        // Far in the future: no worker of another test picks it up.
        nextAttemptAt: new Date('2099-01-01T00:00:00Z'),
      })
      .returning();
    Object.assign(shared[scope], { webhookId, deliveryId: delivery!.id });
    if (scope === 'inside') {
      const { fullName, idNumber, phone, address } = d.applicant;
      Object.assign(insidePersonal, { fullName, idNumber, phone, address });
    } else {
      const qKey = await ok<{ id: string }>('POST', '/v1/api-keys', ctx.adminKey, {
        name: 'khóa Q',
        role: 'viewer',
        unitCode: tree.Q,
      });
      outsideIds.push(tree.Q, d.code, webhookId, delivery!.id, qKey.id, officer.code);
    }
  }
});

afterAll(async () => {
  // Nothing of this test is ever delivered anywhere.
  if (createdWebhooks.length) {
    await ctx.database.db
      .update(webhooks)
      .set({ deletedAt: new Date() })
      .where(inArray(webhooks.id, createdWebhooks));
  }
  await ctx.close();
});

describe('security matrix: every operation × every caller × inside / outside the scope', () => {
  it('answers exactly as API.md says', async () => {
    const doc = (await inject('GET', '/openapi.json', undefined)).json() as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), id: op.operationId })),
    );
    const missing = operations.filter((o) => !table[o.id]).map((o) => `${o.method} ${o.path} (${o.id})`);
    expect(missing, 'operations without a row in the table').toEqual([]);
    expect(operations.length).toBeGreaterThanOrEqual(45);

    const failures: string[] = [];
    let checked = 0;
    for (const { path, method, id } of operations) {
      const rule = table[id]!;
      for (const caller of callers) {
        for (const scope of ['inside', 'outside'] as const) {
          const built = await rule.build(scope);
          const url =
            path.replace(/\{(\w+)\}/g, (_, name: string) => {
              const value = built.params?.[name];
              if (value === undefined) throw new Error(`${id}: no value for path parameter ${name}`);
              return encodeURIComponent(value);
            }) + (built.query ? `?${built.query}` : '');
          const res = await inject(method, url, keys[caller], built.body);
          const want = expected(rule, caller, scope);
          const where = `${method} ${url} as ${caller} (${scope})`;
          checked += 1;
          const got = res.statusCode >= 400 ? `${res.statusCode} ${res.json().code}` : String(res.statusCode);
          const wanted = want.code ? `${want.status} ${want.code}` : String(want.status);
          if (got !== wanted) {
            failures.push(`${where}: expected ${wanted}, got ${got}`);
            continue;
          }
          if (res.statusCode >= 400) {
            expect(res.headers['content-type'], where).toContain('application/problem+json');
            continue;
          }
          const body = res.body;
          // A scoped key never sees anything of another subtree, not even in a list.
          if (caller !== 'system admin' && caller !== 'no key') {
            for (const outside of outsideIds) {
              if (body.includes(outside))
                failures.push(`${where}: answer contains ${outside} (outside the scope)`);
            }
          }
          // Viewers read personal data masked.
          if (caller === 'viewer') {
            for (const value of Object.values(insidePersonal)) {
              if (body.includes(value)) failures.push(`${where}: viewer sees ${value} in clear`);
            }
          }
        }
      }
    }
    console.log(`security matrix: ${operations.length} operations, ${checked} requests checked`);
    expect(failures).toEqual([]);
  }, 60_000);
});
