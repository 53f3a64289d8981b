import { z } from 'zod';
import { DurationSchema } from '../deadlines/schemas.js';
import { dossierForms } from '../domain/forms.js';
import { InstantString, LocalDateString } from '../http/schemas.js';
import { OfficerRef } from '../officers/schemas.js';
import { StepCode } from '../processes/schemas.js';
import { Applicant, ControlSlip, DossierCodeParams, Receipt } from '../dossiers/schemas.js';
import { UnitCode } from '../units/schemas.js';

const UnitRef = z.object({ code: z.string(), name: z.string() });
const instant = InstantString.nullable();

export const FormParams = DossierCodeParams.extend({
  form: z
    .enum(dossierForms)
    .describe(
      'The form as Circular 03/2025/TT-VPCP numbers them: 01 receipt and appointment, 02 supplement request, 03 ' +
        'refusal, 04 apology and new appointment, 05 notice of stopping, 06 control slip.',
    ),
});

export const AcceptHeaders = z.object({
  accept: z
    .string()
    .max(1000)
    .optional()
    .describe(
      'application/pdf: the printable A4 PDF; application/json, */* or none: the form\u2019s data as JSON; ' +
        'anything else → 406.',
    ),
});

export const IssuingUnit = z
  .object({
    code: z.string(),
    name: z.string(),
    parent: UnitRef.nullable().describe('The unit above it (cơ quan chủ quản), printed above its name.'),
  })
  .describe('The unit named at the top left of the form (tên cơ quan, đơn vị).')
  .meta({ id: 'FormIssuingUnit' });

const title = z.string().describe('The form\u2019s title as printed.');
const actingOfficer = OfficerRef.nullable().describe('The officer who recorded it; null: not recorded.');
const freeText = (what: string) => z.string().describe(`${what}; *** for viewer keys.`);

const dossierHead = {
  title,
  issuingUnit: IssuingUnit,
  dossierCode: z.string(),
  unit: UnitRef.describe('The receiving unit.'),
  procedure: UnitRef,
  applicant: Applicant,
};

export const Form01 = Receipt.extend({
  title,
  issuingUnit: IssuingUnit,
  duration: DurationSchema.describe('The statutory processing time (thời gian giải quyết theo quy định).'),
  receivingOfficer: OfficerRef.nullable().describe(
    'Who received it (người tiếp nhận hồ sơ); null: not recorded.',
  ),
}).meta({ id: 'Form01' });

export const Form02 = z
  .object({
    form: z.literal('02'),
    ...dossierHead,
    receivedAt: instant,
    requestedAt: InstantString.describe('When the supplement was requested (the latest request).'),
    requestCount: z
      .number()
      .int()
      .describe('How many supplement requests the dossier had, this one the last.'),
    reason: freeText('Lý do'),
    items: z
      .array(z.string())
      .describe('What to supplement or complete, one per line; each *** for viewer keys.'),
    officer: actingOfficer.describe('Who asked (người hướng dẫn); null: not recorded.'),
  })
  .meta({ id: 'Form02' });

export const Form03 = z
  .object({
    form: z.literal('03'),
    ...dossierHead,
    kind: z
      .enum(['rejected', 'refused'])
      .describe('rejected: the submission was not accepted; refused: resolved with the result refused.'),
    submittedAt: instant,
    receivedAt: instant,
    decidedAt: InstantString.describe('When it was rejected or refused.'),
    reason: freeText('Lý do'),
    officer: actingOfficer,
  })
  .meta({ id: 'Form03' });

export const Form04 = z
  .object({
    form: z.literal('04'),
    ...dossierHead,
    receivedAt: instant,
    duration: DurationSchema,
    dueAt: InstantString.describe('The statutory due (it does not move).'),
    rescheduledAt: InstantString.describe('When the apology was made.'),
    newDueAt: InstantString.describe('The new return date promised.'),
    reason: freeText('Lý do'),
    officer: actingOfficer,
    faultUnit: UnitRef.describe(
      'The unit at fault, which apologises: the unit holding the dossier (its step) when the apology was made.',
    ),
    faultOfficer: OfficerRef.nullable().describe('The officer holding it then; null: nobody named.'),
    faultStep: z
      .object({ code: StepCode, name: z.string() })
      .nullable()
      .describe('The step it was in then; null for a dossier without step runs.'),
  })
  .meta({ id: 'Form04' });

