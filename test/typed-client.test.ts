import type { AddressInfo } from 'node:net';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { paths } from '../openapi/schema.js';
import {
  createKey,
  createTestContext,
  createUnit,
  uniqueProcedureCode,
  type TestContext,
} from './helpers/context.js';

// An outside team's view: nothing but the generated types and an HTTP client.
let ctx: TestContext;
let baseUrl: string;
beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
});
afterAll(() => ctx.close());

describe('a client generated from the OpenAPI document', () => {
  it('drives intake → actions → statistics → change feed with the generated types only', async () => {
    const unit = await createUnit(ctx);
    const as = (key: string) => createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${key}` } });
    const admin = as(ctx.adminKey);
    const clerk = as(await createKey(ctx, 'clerk', unit.code));
    const sync = as(await createKey(ctx, 'sync', unit.code));

    const feedStart = await sync.GET('/v1/sync/changes', { params: { query: { limit: 1000 } } });
    let cursor = feedStart.data!.nextCursor;
    while (
      (await sync.GET('/v1/sync/changes', { params: { query: { after: cursor, limit: 1000 } } })).data!
        .hasMore
    ) {
      cursor = (await sync.GET('/v1/sync/changes', { params: { query: { after: cursor, limit: 1000 } } }))
        .data!.nextCursor;
    }

    const code = uniqueProcedureCode();
    const procedure = await admin.POST('/v1/procedures', {
      body: {
        code,
        name: 'Chứng thực bản sao từ bản chính',
        field: { code: 'CT', name: 'Chứng thực' },
        duration: { value: 0, unit: 'working_days' },
        receiptCutoff: '15:00',
      },
    });
    expect(procedure.response.status).toBe(201);

    const intake = await clerk.POST('/v1/dossiers', {
      params: { header: { 'idempotency-key': `typed-${code}` } },
      body: {
        procedureCode: code,
        channel: 'direct',
        applicant: { type: 'citizen', fullName: 'Võ Thị Sáu', idNumber: '079199000123' },
      },
    });
    expect(intake.response.status).toBe(201);
    const dossier = intake.data!;
    expect(dossier.status).toBe('received');

    const assigned = await clerk.POST('/v1/dossiers/{code}/assign', {
      params: { path: { code: dossier.code }, header: { 'if-match': `"${dossier.version}"` } },
      body: {},
    });
    expect(assigned.data!.status).toBe('processing');
    const resolved = await clerk.POST('/v1/dossiers/{code}/resolve', {
      params: { path: { code: dossier.code } },
      body: { result: 'approved' },
    });
    expect(resolved.data!.outcome).not.toBeNull();
    const conflict = await clerk.POST('/v1/dossiers/{code}/accept', {
      params: { path: { code: dossier.code } },
      body: {},
    });
    expect(conflict.response.status).toBe(409);
    expect(conflict.error!.code).toBe('INVALID_TRANSITION');

    // From the day of the receipt to today (in Vietnam): the two differ when the test runs across midnight.
    const localDay = (t: number) => new Date(t + 7 * 3_600_000).toISOString().slice(0, 10);
    const stats = await clerk.GET('/v1/stats', {
      params: {
        query: {
          unitCode: unit.code,
          from: localDay(Date.parse(dossier.receivedAt!)),
          to: localDay(Date.now()),
        },
      },
    });
    // The operation also serves CSV and xlsx, so the client narrows to the JSON body.
    if (!stats.data || typeof stats.data === 'string') throw new Error('expected JSON statistics');
    expect(stats.data.totals.received.new).toBe(1);
    expect(stats.data.totals.resolved.total).toBe(1);

    const changes = await sync.GET('/v1/sync/changes', { params: { query: { after: cursor, limit: 1000 } } });
    const mine = changes.data!.items.filter((c) => c.dossier.code === dossier.code);
    expect(mine.map((c) => c.type)).toEqual([
      'dossier.received',
      'dossier.processing',
      'dossier.handed_over',
      'dossier.resolved',
    ]);
  });
});
