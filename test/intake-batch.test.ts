import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dossierDeadlines, dossierEvents, dossiers, outbox } from '../src/db/schema/index.js';
import { IntakeBatcher, writeIntakes, type IntakeWrite } from '../src/dossiers/intake-batch.js';
import { createProcedure, createTestContext, createUnit, type TestContext } from './helpers/context.js';

let ctx: TestContext;
let unit: string;
let procedure: string;
beforeAll(async () => {
  ctx = await createTestContext();
  unit = (await createUnit(ctx)).code;
  procedure = (await createProcedure(ctx)).code;
});
afterAll(() => ctx.close());

const ACTOR = '00000000-0000-0000-0000-000000000000';
let serial = 0;

/** A checked intake of the test unit on 2025-06-02, received (with a due) unless online. */
function item(overrides: Partial<IntakeWrite> = {}): IntakeWrite {
  serial++;
  const at = new Date('2025-06-02T08:00:00+07:00');
  const online = overrides.channel === 'online';
  return {
    unitCode: unit,
    resolvingUnitCode: overrides.unitCode ?? unit,
    procedureCode: procedure,
    scopePath: null,
    codePrefix: `${overrides.unitCode ?? unit}-250602-`,
    codeDay: '2025-06-02',
    channel: 'direct',
    status: online ? 'submitted' : 'received',
    applicantType: 'citizen',
    applicantName: `Nguyễn Văn ${serial}`,
    applicantNameSearch: `nguyen van ${serial}`,
    applicantIdNumber: null,
    applicantPhone: null,
    applicantEmail: null,
    applicantAddress: null,
    contactConsent: false,
    contactEmail: null,
    contactPhone: null,
    summary: null,
    components: [],
    durationValue: 2,
    durationUnit: 'working_days',
    receiptCutoff: null,
    supplementPolicy: 'restart',
    processVersion: null,
    submittedAt: online ? at : null,
    receivedAt: online ? null : at,
    startAt: online ? null : at,
    dueAt: online ? null : new Date('2025-06-04T08:00:00+07:00'),
    eventAt: at,
    actorKeyId: ACTOR,
    eventData: { channel: overrides.channel ?? 'direct' },
    outboxType: online ? 'dossier.submitted' : 'dossier.received',
    payload: { dossier: { code: '', status: 'received' } },
    ...overrides,
  };
}

const numberOf = (code: string) => Number(code.slice(-4));

describe('intakes written together', () => {
  it('one statement numbers a unit-day in the order given, each with its event, deadline and outbox row', async () => {
    const other = (await createUnit(ctx)).code;
    const written = await writeIntakes(ctx.database.db, [
      item(),
      item({ unitCode: other, codePrefix: `${other}-250602-` }),
      item({ channel: 'online' }),
      item(),
    ]);
    expect(written.map((w) => w && w.code)).toEqual([
      `${unit}-250602-0001`,
      `${other}-250602-0001`,
      `${unit}-250602-0002`,
      `${unit}-250602-0003`,
    ]);
    const ids = written.map((w) => w!.id);
    const events = await ctx.database.db
      .select()
      .from(dossierEvents)
      .where(inArray(dossierEvents.dossierId, ids));
    expect(events.map((e) => e.toStatus).sort()).toEqual(['received', 'received', 'received', 'submitted']);
    const deadlines = await ctx.database.db
      .select()
      .from(dossierDeadlines)
      .where(inArray(dossierDeadlines.dossierId, ids));
    expect(deadlines).toHaveLength(3); // not the online submission
    const announced = await ctx.database.db
      .select()
      .from(outbox)
      .where(inArray(outbox.dossierId, ids))
      .orderBy(outbox.id);
    expect(announced.map((o) => (o.payload as { dossier: { code: string } }).dossier.code)).toEqual(
      written.map((w) => w!.code),
    );
  });

  it('refuses only the intakes whose procedure is inactive or unit out of scope, without using a number', async () => {
    const inactive = (await createProcedure(ctx, { active: false })).code;
    const local = (await createUnit(ctx)).code;
    const prefix = `${local}-250602-`;
    const written = await writeIntakes(ctx.database.db, [
      item({ unitCode: local, codePrefix: prefix }),
      item({ unitCode: local, codePrefix: prefix, procedureCode: inactive }),
      item({ unitCode: local, codePrefix: prefix, scopePath: '/NOWHERE/' }),
      item({ unitCode: local, codePrefix: prefix }),
    ]);
    expect(written.map((w) => w && numberOf(w.code))).toEqual([1, null, null, 2]);
  });
});

describe('IntakeBatcher', () => {
  it('intakes arriving while a statement runs go together in the next, gapless under 60 at once', async () => {
    const local = (await createUnit(ctx)).code;
    const batcher = new IntakeBatcher(ctx.database.db);
    const written = await Promise.all(
      Array.from({ length: 60 }, () =>
        batcher.write(item({ unitCode: local, codePrefix: `${local}-250602-` })),
      ),
    );
    // Submitted in one go: the first alone, the rest in order behind it.
    expect(written.map((w) => numberOf(w!.code))).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const rows = await ctx.database.db
      .select({ id: dossiers.id })
      .from(dossiers)
      .where(eq(dossiers.unitCode, local));
    expect(rows).toHaveLength(60);
  });

  it('a statement that fails is retried intake by intake: only the bad one fails, the numbers stay gapless', async () => {
    const local = (await createUnit(ctx)).code;
    const batcher = new IntakeBatcher(ctx.database.db);
    const at = (n: number) =>
      item({ unitCode: local, codePrefix: `${local}-250602-`, applicantName: `Người ${n}` });
    const first = batcher.write(at(1)); // runs alone; the next three wait and go together
    const rest = [
      batcher.write(at(2)),
      batcher.write({ ...at(3), actorKeyId: 'not a key id' }),
      batcher.write(at(4)),
    ];
    const outcomes = await Promise.allSettled([first, ...rest]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const codes = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [numberOf(o.value!.code)] : []));
    expect(codes.sort()).toEqual([1, 2, 3]);
  });
});
