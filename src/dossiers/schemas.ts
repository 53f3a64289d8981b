import { z } from 'zod';
import { Channel, DurationSchema, Instant } from '../deadlines/schemas.js';
import {
  CursorQuery,
  InstantString,
  LimitQuery,
  searchQuery,
  LocalDateString,
  pageOf,
} from '../http/schemas.js';
import { OfficerCode, OfficerRef } from '../officers/schemas.js';
import { StepCode } from '../processes/schemas.js';
import { UnitCode } from '../units/schemas.js';
import { dossierStatuses } from '../domain/lifecycle.js';

const Text = (max: number) => z.string().trim().min(1).max(max);

export const PaymentMethod = z.enum(['online', 'counter', 'bank_transfer']);

/** A component handed in; `digitised`: scanned into the system (số hóa). */
const Component = z.object({
  name: z.string(),
  copies: z.number().int(),
  digitised: z.boolean().describe('Scanned into the system (số hóa), at intake or recorded later.'),
});

const actingOfficerRule =
  'The officer acting (cán bộ thực hiện), recorded on the event: an active officer inside your key\u2019s scope ' +
  '(else 400 OFFICER_NOT_IN_SCOPE or OFFICER_INACTIVE). Required from unit-wide keys where the unit or one above it ' +
  'requires it (400 OFFICER_REQUIRED). A personal key acts as its own officer: naming another → 403 OFFICER_MISMATCH.';

/** The acting officer, on every action. */
const ActingOfficer = OfficerCode.optional().describe(actingOfficerRule);

export const ApplicantInput = z
  .object({
    type: z.enum(['citizen', 'organization']).describe('citizen (công dân) or organization (tổ chức).'),
    fullName: Text(200).meta({ example: 'Nguyễn Văn An' }),
    idNumber: z
      .string()
      .trim()
      .max(20)
      .optional()
      .describe(
        'Citizen: 12-digit CCCD or 9-digit CMND. Organization: 10- or 13-digit tax code. Spaces and dots between ' +
          'the digits, as people type them (001 099 012 345), are removed.',
      )
      .meta({ example: '001099012345' }),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 .-]{8,20}$/, 'phone')
      .optional()
      .meta({ example: '0912345678', maxLength: 21 }),
    email: z.email().max(200).optional().meta({ example: 'an.nguyen@example.vn' }),
    address: Text(500).optional().meta({ example: 'Thôn 1, xã Tân Hòa' }),
  })
  .meta({
    id: 'IntakeApplicant',
    // The identifier rule of each type (identifierProblem, checked at intake), stated for clients.
    allOf: [
      {
        if: { properties: { type: { const: 'citizen' } }, required: ['type'] },
        then: {
          properties: {
            idNumber: { type: 'string', pattern: '^\\d([ .]?\\d){8}(([ .]?\\d){3})?$', maxLength: 20 },
          },
        },
      },
      {
        if: { properties: { type: { const: 'organization' } }, required: ['type'] },
        then: {
          properties: {
            idNumber: {
              type: 'string',
              pattern: '^\\d([ .]?\\d){9}([ .]?-?[ .]?\\d([ .]?\\d){2})?$',
              maxLength: 20,
            },
          },
        },
      },
    ],
  });

/** A Vietnamese mobile number as typed: 0 or +84/84, a network prefix 3/5/7/8/9, with spaces, dots or hyphens. */
const mobilePhonePattern = /^(\+?8[ .-]?4|0)[ .-]?[35789]([ .-]?\d){8}$/;

export const ContactInput = z
  .object({
    consent: z
      .boolean()
      .describe(
        'Whether the applicant agreed to be told of the dossier\u2019s progress (receipt, supplement request, ' +
          'apology, result ready, return). False: nothing is ever sent.',
      ),
    email: z.email().max(200).optional().meta({ example: 'an.nguyen@example.vn' }),
    phone: z
      .string()
      .trim()
      .regex(mobilePhonePattern, 'mobile_phone')
      .optional()
      .describe(
        'A Vietnamese mobile number for SMS: 0912345678, +84 912 345 678 or 84912345678 (spaces, dots or ' +
          'hyphens between the digits); stored as 0912345678.',
      )
      .meta({ example: '0912345678', maxLength: 20 }),
  })
  .describe('Where and whether the applicant is notified (by e-mail and SMS). Absent: no consent.')
  .meta({ id: 'IntakeContact' });

