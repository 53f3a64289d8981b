/**
 * "A 4xx stores nothing", checked once at the end of a concurrent fuzz run. Requests overlap, so row counts
 * taken around one request prove nothing; instead every row that appeared, disappeared or changed in the main
 * tables must be explained by a 2xx answer of the run:
 *
 * - dossiers, units, procedures, api_keys, webhooks: each new code or id is one a 2xx create answered with;
 *   nothing is removed; a key newly revoked, a webhook newly deleted, is one a 2xx DELETE named;
 * - calendar_days: a date added or changed is one a 2xx PUT named; a date removed, one a 2xx DELETE named;
 * - dossier_events: a dossier gains at most as many events as 2xx intakes and actions named it, plus the
 *   `due_changed` events a calendar edit writes for open dossiers, whose date must be one a 2xx calendar edit
 *   named.
 *
 * Updates in place by a 4xx (a unit renamed, a procedure edited) are not looked for: a 2xx PATCH changes the
 * same columns, so only a request-by-request comparison could tell them apart; test/fuzz.test.ts makes that
 * one, with row counts, between sequential requests.
 */
import type pg from 'pg';

/** What the run's 2xx answers created, named or changed. */
export interface Answered {
  dossiers: Set<string>;
  /** 2xx intakes and actions per dossier code. */
  dossierWrites: Map<string, number>;
  units: Set<string>;
  procedures: Set<string>;
  apiKeys: Set<string>;
  revokedKeys: Set<string>;
  webhooks: Set<string>;
  deletedWebhooks: Set<string>;
  calendarPut: Set<string>;
  calendarDeleted: Set<string>;
}

export const emptyAnswered = (): Answered => ({
  dossiers: new Set(),
  dossierWrites: new Map(),
  units: new Set(),
  procedures: new Set(),
  apiKeys: new Set(),
  revokedKeys: new Set(),
  webhooks: new Set(),
  deletedWebhooks: new Set(),
  calendarPut: new Set(),
  calendarDeleted: new Set(),
});

export interface Snapshot {
  dossiers: Set<string>;
  units: Set<string>;
  procedures: Set<string>;
  /** id → revoked. */
  apiKeys: Map<string, boolean>;
  /** id → deleted. */
  webhooks: Map<string, boolean>;
  /** date → the row as text. */
  calendarDays: Map<string, string>;
  /** dossier code → events other than a calendar edit's due_changed. */
  ownEvents: Map<string, number>;
  /** `code date` → due_changed events a calendar edit of that date wrote. */
  calendarEvents: Map<string, number>;
  totals: Record<string, number>;
}

export async function snapshot(client: pg.Client): Promise<Snapshot> {
  const list = async (query: string) => (await client.query<{ k: string; v: unknown }>(query)).rows;
  const dossiers = await list('select code as k from dossiers');
  const units = await list('select code as k from units');
  const procedures = await list('select code as k from procedures');
  const apiKeys = await list('select id::text as k, revoked_at is not null as v from api_keys');
  const webhooks = await list('select id::text as k, deleted_at is not null as v from webhooks');
  const calendarDays = await list(
    'select date::text as k, (kind, name, source)::text as v from calendar_days',
  );
  const events = (
    await client.query<{ code: string; date: string | null; n: number }>(`
      select d.code,
             case when e.type = 'due_changed' and e.data->>'reason' = 'calendar_change' then e.data->>'date' end
               as date,
             count(*)::int as n
        from dossier_events e join dossiers d on d.id = e.dossier_id
       group by 1, 2`)
  ).rows;
  const ownEvents = new Map<string, number>();
  const calendarEvents = new Map<string, number>();
  let eventCount = 0;
  for (const e of events) {
    eventCount += e.n;
    if (e.date === null) ownEvents.set(e.code, e.n);
    else calendarEvents.set(`${e.code} ${e.date}`, e.n);
  }
  return {
    dossiers: new Set(dossiers.map((r) => r.k)),
    units: new Set(units.map((r) => r.k)),
    procedures: new Set(procedures.map((r) => r.k)),
    apiKeys: new Map(apiKeys.map((r) => [r.k, r.v === true])),
    webhooks: new Map(webhooks.map((r) => [r.k, r.v === true])),
    calendarDays: new Map(calendarDays.map((r) => [r.k, String(r.v)])),
    ownEvents,
    calendarEvents,
    totals: {
      dossiers: dossiers.length,
      dossier_events: eventCount,
      units: units.length,
      procedures: procedures.length,
      api_keys: apiKeys.length,
      webhooks: webhooks.length,
      calendar_days: calendarDays.length,
    },
  };
}

