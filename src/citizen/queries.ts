// The citizen's reads: a dossier opened by its code and a check value (the lookup secret or the last 4 digits of
// the applicant's phone or identifier), and the view the citizen gets of it.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { dossiers } from '../db/schema/index.js';
import { maskName } from '../domain/applicant.js';
import { DomainError } from '../domain/errors.js';
import type { DossierStatus } from '../domain/lifecycle.js';
import {
  checkOpens,
  LOOKUP_SECRET_ALPHABET,
  LOOKUP_SECRET_LENGTH,
  readLookupCheck,
  type LookupCredentials,
} from '../domain/lookup.js';
import { selectDossiers, type DossierView } from '../dossiers/lookups.js';
import { toDossierResponse, type LiveSettings } from '../dossiers/representation.js';
import { stateNames } from '../http/messages.js';

/** What an unknown code is checked against, so that it costs what a known one does (never opens: no row). */
const standIn: LookupCredentials = {
  secret: Array.from(
    randomBytes(LOOKUP_SECRET_LENGTH),
    (b) => LOOKUP_SECRET_ALPHABET[b % LOOKUP_SECRET_ALPHABET.length],
  ).join(''),
  phone: '0900000000',
  idNumber: '000000000000',
};

/**
 * The dossier a code and a check open, or DOSSIER_NOT_FOUND, the same for an unknown code and a wrong check: one
 * read by code and the same comparisons either way (checkOpens), then one answer.
 */
export async function openDossier(db: DbOrTx, code: string, check: string): Promise<DossierView> {
  const [view] = await selectDossiers(db).where(eq(dossiers.code, code)).limit(1);
  const credentials: LookupCredentials = view
    ? { secret: view.d.lookupSecret, phone: view.d.applicantPhone, idNumber: view.d.applicantIdNumber }
    : standIn;
  const opens = checkOpens(readLookupCheck(check), credentials);
  if (!view || !opens) throw new DomainError('DOSSIER_NOT_FOUND', { code });
  return view;
}

/**
 * The citizen's view (DOMAIN: the citizen's side): status, procedure, receiving unit, received, appointment,
 * timeliness, whether the result is ready, the applicant's name masked; taken field by field from the dossier's
 * representation so that the live timeliness is the one clerks see.
 */
export function toCitizenView(view: DossierView, live: LiveSettings) {
  const d = toDossierResponse(view, live);
  const status: DossierStatus = d.status;
  return {
    code: d.code,
    status,
    statusLabel: stateNames[status].vi,
    procedure: d.procedure,
    unit: d.unit,
    receivedAt: d.receivedAt,
    appointment: d.dueAt
      ? {
          at: d.rescheduledDueAt ?? d.dueAt,
          rescheduled: d.rescheduledDueAt !== null,
          originalAt: d.dueAt,
        }
      : null,
    timeliness: d.timeliness,
    outcome: d.outcome,
    resultReady: status === 'resolved' || status === 'returned',
    applicantName: maskName(view.d.applicantName),
  };
}
