// The step clock (src/domain/steps.ts) wired into dossiers: the clock a dossier runs on, its step rows as
// dossier_steps stores them, and what an action, or a calendar change, does to them inside its transaction.
// The rules are the domain module's; this file only reads the state, applies one event and writes what moved.
import { and, asc, eq, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { prepareBuilt, runNamed, type DbOrTx, type Tx, type Write } from '../db/client.js';
import { dossierSteps, procedureProcesses, type StoredPauseSpan } from '../db/schema/index.js';
import type { Channel, Duration } from '../domain/deadlines.js';
import { DomainError } from '../domain/errors.js';
import { formatInstant } from '../domain/local-time.js';
import {
  applyStepEvent,
  clockSteps,
  hasStep,
  implicitProcess,
  openStep,
  recomputeOpenStep,
  type PauseSpan,
  startSteps,
  type ProcessStep,
  type StepClock,
  type StepEvent,
  type StepRow,
  type StepStart,
  type StepState,
} from '../domain/steps.js';
import type { Granularity } from '../domain/timeliness.js';
import type { Calendar } from '../domain/working-time.js';
import type { DossierRow } from './lookups.js';

export type DossierStepRecord = typeof dossierSteps.$inferSelect;

/** What an action does to the step clock: start it (at acceptance) or apply one event. */
export type StepChange = { kind: 'start'; start: StepStart } | { kind: 'event'; event: StepEvent };

/**
 * The clock of a dossier following `steps` (its process version's; null: the implicit single step holding its
 * processing time `duration`, already the channel's) on `channel`.
 */
export function clockFor(
  steps: readonly ProcessStep[] | null,
  duration: Duration,
  channel: Channel,
  calendar: Calendar,
  granularity: Granularity,
): StepClock {
  const process =
    steps ??
    implicitProcess({
      durationValue: duration.value,
      durationUnit: duration.unit,
      onlineDurationValue: null,
      onlineDurationUnit: null,
    });
  return { calendar, granularity, steps: clockSteps(process, channel, calendar.dayLength) };
}

/** The clock of a stored dossier following the steps of `process` (null: it follows no process version). */
function dossierClock(
  d: DossierRow,
  process: ProcessStep[] | null,
  calendar: Calendar,
  granularity: Granularity,
): StepClock {
  return clockFor(
    process,
    { value: d.durationValue, unit: d.durationUnit },
    d.channel,
    calendar,
    granularity,
  );
}

/**
 * The clock of a stored dossier (a calendar change's recompute): the steps of the process version it follows, read
 * when it has one.
 */
async function clockOfDossier(
  db: DbOrTx,
  d: DossierRow,
  calendar: Calendar,
  granularity: Granularity,
): Promise<StepClock> {
  let steps: ProcessStep[] | null = null;
  if (d.processVersion !== null) {
    const [row] = await prepareBuilt(db, 'process_steps_of_version', processSteps, {
      procedureCode: d.procedureCode,
      version: d.processVersion,
    });
    steps = row!.steps;
  }
  return dossierClock(d, steps, calendar, granularity);
}

// The statements of every action on a dossier with steps: built once (prepareBuilt), their values placeholders.
const processSteps = (db: DbOrTx) =>
  db
    .select({ steps: procedureProcesses.steps })
    .from(procedureProcesses)
    .where(
      and(
        eq(procedureProcesses.procedureCode, sql.placeholder('procedureCode')),
        eq(procedureProcesses.version, sql.placeholder('version')),
      ),
    );
const stepsOfDossier = (db: DbOrTx) =>
  db
    .select()
    .from(dossierSteps)
    .where(eq(dossierSteps.dossierId, sql.placeholder('dossierId')))
    .orderBy(asc(dossierSteps.seq));
/** Step 1 of a dossier whose clock starts at `start`. */
export function firstStep(clock: StepClock, start: StepStart): StepRow {
  return startSteps(clock, start).rows[0]!;
}

/** The open step as the dossier's row keeps it (null: no step open). */
export function currentStepColumns(row: StepRow | null) {
  return {
    currentStepSeq: row?.seq ?? null,
    currentStepCode: row?.stepCode ?? null,
    currentStepName: row?.stepName ?? null,
    currentStepDueAt: row?.dueAt ?? null,
  };
}

function toStepRow(r: DossierStepRecord): StepRow {
  return {
    seq: r.seq,
    stepCode: r.stepCode,
    stepName: r.stepName,
    allotmentMinutes: r.allotmentMinutes,
    startAt: r.startAt,
    dueAt: r.dueAt,
    endAt: r.endAt,
    outcome: r.outcome,
    fromOfficer: r.fromOfficerCode,
    fromUnit: r.fromUnitCode,
    toOfficer: r.toOfficerCode,
    unit: r.unitCode,
    note: r.note,
    pausedMinutes: r.pausedMinutes,
    pauses: r.pauses.map(pauseSpanOf),
  };
}

function pauseSpanOf(p: StoredPauseSpan): PauseSpan {
  return {
    from: new Date(p.from),
    to: p.to === null ? null : new Date(p.to),
    ...(p.dueBefore ? { dueBefore: new Date(p.dueBefore) } : {}),
  };
}

/** A step row as stepRowsJson reads it: its instants as JSON strings. */
type StepRowJson = Omit<StepRow, 'startAt' | 'dueAt' | 'endAt' | 'pauses'> & {
  startAt: string;
  dueAt: string;
  endAt: string | null;
  pauses: StoredPauseSpan[];
};

/**
 * A dossier's step rows by seq as one JSON value, a scalar subquery of a statement on `dossiers` (an action reads
 * them with the dossier's lock, lockForAction, rather than in a statement of their own); stepRowsOf makes them rows.
 */
export const stepRowsJson = (dossierId: SQL | AnyColumn) => sql<StepRowJson[]>`(
  select coalesce(json_agg(json_build_object('seq', s.seq, 'stepCode', s.step_code, 'stepName', s.step_name,
    'allotmentMinutes', s.allotment_minutes, 'startAt', s.start_at, 'dueAt', s.due_at, 'endAt', s.end_at,
    'outcome', s.outcome, 'fromOfficer', s.from_officer_code, 'fromUnit', s.from_unit_code,
    'toOfficer', s.to_officer_code, 'unit', s.unit_code, 'note', s.note, 'pausedMinutes', s.paused_minutes,
    'pauses', s.pauses) order by s.seq), '[]'::json)
  from ${dossierSteps} s where s.dossier_id = ${dossierId})`;

export function stepRowsOf(json: readonly StepRowJson[]): StepRow[] {
  return json.map((r) => ({
    ...r,
    startAt: new Date(r.startAt),
    dueAt: new Date(r.dueAt),
    endAt: r.endAt === null ? null : new Date(r.endAt),
    pauses: r.pauses.map(pauseSpanOf),
  }));
}

/** A step row's columns (all but the ids and the handover's instant, which never change). */
function columnsOf(row: StepRow) {
  return {
    seq: row.seq,
    stepCode: row.stepCode,
    stepName: row.stepName,
    allotmentMinutes: row.allotmentMinutes,
    unitCode: row.unit,
    fromUnitCode: row.fromUnit,
    fromOfficerCode: row.fromOfficer,
    toOfficerCode: row.toOfficer,
    startAt: row.startAt,
    dueAt: row.dueAt,
    endAt: row.endAt,
    outcome: row.outcome,
    pausedMinutes: row.pausedMinutes,
    pauses: row.pauses.map((p): StoredPauseSpan => ({
      from: formatInstant(p.from),
      to: p.to && formatInstant(p.to),
      ...(p.dueBefore ? { dueBefore: formatInstant(p.dueBefore) } : {}),
    })),
    note: row.note,
  };
}

/** The state the stored rows (every row of the dossier, by seq) stand for; null when there are none. */
function stateOf(clock: StepClock, rows: readonly StepRow[]): StepState | null {
  const last = rows[rows.length - 1];
  if (!last) return null;
  const running = last.pauses[last.pauses.length - 1];
  const pausedAt = last.endAt === null && running && running.to === null ? running.from : null;
  // The latest instant the clock has seen: the finish, or the open step's start or latest pause edge.
  const instants = [last.startAt, ...last.pauses.flatMap((p) => (p.to ? [p.from, p.to] : [p.from]))];
  const lastAt = last.endAt ?? new Date(Math.max(...instants.map((t) => t.getTime())));
  return { clock, rows, pausedAt, finishedAt: last.endAt, lastAt };
}

async function storedSteps(db: DbOrTx, dossierId: number): Promise<StepRow[]> {
  const records = await prepareBuilt(db, 'dossier_steps_of_dossier', stepsOfDossier, { dossierId });
  return records.map(toStepRow);
}

/** Writes the rows of `after` that differ from `before`, each by a statement of its own (stepWrites). */
async function saveSteps(
  tx: Tx,
  dossierId: number,
  before: readonly StepRow[],
  after: StepState,
  handedOverAt: Date,
): Promise<void> {
  for (const write of stepWrites(tx, dossierId, before, after, handedOverAt)) await runNamed(tx, write);
}

/**
 * The statements writing the rows of `after` that differ from `before` (the domain module keeps unchanged rows as
 * they were): an insert of each new row, an update of each moved one (a step's seq never changes). An action runs
 * them inside the statement that updates the dossier (writeAction), where PostgreSQL runs them in an order of its
 * own: each writes another row (a step's seq is unique to its dossier), so none depends on another having run
 * first. A calendar change runs them one by one (saveSteps).
 */
function stepWrites(
  tx: Tx,
  dossierId: number,
  before: readonly StepRow[],
  after: StepState,
  handedOverAt: Date,
): Write[] {
  return after.rows.flatMap((row, i): Write[] => {
    if (i >= before.length) {
      return [tx.insert(dossierSteps).values({ dossierId, handedOverAt, ...columnsOf(row) })];
    }
    if (row === before[i]) return [];
    const { seq, ...moved } = columnsOf(row);
    return [
      tx
        .update(dossierSteps)
        .set(moved)
        .where(and(eq(dossierSteps.dossierId, dossierId), eq(dossierSteps.seq, seq))),
    ];
  });
}

/**
 * What an action does to the steps: the dossier's open-step columns, for a handover the steps' codes, and the
 * statements that write the rows it moved (the action runs them with its update).
 */
export interface StepOutcome {
  columns: ReturnType<typeof currentStepColumns>;
  /** The step the action ended and the one it started (a handover). */
  fromStepCode: string | null;
  toStepCode: string | null;
  writes: Write[];
}

/**
 * Applies an action's change to a dossier's steps at `at` (the action's instant, which a handover records as
 * entered), on the clock of `process` (the steps of the process version the dossier follows, read with its lock;
 * null when it follows none): starts the clock, or applies one event to the stored rows (`before`, also read with
 * the lock), and answers the statements writing the rows it moved. A handover naming a step the dossier's process
 * does not have is refused (STEP_NOT_IN_PROCESS). A dossier received before its steps were kept has none, and gets
 * none: null.
 */
export function changeSteps(
  tx: Tx,
  d: DossierRow,
  process: ProcessStep[] | null,
  before: readonly StepRow[],
  change: StepChange,
  at: Date,
  calendar: Calendar,
  granularity: Granularity,
): StepOutcome | null {
  const clock = dossierClock(d, process, calendar, granularity);
  if (change.kind === 'start') {
    const state = startSteps(clock, change.start);
    const open = openStep(state);
    return {
      columns: currentStepColumns(open),
      fromStepCode: null,
      toStepCode: open!.stepCode,
      writes: stepWrites(tx, d.id, [], state, at),
    };
  }
  const { event } = change;
  if (event.kind === 'handover' && event.toStepCode != null && !hasStep(clock, event.toStepCode)) {
    throw new DomainError('STEP_NOT_IN_PROCESS', {
      code: d.code,
      stepCode: event.toStepCode,
      procedureCode: d.procedureCode,
    });
  }
  const state = stateOf(clock, before);
  if (!state) return null;
  const after = applyStepEvent(state, event);
  const open = openStep(after);
  return {
    columns: currentStepColumns(open),
    fromStepCode: openStep(state)?.stepCode ?? null,
    toStepCode: event.kind === 'handover' ? open!.stepCode : null,
    writes: stepWrites(tx, d.id, before, after, at),
  };
}

/**
 * After a calendar change: the open step's due (and its past pauses' working time) counted again on `calendar`
 * (recomputeOpenStep). Writes the step row when it moved; the open step as it is now, and whether it moved.
 */
export async function recomputeSteps(
  tx: Tx,
  d: DossierRow,
  calendar: Calendar,
  granularity: Granularity,
): Promise<{ open: StepRow | null; moved: boolean }> {
  const before = await storedSteps(tx, d.id);
  const state = stateOf(await clockOfDossier(tx, d, calendar, granularity), before);
  if (!state) return { open: null, moved: false };
  const after = recomputeOpenStep(state, calendar);
  const [was, now] = [openStep(state), openStep(after)];
  const moved =
    was !== null &&
    now !== null &&
    (was.dueAt.getTime() !== now.dueAt.getTime() || was.pausedMinutes !== now.pausedMinutes);
  if (moved) await saveSteps(tx, d.id, before, after, now.startAt);
  return { open: now, moved };
}
