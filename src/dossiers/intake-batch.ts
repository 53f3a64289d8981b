import { eq, getTableColumns, sql } from 'drizzle-orm';
import { alias, type PgColumn } from 'drizzle-orm/pg-core';
import { prepared, type DbOrTx } from '../db/client.js';
import {
  dossierCodeCounters,
  dossierDeadlines,
  dossierEvents,
  dossierSteps,
  dossiers,
  officers,
  outbox,
  procedures,
  rfc3339Of,
  units,
} from '../db/schema/index.js';
import { rowsOf } from '../db/sql.js';
import { unitRequiresOfficer } from '../officers/queries.js';
import { currentProcessSteps, currentProcessVersion } from '../processes/queries.js';
import type { IntakeTargetsCache, OfficerTarget, ProcedureTarget, UnitTarget } from './intake-targets.js';

/**
 * The dossier's columns an intake gives. The statement sets the code, the handling unit (the receiving unit),
 * the holder (the acting officer) and the creation instants; every other column starts at its default (version
 * 1, the rest null).
 */
const givenColumns = [
  'unitCode',
  'resolvingUnitCode',
  'procedureCode',
  'channel',
  'status',
  'applicantType',
  'applicantName',
  'applicantNameSearch',
  'applicantIdNumber',
  'applicantPhone',
  'applicantEmail',
  'applicantAddress',
  'contactConsent',
  'contactEmail',
  'contactPhone',
  'summary',
  'components',
  'durationValue',
  'durationUnit',
  'receiptCutoff',
  'supplementPolicy',
  'processVersion',
  'submittedAt',
  'receivedAt',
  'startAt',
  'dueAt',
] as const satisfies ReadonlyArray<keyof typeof dossiers.$inferInsert>;

type DossierInsert = typeof dossiers.$inferInsert;

/** One checked intake, ready to be numbered and written: the dossier's given columns and what goes beside. */
export type IntakeWrite = {
  [K in (typeof givenColumns)[number]]-?: Exclude<DossierInsert[K], undefined>;
} & {
  /** The caller's scope (the receiving unit must still lie inside it), null = everywhere. */
  scopePath: string | null;
  /** The acting officer, who also holds the dossier first; absent or null = none (refused where required). */
  officerCode?: string | null;
  /** Where the acting officer must work (a unit-wide key's scope); absent or null = anywhere. */
  officerScopePath?: string | null;
  /**
   * Step 1 of the step clock, starting at `startAt` and held by the receiving unit and the acting officer; absent
   * or null: none yet (an online submission starts its clock when accepted).
   */
  stepCode?: string | null;
  stepName?: string | null;
  stepMinutes?: number | null;
  stepDueAt?: Date | null;
  codePrefix: string;
  codeDay: string;
  eventAt: Date;
  actorKeyId: string;
  eventData: unknown;
  outboxType: string;
  /** The outbox payload; its dossier's code, createdAt and updatedAt are filled in by the statement. */
  payload: { dossier: object };
};

const dossierColumns = getTableColumns(dossiers);

/** Every value of an IntakeWrite, with the column whose type it takes in the statement. */
const inputColumns: Array<[keyof IntakeWrite, PgColumn]> = [
  ...givenColumns.map((key): [keyof IntakeWrite, PgColumn] => [key, dossierColumns[key]]),
  ['scopePath', units.path],
  ['officerCode', officers.code],
  ['officerScopePath', units.path],
  ['stepCode', dossierSteps.stepCode],
  ['stepName', dossierSteps.stepName],
  ['stepMinutes', dossierSteps.allotmentMinutes],
  ['stepDueAt', dossierSteps.dueAt],
  ['codePrefix', dossiers.code],
  ['codeDay', dossierCodeCounters.day],
  ['eventAt', dossierEvents.at],
  ['actorKeyId', dossierEvents.actorKeyId],
  ['eventData', dossierEvents.data],
  ['outboxType', outbox.type],
  ['payload', outbox.payload],
];

/** The name a value goes by inside the statement: the key in snake case (a dossier column's own name). */
const nameOf = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const list = (names: string[]) => sql.raw(names.join(', '));