/** Every row change between the snapshots that no 2xx answer explains, as sentences (at most 20 per table). */
export function unexplained(before: Snapshot, after: Snapshot, answered: Answered): string[] {
  const out: string[] = [];
  const report = (table: string, items: string[], why: string) => {
    if (items.length)
      out.push(
        `${table}: ${items.length} ${why}: ${items.slice(0, 20).join(', ')}${items.length > 20 ? ', …' : ''}`,
      );
  };
  const added = <T>(b: Set<T> | Map<T, unknown>, a: Set<T> | Map<T, unknown>) =>
    [...a.keys()].filter((k) => !b.has(k));
  const removed = <T>(b: Set<T> | Map<T, unknown>, a: Set<T> | Map<T, unknown>) => added(a, b);

  for (const [table, b, a, created] of [
    ['dossiers', before.dossiers, after.dossiers, answered.dossiers],
    ['units', before.units, after.units, answered.units],
    ['procedures', before.procedures, after.procedures, answered.procedures],
    ['api_keys', before.apiKeys, after.apiKeys, answered.apiKeys],
    ['webhooks', before.webhooks, after.webhooks, answered.webhooks],
  ] as const) {
    report(
      table,
      added(b, a).filter((k) => !created.has(k)),
      'rows no 2xx create answered with',
    );
    report(table, removed(b, a), 'rows removed');
  }
  const newlyFlagged = (b: Map<string, boolean>, a: Map<string, boolean>) =>
    [...a].filter(([k, flag]) => flag && b.get(k) === false).map(([k]) => k);
  report(
    'api_keys',
    newlyFlagged(before.apiKeys, after.apiKeys).filter((k) => !answered.revokedKeys.has(k)),
    'keys revoked without a 2xx DELETE',
  );
  report(
    'webhooks',
    newlyFlagged(before.webhooks, after.webhooks).filter((k) => !answered.deletedWebhooks.has(k)),
    'webhooks deleted without a 2xx DELETE',
  );

  const changedDays = [...after.calendarDays]
    .filter(([d, row]) => before.calendarDays.get(d) !== row)
    .map(([d]) => d);
  report(
    'calendar_days',
    changedDays.filter((d) => !answered.calendarPut.has(d)),
    'dates set without a 2xx PUT',
  );
  report(
    'calendar_days',
    removed(before.calendarDays, after.calendarDays).filter((d) => !answered.calendarDeleted.has(d)),
    'dates removed without a 2xx DELETE',
  );

  const tooMany = [...after.ownEvents]
    .filter(([code, n]) => n - (before.ownEvents.get(code) ?? 0) > (answered.dossierWrites.get(code) ?? 0))
    .map(
      ([code, n]) =>
        `${code} (+${n - (before.ownEvents.get(code) ?? 0)}, ${answered.dossierWrites.get(code) ?? 0} 2xx)`,
    );
  report('dossier_events', tooMany, 'dossiers with more new events than 2xx intakes and actions');
  const calendarDates = new Set([...answered.calendarPut, ...answered.calendarDeleted]);
  const strayDueChanges = [...after.calendarEvents]
    .filter(([key, n]) => n > (before.calendarEvents.get(key) ?? 0) && !calendarDates.has(key.split(' ')[1]!))
    .map(([key]) => key);
  report('dossier_events', strayDueChanges, 'due_changed events for a date no 2xx calendar edit named');
  return out;
}
