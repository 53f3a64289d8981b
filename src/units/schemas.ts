import { z } from 'zod';
import { CursorQuery, InstantString, LimitQuery, pageOf } from '../http/schemas.js';

/** National identifier style (QCVN 102:2016/BTTTT): groups of digits and capitals separated by dots, ≤ 35 chars. */
export const UnitCode = z
  .string()
  .max(35)
  .regex(/^[0-9A-Z]+(\.[0-9A-Z]+)*$/, 'unit_code')
  .meta({ description: 'Unit code in the national identifier style.', example: '000.17.22.H56' });

const RequireOfficer = z
  .boolean()
  .describe(
    'Unit-wide keys must name the acting officer (officerCode) on intakes received here and actions on dossiers ' +
      'handled here, or in any unit below; personal keys always act as their officer.',
  );

export const Unit = z
  .object({
    code: UnitCode,
    name: z.string().meta({ example: 'UBND xã Tân Hòa' }),
    parentCode: UnitCode.nullable().describe('Parent unit; null for a root.'),
    active: z.boolean().describe('Deactivated units keep their history but receive no new dossiers.'),
    requireOfficer: RequireOfficer,
    createdAt: InstantString.meta({ example: '2025-07-01T08:00:00+07:00' }),
    updatedAt: InstantString.meta({ example: '2025-07-01T08:00:00+07:00' }),
  })
  .meta({ id: 'Unit' });

const Name = z.string().trim().min(1).max(300);

export const CreateUnitBody = z
  .object({
    code: UnitCode,
    name: Name.meta({ example: 'UBND xã Tân Hòa' }),
    parentCode: UnitCode.nullable().optional().describe('Omit or null for a root unit (system admin only).'),
    active: z.boolean().default(true),
    requireOfficer: RequireOfficer.default(false),
  })
  .meta({ id: 'CreateUnit' });

export const UpdateUnitBody = z
  .object({
    name: Name.optional(),
    parentCode: UnitCode.nullable()
      .optional()
      .describe('Move the unit (and its subtree) under another parent.'),
    active: z.boolean().optional(),
    requireOfficer: RequireOfficer.optional(),
  })
  .meta({ id: 'UpdateUnit' });

export const UnitCodeParams = z.object({ code: UnitCode });

export const ListUnitsQuery = z.object({
  parentCode: UnitCode.optional().describe('Only the direct children of this unit.'),
  active: z.enum(['true', 'false']).optional().describe('Filter by active flag.'),
  limit: LimitQuery,
  cursor: CursorQuery,
});

export const UnitPage = pageOf(Unit, 'UnitPage');