export const IntakeBody = z
  .object({
    procedureCode: Text(50).meta({ example: '1.004616' }),
    unitCode: UnitCode.optional().describe('Receiving unit; defaults to the key\u2019s own unit.'),
    resolvingUnitCode: UnitCode.optional().describe(
      'Resolving unit (đơn vị giải quyết), when another unit than the receiving one is competent to decide ' +
        '(a service centre receiving for a department): any active unit, also outside the key\u2019s scope. ' +
        'Default: the receiving unit. Unknown → 400 RESOLVING_UNIT_NOT_FOUND; deactivated → 400 ' +
        'RESOLVING_UNIT_INACTIVE.',
    ),
    channel: Channel,
    receivedAt: Instant.optional().describe(
      'When it was received (online: submitted). Default now; may lie in the past within the back-dating window.',
    ),
    applicant: ApplicantInput,
    contact: ContactInput.optional(),
    summary: Text(2000).optional().meta({ example: 'Đăng ký khai sinh cho con' }),
    components: z
      .array(
        z.object({
          name: Text(500),
          copies: z.number().int().min(1).max(1000),
          digitised: z
            .boolean()
            .default(false)
            .describe('Scanned into the system at intake (số hóa thành phần hồ sơ).'),
        }),
      )
      .max(200)
      .optional()
      .describe('The papers handed in (thành phần hồ sơ).'),
    officerCode: OfficerCode.optional().describe(
      `The officer receiving it, who holds the dossier first. ${actingOfficerRule}`,
    ),
  })
  .meta({ id: 'IntakeRequest' });

const instant = InstantString.nullable();

export const Applicant = z
  .object({
    type: z.enum(['citizen', 'organization']),
    fullName: z
      .string()
      .describe(
        'Viewer keys: masked keeping its shape, the first word whole and every other word its first letter and ' +
          '`**` (`Nguyễn V** A**`).',
      ),
    idNumber: z
      .string()
      .nullable()
      .describe('Viewer keys: all but the last 4 digits masked (`********2345`). Null: none given.'),
    phone: z
      .string()
      .nullable()
      .describe('Viewer keys: all but the last 4 digits masked (`******5678`). Null: none given.'),
    email: z.string().nullable().describe('Viewer keys: masked (`a***@example.vn`). Null: none given.'),
    address: z
      .string()
      .nullable()
      .describe('Viewer keys: the marker `***` in place of the address. Null: none given.'),
  })
  .describe(
    'Personal data. For viewer keys every given field is masked, never null; null always means not given.',
  )
  .meta({ id: 'Applicant' });

export const Contact = z
  .object({
    consent: z.boolean().describe('Whether the applicant agreed to notifications.'),
    email: z.string().nullable().describe('Viewer keys: masked (`a***@example.vn`). Null: none given.'),
    phone: z
      .string()
      .nullable()
      .describe('Stored as 0912345678. Viewer keys: all but the last 4 digits masked. Null: none given.'),
  })
  .describe('Where the applicant is notified. Personal data: masked for viewer keys.')
  .meta({ id: 'Contact' });

export const Timeliness = z
  .enum(['on_track', 'due_soon', 'overdue', 'paused'])
  .describe('Live state of an open dossier; null once finished or before acceptance.');

export const CurrentStep = z
  .object({
    code: StepCode,
    name: z.string().meta({ example: 'Thẩm định hồ sơ' }),
    dueAt: InstantString.describe(
      'When the step must be done: its start plus its allotment in working time, moved later by the working ' +
        'time the dossier spent paused during it (while paused it is not yet moved).',
    ),
    officer: OfficerRef.nullable().describe(
      'Who holds the dossier in this step (the holder); null: nobody named.',
    ),
  })
  .meta({ id: 'CurrentStep' });

