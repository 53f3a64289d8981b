import net, { type AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  bearer,
  createKey,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';
import { waitFor } from './helpers/wait.js';

// An API process taking two requests at a time; two actions on one dossier are held in progress by a row lock
// this test takes on the dossier, so what the third request meets is known.
let ctx: TestContext;
let base: string;
let clerk: string;
let dossierCode: string;
const locker = new pg.Client({ connectionString: inject('databaseUrl') });

beforeAll(async () => {
  ctx = await createTestContext({ MAX_REQUESTS_IN_PROGRESS: '2' });
  const unit = await createUnit(ctx);
  clerk = await createKey(ctx, 'clerk', unit.code);
  const procedure = await createProcedure(ctx);
  const intake = await ctx.app.inject({
    method: 'POST',
    url: '/v1/dossiers',
    headers: bearer(clerk),
    payload: intakeBody(procedure.code, { unitCode: unit.code }),
  });
  expect(intake.statusCode, intake.body).toBe(201);
  dossierCode = intake.json<{ code: string }>().code;
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  await locker.connect();
});
afterAll(async () => {
  await locker.end();
  await ctx.close();
});

const inProgress = async () => {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^http_requests_in_progress (\d+)$/m.exec(text)?.[1]);
};

/** An action on the locked dossier: it waits for the lock, in progress, until the test lets it go. */
const heldAction = (signal?: AbortSignal) =>
  fetch(`${base}/v1/dossiers/${dossierCode}/assign`, {
    method: 'POST',
    headers: bearer(clerk),
    ...(signal ? { signal } : {}),
  });

const listUnits = (headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/units`, { headers: { ...bearer(clerk), ...headers } });

describe('MAX_REQUESTS_IN_PROGRESS: a busy process refuses at once instead of queueing', () => {
  it('past the limit → 503 SERVER_BUSY with Retry-After, in Vietnamese; health and metrics still answer', async () => {
    await locker.query('begin');
    await locker.query('select 1 from dossiers where code = $1 for update', [dossierCode]);
    const aborts = new AbortController();
    const first = heldAction(aborts.signal).catch((err: unknown) => err);
    const second = heldAction();
    await waitFor('two requests in progress', async () => (await inProgress()) === 2, 10_000);

    const refused = await listUnits();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await refused.json()) as {
      code: string;
      title: string;
      detail: string;
      requestId: string;
    };
    expect(problem).toMatchObject({ code: 'SERVER_BUSY', title: 'Máy chủ đang quá tải' });
    expect(problem.detail).toBe('Máy chủ đang xử lý nhiều yêu cầu nhất có thể; hãy thử lại sau 1 giây.');
    expect(problem.requestId).toBe(refused.headers.get('x-request-id'));
    const english = await (await listUnits({ 'accept-language': 'en' })).json();
    expect(english).toMatchObject({
      code: 'SERVER_BUSY',
      detail: 'The server is working on as many requests as it can take; retry after 1 s.',
    });
    // Refused before authentication: a request without a key is told the same, not 401.
    expect((await fetch(`${base}/v1/units`)).status).toBe(503);
    // The citizen's routes count too.
    expect((await fetch(`${base}/v1/public/dossiers/${dossierCode}?check=0000`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await inProgress()).toBe(2);

    // A client that gives up frees its place at once.
    aborts.abort();
    await first;
    await waitFor('one request in progress', async () => (await inProgress()) === 1, 10_000);
    expect((await listUnits()).status).toBe(200);

    await locker.query('commit');
    const done = await second;
    expect(done.status, await done.text()).toBe(200);
    await waitFor('no request in progress', async () => (await inProgress()) === 0, 10_000);
  });

  it('every request that ended, whatever its answer, gives its place back', async () => {
    // Two at a time (the limit): answered, refused by authentication, or by validation.
    for (let i = 0; i < 20; i += 1) {
      const answers = await Promise.all([
        i % 2 ? listUnits() : fetch(`${base}/v1/units`),
        fetch(`${base}/v1/dossiers`, {
          method: 'POST',
          headers: { ...bearer(clerk), 'content-type': 'application/json' },
          body: '{"procedureCode": ',
        }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([i % 2 ? 200 : 401, 400]);
      for (const answer of answers) await answer.arrayBuffer();
    }
    expect(await inProgress()).toBe(0);
    const answers = await Promise.all([listUnits(), listUnits()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
  });

  it('a client still sending its request holds no place', async () => {
    const port = new URL(base).port;
    const slow = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(Number(port), '127.0.0.1', () => {
              socket.write(
                `POST /v1/dossiers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${clerk}\r\n` +
                  'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"procedureCode":',
                () => resolve(socket),
              );
            });
          }),
      ),
    );
    try {
      expect(await inProgress()).toBe(0);
      const answers = await Promise.all([listUnits(), listUnits()]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
    } finally {
      for (const socket of slow) socket.destroy();
    }
  });

  it('requests pipelined on a connection that closes give their places back', async () => {
    await locker.query('begin');
    await locker.query('select 1 from dossiers where code = $1 for update', [dossierCode]);
    const socket = net.connect(Number(new URL(base).port), '127.0.0.1');
    socket.on('error', () => {});
    const action = `POST /v1/dossiers/${dossierCode}/assign HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${clerk}\r\nContent-Length: 0\r\n\r\n`;
    socket.write(action + action);
    await waitFor('two pipelined requests in progress', async () => (await inProgress()) === 2, 10_000);
    expect((await listUnits()).status).toBe(503);
    // The second answer is queued behind the first: only the connection's close tells it nobody waits.
    socket.destroy();
    await waitFor('no request in progress', async () => (await inProgress()) === 0, 10_000);
    expect((await listUnits()).status).toBe(200);
    await locker.query('commit');
  });

  it('the refusals are counted for the metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(Number(/^http_requests_refused_busy_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(5);
  });

  it('0 takes every request', async () => {
    const open = await createTestContext({ MAX_REQUESTS_IN_PROGRESS: '0' });
    try {
      // More at once than the default limit.
      const answers = await Promise.all(
        Array.from({ length: 100 }, () =>
          open.app.inject({ method: 'GET', url: '/v1/units', headers: bearer(open.adminKey) }),
        ),
      );
      expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    } finally {
      await open.close();
    }
  });
});
