import { eq, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { alerts, rfc3339Of } from '../db/schema/index.js';
import { rows } from '../db/sql.js';
import { addWorkingMinutes } from '../domain/working-time.js';
import { overdueBefore } from '../domain/timeliness.js';
import type { JobContext } from '../jobs/context.js';
import type { AlertView } from './queries.js';

/**
 * The instants that decide alerts at `now`: a due before `overdueBefore` is overdue (with day granularity, any
 * due on an earlier local date than today; with instant granularity, any due already past); a due up to
 * `soonUntil` (now plus the due-soon threshold in working time) is due soon.
 */
export function alertHorizon(
  ctx: Pick<JobContext, 'config'>,
  calendar: Parameters<typeof addWorkingMinutes>[0],
  now: Date,
) {
  return {
    overdueBefore: overdueBefore(now, ctx.config.OUTCOME_GRANULARITY),
    soonUntil: addWorkingMinutes(calendar, now, ctx.config.DUE_SOON_MINUTES),
  };
}

interface Window {
  overdueBefore: Date;
  soonUntil: Date;
  /** Only dues at or after these (what an earlier scan has not yet seen); none = from the beginning. */
  overdueFrom?: Date | null;
  soonFrom?: Date | null;
  /** Only this dossier (event-driven evaluation). */
  dossierId?: number;
}

/**
 * Raises the alerts due in a window, set-based, for running dossiers (received or processing; paused and
 * finished ones raise none): due_soon and overdue for the statutory and the rescheduled date, at most one per
 * (dossier, kind, due); step_due_soon and step_overdue for the open step of a dossier following an internal
 * process, at most one per (dossier, kind, step run) however its due moves, carrying the step and its holder
 * (officer and unit). The
 * unique keys make reruns and concurrent workers harmless; each alert actually created also gets an outbox row
 * (`alert.<kind>`, the alert) in the same statement: the change feed and the webhooks add the dossier when they
 * hand the alert on (withAlertDossiers). Returns how many alerts were created.
 */
export async function raiseAlerts(db: DbOrTx, w: Window): Promise<number> {
  const only = w.dossierId === undefined ? sql`true` : sql`d.id = ${w.dossierId}`;
  // The dues of `column` inside the window, and the kind each is (overdue or due soon).
  const inWindow = (column: SQL) => sql`${column} is not null
      and (
        (${column} < ${w.overdueBefore} ${w.overdueFrom ? sql`and ${column} >= ${w.overdueFrom}` : sql``})
        or (${column} >= ${w.overdueBefore} and ${column} <= ${w.soonUntil}
            ${w.soonFrom ? sql`and ${column} > ${w.soonFrom}` : sql``})
      )`;
  const kindOf = (column: SQL, prefix = '') =>
    sql`case when ${column} < ${w.overdueBefore} then ${`${prefix}overdue`} else ${`${prefix}due_soon`} end`;
  const running = sql`d.status in ('received', 'processing') and d.finished_at is null and ${only}`;
  const candidates = (column: SQL, target: 'statutory' | 'rescheduled') => sql`
    select d.id as dossier_id, ${target}::text as target, ${column} as due_at, ${kindOf(column)} as kind
    from dossiers d
    where ${running} and ${inWindow(column)}`;
  const [announced] = await rows<{ n: number }>(
    db,
    sql`
    with candidates as (
      ${candidates(sql`d.due_at`, 'statutory')}
      union all
      ${candidates(sql`d.rescheduled_due_at`, 'rescheduled')}
    ), step_candidates as (
      -- The open step is held by the dossier's holder, in its handling unit. Only dossiers following an internal
      -- process: the implicit single step holds the whole statutory time, which the dossier's own alerts watch.
      select d.id as dossier_id, d.current_step_seq as step_seq, d.current_step_code as step_code,
        d.holder_officer_code as officer_code, d.handling_unit_code as unit_code, d.current_step_due_at as due_at,
        ${kindOf(sql`d.current_step_due_at`, 'step_')} as kind
      from dossiers d
      where ${running} and d.process_version is not null and ${inWindow(sql`d.current_step_due_at`)}
    ), created as (
      insert into alerts (dossier_id, kind, target, due_at)
      select dossier_id, kind, target, due_at from candidates
      on conflict (dossier_id, kind, due_at) where step_seq is null do nothing
      returning id, dossier_id, kind, target, due_at, step_code, officer_code, unit_code, created_at
    ), created_steps as (
      insert into alerts (dossier_id, kind, target, due_at, step_seq, step_code, officer_code, unit_code)
      select dossier_id, kind, 'step', due_at, step_seq, step_code, officer_code, unit_code from step_candidates
      on conflict (dossier_id, kind, step_seq) where step_seq is not null do nothing
      returning id, dossier_id, kind, target, due_at, step_code, officer_code, unit_code, created_at
    ), announced as (
      insert into outbox (type, dossier_id, unit_code, payload, occurred_at)
      select 'alert.' || c.kind, c.dossier_id, d.unit_code,
        jsonb_build_object('alert', jsonb_build_object('id', c.id, 'kind', c.kind, 'target', c.target,
          'dossierCode', d.code, 'dueAt', ${rfc3339Of(sql.raw('c.due_at'))}, 'stepCode', c.step_code,
          'officerCode', c.officer_code, 'unitCode', c.unit_code)),
        c.created_at
      from (select * from created union all select * from created_steps) c join dossiers d on d.id = c.dossier_id
      returning 1
    )
    select count(*)::int as n from announced`,
  );
  return announced?.n ?? 0;
}

/** Event-driven: a dossier changed (received, resumed, due moved...): raise whatever is due for it now. */
export async function evaluateDossierAlerts(ctx: JobContext, dossierId: number): Promise<number> {
  const calendar = await ctx.calendars.current(ctx.db);
  return raiseAlerts(ctx.db, { ...alertHorizon(ctx, calendar, ctx.clock()), dossierId });
}

/**
 * The scheduled scan. It visits only what can have changed since the previous scan: dues that crossed into
 * the overdue or the due-soon horizon in between (dossiers whose due moved are evaluated from their outbox
 * events instead). The first scan looks at every running dossier. The state row is locked, so two workers
 * scan one after the other.
 */
export async function scanAlerts(ctx: JobContext, stateName = 'alerts-scan'): Promise<number> {
  const calendar = await ctx.calendars.current(ctx.db);
  return ctx.db.transaction(async (tx) => {
    await tx.execute(
      sql`insert into job_state (name, value) values (${stateName}, '{}') on conflict do nothing`,
    );
    const [state] = await rows<{ value: { overdueBefore?: string; soonUntil?: string } }>(
      tx,
      sql`select value from job_state where name = ${stateName} for update`,
    );
    const previous = state?.value ?? {};
    const horizon = alertHorizon(ctx, calendar, ctx.clock());
    const created = await raiseAlerts(tx, {
      ...horizon,
      overdueFrom: previous.overdueBefore ? new Date(previous.overdueBefore) : null,
      soonFrom: previous.soonUntil ? new Date(previous.soonUntil) : null,
    });
    const value = {
      overdueBefore: horizon.overdueBefore.toISOString(),
      soonUntil: horizon.soonUntil.toISOString(),
    };
    await tx.execute(
      sql`update job_state set value = ${JSON.stringify(value)}::jsonb, updated_at = now() where name = ${stateName}`,
    );
    return created;
  });
}

/** Marks an alert seen by `keyId`; acknowledging again keeps the first acknowledgement. */
export async function acknowledgeAlert(db: DbOrTx, view: AlertView, keyId: string): Promise<AlertView> {
  const [updated] = await db
    .update(alerts)
    .set({
      acknowledgedAt: sql`coalesce(${alerts.acknowledgedAt}, now())`,
      acknowledgedBy: sql`coalesce(${alerts.acknowledgedBy}, ${keyId}::uuid)`,
    })
    .where(eq(alerts.id, view.a.id))
    .returning();
  return { ...view, a: updated! };
}