export const Dossier = z
  .object({
    code: z.string().meta({ example: '000.17.22.H56-250429-0001' }),
    status: z.enum(dossierStatuses),
    nationalStatus: z.number().int().min(1).max(10).describe('DVCQG TrangThaiHoSo.'),
    procedure: z.object({ code: z.string(), name: z.string() }),
    unit: z.object({ code: z.string(), name: z.string() }).describe('Receiving unit.'),
    handlingUnit: z.object({ code: z.string(), name: z.string() }).describe('Unit handling it now.'),
    resolvingUnit: z
      .object({ code: z.string(), name: z.string() })
      .describe(
        'Resolving unit (đơn vị giải quyết), competent to decide it: the receiving unit unless the intake named ' +
          'another. Statistics count the dossier for it by default.',
      ),
    holder: OfficerRef.nullable().describe(
      'The officer holding it now: the one who received it, then whom `assign` names (toOfficerCode); null when ' +
        'nobody is named (a move to another unit without naming one clears it). Shown to every role.',
    ),
    currentStep: CurrentStep.nullable().describe(
      'The step of the internal process running now (the step clock); null before the clock starts (an online ' +
        'submission not yet accepted) and once finished.',
    ),
    channel: Channel,
    applicant: Applicant,
    contact: Contact,
    summary: z
      .string()
      .nullable()
      .describe(
        'The dossier\u2019s summary (trích yếu); *** for viewer keys, since clerks\u2019 text often names the person.',
      ),
    components: z.array(Component),
    duration: DurationSchema.describe(
      'Statutory processing time applied (the online time for online dossiers).',
    ),
    submittedAt: instant,
    receivedAt: instant,
    startAt: instant.describe('When the clock (last) started.'),
    dueAt: instant.describe('Statutory due (ngày hẹn trả).'),
    rescheduledDueAt: instant.describe(
      'The apology\u2019s new return date (Form 04); the statutory due stays.',
    ),
    pausedAt: instant,
    resolvedAt: instant,
    result: z.enum(['approved', 'refused']).nullable(),
    returnedAt: instant,
    finishedAt: instant,
    payment: z
      .object({
        method: PaymentMethod,
        amount: z.number().int().nullable().describe('VND; null: none stated.'),
        paidAt: InstantString,
      })
      .nullable()
      .describe('The last confirmed payment of the financial obligation (confirm-payment); null: none.'),
    hasDigitisedComponents: z
      .boolean()
      .describe('Whether any component is digitised (số hóa): what the service index counts.'),
    electronicResult: z.boolean().describe('Whether the result was issued electronically (kết quả điện tử).'),
    timeliness: Timeliness.nullable(),
    outcome: z
      .enum(['early', 'on_time', 'overdue'])
      .nullable()
      .describe('Set at resolution against the statutory due.'),
    remainingWorkingMinutes: z
      .number()
      .int()
      .nullable()
      .describe('Working minutes to the statutory due (negative when late; frozen while paused).'),
    version: z.number().int().describe('Also sent as ETag; send it back in If-Match.'),
    createdAt: InstantString,
    updatedAt: InstantString,
  })
  .meta({ id: 'Dossier' });

export const DossierCodeParams = z.object({
  code: z.string().max(60).meta({ example: '000.17.22.H56-250429-0001' }),
});

const At = Instant.optional().describe(
  'When it happened, for late data entry: within the back-dating window, never in the future, never before the latest event. Default now, or the latest event’s instant when that lies ahead of now (clock skew).',
);
const Reason = Text(2000);

