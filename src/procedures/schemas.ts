import { z } from 'zod';
import { Clock, DurationSchema } from '../deadlines/schemas.js';
import { CursorQuery, InstantString, LimitQuery, pageOf, searchQuery } from '../http/schemas.js';

const codePattern = /^[0-9A-Za-z]+([.-][0-9A-Za-z]+)*$/;

/** Procedure codes of the national catalogue (CSDL TTHC): '1.004616', '2.000889.000.00.00.H56'. */
export const ProcedureCode = z
  .string()
  .max(50)
  .regex(codePattern, 'catalogue_code')
  .meta({ description: 'Procedure code (mã thủ tục).', example: '1.004616' });

const FieldCode = z
  .string()
  .max(50)
  .regex(codePattern, 'catalogue_code')
  .meta({ description: 'Field (lĩnh vực) code.', example: 'G01.HT' });

/** Vietnamese text is stored precomposed (NFC), so equal names compare equal and search finds them. */
const Text = z.string().trim().normalize('NFC').min(1).max(500);

export const SupplementPolicy = z
  .enum(['restart', 'extend'])
  .describe(
    'On a request for supplementation: restart = the time counts again in full from the complete dossier; ' +
      'extend = the clock pauses and resumes with the remaining time.',
  );

export const OnlineLevel = z
  .enum(['full', 'partial', 'none'])
  .describe('Online public service level: full = toàn trình, partial = một phần, none = not online.');

const Fee = z
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ description: 'Fee in Vietnamese đồng; null = none or not stated.', example: 8000 });

export const Field = z
  .object({
    code: FieldCode,
    name: Text.meta({ example: 'Hộ tịch' }),
  })
  .meta({ id: 'ProcedureField', description: 'The field or sector (lĩnh vực) of a procedure.' });

export const Procedure = z
  .object({
    code: ProcedureCode,
    name: z.string().meta({ example: 'Thủ tục đăng ký khai sinh' }),
    field: z.object({
      code: z.string().meta({ example: 'G01.HT' }),
      name: z.string().meta({ example: 'Hộ tịch' }),
    }),
    duration: DurationSchema,
    onlineDuration: DurationSchema.nullable().describe(
      'Separate processing time for the online channel; null = the same as duration.',
    ),
    receiptCutoff: Clock.nullable().describe(
      'Received at or after this local time → counted from the next working day; null = no cut-off.',
    ),
    supplementPolicy: SupplementPolicy,
    onlineLevel: OnlineLevel,
    fee: Fee.nullable(),
    active: z.boolean().describe('Inactive procedures stay readable but take no new dossiers.'),
    createdAt: InstantString.meta({ example: '2025-07-01T08:00:00+07:00' }),
    updatedAt: InstantString.meta({ example: '2025-07-01T08:00:00+07:00' }),
  })
  .meta({ id: 'Procedure' });

export const CreateProcedureBody = z
  .object({
    code: ProcedureCode,
    name: Text.meta({ example: 'Thủ tục đăng ký khai sinh' }),
    field: Field,
    duration: DurationSchema,
    onlineDuration: DurationSchema.nullable()
      .optional()
      .describe('Separate processing time for the online channel; omit or null = the same as duration.'),
    receiptCutoff: Clock.nullable()
      .optional()
      .describe('Received at or after this local time → counted from the next working day.'),
    supplementPolicy: SupplementPolicy.default('restart'),
    onlineLevel: OnlineLevel.default('none'),
    fee: Fee.nullable().optional(),
    active: z.boolean().default(true),
  })
  .meta({ id: 'CreateProcedure' });

export const UpdateProcedureBody = z
  .strictObject({
    name: Text.optional(),
    field: Field.optional(),
    duration: DurationSchema.optional(),
    onlineDuration: DurationSchema.nullable().optional().describe('null removes the separate online time.'),
    receiptCutoff: Clock.nullable().optional().describe('null removes the cut-off.'),
    supplementPolicy: SupplementPolicy.optional(),
    onlineLevel: OnlineLevel.optional(),
    fee: Fee.nullable().optional(),
    active: z.boolean().optional(),
  })
  .meta({
    id: 'UpdateProcedure',
    description: 'Any subset of the fields; the code is immutable (an unknown key such as code → 400).',
  });

export const ProcedureCodeParams = z.object({ code: ProcedureCode });

export const ListProceduresQuery = z.object({
  fieldCode: FieldCode.optional().describe('Only procedures of this field.'),
  active: z.enum(['true', 'false']).optional().describe('Filter by active flag.'),
  onlineLevel: OnlineLevel.optional(),
  q: searchQuery(
    'Substring of the code or name, ignoring case and diacritics ("dang ky khai sinh" finds "Đăng ký khai sinh").',
  ),
  limit: LimitQuery,
  cursor: CursorQuery,
});

export const ProcedurePage = pageOf(Procedure, 'ProcedurePage');
