import { z } from 'zod';
import { OFFICER_CODE_PATTERN } from '../domain/officers.js';
import { CursorQuery, InstantString, LimitQuery, pageOf } from '../http/schemas.js';
import { UnitCode } from '../units/schemas.js';

export const OfficerCode = z
  .string()
  .max(40)
  .regex(OFFICER_CODE_PATTERN, 'officer_code')
  .meta({ description: 'Officer code (mã cán bộ), unique in the deployment.', example: 'CB.0012' });

const FullName = z.string().trim().min(1).max(200).meta({ example: 'Lê Thị Hồng' });
const Title = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe('Chức danh.')
  .meta({ example: 'Công chức Tư pháp - Hộ tịch' });

export const Officer = z
  .object({
    code: OfficerCode,
    fullName: z.string().meta({ example: 'Lê Thị Hồng' }),
    title: z.string().describe('Chức danh.').meta({ example: 'Công chức Tư pháp - Hộ tịch' }),
    unitCode: UnitCode.describe('The unit the officer works in (a commune, an agency, a department).'),
    active: z
      .boolean()
      .describe('A deactivated officer keeps the history but may no longer act, be named or get keys.'),
    createdAt: InstantString,
    updatedAt: InstantString,
  })
  .meta({ id: 'Officer' });

/** An officer as a dossier or an event names one. Staff data, shown to every role (never masked). */
export const OfficerRef = z
  .object({
    code: z.string().meta({ example: 'CB.0012' }),
    fullName: z.string().meta({ example: 'Lê Thị Hồng' }),
    title: z.string().describe('Chức danh.').meta({ example: 'Công chức Tư pháp - Hộ tịch' }),
  })
  .meta({ id: 'OfficerRef' });

export const CreateOfficerBody = z
  .object({
    code: OfficerCode,
    fullName: FullName,
    title: Title,
    unitCode: UnitCode.describe('An active unit inside your scope.'),
    active: z.boolean().default(true),
  })
  .meta({ id: 'CreateOfficer' });

export const UpdateOfficerBody = z
  .strictObject({
    fullName: FullName.optional(),
    title: Title.optional(),
    unitCode: UnitCode.optional().describe(
      'Move the officer to another active unit inside your scope. Personal keys keep their own scope.',
    ),
    active: z
      .boolean()
      .optional()
      .describe('false: the officer may no longer act; their personal keys get 403.'),
  })
  .meta({ id: 'UpdateOfficer' });

export const OfficerCodeParams = z.object({ code: OfficerCode });

export const ListOfficersQuery = z.object({
  unitCode: UnitCode.optional().describe('Officers of this unit and the units below it.'),
  active: z.enum(['true', 'false']).optional().describe('Filter by active flag.'),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Part of the name, ignoring case and diacritics ("le thi hong").'),
  limit: LimitQuery,
  cursor: CursorQuery,
});

export const OfficerPage = pageOf(Officer, 'OfficerPage');