export const actionBodies = {
  accept: z.object({ at: At, officerCode: ActingOfficer }).meta({ id: 'AcceptAction' }),
  reject: z.object({ reason: Reason, at: At, officerCode: ActingOfficer }).meta({ id: 'RejectAction' }),
  assign: z
    .object({
      handlingUnitCode: UnitCode.optional().describe(
        'Hand over to this unit (on the control slip, Form 06); omit to keep the current one.',
      ),
      toOfficerCode: OfficerCode.optional().describe(
        'The officer who holds the dossier from now on: active, working in the (new) handling unit or below it ' +
          '(else 400 OFFICER_NOT_IN_SCOPE or OFFICER_INACTIVE).',
      ),
      note: Text(2000).optional(),
      at: At,
      officerCode: ActingOfficer,
    })
    .meta({ id: 'AssignAction' }),
  'hand-over': z
    .object({
      toUnitCode: UnitCode.optional().describe(
        'The unit receiving it (the handling unit from now on), as assign’s handlingUnitCode; omit to keep the current one.',
      ),
      toOfficerCode: OfficerCode.optional().describe(
        'The officer receiving it (who holds it from now on): active, working in the (new) handling unit or below ' +
          'it (else 400 OFFICER_NOT_IN_SCOPE or OFFICER_INACTIVE). Omitted: the holder stays, or nobody after a ' +
          'move to another unit.',
      ),
      stepCode: StepCode.optional().describe(
        'The step to start, of the process the dossier follows (an earlier one sends it back; unknown → 400 ' +
          'STEP_NOT_IN_PROCESS). Omitted: the next step, or the last one again after the last.',
      ),
      note: Text(2000).optional(),
      at: At,
      officerCode: ActingOfficer,
    })
    .meta({ id: 'HandOverAction' }),
  'request-supplement': z
    .object({
      reason: Reason,
      items: z.array(Text(500)).max(100).optional(),
      at: At,
      officerCode: ActingOfficer,
    })
    .meta({ id: 'RequestSupplementAction' }),
  'receive-supplement': z
    .object({ note: Text(2000).optional(), at: At, officerCode: ActingOfficer })
    .meta({ id: 'ReceiveSupplementAction' }),
  'request-payment': z
    .object({
      amount: z.number().int().min(0).optional().describe('VND'),
      note: Text(2000).optional(),
      at: At,
      officerCode: ActingOfficer,
    })
    .meta({ id: 'RequestPaymentAction' }),
  'confirm-payment': z
    .object({
      method: PaymentMethod.default('counter').describe(
        'How the obligation was paid: online (through a public-service portal\u2019s payment), counter (cash or ' +
          'card at the one-stop counter) or bank_transfer. Default counter, what a clerk confirming at the ' +
          'counter records; online counts for the service index\u2019s online payment share.',
      ),
      amount: z
        .number()
        .int()
        .min(0)
        .max(Number.MAX_SAFE_INTEGER)
        .optional()
        .describe('The amount paid, in VND. Default: the amount request-payment named; else none (null).'),
      note: Text(2000).optional(),
      at: At,
      officerCode: ActingOfficer,
    })
    .meta({ id: 'ConfirmPaymentAction' }),
  reschedule: z
    .object({
      newDueAt: Instant.describe('The new return date promised in the apology.'),
      reason: Reason,
      at: At,
      officerCode: ActingOfficer,
    })
    .meta({ id: 'RescheduleAction' }),
  resolve: z
    .object({
      result: z.enum(['approved', 'refused']),
      note: Text(2000).optional().describe('Required for refused.'),
      at: At,
      officerCode: ActingOfficer,
    })
    .refine((b) => b.result !== 'refused' || b.note, {
      message: 'refusal_note',
      path: ['note'],
    })
    .meta({
      id: 'ResolveAction',
      description: 'A refusal (result refused) needs its reason in note.',
      if: { properties: { result: { const: 'refused' } }, required: ['result'] },
      then: { properties: { note: { type: 'string', minLength: 1, maxLength: 2000 } }, required: ['note'] },
    }),
  return: z
    .object({
      method: z.enum(['counter', 'postal', 'online']).optional(),
      at: At,
      officerCode: ActingOfficer,
    })
    .meta({ id: 'ReturnAction' }),
  withdraw: z.object({ reason: Reason, at: At, officerCode: ActingOfficer }).meta({ id: 'WithdrawAction' }),
  stop: z.object({ reason: Reason, at: At, officerCode: ActingOfficer }).meta({ id: 'StopAction' }),
  'record-digitisation': z
    .object({
      digitisedComponents: z
        .array(z.number().int().min(0).max(199))
        .max(200)
        .optional()
        .describe(
          'The positions (from 0, in the order of the dossier\u2019s components) of the components digitised ' +
            '(số hóa) after intake; a position the dossier does not have → 400. Components already digitised ' +
            'stay so.',
        )
        .meta({ example: [0, 2] }),
      electronicResult: z
        .literal(true)
        .optional()
        .describe('The result was issued electronically (kết quả điện tử); only once resolved (else 400).'),
      note: Text(2000).optional(),
      at: At,
      officerCode: ActingOfficer,
    })
    .refine((b) => (b.digitisedComponents?.length ?? 0) > 0 || b.electronicResult === true, {
      message: 'digitisation_empty',
      path: ['digitisedComponents'],
    })
    .meta({
      id: 'RecordDigitisationAction',
      description: 'At least one component position, or electronicResult.',
      anyOf: [{ required: ['digitisedComponents'] }, { required: ['electronicResult'] }],
    }),
} as const;

