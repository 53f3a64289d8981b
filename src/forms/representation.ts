// The printable forms' data, as the API shows it and the PDF prints it: built from a dossier's row, its audit
// trail and its step runs; the applicant and clerks' free text masked for viewer keys.
import type { dossierEvents } from '../db/schema/index.js';
import { MASKED, maskApplicant } from '../domain/applicant.js';
import { eventOfForm, formDate, formTitles, stepHolding, type DossierForm } from '../domain/forms.js';
import { formatInstant } from '../domain/local-time.js';
import type { DossierView, OfficerRef, StepView } from '../dossiers/lookups.js';
import { applicantOf, toControlSlipResponse, toReceiptResponse } from '../dossiers/representation.js';

/** The unit named at the top left of a form, with the unit above it. */
export interface IssuingUnit {
  code: string;
  name: string;
  parent: { code: string; name: string } | null;
}

export interface TrailEvent {
  e: typeof dossierEvents.$inferSelect;
  officer: OfficerRef | null;
}

/** What a dossier's forms are built from. */
export interface FormSource {
  view: DossierView;
  events: TrailEvent[];
  steps: StepView[];
  /** The units a form may name at its top left, by code (the receiving unit and the one at fault). */
  headings: Map<string, IssuingUnit>;
  masked: boolean;
  /** PUBLIC_BASE_URL: the base of the lookup address Form 01 prints and carries in its QR code. */
  publicBaseUrl: string;
}

const iso = (d: Date | null) => (d ? formatInstant(d) : null);
const officerRef = (o: OfficerRef | null) => o && { code: o.code, fullName: o.fullName, title: o.title };
const text = (value: unknown) => (typeof value === 'string' ? value : '');

function heading(src: FormSource, code: string, name: string): IssuingUnit {
  return src.headings.get(code) ?? { code, name, parent: null };
}

function head(src: FormSource, issuing: IssuingUnit) {
  const d = src.view.d;
  return {
    issuingUnit: issuing,
    dossierCode: d.code,
    unit: { code: d.unitCode, name: src.view.unitName },
    procedure: { code: d.procedureCode, name: src.view.procedureName },
    applicant: applicantOf(d, src.masked),
  };
}

/**
 * The data of a dossier's form, or null when the form does not apply to it (eventOfForm): Form 01 is the
 * receipt's data with the receiving officer, Form 06 the control slip's; 02–05 print the event that made them.
 */
export function formData(form: DossierForm, src: FormSource) {
  const found = eventOfForm(
    form,
    src.events.map((t) => ({ ...t.e, trail: t })),
  );
  if (!found) return null;
  const { trail } = found;
  const d = src.view.d;
  const receiving = heading(src, d.unitCode, src.view.unitName);
  const title = formTitles[form];
  const reason = src.masked ? MASKED : text(trail.e.data.reason ?? trail.e.data.note);
  const officer = officerRef(trail.officer);
  switch (form) {
    case '01':
      return {
        ...toReceiptResponse(src.view, src.masked, src.publicBaseUrl),
        title,
        issuingUnit: receiving,
        duration: { value: d.durationValue, unit: d.durationUnit },
        receivingOfficer: officer,
      };
    case '02': {
      const items = Array.isArray(trail.e.data.items) ? trail.e.data.items.map(String) : [];
      return {
        form,
        title,
        ...head(src, receiving),
        receivedAt: iso(d.receivedAt),
        requestedAt: formatInstant(trail.e.at),
        requestCount: src.events.filter((t) => t.e.type === 'request-supplement').length,
        reason,
        items: src.masked ? items.map(() => MASKED) : items,
        officer,
      };
    }
    case '03':
      return {
        form,
        title,
        ...head(src, receiving),
        kind: trail.e.type === 'reject' ? ('rejected' as const) : ('refused' as const),
        submittedAt: iso(d.submittedAt),
        receivedAt: iso(d.receivedAt),
        decidedAt: formatInstant(trail.e.at),
        reason,
        officer,
      };
    case '04': {
      const holding = stepHolding(
        src.steps.map((v) => ({ ...v, handedOverAt: v.s.handedOverAt })),
        trail.e.at,
      );
      // A dossier without step runs (received before they were kept): the unit handling it.
      const fault = holding
        ? { code: holding.s.unitCode, name: holding.unitName }
        : { code: d.handlingUnitCode, name: src.view.handlingName };
      return {
        form,
        title,
        ...head(src, heading(src, fault.code, fault.name)),
        receivedAt: iso(d.receivedAt),
        duration: { value: d.durationValue, unit: d.durationUnit },
        dueAt: formatInstant(d.dueAt!),
        rescheduledAt: formatInstant(trail.e.at),
        newDueAt: text(trail.e.data.newDueAt),
        reason,
        officer,
        faultUnit: fault,
        faultOfficer: holding ? officerRef(holding.toOfficer) : null,
        faultStep: holding ? { code: holding.s.stepCode, name: holding.s.stepName } : null,
      };
    }
    case '05':
      return {
        form,
        title,
        ...head(src, receiving),
        receivedAt: iso(d.receivedAt),
        stoppedAt: formatInstant(trail.e.at),
        reason,
        officer,
      };
    case '06':
      return {
        ...toControlSlipResponse(src.view, src.steps, src.masked),
        title,
        issuingUnit: receiving,
      };
  }
}

