import { z } from 'zod';
import { CursorQuery, InstantString, LimitQuery } from '../http/schemas.js';

const EventPattern = z
  .string()
  .regex(/^(\*|[a-z_]+\.(\*|[a-z_]+))$/, 'event_pattern')
  .max(100)
  .meta({ example: 'dossier.*' });

export const WebhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string().meta({ example: 'https://dvc.example.gov.vn/hooks/motcua' }),
    events: z.array(EventPattern),
    unitCode: z
      .string()
      .nullable()
      .describe('Deliveries only for dossiers of this unit\u2019s subtree; null = all.'),
    createdAt: InstantString,
  })
  .meta({ id: 'Webhook' });

export const CreatedWebhook = WebhookSchema.extend({
  secret: z.string().describe('Signing secret (whsec_…), shown only in this response.'),
}).meta({ id: 'CreatedWebhook' });

export const CreateWebhookBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .meta({ example: 'https://dvc.example.gov.vn/hooks/motcua' }),
    events: z
      .array(EventPattern)
      .min(1)
      .max(50)
      .describe(
        'Event types, exact or as a prefix (`dossier.*`, `alert.*`, `*`): dossier.<state> (submitted, received, ' +
          'processing, awaiting_supplement, awaiting_payment, resolved, returned, withdrawn, stopped, rejected), ' +
          'dossier.transferred, dossier.handed_over, dossier.due_changed, dossier.rescheduled, dossier.paid, ' +
          'dossier.digitised, dossier.rated, alert.due_soon, ' +
          'alert.overdue, alert.step_due_soon, alert.step_overdue.',
      )
      .meta({ example: ['dossier.*', 'alert.overdue', 'alert.step_overdue'] }),
  })
  .meta({ id: 'CreateWebhook' });

export const Delivery = z
  .object({
    id: z.uuid().describe('Also the webhook-id header: drop duplicates by it.'),
    type: z.string().meta({ example: 'dossier.resolved' }),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: InstantString.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: InstantString,
    deliveredAt: InstantString.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

const Uuid = z.uuid().meta({ maxLength: 36 });
export const IdParams = z.object({ id: Uuid });
export const DeliveryParams = z.object({ id: Uuid, deliveryId: Uuid });
export const ListWebhooksQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });
export const ListDeliveriesQuery = z.object({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: LimitQuery,
  cursor: CursorQuery,
});
