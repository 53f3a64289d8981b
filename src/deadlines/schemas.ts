import { z } from 'zod';
import { InstantString } from '../http/schemas.js';
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
  .meta({
    id: 'Duration',
    description: 'A statutory processing time.',
    // The superRefine above, as far as JSON Schema can say it (working_hours: whole minutes, in the text).
    allOf: [
      {
        if: { properties: { unit: { const: 'working_days' } }, required: ['unit'] },
        then: { properties: { value: { multipleOf: 0.5 } } },
      },
      {
        if: { properties: { unit: { const: 'calendar_days' } }, required: ['unit'] },
        then: { properties: { value: { multipleOf: 1 } } },
      },
    ],
  });

/** An RFC 3339 instant with an offset (at most nanoseconds), inside the years the calendar covers. */
export const Instant = z.iso
  .datetime({ offset: true })
  .max(35)
  .refine((v) => {
    const year = new Date(v).getUTCFullYear();
    return year >= CALENDAR_FIRST_YEAR && year <= CALENDAR_LAST_YEAR - 1;
  }, 'instant_year')
  .meta({ description: 'RFC 3339 instant with offset.', example: '2025-04-29T16:30:00+07:00' });

export const Clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'clock')
  .meta({ description: 'Local clock time HH:MM.', example: '15:00', maxLength: 5 });

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
      'Only with duration (a procedure brings its own): received at or after this time → next working day.',
    ),
    receivedAt: Instant,
    channel: Channel.optional().describe('online uses the procedure\u2019s online time when it has one.'),
  })
  .refine((b) => (b.procedureCode === undefined) !== (b.duration === undefined), {
    message: 'procedure_or_duration',
    path: ['duration'],
  })
  .meta({
    id: 'DeadlinePreviewRequest',
    description: 'Exactly one of procedureCode and duration.',
    oneOf: [{ required: ['procedureCode'] }, { required: ['duration'] }],
  });

export const DeadlinePreview = z
  .object({
    startAt: InstantString.meta({ example: '2025-05-05T07:30:00+07:00' }),
    dueAt: InstantString.meta({ example: '2025-05-23T17:00:00+07:00' }),
    duration: DurationSchema,
  })
  .meta({ id: 'DeadlinePreview' });
