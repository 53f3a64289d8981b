import { z } from 'zod';
import { CursorQuery, InstantString, LimitQuery } from '../http/schemas.js';
import { UnitCode } from '../units/schemas.js';

export const Alert = z
  .object({
    id: z.number().int(),
    kind: z.enum(['due_soon', 'overdue']),
    target: z
      .enum(['statutory', 'rescheduled'])
      .describe('The statutory due or the apology\u2019s rescheduled date.'),
    dossierCode: z.string().meta({ example: '000.17.22.H56-250429-0001' }),
    dueAt: InstantString.meta({ example: '2025-05-06T16:30:00+07:00' }),
    createdAt: InstantString,
    acknowledgedAt: InstantString.nullable(),
  })
  .meta({ id: 'Alert' });

export const ListAlertsQuery = z.object({
  unitCode: UnitCode.optional().describe('Dossiers received or handled in this unit\u2019s subtree.'),
  kind: z.enum(['due_soon', 'overdue']).optional(),
  acknowledged: z.enum(['true', 'false']).optional(),
  dossierCode: z.string().max(60).optional(),
  limit: LimitQuery,
  cursor: CursorQuery,
});

export const AlertParams = z.object({ id: z.coerce.number().int().positive() });
