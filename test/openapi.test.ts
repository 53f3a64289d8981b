import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** Whether a schema, following $refs, carries an example anywhere in its tree. */
function hasExample(node: unknown, schemas: Record<string, unknown>, seen = new Set<string>()): boolean {
  if (Array.isArray(node)) return node.some((n) => hasExample(n, schemas, seen));
  if (!node || typeof node !== 'object') return false;
  const o = node as Record<string, unknown>;
  if ('example' in o || 'examples' in o) return true;
  if (typeof o.$ref === 'string') {
    const name = o.$ref.split('/').pop()!;
    if (seen.has(name)) return false;
    seen.add(name);
    return hasExample(schemas[name], schemas, seen);
  }
  return Object.values(o).some((v) => hasExample(v, schemas, seen));
}

type Operation = {
  operationId?: string;
  summary?: string;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and every operation has a unique operationId, a summary and its error responses', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    const operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(5);
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toBeTruthy();
      expect(ids.has(op.operationId!), `${where} duplicate operationId`).toBe(false);
      ids.add(op.operationId!);
      expect(op.summary, where).toBeTruthy();
      const statuses = Object.keys(op.responses ?? {});
      expect(
        statuses.some((s) => s.startsWith('2')),
        where,
      ).toBe(true);
      if (path.startsWith('/v1/')) {
        // The citizen's routes take no key.
        if (!path.startsWith('/v1/public/')) expect(statuses, where).toContain('401');
        expect(
          statuses.some((s) => s === '400'),
          where,
        ).toBe(true);
        const body = op.requestBody?.content?.['application/json']?.schema;
        if (body) expect(hasExample(body, doc.components.schemas), `${where} request example`).toBe(true);
        const ok = statuses.find((s) => s.startsWith('2'))!;
        const okSchema = op.responses![ok]!.content?.['application/json']?.schema;
        if (okSchema)
          expect(hasExample(okSchema, doc.components.schemas), `${where} response example`).toBe(true);
        for (const s of statuses.filter((s) => Number(s) >= 400)) {
          expect(Object.keys(op.responses![s]!.content ?? {}), `${where} ${s}`).toEqual([
            'application/problem+json',
          ]);
        }
      }
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});

type Schema = Record<string, unknown>;
type Doc = {
  info: { contact?: object; license?: { identifier?: string } };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation & { parameters?: Array<{ name: string; schema: Schema }> }>>;
  components: { schemas: Record<string, Schema>; headers: Record<string, { schema: Schema }> };
};

/** Every (property name, schema) pair under a node, following $refs once each. */
function properties(
  node: unknown,
  schemas: Record<string, Schema>,
  seen = new Set<string>(),
): Array<[string, Schema]> {
  if (Array.isArray(node)) return node.flatMap((n) => properties(n, schemas, seen));
  if (!node || typeof node !== 'object') return [];
  const o = node as Schema;
  if (typeof o.$ref === 'string') {
    const name = o.$ref.split('/').pop()!;
    if (seen.has(name)) return [];
    seen.add(name);
    return properties(schemas[name], schemas, seen);
  }
  const own = Object.entries((o.properties ?? {}) as Record<string, Schema>);
  return [...own, ...Object.values(o).flatMap((v) => properties(v, schemas, seen))];
}

/** The string branch of a schema that may be nullable (anyOf [string, null]). */
function stringBranch(schema: Schema): Schema {
  const anyOf = schema.anyOf as Schema[] | undefined;
  return anyOf?.find((s) => s.type === 'string') ?? schema;
}

const isInstantName = (name: string) => /At$/.test(name) || name === 'asOf';