/** One dossier status or several, comma separated: an unknown status is refused, not an empty page. */
const anyStatus = `(${dossierStatuses.join('|')})`;
const statusListPattern = new RegExp(`^${anyStatus}(,${anyStatus})*$`);

export const ListDossiersQuery = z.object({
  unitCode: UnitCode.optional().describe(
    'That unit and its subtree: a dossier matches when its receiving, its handling or its resolving unit lies there.',
  ),
  status: z
    .string()
    .regex(statusListPattern, 'status_list')
    .max(500)
    .optional()
    .describe(`One status or several, comma separated: ${dossierStatuses.join(', ')}.`)
    .meta({ example: 'received,processing' }),
  procedureCode: z.string().max(50).optional(),
  channel: Channel.optional(),
  receivedFrom: LocalDateString.optional().describe('Received on or after this local date.'),
  receivedTo: LocalDateString.optional().describe('Received on or before this local date.'),
  dueBefore: Instant.optional().describe('Statutory due strictly before this instant.'),
  timeliness: z
    .enum(['on_track', 'due_soon', 'overdue', 'paused', 'step_overdue'])
    .optional()
    .describe(
      'The live timeliness of open dossiers; `step_overdue`: the open step of the internal process is past its ' +
        'due (by OUTCOME_GRANULARITY; never while paused).',
    ),
  officerCode: OfficerCode.optional().describe('The officer holding the dossier (its `holder`).'),
  stepCode: StepCode.optional().describe('The code of the step running now (its `currentStep`).'),
  idNumber: z
    .string()
    .max(20)
    .optional()
    .describe('Exact applicant identifier. Refused for viewer keys (403 APPLICANT_FILTER_FORBIDDEN).'),
  q: searchQuery(
    'Applicant name, accent-insensitive ("nguyen van a"). Refused for viewer keys (403 APPLICANT_FILTER_FORBIDDEN).',
  ),
  limit: LimitQuery,
  cursor: CursorQuery,
});

export const DossierPage = pageOf(Dossier, 'DossierPage');

export const DossierEvent = z
  .object({
    id: z.number().int(),
    type: z
      .string()
      .describe(
        'intake or the action name; transferred for a handover; due_changed after a calendar change.',
      ),
    fromStatus: z.string().nullable(),
    toStatus: z.string(),
    at: InstantString.describe('When it happened (may be back-dated).'),
    recordedAt: InstantString.describe('When it was recorded.'),
    actorKeyId: z.string().nullable(),
    actor: z
      .object({
        keyId: z.string().nullable().describe('The API key that recorded it (as actorKeyId).'),
        officer: OfficerRef.nullable().describe(
          'The officer who acted: a personal key\u2019s officer or the one named; null when not recorded.',
        ),
      })
      .describe('Who acted.'),
    data: z
      .record(z.string(), z.unknown())
      .describe(
        'What the event carries (the action\u2019s reason, note, policy, new due...); its instants are RFC 3339 at ' +
          '+07:00 like every other.',
      ),
  })
  .meta({ id: 'DossierEvent' });

export const DossierEventList = z.object({ items: z.array(DossierEvent) }).meta({ id: 'DossierEventList' });

export const Receipt = z
  .object({
    form: z.literal('01').describe('Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu số 01).'),
    dossierCode: z.string(),
    unit: z.object({ code: z.string(), name: z.string() }),
    procedure: z.object({ code: z.string(), name: z.string() }),
    applicant: Applicant,
    components: z.array(Component),
    channel: Channel,
    receivedAt: instant,
    dueAt: instant.describe('Ngày hẹn trả kết quả.'),
    rescheduledDueAt: instant,
    fee: z.number().int().nullable().describe('VND'),
    lookupCode: z.string().describe('What the applicant quotes to look the dossier up: its code.'),
    lookup: z
      .object({
        secret: z
          .string()
          .regex(/^[0-9A-HJKMNP-TV-Z]{8}$/)
          .describe(
            'Mã tra cứu: 8 characters of Crockford base32 (no I, L, O, U), random, drawn at intake; with the code it ' +
              'opens the public lookup.',
          )
          .meta({ example: '7KQ2M9XD' }),
        url: z
          .url()
          .describe(
            'The public lookup address (PUBLIC_BASE_URL + /v1/public/dossiers/{code}?check={secret}): the QR code.',
          ),
      })
      .nullable()
      .describe(
        'The lookup credentials printed on the slip; null for viewer keys, which never see the secret.',
      ),
  })
  .meta({ id: 'Receipt' });

