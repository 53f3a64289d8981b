// Two API processes on one database behave as one: a revoked key, a changed procedure or officer, a moved
// unit, a unit created or moved under another parent and a calendar edit made through one are seen by the other
// at once (cache signals through PostgreSQL), well inside the caches' own time limits; an idempotent intake
// replays through either. (One rate-limit budget across processes: test/rate-limit-redis.test.ts.)
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  bearer,
  createKey,
  createOfficer,
  createProcedure,
  createTestContext,
  createUnit,
  intakeBody,
  type TestContext,
} from './helpers/context.js';
import { waitFor } from './helpers/wait.js';
import { KEY_CACHE_TTL_MS } from '../src/auth/plugin.js';
import { INTAKE_TARGETS_TTL_MS } from '../src/dossiers/intake-targets.js';
import { CACHE_SIGNAL_CHANNEL } from '../src/db/cache-signals.js';

/** Well inside every cache's time limit: an answer this quick came from the signal. */
const AT_ONCE_MS = 1_000;

let a: TestContext;
let b: TestContext;
beforeAll(async () => {
  a = await createTestContext();
  // B's unit tree never expires here: only a signal makes it read the units again.
  b = await createTestContext({}, { unitTreeTtlMs: 600_000 });
  await waitFor(
    'both to listen for cache signals',
    () => a.app.cacheSignals?.listening() && b.app.cacheSignals?.listening(),
  );
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

/** Polls until `probe` holds, and answers how long that took. */
async function timeUntil(what: string, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  await waitFor(what, probe, 5_000, 20);
  return Date.now() - started;
}

const call = (
  ctx: TestContext,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  key: string,
  payload?: object,
) => ctx.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

describe('two API processes on one database', () => {
  it('a key revoked through one is refused by the other at once, not after the key cache expires', async () => {
    const unit = await createUnit(a);
    const created = await call(a, 'POST', '/v1/api-keys', a.adminKey, {
      name: 'quầy 1',
      role: 'clerk',
      unitCode: unit.code,
    });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json() as { id: string; key: string };
    // B authenticates the key and keeps it in its cache.
    expect((await call(b, 'GET', `/v1/units/${unit.code}`, key)).statusCode).toBe(200);

    expect((await call(a, 'DELETE', `/v1/api-keys/${id}`, a.adminKey)).statusCode).toBe(204);
    const took = await timeUntil('B to refuse the revoked key', async () => {
      return (await call(b, 'GET', `/v1/units/${unit.code}`, key)).statusCode === 401;
    });
    expect(took).toBeLessThan(Math.min(AT_ONCE_MS, KEY_CACHE_TTL_MS));
  });

  it('a procedure changed through one gives the other’s next intake the new processing time', async () => {
    const unit = await createUnit(a);
    const clerk = await createKey(a, 'clerk', unit.code);
    const procedure = await createProcedure(a, { duration: { value: 1, unit: 'working_days' } });
    // B's intake reads the procedure and keeps it in its cache.
    const first = await call(b, 'POST', '/v1/dossiers', clerk, intakeBody(procedure.code));
    expect(first.statusCode).toBe(201);
    const patched = await call(a, 'PATCH', `/v1/procedures/${procedure.code}`, a.adminKey, {
      duration: { value: 12, unit: 'working_days' },
    });
    expect(patched.statusCode).toBe(200);
    const took = await timeUntil('B to use the new processing time', async () => {
      const res = await call(b, 'POST', '/v1/dossiers', clerk, intakeBody(procedure.code));
      const body = res.json() as { startAt: string; dueAt: string };
      // 12 working days span at least 16 calendar days; 1 working day at most 5.
      return Date.parse(body.dueAt) - Date.parse(body.startAt) > 10 * 86_400_000;
    });
    expect(took).toBeLessThan(Math.min(AT_ONCE_MS, INTAKE_TARGETS_TTL_MS));
  });

  it('an officer renamed through one is named anew by the other’s next intake at once', async () => {
    const unit = await createUnit(a);
    const officer = await createOfficer(a, unit.code, { fullName: 'Trần Văn Bình' });
    const clerk = await createKey(a, 'clerk', unit.code);
    const procedure = await createProcedure(a);
    const intake = async () => {
      const res = await call(b, 'POST', '/v1/dossiers', clerk, {
        ...intakeBody(procedure.code),
        officerCode: officer.code,
      });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { holder: { fullName: string } }).holder.fullName;
    };
    // B's intake reads the officer and keeps it in its cache.
    expect(await intake()).toBe('Trần Văn Bình');
    const renamed = await call(a, 'PATCH', `/v1/officers/${officer.code}`, a.adminKey, {
      fullName: 'Trần Văn Bảo',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const took = await timeUntil(
      'B to name the officer anew',
      async () => (await intake()) === 'Trần Văn Bảo',
    );
    expect(took).toBeLessThan(Math.min(AT_ONCE_MS, INTAKE_TARGETS_TTL_MS));
  });

  it('a unit moved through one moves its keys’ scope in the other at once', async () => {
    const province = await createUnit(a);
    const commune = await createUnit(a, { parentCode: province.code });
    const elsewhere = await createUnit(a);
    const clerk = await createKey(a, 'clerk', commune.code);
    const procedure = await createProcedure(a);
    const intake = await call(b, 'POST', '/v1/dossiers', clerk, intakeBody(procedure.code));
    expect(intake.statusCode).toBe(201);
    const { code } = intake.json() as { code: string };
    expect((await call(b, 'GET', `/v1/dossiers/${code}`, clerk)).statusCode).toBe(200);

    const moved = await call(a, 'PATCH', `/v1/units/${commune.code}`, a.adminKey, {
      parentCode: elsewhere.code,
    });
    expect(moved.statusCode).toBe(200);
    // The dossier's unit path changed; a stale principal in B would not find it (404) until its cache expired.
    const took = await timeUntil('B to read the dossier with the moved scope', async () => {
      return (await call(b, 'GET', `/v1/dossiers/${code}`, clerk)).statusCode === 200;
    });
    expect(took).toBeLessThan(AT_ONCE_MS);
    const units = await call(b, 'GET', `/v1/units/${commune.code}`, clerk);
    expect(units.json()).toMatchObject({ code: commune.code, parentCode: elsewhere.code });
  });

  it('a unit created or moved through one is in the other’s lists under its new parent at once', async () => {
    const district = await createUnit(a);
    const elsewhere = await createUnit(a);
    const procedure = await createProcedure(a);
    const list = async (unitCode: string) => {
      const res = await call(b, 'GET', `/v1/dossiers?unitCode=${unitCode}`, a.adminKey);
      expect(res.statusCode).toBe(200);
      return (res.json() as { items: Array<{ code: string }> }).items.map((d) => d.code);
    };
    // B reads its unit tree now, then the commune is created and its first dossier taken in through A.
    expect(await list(district.code)).toEqual([]);
    const commune = await createUnit(a, { parentCode: district.code });
    const clerk = await createKey(a, 'clerk', commune.code);
    const intake = await call(a, 'POST', '/v1/dossiers', clerk, intakeBody(procedure.code));
    expect(intake.statusCode).toBe(201);
    const { code } = intake.json() as { code: string };
    const created = await timeUntil('B to list the new commune’s dossier under its district', async () =>
      (await list(district.code)).includes(code),
    );
    expect(created).toBeLessThan(AT_ONCE_MS);

    const moved = await call(a, 'PATCH', `/v1/units/${commune.code}`, a.adminKey, {
      parentCode: elsewhere.code,
    });
    expect(moved.statusCode).toBe(200);
    const took = await timeUntil(
      'B to list the moved commune’s dossier under its new parent only',
      async () => (await list(elsewhere.code)).includes(code) && !(await list(district.code)).includes(code),
    );
    expect(took).toBeLessThan(AT_ONCE_MS);
  });

  it('a calendar edit through one moves the other’s deadlines at once', async () => {
    const unit = await createUnit(a);
    const clerk = await createKey(a, 'clerk', unit.code);
    const preview = async () =>
      (
        await call(b, 'POST', '/v1/deadlines/preview', clerk, {
          duration: { value: 1, unit: 'working_days' },
          receivedAt: '2098-06-02T07:30:00+07:00',
        })
      ).json() as { dueAt: string };
    expect((await preview()).dueAt).toBe('2098-06-02T17:00:00+07:00');
    const put = await call(a, 'PUT', '/v1/calendar/days/2098-06-02', a.adminKey, {
      kind: 'day_off',
      name: 'Nghỉ thử nhiều tiến trình',
      source: 'Thông báo thử',
    });
    expect(put.statusCode, put.body).toBe(200);
    try {
      const took = await timeUntil('B to skip the new day off', async () => {
        return (await preview()).dueAt === '2098-06-03T17:00:00+07:00';
      });
      expect(took).toBeLessThan(AT_ONCE_MS);
    } finally {
      await call(a, 'DELETE', '/v1/calendar/days/2098-06-02', a.adminKey);
    }
  });

  it('an intake retried through the other process replays the first answer', async () => {
    const unit = await createUnit(a);
    const clerk = await createKey(a, 'clerk', unit.code);
    const procedure = await createProcedure(a);
    const body = intakeBody(procedure.code);
    const send = (ctx: TestContext) =>
      ctx.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: { ...bearer(clerk), 'idempotency-key': `retry-${procedure.code}` },
        payload: body,
      });
    const first = await send(a);
    const retried = await send(b);
    expect(first.statusCode).toBe(201);
    expect(retried.statusCode).toBe(201);
    expect(retried.json()).toEqual(first.json());
    const list = await call(b, 'GET', `/v1/dossiers?procedureCode=${procedure.code}`, clerk);
    expect((list.json() as { items: unknown[] }).items).toHaveLength(1);
  });

  it('hears the signals again after losing its listening connection', async () => {
    const unit = await createUnit(a);
    const created = await call(a, 'POST', '/v1/api-keys', a.adminKey, {
      name: 'quầy 2',
      role: 'viewer',
      unitCode: unit.code,
    });
    const { id, key } = created.json() as { id: string; key: string };
    expect((await call(b, 'GET', `/v1/units/${unit.code}`, key)).statusCode).toBe(200);

    // Every listening session of this database is cut, as a PostgreSQL restart or a network cut would.
    const admin = new pg.Client(inject('databaseUrl'));
    await admin.connect();
    await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike $1`,
      [`listen ${CACHE_SIGNAL_CHANNEL}%`],
    );
    await admin.end();
    await waitFor('B to notice', () => !b.app.cacheSignals!.listening(), 5_000, 10);
    await waitFor(
      'both to listen again',
      () => a.app.cacheSignals!.listening() && b.app.cacheSignals!.listening(),
      10_000,
    );
    // Authenticated again after the reconnection (which dropped every cache), so B holds the key once more.
    expect((await call(b, 'GET', `/v1/units/${unit.code}`, key)).statusCode).toBe(200);

    expect((await call(a, 'DELETE', `/v1/api-keys/${id}`, a.adminKey)).statusCode).toBe(204);
    const took = await timeUntil('B to refuse the revoked key', async () => {
      return (await call(b, 'GET', `/v1/units/${unit.code}`, key)).statusCode === 401;
    });
    expect(took).toBeLessThan(AT_ONCE_MS);
  });
});