describe('OpenAPI document: the whole contract', () => {
  let doc: Doc;
  let operations: Array<{ where: string; path: string; op: Doc['paths'][string][string] }>;
  beforeAll(async () => {
    doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, path, op })),
    );
  });

  it('lists 500 and 503 on every operation, 429 on every rate-limited one and 413/415 wherever a body is read', () => {
    for (const { where, path, op } of operations) {
      const statuses = Object.keys(op.responses ?? {});
      expect(statuses, where).toEqual(expect.arrayContaining(['500', '503']));
      if (path.startsWith('/v1/')) expect(statuses, where).toContain('429');
      if (op.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(['413', '415']));
    }
    const bodies = operations.filter(({ op }) => op.requestBody);
    expect(bodies.length).toBeGreaterThan(15);
  });

  it('declares 413 and 415 on a write without a body too, as the server refuses such a body before the route', async () => {
    const bodyless = operations.filter(
      ({ where, op }) => /^(POST|PUT|PATCH|DELETE) /.test(where) && !op.requestBody,
    );
    expect(bodyless.map(({ where }) => where)).toEqual(
      expect.arrayContaining(['POST /v1/alerts/{id}/ack', 'DELETE /v1/api-keys/{id}']),
    );
    for (const { where, op } of bodyless) {
      expect(Object.keys(op.responses ?? {}), where).toEqual(expect.arrayContaining(['413', '415']));
    }
    const tooLarge = await ctx.app.inject({
      method: 'POST',
      url: '/v1/alerts/1/ack',
      headers: { authorization: `Bearer ${ctx.adminKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ padding: 'x'.repeat(2_000_000) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    const unreadable = await ctx.app.inject({
      method: 'POST',
      url: '/v1/alerts/1/ack',
      headers: { authorization: `Bearer ${ctx.adminKey}`, 'content-type': 'application/xml' },
      payload: '<ack/>',
    });
    expect(unreadable.statusCode).toBe(415);
  });

  it('declares x-request-id on every response, RateLimit-* on /v1, Retry-After on 429, WWW-Authenticate on 401 and ETag on dossiers', () => {
    for (const { where, path, op } of operations) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const names = Object.keys((response as { headers?: object }).headers ?? {});
        expect(names, `${where} ${status}`).toContain('x-request-id');
        if (path.startsWith('/v1/'))
          expect(names, `${where} ${status}`).toEqual(
            expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
          );
        if (status === '429') expect(names, where).toContain('Retry-After');
        if (status === '401') expect(names, where).toContain('WWW-Authenticate');
      }
    }
    const etagged = operations
      .filter(({ op }) =>
        Object.entries(op.responses ?? {}).some(
          ([s, r]) => s.startsWith('2') && 'ETag' in ((r as { headers?: object }).headers ?? {}),
        ),
      )
      .map(({ op }) => op.operationId);
    expect(etagged).toEqual(
      expect.arrayContaining(['intakeDossier', 'getDossier', 'acceptDossier', 'stopDossier']),
    );
    expect(etagged).toHaveLength(2 + 14);
    for (const header of Object.values(doc.components.headers)) expect(header.schema.type).toBeTruthy();
  });

  it('gives every instant format date-time (responses: +07:00) and every local date format date with a pattern', () => {
    const schemas = doc.components.schemas;
    const instants = properties(schemas, schemas).filter(([name]) => isInstantName(name));
    expect(instants.length).toBeGreaterThan(40);
    for (const [name, schema] of instants) expect(stringBranch(schema).format, name).toBe('date-time');
    for (const { where, op } of operations) {
      for (const response of Object.values(op.responses ?? {})) {
        for (const [name, schema] of properties(response, schemas).filter(([n]) => isInstantName(n)))
          expect(String(stringBranch(schema).pattern), `${where} ${name}`).toContain('\\+07:00$');
      }
      for (const parameter of op.parameters ?? []) {
        if (isInstantName(parameter.name)) expect(parameter.schema.format, where).toBe('date-time');
        if (['date', 'from', 'to', 'receivedFrom', 'receivedTo'].includes(parameter.name)) {
          expect(parameter.schema.format, `${where} ${parameter.name}`).toBe('date');
          expect(parameter.schema.pattern, `${where} ${parameter.name}`).toBeTruthy();
        }
      }
    }
    // A notification's `to` is the (masked) address it went to, not a date.
    const { Notification: _addressed, ...dated } = schemas;
    for (const [name, schema] of properties(dated, schemas, new Set(['Notification'])).filter(
      ([n]) => n === 'from' || n === 'to' || n === 'date',
    ))
      expect(stringBranch(schema).format, name).toBe('date');
  });

  it('states the one-of and required-if rules, the servers, the contact and the licence', () => {
    const schemas = doc.components.schemas;
    const preview = schemas.DeadlinePreviewRequestInput ?? schemas.DeadlinePreviewRequest!;
    expect(preview.oneOf).toEqual([{ required: ['procedureCode'] }, { required: ['duration'] }]);
    const resolve = schemas.ResolveActionInput ?? schemas.ResolveAction!;
    expect(resolve.if).toMatchObject({ properties: { result: { const: 'refused' } } });
    expect(resolve.then).toMatchObject({ required: ['note'] });
    const stats = operations.find(({ op }) => op.operationId === 'getStats')!.op;
    expect(JSON.stringify(stats)).toContain('never both');
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.contact).toBeTruthy();
    expect(doc.info.license?.identifier).toBe('Apache-2.0');
  });

  it('an operation whose body the document calls optional accepts a request with no body at all', async () => {
    const { code: unitCode } = await createUnit(ctx);
    const procedure = await createProcedure(ctx);
    const clerk = await createKey(ctx, 'clerk', unitCode);
    const intake = await ctx.app.inject({
      method: 'POST',
      url: '/v1/dossiers',
      headers: bearer(clerk),
      payload: intakeBody(procedure.code, { unitCode }),
    });
    expect(intake.statusCode, intake.body).toBe(201);
    const optional = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => (op.requestBody as { required?: boolean } | undefined)?.required === false)
        .map(([method]) => ({ method, path })),
    );
    expect(optional.length).toBeGreaterThan(0);
    for (const { method, path } of optional) {
      const res = await ctx.app.inject({
        method: method.toUpperCase() as 'POST',
        url: path.replace('{code}', intake.json().code),
        headers: { authorization: `Bearer ${clerk}` },
      });
      // The body is taken; what follows is the dossier's business (200 or a conflict with its state).
      expect([200, 409], `${method} ${path}: ${res.body}`).toContain(res.statusCode);
    }
  });

  it('sends x-request-id and writes instants in the declared +07:00 form', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/units',
      headers: { authorization: `Bearer ${ctx.adminKey}` },
      payload: { code: '000.17.22.H99', name: 'UBND xã Thử Nghiệm' },
    });
    expect(res.statusCode).toBe(201);
    // (The RateLimit headers are sent with the limit on: test/rate-limit.test.ts.)
    expect(res.headers['x-request-id']).toBeDefined();
    const pattern = new RegExp(
      String(
        stringBranch((doc.components.schemas.Unit!.properties as Record<string, Schema>).createdAt!).pattern,
      ),
    );
    const unit = res.json() as { createdAt: string; updatedAt: string };
    expect(unit.createdAt).toMatch(pattern);
    expect(unit.updatedAt).toMatch(pattern);
  });
});