export type FormData = NonNullable<ReturnType<typeof formData>>;

/** A register row as read (src/forms/queries.ts registerRows). */
export interface RegisterSource {
  code: string;
  procedureCode: string;
  procedureName: string;
  applicantType: 'citizen' | 'organization';
  applicantName: string;
  applicantAddress: string | null;
  applicantPhone: string | null;
  resolvingUnitCode: string;
  resolvingName: string;
  receivedAt: Date;
  dueAt: Date | null;
  rescheduledDueAt: Date | null;
  transferredAt: Date | null;
  resolvedAt: Date | null;
  result: 'approved' | 'refused' | null;
  returnedAt: Date | null;
  status: string;
}

/** The note (ghi chú) of a register row: how the dossier ended other than with its result, or its new date. */
export function registerNote(
  r: Pick<RegisterSource, 'status' | 'result' | 'rescheduledDueAt'>,
): string | null {
  const notes: string[] = [];
  if (r.status === 'withdrawn') notes.push('Rút hồ sơ');
  if (r.status === 'stopped') notes.push('Dừng giải quyết');
  if (r.result === 'refused') notes.push('Từ chối giải quyết');
  if (r.rescheduledDueAt) notes.push(`Hẹn lại ngày ${formDate(r.rescheduledDueAt)}`);
  return notes.length ? notes.join('; ') : null;
}

/** Form 07, the tracking book: one row per dossier the unit received in [from, to], in the order received. */
export function registerData(
  unit: IssuingUnit,
  from: string,
  to: string,
  rows: RegisterSource[],
  masked: boolean,
) {
  return {
    form: '07' as const,
    title: formTitles['07'],
    unit,
    from,
    to,
    rows: rows.map((r, i) => {
      const given = {
        type: r.applicantType,
        fullName: r.applicantName,
        idNumber: null,
        phone: r.applicantPhone,
        email: null,
        address: r.applicantAddress,
      };
      const applicant = masked ? maskApplicant(given) : given;
      return {
        seq: i + 1,
        dossierCode: r.code,
        procedure: { code: r.procedureCode, name: r.procedureName },
        sets: 1,
        applicant: {
          type: applicant.type,
          fullName: applicant.fullName,
          address: applicant.address,
          phone: applicant.phone,
        },
        resolvingUnit: { code: r.resolvingUnitCode, name: r.resolvingName },
        receivedAt: formatInstant(r.receivedAt),
        dueAt: iso(r.dueAt),
        rescheduledDueAt: iso(r.rescheduledDueAt),
        transferredAt: iso(r.transferredAt),
        resolvedAt: iso(r.resolvedAt),
        returnedAt: iso(r.returnedAt),
        status: r.status,
        note: registerNote(r),
      };
    }),
  };
}

export type RegisterData = ReturnType<typeof registerData>;
