import { sql } from 'drizzle-orm';
import { prepared, type DbOrTx } from '../db/client.js';
import {
  dossierCodeCounters,
  dossierDeadlines,
  dossierEvents,
  dossiers,
  outbox,
  procedures,
  rfc3339Of,
  units,
} from '../db/schema/index.js';

/** One checked intake, ready to be numbered and written. */
export interface IntakeWrite {
  unitCode: string;
  procedureCode: string;
  /** The caller's scope (the unit must still lie inside it), null = everywhere. */
  scopePath: string | null;
  codePrefix: string;
  codeDay: string;
  channel: string;
  status: string;
  applicantType: string;
  applicantName: string;
  applicantNameSearch: string;
  applicantIdNumber: string | null;
  applicantPhone: string | null;
  applicantEmail: string | null;
  applicantAddress: string | null;
  summary: string | null;
  components: unknown;
  durationValue: number;
  durationUnit: string;
  receiptCutoff: string | null;
  supplementPolicy: string;
  submittedAt: Date | null;
  receivedAt: Date | null;
  startAt: Date | null;
  dueAt: Date | null;
  eventAt: Date;
  actorKeyId: string;
  eventData: unknown;
  outboxType: string;
  /** The outbox payload; its dossier's code, createdAt and updatedAt are filled in by the statement. */
  payload: { dossier: object };
}

/** What the statement wrote for an intake; null when it refused it (see intakeStatement). */
export type Written = { id: number; code: string; createdAt: Date } | null;

const p = (name: string) => sql.placeholder(name);

/**
 * Numbers and records intakes in ONE statement, each with its dossier, intake event, first deadline row and
 * outbox row; the values arrive as one array per column. A single statement is atomic on its own, so a failure
 * anywhere gives every number back (gapless codes) with no explicit transaction; inside the caller's
 * transaction it simply joins it. An intake is numbered and written only if its procedure is active and its
 * unit active and inside the caller's scope (`allowed`): the terms may come from the intake-targets cache, the
 * verdict never does. Each (unit, day) counter moves once by the number of its intakes, counters locked in
 * (unit, day) order so that concurrent statements cannot deadlock; the intakes of a day take the numbers in
 * the order they were given. The dossier's code and creation instant (the database's clock) are written into
 * the outbox payload here. Prepared by name (see prepared): parsed and planned once per connection.
 */
const intakeStatement = sql`
  with input as (
    select * from unnest(${p('unitCode')}::text[], ${p('procedureCode')}::text[], ${p('scopePath')}::text[],
      ${p('codePrefix')}::text[], ${p('codeDay')}::date[], ${p('channel')}::text[], ${p('status')}::text[],
      ${p('applicantType')}::text[], ${p('applicantName')}::text[], ${p('applicantNameSearch')}::text[],
      ${p('applicantIdNumber')}::text[], ${p('applicantPhone')}::text[], ${p('applicantEmail')}::text[],
      ${p('applicantAddress')}::text[], ${p('summary')}::text[], ${p('components')}::jsonb[],
      ${p('durationValue')}::numeric[], ${p('durationUnit')}::text[], ${p('receiptCutoff')}::text[],
      ${p('supplementPolicy')}::text[], ${p('submittedAt')}::timestamptz[], ${p('receivedAt')}::timestamptz[],
      ${p('startAt')}::timestamptz[], ${p('dueAt')}::timestamptz[], ${p('eventAt')}::timestamptz[],
      ${p('actorKeyId')}::uuid[], ${p('eventData')}::jsonb[], ${p('outboxType')}::text[], ${p('payload')}::jsonb[])
      with ordinality as i(unit_code, procedure_code, scope_path, code_prefix, code_day, channel, status,
        applicant_type, applicant_name, applicant_name_search, applicant_id_number, applicant_phone,
        applicant_email, applicant_address, summary, components, duration_value, duration_unit, receipt_cutoff,
        supplement_policy, submitted_at, received_at, start_at, due_at, event_at, actor_key_id, event_data,
        outbox_type, payload, n)
  ), allowed as (
    select i.* from input i
    join ${procedures} pr on pr.code = i.procedure_code and pr.active
    join ${units} un on un.code = i.unit_code and un.active
      and (i.scope_path is null or starts_with(un.path, i.scope_path))
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
    insert into ${dossiers} (code, unit_code, handling_unit_code, procedure_code, channel, status, applicant_type,
      applicant_name, applicant_name_search, applicant_id_number, applicant_phone, applicant_email,
      applicant_address, summary, components, duration_value, duration_unit, receipt_cutoff, supplement_policy,
      submitted_at, received_at, start_at, due_at, created_at, updated_at)
    select code, unit_code, unit_code, procedure_code, channel, status, applicant_type, applicant_name,
      applicant_name_search, applicant_id_number, applicant_phone, applicant_email, applicant_address, summary,
      components, duration_value, duration_unit, receipt_cutoff, supplement_policy, submitted_at, received_at,
      start_at, due_at, now(), now()
    from numbered order by n
    returning id, code, created_at
  ), written as (
    select n.*, d.id, d.created_at, ${rfc3339Of(sql.raw('d.created_at'))} as created_text
    from numbered n join dossier d on d.code = n.code
  ), event as (
    insert into ${dossierEvents} (dossier_id, type, from_status, to_status, at, actor_key_id, data)
    select id, 'intake', null, status, event_at, actor_key_id, event_data from written order by n
  ), deadline as (
    insert into ${dossierDeadlines} (dossier_id, kind, start_at, due_at, effective_at, reason)
    select id, 'statutory', start_at, due_at, event_at, 'intake' from written where due_at is not null order by n
  ), announced as (
    insert into ${outbox} (type, dossier_id, unit_code, payload, occurred_at)
    select outbox_type, id, unit_code,
      jsonb_set(jsonb_set(jsonb_set(payload, '{dossier,code}', to_jsonb(code)),
        '{dossier,createdAt}', to_jsonb(created_text)), '{dossier,updatedAt}', to_jsonb(created_text)),
      event_at
    from written order by n
  )
  select n, id, code, floor(extract(epoch from created_at))::bigint as created from written`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Writes the intakes in one statement; for each, in order, what was written or null (refused). */
