import { z } from 'zod';
import { ratingLevels, ratingSources } from '../domain/service-index.js';
import { InstantString } from '../http/schemas.js';
import { dossierStatuses } from '../domain/lifecycle.js';
import { Timeliness } from '../dossiers/schemas.js';
import { OfficerCode } from '../officers/schemas.js';

export const PublicDossierParams = z.object({
  code: z.string().max(60).meta({ example: '000.17.22.H56-250429-0001' }),
});

const Check = z
  .string()
  .max(32)
  .regex(/^[0-9A-Za-z -]{1,32}$/)
  .describe(
    'The lookup secret printed on the receipt (mã tra cứu, 8 characters; case, spaces and hyphens ignored), or ' +
      'the last 4 digits of the applicant\u2019s phone or identifier.',
  )
  .meta({ example: '7KQ2M9XD' });

export const LookupQuery = z.object({ check: Check });

const Ref = z.object({ code: z.string(), name: z.string() });
const instant = InstantString.nullable();

/** The citizen's view of a dossier: these fields and nothing else (no contact, no staff, no free text). */
export const CitizenDossier = z
  .object({
    code: z.string(),
    status: z.enum(dossierStatuses),
    statusLabel: z.string().describe('The status in Vietnamese, as the one-stop shop words it.').meta({
      example: 'đang xử lý',
    }),
    procedure: Ref,
    unit: Ref.describe('The receiving unit: where the dossier was handed in and the result is returned.'),
    receivedAt: instant.describe('Null: an online submission not yet accepted.'),
    appointment: z
      .object({
        at: InstantString.describe('The return date in force: the new date of an apology, else the first.'),
        rescheduled: z.boolean().describe('The agency apologised and set a new return date (Form 04).'),
        originalAt: InstantString.describe('The return date first given on the receipt.'),
      })
      .nullable()
      .describe('Ngày hẹn trả kết quả; null before the dossier is accepted.'),
    timeliness: Timeliness.nullable(),
    outcome: z
      .enum(['early', 'on_time', 'overdue'])
      .nullable()
      .describe('Once resolved: before, on or after the statutory due.'),
    resultReady: z
      .boolean()
      .describe('The result is ready to be collected (resolved) or has been handed over (returned).'),
    applicantName: z
      .string()
      .describe('Masked, keeping its shape: `Nguyễn V** A**`.')
      .meta({ example: 'Nguyễn V** A**' }),
  })
  .meta({ id: 'CitizenDossier' });

const Level = z
  .enum(ratingLevels)
  .describe('Rất hài lòng, hài lòng, không hài lòng.')
  .meta({ example: 'satisfied' });
const Comment = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .optional()
  .describe('Góp ý: free text, kept with the rating and never logged.')
  .meta({ example: 'Cán bộ hướng dẫn tận tình.' });

export const CitizenRatingBody = z
  .object({ check: Check, level: Level, comment: Comment })
  .meta({ id: 'CitizenRatingRequest' });

export const PaperRatingBody = z
  .object({
    level: Level,
    comment: Comment,
    officerCode: OfficerCode.optional().describe(
      'The officer recording it; required from unit-wide keys where the unit requires it, as for the actions.',
    ),
  })
  .meta({ id: 'PaperRatingRequest' });

export const Rating = z
  .object({
    dossierCode: z.string(),
    level: Level,
    comment: z.string().nullable(),
    source: z
      .enum(ratingSources)
      .describe('citizen: given through the lookup; paper: recorded by a clerk from a paper form.'),
    ratedAt: InstantString.describe('When it was recorded; the statistics count it in that period.'),
    officerCode: z
      .string()
      .nullable()
      .describe('Who recorded a paper rating, where known; null for the citizen.'),
  })
  .meta({ id: 'Rating' });
