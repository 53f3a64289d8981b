// Satisfaction ratings (đánh giá mức độ hài lòng): once per dossier, after the return; by the citizen with the
// lookup credentials or recorded by a clerk from a paper form.
import { eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx } from '../db/client.js';
import { dossierRatings, officers, units } from '../db/schema/index.js';
import { inScope, type Principal } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import { formatInstant } from '../domain/local-time.js';
import { actingOfficerCode, checkActingOfficer } from '../domain/officers.js';
import { writeOutbox } from '../dossiers/commands.js';
import { getDossierInScope, type DossierView } from '../dossiers/lookups.js';
import { unitRequiresOfficer } from '../officers/queries.js';
import { openDossier } from './queries.js';

export type RatingLevel = (typeof dossierRatings.$inferSelect)['level'];

export interface RatingInput {
  level: RatingLevel;
  comment?: string | undefined;
}

type Recorder = { source: 'citizen' } | { source: 'paper'; keyId: string; officerCode: string | null };

/**
 * Records the rating of a returned dossier, with its units, procedure and channel for the statistics, and announces
 * it (`dossier.rated`, without the comment). Before the return: DOSSIER_NOT_RETURNED; a second rating, whoever
 * gives it: DOSSIER_ALREADY_RATED (the unique index decides between two at once).
 */
async function recordRating(db: Db, view: DossierView, input: RatingInput, recorder: Recorder, now: Date) {
  const d = view.d;
  if (d.status !== 'returned')
    throw new DomainError('DOSSIER_NOT_RETURNED', { code: d.code, state: d.status });
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(dossierRatings)
      .values({
        dossierId: d.id,
        level: input.level,
        comment: input.comment ?? null,
        source: recorder.source,
        unitCode: d.unitCode,
        resolvingUnitCode: d.resolvingUnitCode,
        procedureCode: d.procedureCode,
        channel: d.channel,
        ratedAt: now,
        actorKeyId: recorder.source === 'paper' ? recorder.keyId : null,
        officerCode: recorder.source === 'paper' ? recorder.officerCode : null,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new DomainError('DOSSIER_ALREADY_RATED', { code: d.code });
    await writeOutbox(tx, 'dossier.rated', view, now, {
      rating: { level: row.level, source: row.source, ratedAt: formatInstant(row.ratedAt) },
    });
    return {
      dossierCode: d.code,
      level: row.level,
      comment: row.comment,
      source: row.source,
      ratedAt: formatInstant(row.ratedAt),
      officerCode: row.officerCode,
    };
  });
}

/** POST /v1/public/dossiers/{code}/rating: the citizen's own rating, opened like the lookup (code and check). */
export async function rateAsCitizen(db: Db, code: string, check: string, input: RatingInput, now: Date) {
  const view = await openDossier(db, code, check);
  return recordRating(db, view, input, { source: 'citizen' }, now);
}

const handlingUnit = alias(units, 'handling_unit');
const officerUnit = alias(units, 'officer_unit');

/** Whether the dossier's handling unit requires an acting officer, and the officer named (null: none or unknown). */
async function officerStanding(db: DbOrTx, handlingUnitCode: string, officerCode: string | null) {
  const [found] = await db
    .select({
      required: unitRequiresOfficer(handlingUnit.path),
      officer: { active: officers.active, unitPath: officerUnit.path },
    })
    .from(handlingUnit)
    .leftJoin(officers, eq(officers.code, sql`${officerCode}::text`))
    .leftJoin(officerUnit, eq(officerUnit.code, officers.unitCode))
    .where(eq(handlingUnit.code, handlingUnitCode));
  return found!;
}

/**
 * POST /v1/dossiers/{code}/rating: a clerk records the rating a citizen gave on a paper form, acting as the dossiers'
 * actions do (a personal key's officer or the one named, required where the unit requires it).
 */
export async function recordPaperRating(
  db: Db,
  principal: Principal,
  code: string,
  input: RatingInput & { officerCode?: string | undefined },
  now: Date,
) {
  const acting = actingOfficerCode(principal.officerCode ?? null, input.officerCode);
  const view = await getDossierInScope(db, principal, code);
  const { required, officer } = await officerStanding(db, view.d.handlingUnitCode, acting);
  checkActingOfficer({
    personal: (principal.officerCode ?? null) !== null,
    code: acting,
    officer: officer?.unitPath
      ? { active: officer.active === true, inPlace: inScope(principal, officer.unitPath) }
      : null,
    required,
    unitCode: view.d.handlingUnitCode,
  });
  return recordRating(db, view, input, { source: 'paper', keyId: principal.keyId, officerCode: acting }, now);
}