const UnitRef = z.object({ code: z.string(), name: z.string() });
const StepOutcome = z
  .enum(['early', 'on_time', 'overdue'])
  .describe(
    'The dossier\u2019s comparison rule on the step\u2019s end and due (OUTCOME_GRANULARITY); null while it runs.',
  );

export const DossierStep = z
  .object({
    seq: z.number().int().describe('1, 2, \u2026 in the order the steps started.'),
    step: z.object({ code: StepCode, name: z.string().meta({ example: 'Thẩm định hồ sơ' }) }),
    handedOverAt: InstantString.describe(
      'When the handover that started it was made (step 1: the receipt or the acceptance).',
    ),
    startAt: InstantString.describe(
      'When its clock started: the handover, or the dossier\u2019s start when the handover came before it.',
    ),
    dueAt: InstantString.describe(
      'Start + the step\u2019s allotment in working time + the working time paused during it.',
    ),
    endAt: instant.describe('When it ended (a handover or the finish); null while it runs.'),
    outcome: StepOutcome.nullable(),
    allotmentMinutes: z.number().int().describe('The step\u2019s allotment for the dossier\u2019s channel.'),
    pausedMinutes: z
      .number()
      .int()
      .describe('Working minutes of the finished pauses during the step (they move its due).'),
    fromUnit: UnitRef.nullable().describe('The unit that handed it over; null for step 1.'),
    fromOfficer: OfficerRef.nullable().describe(
      'The officer who handed it over; null for step 1 or nobody named.',
    ),
    unit: UnitRef.describe('The unit holding the dossier during the step.'),
    toOfficer: OfficerRef.nullable().describe('The officer holding it during the step; null: nobody named.'),
    note: z.string().nullable().describe('The handover\u2019s note; *** for viewer keys.'),
  })
  .meta({ id: 'DossierStep' });

export const DossierStepList = z.object({ items: z.array(DossierStep) }).meta({ id: 'DossierStepList' });

const SlipParty = z
  .object({
    unit: UnitRef,
    officer: OfficerRef.nullable().describe('Null: nobody named.'),
  })
  .meta({ id: 'ControlSlipParty' });

export const ControlSlip = z
  .object({
    form: z
      .literal('06')
      .describe('Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu số 06, Circular 03/2025/TT-VPCP).'),
    dossierCode: z.string(),
    unit: UnitRef.describe('The receiving unit.'),
    procedure: z.object({ code: z.string(), name: z.string() }),
    applicant: Applicant,
    components: z.array(Component),
    receivedAt: instant,
    duration: DurationSchema.describe('The statutory processing time (the online time for online dossiers).'),
    dueAt: instant.describe('Ngày hẹn trả kết quả.'),
    rescheduledDueAt: instant.describe('The apology\u2019s new return date (Form 04), if any.'),
    rows: z
      .array(
        z.object({
          seq: z.number().int().describe('1, 2, \u2026 in order.'),
          at: InstantString.describe(
            'When it was handed over (the finish for the last row of a finished dossier).',
          ),
          giving: SlipParty.describe(
            'Who handed it over (bên giao): the unit and officer holding the step it ended.',
          ),
          receiving: SlipParty.nullable().describe(
            'Who received it (bên nhận); null on the last row: the result, handed back for return.',
          ),
          step: z.object({ code: StepCode, name: z.string() }).describe('The step the handover ended.'),
          startedStep: z
            .object({ code: StepCode, name: z.string() })
            .nullable()
            .describe('The step it started; null on the finish.'),
          dueAt: InstantString.describe('The ended step\u2019s due.'),
          outcome: StepOutcome.nullable(),
          outcomeText: z
            .enum(['trước hạn', 'đúng hạn', 'quá hạn'])
            .nullable()
            .describe('The outcome as the form words it (kết quả giải quyết hồ sơ).'),
          note: z.string().nullable().describe('The handover\u2019s note; *** for viewer keys.'),
        }),
      )
      .describe('One row per handover, and a last one for the finish.'),
  })
  .meta({ id: 'ControlSlip' });