export async function writeIntakes(db: DbOrTx, items: IntakeWrite[]): Promise<Written[]> {
  const column = <T>(value: (item: IntakeWrite) => T) => items.map(value);
  const result = await prepared(db, 'dossier_intakes', intakeStatement).execute({
    unitCode: column((i) => i.unitCode),
    procedureCode: column((i) => i.procedureCode),
    scopePath: column((i) => i.scopePath),
    codePrefix: column((i) => i.codePrefix),
    codeDay: column((i) => i.codeDay),
    channel: column((i) => i.channel),
    status: column((i) => i.status),
    applicantType: column((i) => i.applicantType),
    applicantName: column((i) => i.applicantName),
    applicantNameSearch: column((i) => i.applicantNameSearch),
    applicantIdNumber: column((i) => i.applicantIdNumber),
    applicantPhone: column((i) => i.applicantPhone),
    applicantEmail: column((i) => i.applicantEmail),
    applicantAddress: column((i) => i.applicantAddress),
    summary: column((i) => i.summary),
    components: column((i) => JSON.stringify(i.components)),
    durationValue: column((i) => i.durationValue),
    durationUnit: column((i) => i.durationUnit),
    receiptCutoff: column((i) => i.receiptCutoff),
    supplementPolicy: column((i) => i.supplementPolicy),
    submittedAt: column((i) => iso(i.submittedAt)),
    receivedAt: column((i) => iso(i.receivedAt)),
    startAt: column((i) => iso(i.startAt)),
    dueAt: column((i) => iso(i.dueAt)),
    eventAt: column((i) => iso(i.eventAt)),
    actorKeyId: column((i) => i.actorKeyId),
    eventData: column((i) => JSON.stringify(i.eventData)),
    outboxType: column((i) => i.outboxType),
    payload: column((i) => JSON.stringify(i.payload)),
  });
  // node-postgres and PGlite both answer with { rows }; a bigint arrives as a string.
  type Row = { n: string | number; id: string | number; code: string; created: string | number };
  const out: Written[] = items.map(() => null);
  for (const row of (result as unknown as { rows: Row[] }).rows) {
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
 * only its caller. One statement in flight per process measured best at 8 clients on 2 cores (1,518–1,605
 * intakes/s; two: 1,411–1,507; four: 1,306–1,316, bench/RESULTS.md); each API process has its own.
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