export const Form05 = z
  .object({
    form: z.literal('05'),
    ...dossierHead,
    receivedAt: instant,
    stoppedAt: InstantString.describe('When processing was stopped.'),
    reason: freeText('Lý do'),
    officer: actingOfficer,
  })
  .meta({ id: 'Form05' });

export const Form06 = ControlSlip.extend({ title, issuingUnit: IssuingUnit }).meta({ id: 'Form06' });

export const DossierFormData = z
  .discriminatedUnion('form', [Form01, Form02, Form03, Form04, Form05, Form06])
  .meta({ id: 'DossierForm' });

export const RegisterParams = z.object({ code: UnitCode });

export const RegisterQuery = z
  .object({
    period: z
      .string()
      .regex(/^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]|M9))?$/, 'period_format')
      .optional()
      .describe(
        'The period: YYYY, YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY-M9 (civil). Give either period or both from and to.',
      )
      .meta({ example: '2024-07', maxLength: 7 }),
    from: LocalDateString.optional().describe('Explicit first day; requires to, excludes period.'),
    to: LocalDateString.optional().describe('Explicit last day, inclusive; requires from, excludes period.'),
  })
  .refine((q) => (q.period === undefined) !== (q.from === undefined && q.to === undefined), {
    message: 'period_or_range',
    path: ['period'],
  })
  .refine((q) => q.period !== undefined || (q.from !== undefined && q.to !== undefined && q.from <= q.to), {
    message: 'range_order',
    path: ['to'],
  });

export const RegisterRow = z
  .object({
    seq: z.number().int().describe('Số thứ tự: 1, 2, \u2026 in the order received.'),
    dossierCode: z.string().describe('Mã hồ sơ.'),
    procedure: UnitRef.describe('Tên thủ tục hành chính.'),
    sets: z.number().int().describe('Số lượng hồ sơ (bộ): a dossier is one set.'),
    applicant: Applicant.pick({ type: true, fullName: true, address: true, phone: true }).describe(
      'Tên cá nhân, tổ chức; địa chỉ, số điện thoại (masked for viewer keys).',
    ),
    resolvingUnit: UnitRef.describe('Cơ quan chủ trì giải quyết.'),
    receivedAt: InstantString.describe('Nhận hồ sơ.'),
    dueAt: instant.describe('Hẹn trả kết quả.'),
    rescheduledDueAt: instant.describe('The apology\u2019s new date (Form 04), if any.'),
    transferredAt: instant.describe(
      'Chuyển hồ sơ đến cơ quan giải quyết: the first handover to another unit; null: none.',
    ),
    resolvedAt: instant.describe('Nhận kết quả từ cơ quan giải quyết: when the result was ready.'),
    returnedAt: instant.describe('Trả kết quả cho cá nhân, tổ chức.'),
    status: z.string().describe('The dossier\u2019s state now.'),
    note: z.string().nullable().describe('Ghi chú, as printed: how it ended or its new date.'),
  })
  .meta({ id: 'RegisterRow' });

export const Register = z
  .object({
    form: z.literal('07'),
    title,
    unit: IssuingUnit.describe('The unit whose register it is (the receiving unit).'),
    from: LocalDateString.describe('First day of the period.'),
    to: LocalDateString.describe('Last day of the period, inclusive.'),
    rows: z.array(RegisterRow).describe('One row per dossier the unit received in the period, oldest first.'),
  })
  .meta({ id: 'Register' });

/** The PDF, as OpenAPI declares a binary body. */
export const PdfFile = z.string().meta({ format: 'binary' });
