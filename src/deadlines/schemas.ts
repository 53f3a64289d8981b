import { z } from 'zod';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR } from '../calendar/years.js';

export const DurationSchema = z
  .object({
    value: z.number().min(0).max(3650).meta({ example: 15 }),
    unit: z
      .enum(['working_hours', 'working_days', 'calendar_days'])
      .describe(
        'working_days: multiples of 0.5, 0 = the same day; calendar_days: whole days; working_hours: whole minutes.',
      ),
  })
  .superRefine((d, ctx) => {
    const ok =
      d.unit === 'working_days'
        ? Number.isInteger(d.value * 2)
        : d.unit === 'calendar_days'
          ? Number.isInteger(d.value)
          : Math.abs(d.value * 60 - Math.round(d.value * 60)) < 1e-9;
    if (!ok) {
      const message = {
        working_days: 'duration_half_days',
        calendar_days: 'duration_whole_days',
        working_hours: 'duration_whole_minutes',
      }[d.unit];
      ctx.addIssue({ code: 'custom', path: ['value'], message });
    }
  })
  .meta({ id: 'Duration', description: 'A statutory processing time.' });

/** An RFC 3339 instant with an offset, inside the years the calendar covers. */
export const Instant = z.iso
  .datetime({ offset: true })
  .refine((v) => {
    const year = new Date(v).getUTCFullYear();
    return year >= CALENDAR_FIRST_YEAR && year <= CALENDAR_LAST_YEAR - 1;
  }, 'instant_year')
  .meta({ description: 'RFC 3339 instant with offset.', example: '2025-04-29T16:30:00+07:00' });

export const Clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'clock')
  .meta({ description: 'Local clock time HH:MM.', example: '15:00' });

export const Channel = z
  .enum(['direct', 'postal', 'online'])
  .describe('direct: at the counter; postal: public postal service; online: public-service portal.');

export const DeadlinePreviewBody = z
  .object({
    procedureCode: z
      .string()
      .min(1)
      .max(50)
      .optional()
      .describe('Use this procedure\u2019s time and cut-off.'),
    duration: DurationSchema.optional().describe('Or give the processing time directly.'),
    receiptCutoff: Clock.optional().describe(
      'With duration: received at or after this time → next working day.',
    ),
    receivedAt: Instant,
    channel: Channel.optional().describe('online uses the procedure\u2019s online time when it has one.'),
  })
  .refine((b) => (b.procedureCode === undefined) !== (b.duration === undefined), {
    message: 'procedure_or_duration',
    path: ['duration'],
  })
  .meta({ id: 'DeadlinePreviewRequest' });

export const DeadlinePreview = z
  .object({
    startAt: z.string().meta({ example: '2025-05-05T07:30:00+07:00' }),
    dueAt: z.string().meta({ example: '2025-05-23T17:00:00+07:00' }),
    duration: DurationSchema,
  })
  .meta({ id: 'DeadlinePreview' });
