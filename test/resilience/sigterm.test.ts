import { afterAll, describe, expect, it } from 'vitest';
import { createIsolatedDatabase } from '../helpers/context.js';
import { dossierCodes, halfWrittenDossiers, load, setUpCounter, sleep, startApi } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('SIGTERM under load', () => {
  it('lets in-flight requests finish, exits 0, leaves no half-written dossier', async () => {
    const database = await createIsolatedDatabase();
    cleanups.push(() => database.drop());
    const api = await startApi({ DATABASE_URL: database.url, LOG_LEVEL: 'info' });
    cleanups.push(() => api.kill());
    const counter = await setUpCounter(api.base);

    let stopped = false;
    const exit = api.exited().then((code) => ((stopped = true), code));
    // Eight clients until the API is gone (or 20 s at most); SIGTERM after 1.5 s.
    const started = Date.now();
    const outcomes = load(8, counter.intake, () => stopped || Date.now() - started > 20_000);
    await sleep(1_500);
    api.child.kill('SIGTERM');
    const code = await exit;
    const results = await outcomes;

    expect(code, api.output()).toBe(0);
    const answered = results.filter((r) => 'status' in r) as Array<{ status: number; body: string }>;
    // Every request that got an answer was accepted; the others were refused before being read.
    expect(answered.filter((r) => r.status !== 201)).toEqual([]);
    const errors = results.flatMap((r) => ('error' in r ? [r.error] : []));
    const accepted = answered.map((r) => (JSON.parse(r.body) as { code: string }).code);
    const stored = await dossierCodes(database.url);
    // ...and every dossier stored got its 201: no request was cut off after being taken on.
    expect([...stored].sort()).toEqual([...accepted].sort());
    expect(await halfWrittenDossiers(database.url)).toEqual([]);
    console.log(
      `sigterm: ${accepted.length} accepted, ${stored.length} stored, connection errors after the signal: ` +
        JSON.stringify(
          Object.fromEntries([...new Set(errors)].map((e) => [e, errors.filter((x) => x === e).length])),
        ),
    );
  });
});
