import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from './helpers/context.js';

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
        expect(statuses, where).toContain('401');
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
