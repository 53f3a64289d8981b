// How a dossier is shown: the row (with its units' and procedure's names) → the response bodies of the dossier
// reads, the applicant masked (maskApplicant) for keys that read masked.
import type { dossierEvents } from '../db/schema/index.js';
import { maskApplicant, maskEventData, maskFreeText, type ApplicantView } from '../domain/applicant.js';
import { maskContact, type ContactView } from '../domain/contact.js';
import { isPaused, nationalStatusOf, type DossierStatus } from '../domain/lifecycle.js';
import { formatInstant, formatInstantsIn } from '../domain/local-time.js';
import { lookupUrl } from '../domain/lookup.js';
import { liveTimeliness, remainingWorkingMinutes, type Granularity } from '../domain/timeliness.js';
import type { Calendar } from '../domain/working-time.js';
import type { DossierRow, DossierView, OfficerRef, StepView } from './lookups.js';

/** What the live fields (timeliness, remaining working time) are computed with. */
export interface LiveSettings {
  calendar: Calendar;
  now: Date;
  granularity: Granularity;
  dueSoonMinutes: number;
}

const iso = (d: Date | null) => (d ? formatInstant(d) : null);

/** The applicant of a dossier; masked (maskApplicant) for viewer keys. */
export function applicantOf(d: DossierRow, masked: boolean): ApplicantView {
  const applicant: ApplicantView = {
    type: d.applicantType,
    fullName: d.applicantName,
    idNumber: d.applicantIdNumber,
    phone: d.applicantPhone,
    email: d.applicantEmail,
    address: d.applicantAddress,
  };
  return masked ? maskApplicant(applicant) : applicant;
}

/** Where the applicant is notified; masked (maskContact) for viewer keys. */
export function contactOf(d: DossierRow, masked: boolean): ContactView {
  const contact = { consent: d.contactConsent, email: d.contactEmail, phone: d.contactPhone };
  return masked ? maskContact(contact) : contact;
}

/**
 * A dossier's representation, every field in the schema's order (the hot reads write it with JSON.stringify,
 * see src/http/serializer.ts). With `live`, the timeliness and remaining working time at `live.now`; without,
 * both null.
 */
function representation(view: DossierView, masked: boolean, live: LiveSettings | null) {
  const d = view.d;
  const status = d.status as DossierStatus;
  const running = live !== null && d.dueAt !== null && d.finishedAt === null && status !== 'rejected';
  const paused = isPaused(status);
  return {
    code: d.code,
    status,
    nationalStatus: nationalStatusOf[status],
    procedure: { code: d.procedureCode, name: view.procedureName },
    unit: { code: d.unitCode, name: view.unitName },
    handlingUnit: { code: d.handlingUnitCode, name: view.handlingName },
    resolvingUnit: { code: d.resolvingUnitCode, name: view.resolvingName },
    // Staff, not the applicant: shown to every role.
    holder: view.holder && {
      code: view.holder.code,
      fullName: view.holder.fullName,
      title: view.holder.title,
    },
    currentStep: d.currentStepCode
      ? {
          code: d.currentStepCode,
          name: d.currentStepName!,
          dueAt: formatInstant(d.currentStepDueAt!),
          // The open step's holder is the dossier's.
          officer: view.holder && {
            code: view.holder.code,
            fullName: view.holder.fullName,
            title: view.holder.title,
          },
        }
      : null,
    channel: d.channel,
    applicant: applicantOf(d, masked),
    contact: contactOf(d, masked),
    summary: masked ? maskFreeText(d.summary) : d.summary,
    components: d.components,
    duration: { value: d.durationValue, unit: d.durationUnit },
    submittedAt: iso(d.submittedAt),
    receivedAt: iso(d.receivedAt),
    startAt: iso(d.startAt),
    dueAt: iso(d.dueAt),
    rescheduledDueAt: iso(d.rescheduledDueAt),
    pausedAt: iso(d.pausedAt),
    resolvedAt: iso(d.resolvedAt),
    result: d.result,
    returnedAt: iso(d.returnedAt),
    finishedAt: iso(d.finishedAt),
    timeliness: running
      ? liveTimeliness({
          cal: live.calendar,
          now: live.now,
          dueAt: d.dueAt!,
          paused,
          finished: false,
          dueSoonMinutes: live.dueSoonMinutes,
          granularity: live.granularity,
        })
      : null,
    outcome: d.outcome,
    remainingWorkingMinutes: running
      ? remainingWorkingMinutes(live.calendar, paused && d.pausedAt ? d.pausedAt : live.now, d.dueAt!)
      : null,
    version: d.version,
    createdAt: formatInstant(d.createdAt),
    updatedAt: formatInstant(d.updatedAt),
  };
}

/** The stored part of a dossier's representation (everything but the live fields): outbox payloads. */
export function dossierSnapshot(view: DossierView, masked = false) {
  const { timeliness: _t, remainingWorkingMinutes: _r, ...stored } = representation(view, masked, null);
  return stored;
}

/** The full representation, with the live timeliness and remaining working time at `live.now`. */
export function toDossierResponse(view: DossierView, live: LiveSettings, masked = false) {
  return representation(view, masked, live);
}