/** Each value as one array parameter of its column's type, e.g. `$3::timestamp with time zone[]`. */
const inputArrays = sql.join(
  inputColumns.map(([key, column]) => sql`${sql.placeholder(key)}::${sql.raw(column.getSQLType())}[]`),
  sql`, `,
);
const inputNames = list([...inputColumns.map(([key]) => nameOf(key)), 'n']);
const insertedNames = list([
  'code',
  dossierColumns.handlingUnitCode.name,
  dossierColumns.holderOfficerCode.name,
  dossierColumns.currentStepSeq.name,
  dossierColumns.currentStepCode.name,
  dossierColumns.currentStepName.name,
  dossierColumns.currentStepDueAt.name,
  ...givenColumns.map((key) => dossierColumns[key].name),
  dossierColumns.createdAt.name,
  dossierColumns.updatedAt.name,
]);
const insertedValues = list([
  'code',
  nameOf('unitCode'),
  nameOf('officerCode'),
  `case when ${nameOf('stepCode')} is null then null else 1 end`,
  nameOf('stepCode'),
  nameOf('stepName'),
  nameOf('stepDueAt'),
  ...givenColumns.map(nameOf),
  'now()',
  'now()',
]);

/** What the statement wrote for an intake; null when it refused it (see intakeStatement). */
export type Written = { id: number; code: string; createdAt: Date } | null;

/**
 * Numbers and records intakes in ONE statement, each with its dossier, intake event, first deadline row, step 1
 * of its step clock (once its clock runs) and outbox row; the values arrive as one array per column
 * (inputColumns). A single statement is atomic on its own, so a failure anywhere gives every number back
 * (gapless codes) with no explicit transaction; inside the caller's transaction it simply joins it. An intake
 * is numbered and written only if its procedure is active, its receiving unit active and inside the caller's
 * scope, its resolving unit active, wherever it lies, and its acting officer active and working inside the
 * officer scope, or, with no officer, if neither its unit nor one above requires one (`allowed`): the terms may
 * come from the intake-targets cache, the verdict never does. Each (unit, day) counter moves once by the number
 * of its intakes, counters locked in (unit, day) order so that concurrent statements cannot deadlock; the
 * intakes of a day take the numbers in the order they were given. The dossier's code and creation instant (the
 * database's clock) are written into the outbox payload here. Prepared by name (see prepared): parsed and
 * planned once per connection.
 */
const intakeStatement = sql`
  with input as (
    select * from unnest(${inputArrays}) with ordinality as i(${inputNames})
  ), allowed as (
    select i.* from input i
    join ${procedures} pr on pr.code = i.procedure_code and pr.active
    join ${units} un on un.code = i.unit_code and un.active
      and (i.scope_path is null or starts_with(un.path, i.scope_path))
    join ${units} ru on ru.code = i.resolving_unit_code and ru.active
    left join ${officers} o on o.code = i.officer_code
    left join ${units} ou on ou.code = o.unit_code
    where case when i.officer_code is null then not ${unitRequiresOfficer(sql.raw('un.path'))}
      else o.active and (i.officer_scope_path is null or starts_with(ou.path, i.officer_scope_path)) end
  ), wanted as (
    select unit_code, code_day, count(*)::int as k from allowed group by unit_code, code_day
  ), counter as (
    insert into ${dossierCodeCounters} (unit_code, day, last)
    select unit_code, code_day, k from wanted order by unit_code, code_day
    on conflict (unit_code, day) do update set last = ${dossierCodeCounters}.last + excluded.last
    returning unit_code, day, last
  ), numbered as (
    select a.*, a.code_prefix || case when seq < 10000 then lpad(seq::text, 4, '0') else seq::text end as code
    from (
      select a.*, c.last - w.k + row_number() over (partition by a.unit_code, a.code_day order by a.n) as seq
      from allowed a
      join wanted w on w.unit_code = a.unit_code and w.code_day = a.code_day
      join counter c on c.unit_code = a.unit_code and c.day = a.code_day
    ) a
  ), dossier as (
    insert into ${dossiers} (${insertedNames})
    select ${insertedValues} from numbered order by n
    returning id, code, created_at
  ), written as (
    select n.*, d.id, d.created_at, ${rfc3339Of(sql.raw('d.created_at'))} as created_text
    from numbered n join dossier d on d.code = n.code
  ), event as (
    insert into ${dossierEvents} (dossier_id, type, from_status, to_status, at, actor_key_id, officer_code, data)
    select id, 'intake', null, status, event_at, actor_key_id, officer_code, event_data from written order by n
  ), deadline as (
    insert into ${dossierDeadlines} (dossier_id, kind, start_at, due_at, effective_at, reason)
    select id, 'statutory', start_at, due_at, event_at, 'intake' from written where due_at is not null order by n
  ), step as (
    insert into ${dossierSteps} (dossier_id, seq, step_code, step_name, allotment_minutes, unit_code,
      to_officer_code, handed_over_at, start_at, due_at)
    select id, 1, step_code, step_name, step_minutes, unit_code, officer_code, event_at, start_at, step_due_at
    from written where step_code is not null order by n
  ), announced as (
    insert into ${outbox} (type, dossier_id, unit_code, payload, occurred_at)
    select outbox_type, id, unit_code,
      jsonb_set(jsonb_set(jsonb_set(payload, '{dossier,code}', to_jsonb(code)),
        '{dossier,createdAt}', to_jsonb(created_text)), '{dossier,updatedAt}', to_jsonb(created_text)),
      event_at
    from written order by n
  )
  select n, id, code, floor(extract(epoch from created_at))::bigint as created from written`;

