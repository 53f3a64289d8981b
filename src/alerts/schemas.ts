import { z } from 'zod';
import { CursorQuery, InstantString, LimitQuery } from '../http/schemas.js';
import { OfficerCode } from '../officers/schemas.js';
import { StepCode } from '../processes/schemas.js';
import { UnitCode } from '../units/schemas.js';

export const alertKinds = ['due_soon', 'overdue', 'step_due_soon', 'step_overdue'] as const;

const AlertKind = z
  .enum(alertKinds)
  .describe(
    'due_soon / overdue: the dossier\u2019s statutory or rescheduled due; step_due_soon / step_overdue: the due of ' +
      'the step running, for dossiers following an internal process (once per step run).',
  );

export const Alert = z
  .object({
    id: z.number().int(),
    kind: AlertKind,
    target: z
      .enum(['statutory', 'rescheduled', 'step'])
      .describe('The statutory due, the apology\u2019s rescheduled date, or the open step\u2019s due.'),
    dossierCode: z.string().meta({ example: '000.17.22.H56-250429-0001' }),
    dueAt: InstantString.meta({ example: '2025-05-06T16:30:00+07:00' }),
    stepCode: StepCode.nullable().describe('Step alerts: the step; null for the dossier\u2019s own.'),
    officerCode: OfficerCode.nullable().describe(
      'Step alerts: the officer holding the dossier in that step when the alert was raised; null otherwise or ' +
        'when nobody was named.',
    ),
    unitCode: UnitCode.nullable().describe(
      'Step alerts: the unit holding the dossier in that step; null otherwise.',
    ),
    createdAt: InstantString,
    acknowledgedAt: InstantString.nullable(),
  })
  .meta({ id: 'Alert' });

/** The alert an `alert.*` change announces (the change feed, webhook deliveries): as raised, not acknowledged. */
export const RaisedAlert = Alert.omit({ createdAt: true, acknowledgedAt: true }).meta({
  id: 'RaisedAlert',
  description: 'The alert raised: when it was raised is the change’s occurredAt.',
});

export const ListAlertsQuery = z.object({
  unitCode: UnitCode.optional().describe('Dossiers received or handled in this unit\u2019s subtree.'),
  kind: AlertKind.optional(),
  acknowledged: z.enum(['true', 'false']).optional(),
  dossierCode: z.string().max(60).optional(),
  limit: LimitQuery,
  cursor: CursorQuery,
});

export const AlertParams = z.object({ id: z.coerce.number().int().positive() });