/** One entry of the audit trail, with who acted: the key and, where known, the officer (never masked). */
export function toEventResponse(
  e: typeof dossierEvents.$inferSelect,
  officer: OfficerRef | null,
  masked = false,
) {
  return {
    id: e.id,
    type: e.type,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    at: formatInstant(e.at),
    recordedAt: formatInstant(e.recordedAt),
    actorKeyId: e.actorKeyId,
    actor: {
      keyId: e.actorKeyId,
      officer: officer && { code: officer.code, fullName: officer.fullName, title: officer.title },
    },
    data: formatInstantsIn(masked ? maskEventData(e.data) : e.data),
  };
}

/**
 * The receipt and appointment slip (Form 01), with the lookup secret and its address (the QR code's) for keys that
 * read personal data; `publicBaseUrl` is PUBLIC_BASE_URL.
 */
export function toReceiptResponse(view: DossierView, masked: boolean, publicBaseUrl: string) {
  const d = view.d;
  return {
    form: '01' as const,
    dossierCode: d.code,
    unit: { code: d.unitCode, name: view.unitName },
    procedure: { code: d.procedureCode, name: view.procedureName },
    applicant: applicantOf(d, masked),
    components: d.components,
    channel: d.channel,
    receivedAt: iso(d.receivedAt),
    dueAt: iso(d.dueAt),
    rescheduledDueAt: iso(d.rescheduledDueAt),
    fee: view.fee,
    lookupCode: d.code,
    lookup: masked ? null : { secret: d.lookupSecret, url: lookupUrl(publicBaseUrl, d.code, d.lookupSecret) },
  };
}

const officerRef = (o: OfficerRef | null) => o && { code: o.code, fullName: o.fullName, title: o.title };

/** One step run of the step clock (staff, not the applicant: only the free-text note is masked). */
export function toStepResponse(v: StepView, masked: boolean) {
  const s = v.s;
  return {
    seq: s.seq,
    step: { code: s.stepCode, name: s.stepName },
    handedOverAt: formatInstant(s.handedOverAt),
    startAt: formatInstant(s.startAt),
    dueAt: formatInstant(s.dueAt),
    endAt: iso(s.endAt),
    outcome: s.outcome,
    allotmentMinutes: s.allotmentMinutes,
    pausedMinutes: s.pausedMinutes,
    fromUnit: v.fromUnit && { code: v.fromUnit.code, name: v.fromUnit.name },
    fromOfficer: officerRef(v.fromOfficer),
    unit: { code: s.unitCode, name: v.unitName },
    toOfficer: officerRef(v.toOfficer),
    note: masked ? maskFreeText(s.note) : s.note,
  };
}

/** How the control slip words a step's outcome (kết quả giải quyết: trước hạn, đúng hạn, quá hạn). */
export const outcomeWording = { early: 'trước hạn', on_time: 'đúng hạn', overdue: 'quá hạn' } as const;

/**
 * The control slip (phiếu kiểm soát quá trình giải quyết hồ sơ, Form 06 of Circular 03/2025/TT-VPCP): the dossier's
 * header and one row per handover, as the form has them: who gave it (unit, officer) and who received it, when,
 * and the outcome of the step the giver ended; the finish (the result handed back) is the last row, received by
 * no one. The receipt itself is the header's received instant.
 */
export function toControlSlipResponse(view: DossierView, steps: StepView[], masked: boolean) {
  const d = view.d;
  const party = (unit: { code: string; name: string }, officer: OfficerRef | null) => ({
    unit,
    officer: officerRef(officer),
  });
  const holderOf = (v: StepView) => party({ code: v.s.unitCode, name: v.unitName }, v.toOfficer);
  const ended = (v: StepView) => ({
    step: { code: v.s.stepCode, name: v.s.stepName },
    dueAt: formatInstant(v.s.dueAt),
    outcome: v.s.outcome,
    outcomeText: v.s.outcome && outcomeWording[v.s.outcome],
  });
  const handovers = steps.slice(1).map((next, i) => ({
    at: formatInstant(next.s.handedOverAt),
    giving: holderOf(steps[i]!),
    receiving: holderOf(next),
    startedStep: { code: next.s.stepCode, name: next.s.stepName },
    ...ended(steps[i]!),
    note: masked ? maskFreeText(next.s.note) : next.s.note,
  }));
  const last = steps.at(-1);
  const finish = last?.s.endAt
    ? [
        {
          at: formatInstant(last.s.endAt),
          giving: holderOf(last),
          receiving: null,
          startedStep: null,
          ...ended(last),
          note: null,
        },
      ]
    : [];
  const rows = [...handovers, ...finish];
  return {
    form: '06' as const,
    dossierCode: d.code,
    unit: { code: d.unitCode, name: view.unitName },
    procedure: { code: d.procedureCode, name: view.procedureName },
    applicant: applicantOf(d, masked),
    components: d.components,
    receivedAt: iso(d.receivedAt),
    duration: { value: d.durationValue, unit: d.durationUnit },
    dueAt: iso(d.dueAt),
    rescheduledDueAt: iso(d.rescheduledDueAt),
    rows: rows.map((r, i) => ({ seq: i + 1, ...r })),
  };
}