/** A value as the driver takes it inside an array: instants as ISO text, JSON as its text, absent as null. */
function driverValue(column: PgColumn, value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return column.dataType === 'json' ? JSON.stringify(value) : value;
}

/** Writes the intakes in one statement; for each, in order, what was written or null (refused). */
export async function writeIntakes(db: DbOrTx, items: IntakeWrite[]): Promise<Written[]> {
  const params = Object.fromEntries(
    inputColumns.map(([key, column]) => [key, items.map((item) => driverValue(column, item[key]))]),
  );
  const result = await prepared(db, 'dossier_intakes', intakeStatement).execute(params);
  // A bigint arrives as a string.
  type Row = { n: string | number; id: string | number; code: string; created: string | number };
  const out: Written[] = items.map(() => null);
  for (const row of rowsOf<Row>(result)) {
    out[Number(row.n) - 1] = {
      id: Number(row.id),
      code: row.code,
      createdAt: new Date(Number(row.created) * 1000),
    };
  }
  return out;
}

/**
 * Group commit for intakes outside a transaction: intakes that arrive while `maxInFlight` statements are
 * running wait and go together in the next one (up to `maxBatch`), so under load one statement, one round
 * trip and one commit serve several intakes; alone, an intake goes at once. Nothing waits on a timer. If a
 * statement of several fails, each of its intakes is tried again on its own, so one intake's error reaches
 * only its caller. One statement is in flight per process by default (bench/RESULTS.md has the comparison);
 * each API process has its own.
 */
export class IntakeBatcher {
  private readonly queue: Array<{
    item: IntakeWrite;
    resolve: (w: Written) => void;
    reject: (e: unknown) => void;
  }> = [];
  private inFlight = 0;

  constructor(
    private readonly db: DbOrTx,
    private readonly maxInFlight = 1,
    private readonly maxBatch = 64,
  ) {}

