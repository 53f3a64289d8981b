import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  testConfig,
  type TestContext,
} from './helpers/context.js';

const APPLICANTS = 120;

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** Distinct personal data per applicant, in the shapes clerks type them. */
function applicant(i: number) {
  const n = String(i).padStart(4, '0');
  return {
    type: 'citizen',
    fullName: `Lê Thị Nhật Ký ${['Hoa', 'Mai', 'Đào', 'Lan'][i % 4]} Số${n}`,
    idNumber: `0480951${n}9`,
    phone: `0903 71${n}`,
    email: `nhatky.${n}@example.vn`,
    address: `Thôn Nhật Ký ${n}, xã Hòa Phú`,
  };
}

describe('no personal data in the logs under load', () => {
  it('a few hundred concurrent intakes, searches and errors leave no identifier, phone, e-mail, address or name', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const app: FastifyInstance = await buildApp({
      // All the requests at once, none refused as busy: every one must reach its handler and its log line.
      config: testConfig({ LOG_LEVEL: 'info', MAX_REQUESTS_IN_PROGRESS: '0' }),
      db: ctx.database.db,
      checks: { postgres: ctx.database.ping },
      logStream: stream,
    });
    await app.ready();
    try {
      const unit = await createUnit(ctx, { name: 'Xã Hòa Phú' });
      const procedure = await createProcedure(ctx);
      const clerk = await createKey(ctx, 'clerk', unit.code);
      const viewer = await createKey(ctx, 'viewer', unit.code);
      const people = Array.from({ length: APPLICANTS }, (_, i) => applicant(i));
      const call = (method: 'GET' | 'POST', url: string, key: string, payload?: object) =>
        app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

      const requests = people.flatMap((p, i) => [
        // Intake, once with a body the schema refuses (an e-mail that is not one, the rest personal data).
        call(
          'POST',
          '/v1/dossiers',
          clerk,
          intakeBody(procedure.code, { unitCode: unit.code, applicant: p }),
        ),
        call('POST', '/v1/dossiers', clerk, {
          ...intakeBody(procedure.code, { unitCode: unit.code }),
          applicant: { ...p, email: `${p.fullName} <${p.email}>`, phone: `${p.phone} ext` },
        }),
        // Searches by identifier and name, from the clerk and from a viewer (refused with 403: logged alike).
        call('GET', `/v1/dossiers?idNumber=${p.idNumber}`, i % 2 ? viewer : clerk),
        call(
          'GET',
          `/v1/dossiers?q=${encodeURIComponent(p.fullName)}&unitCode=${unit.code}`,
          i % 2 ? clerk : viewer,
        ),
        // A filter value the schema refuses, carrying personal data.
        call('GET', `/v1/dossiers?idNumber=${encodeURIComponent(p.address)}&limit=0`, clerk),
        // Not found, with personal data in the body.
        call('POST', `/v1/dossiers/${unit.code}-250101-${String(9000 + i)}/withdraw`, clerk, {
          reason: `${p.fullName}, ${p.address}, ${p.phone} rút hồ sơ`,
        }),
      ]);
      const responses = await Promise.all(requests);
      const byStatus: Record<number, number> = {};
      for (const r of responses) byStatus[r.statusCode] = (byStatus[r.statusCode] ?? 0) + 1;
      expect(byStatus[201]).toBe(APPLICANTS);
      expect(byStatus[400]).toBeGreaterThanOrEqual(APPLICANTS * 2);
      expect(byStatus[404]).toBe(APPLICANTS);
      // The searches found what was sent (so the values did flow through the service).
      const found = await call('GET', `/v1/dossiers?idNumber=${people[7]!.idNumber}`, clerk);
      expect(found.json().items).toHaveLength(1);

      await app.close();
      const log = chunks.join('');
      const lines = log.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThanOrEqual(responses.length); // one line per request
      const leaks: string[] = [];
      for (const p of people) {
        const values = [
          p.idNumber,
          p.phone,
          p.phone.replace(/ /g, ''),
          p.email,
          encodeURIComponent(p.email),
          p.address,
          encodeURIComponent(p.address),
          p.fullName,
          encodeURIComponent(p.fullName),
          p.fullName.normalize('NFD'),
        ];
        for (const v of values) if (log.includes(v)) leaks.push(v);
      }
      console.log(
        `log scan: ${responses.length} requests, ${lines.length} log lines, ${APPLICANTS} applicants`,
      );
      expect(leaks).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
