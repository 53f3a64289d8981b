/**
 * The printable forms of Circular 03/2025/TT-VPCP, Appendix I (biểu mẫu), as numbered there: which one a dossier
 * has, which of its events each prints, and how the forms write dates, hours and durations. Pure: the data
 * comes from src/forms/data.ts and the page layout from src/forms/pdf.ts.
 */
import { localMinutesOf } from './local-time.js';

/** The forms of one dossier: 01 receipt and appointment … 06 control slip. */
export const dossierForms = ['01', '02', '03', '04', '05', '06'] as const;
export type DossierForm = (typeof dossierForms)[number];
/** Every form: the dossier's, and 07 the tracking book (a unit's register over a period). */
export type FormNumber = DossierForm | '07';

/** The form titles, as the circular's templates print them. */
export const formTitles: Record<FormNumber, string> = {
  '01': 'PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ',
  '02': 'PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ',
  '03': 'PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ',
  '04': 'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ',
  '05': 'PHIẾU THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ',
  '06': 'PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ',
  '07': 'SỔ THEO DÕI HỒ SƠ',
};

const two = (n: number) => String(n).padStart(2, '0');

function localParts(instant: Date) {
  const minutes = localMinutesOf(instant);
  const day = new Date(Math.floor(minutes / 1440) * 86_400_000);
  const minuteOfDay = minutes - Math.floor(minutes / 1440) * 1440;
  return {
    date: `${two(day.getUTCDate())}/${two(day.getUTCMonth() + 1)}/${day.getUTCFullYear()}`,
    hour: Math.floor(minuteOfDay / 60),
    minute: minuteOfDay % 60,
  };
}

/** A local date as the forms write it: `dd/MM/yyyy`. */
export function formDate(instant: Date): string {
  return localParts(instant).date;
}

/** A local time as the forms write it: `HH giờ mm phút` (14 giờ 05 phút). */
export function formHour(instant: Date): string {
  const p = localParts(instant);
  return `${two(p.hour)} giờ ${two(p.minute)} phút`;
}

/** An instant as the forms write it: `HH giờ mm phút, ngày dd/MM/yyyy`. */
export function formInstant(instant: Date): string {
  return `${formHour(instant)}, ngày ${formDate(instant)}`;
}

const durationUnits = {
  working_days: 'ngày làm việc',
  working_hours: 'giờ làm việc',
  calendar_days: 'ngày',
} as const;

/** A statutory time as the forms write it: `2 ngày làm việc`, `0,5 ngày làm việc`, `8 giờ làm việc`, `15 ngày`. */
export function formDuration(duration: { value: number; unit: keyof typeof durationUnits }): string {
  return `${String(duration.value).replace('.', ',')} ${durationUnits[duration.unit]}`;
}

/** An amount of money in VND as the forms write it: `1.500.000 đồng`. */
export function formMoney(amount: number): string {
  return `${String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.')} đồng`;
}

/** How the forms address the applicant: Ông/Bà for a citizen, Tổ chức for an organisation. */
export function addressee(type: 'citizen' | 'organization'): string {
  return type === 'citizen' ? 'Ông/Bà' : 'Tổ chức';
}

/** An event of the audit trail, as far as the forms read it. */
export interface FormEvent {
  type: string;
  toStatus: string;
  at: Date;
  data: Record<string, unknown>;
}

/**
 * The event a form prints, or null when the form does not apply to the dossier:
 * - 01 (receipt) and 06 (control slip): the receipt: the intake of a dossier received at the counter or by post,
 *   the acceptance of an online one. A submission never accepted has neither.
 * - 02 (supplement request): the latest request-supplement.
 * - 03 (refusal): the rejection of a submission, or a resolution with the result refused.
 * - 04 (apology and new appointment): the reschedule (there is at most one).
 * - 05 (notice of stopping): the stop.
 * `events` are the dossier's, oldest first.
 */
export function eventOfForm<E extends FormEvent>(form: DossierForm, events: readonly E[]): E | null {
  const last = (match: (e: E) => boolean) => events.findLast(match) ?? null;
  switch (form) {
    case '01':
    case '06':
      return last((e) => (e.type === 'intake' || e.type === 'accept') && e.toStatus === 'received');
    case '02':
      return last((e) => e.type === 'request-supplement');
    case '03':
      return last((e) => e.type === 'reject' || (e.type === 'resolve' && e.data.result === 'refused'));
    case '04':
      return last((e) => e.type === 'reschedule');
    case '05':
      return last((e) => e.type === 'stop');
  }
}

/** A step run as far as the apology reads it: when its holder got the dossier. */
export interface HeldStep {
  handedOverAt: Date;
}

/**
 * The step run holding the dossier at an instant: the last one handed over at or before it (the runs in the
 * order they started). The apology (Form 04) names this step's unit as the one at fault: the unit holding the
 * dossier when the new date was promised is the one that will be late. Null when no run started by then.
 */
export function stepHolding<S extends HeldStep>(steps: readonly S[], at: Date): S | null {
  return steps.findLast((s) => s.handedOverAt.getTime() <= at.getTime()) ?? null;
}

/** The file name of a form's PDF: `mau-01-000.17.22.H56-240709-0001.pdf`, or for a register its unit and period. */
export function formFileName(form: FormNumber, subject: string): string {
  return `mau-${form}-${subject.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`;
}