  write(item: IntakeWrite): Promise<Written> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: IntakeBatcher['queue']): Promise<void> {
    try {
      const written = await writeIntakes(
        this.db,
        batch.map((b) => b.item),
      );
      batch.forEach((b, i) => b.resolve(written[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      await Promise.all(
        batch.map((b) => writeIntakes(this.db, [b.item]).then(([w]) => b.resolve(w!), b.reject)),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The seam

/** The codes an intake names its targets by: the procedure, the receiving and resolving units, the officer. */
export interface TargetCodes {
  procedureCode: string;
  unitCode: string;
  resolvingUnitCode: string;
  officerCode: string | null;
}

/** The procedure, the units and the acting officer an intake names, as read (null: no such code, or none named). */
export interface FoundTargets {
  procedure: ProcedureTarget | null;
  unit: UnitTarget | null;
  resolvingUnit: UnitTarget | null;
  officer: OfficerTarget | null;
}

const resolvingUnits = alias(units, 'resolving_unit');
const officerUnit = alias(units, 'officer_unit');

/**
 * The procedure (with its current process version), the receiving and resolving units (with whether each
 * requires an officer) and the officer of an intake, prepared by name.
 */
function intakeTargetsQuery(db: DbOrTx) {
  return db
    .select({
      procedure: procedures,
      processVersion: currentProcessVersion,
      processSteps: currentProcessSteps,
      unit: units,
      officerRequired: unitRequiresOfficer(units.path),
      resolvingUnit: resolvingUnits,
      resolvingOfficerRequired: unitRequiresOfficer(resolvingUnits.path),
      officer: officers,
      officerPath: officerUnit.path,
    })
    .from(sql`(select 1) as one`)
    .leftJoin(procedures, eq(procedures.code, sql.placeholder('procedureCode')))
    .leftJoin(units, eq(units.code, sql.placeholder('unitCode')))
    .leftJoin(resolvingUnits, eq(resolvingUnits.code, sql.placeholder('resolvingUnitCode')))
    .leftJoin(officers, eq(officers.code, sql.placeholder('officerCode')))
    .leftJoin(officerUnit, eq(officerUnit.code, officers.unitCode))
    .prepare('intake_targets');
}
const intakeTargetsQueries = new WeakMap<DbOrTx, ReturnType<typeof intakeTargetsQuery>>();

/**
 * How intakes reach the database, and the two speed tricks behind it: the procedure, units and officer an intake
 * names are reused briefly (IntakeTargetsCache), and intakes made outside a transaction are written together with
 * the others arriving meanwhile (IntakeBatcher, on `db`). Without a cache every intake reads its targets;
 * without `db` each intake is written on its own. The intake rule (commands.ts) is the same either way.
 */
export class IntakeStore {
  private readonly batcher: IntakeBatcher | undefined;

  constructor(
    private readonly options: { db?: DbOrTx | undefined; cache?: IntakeTargetsCache | undefined } = {},
  ) {
    this.batcher = options.db ? new IntakeBatcher(options.db) : undefined;
  }

  /** The targets as lately read, while they are fresh (checked again by the statement that writes). */
  cached(codes: TargetCodes): FoundTargets | undefined {
    const cache = this.options.cache;
    const found = cache?.get(codes.procedureCode, codes.unitCode, codes.resolvingUnitCode);
    if (!found) return undefined;
    if (codes.officerCode === null) return { ...found, officer: null };
    const officer = cache!.officer(codes.officerCode);
    return officer && { ...found, officer };
  }

  /** The targets read afresh, in `db` (the caller's transaction, if any). */
  async read(db: DbOrTx, codes: TargetCodes): Promise<FoundTargets> {
    let query = intakeTargetsQueries.get(db);
    if (!query) intakeTargetsQueries.set(db, (query = intakeTargetsQuery(db)));
    const { procedureCode, unitCode, resolvingUnitCode, officerCode } = codes;
    const [found] = await query.execute({ procedureCode, unitCode, resolvingUnitCode, officerCode });
    const unit = found?.unit ? { ...found.unit, officerRequired: found.officerRequired } : null;
    const resolvingUnit = found?.resolvingUnit
      ? { ...found.resolvingUnit, officerRequired: found.resolvingOfficerRequired }
      : null;
    const officer = found?.officer ? { ...found.officer, unitPath: found.officerPath! } : null;
    const procedure = found?.procedure
      ? { ...found.procedure, processVersion: found.processVersion, processSteps: found.processSteps }
      : null;
    return { procedure, unit, resolvingUnit, officer };
  }

  /** Keeps targets that passed the intake's checks for the next intakes. */
  remember(targets: {
    procedure: ProcedureTarget;
    unit: UnitTarget;
    resolvingUnit: UnitTarget;
    officer: OfficerTarget | null;
  }): void {
    this.options.cache?.set(targets.procedure, targets.unit, targets.resolvingUnit);
    if (targets.officer) this.options.cache?.setOfficer(targets.officer);
  }

  /** Forgets targets the database refused. */
  forget(codes: TargetCodes): void {
    this.options.cache?.forget(codes.procedureCode, codes.unitCode, codes.resolvingUnitCode);
    if (codes.officerCode !== null) this.options.cache?.forgetOfficer(codes.officerCode);
  }

  /** Writes one intake: with the others arriving meanwhile outside a transaction, alone inside one. */
  async write(db: DbOrTx, item: IntakeWrite): Promise<Written> {
    if (this.batcher && db === this.options.db) return this.batcher.write(item);
    const [written] = await writeIntakes(db, [item]);
    return written ?? null;
  }
}
