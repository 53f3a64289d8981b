import { z } from 'zod';
import { InstantString, LocalDateString } from '../http/schemas.js';
import { UnitCode } from '../units/schemas.js';

const Attribution = z
  .enum(['resolving', 'receiving'])
  .describe(
    'Which unit a dossier counts for: resolving (default), the unit competent to decide it (đơn vị giải ' +
      'quyết), as form II.06a reports; receiving, the unit that received it (the counter\u2019s view). The ' +
      'scope (unitCode) and groupBy=unit rows follow it.',
  );

const GroupBy = z
  .enum(['none', 'unit', 'procedure', 'field', 'channel', 'officer', 'step'])
  .describe(
    'unit: one row per attributed unit (see attribution). officer: one row per officer holding step runs of the ' +
      'dossiers counted (key `-`: step runs nobody was named to hold), step: one row per step code; their rows ' +
      'carry only the step figures (their other columns are 0) and the totals carry the II.06a columns of the ' +
      'whole scope.',
  );

export const StatsQuery = z
  .object({
    unitCode: UnitCode.optional().describe('The unit whose subtree is counted; default your own scope.'),
    period: z
      .string()
      .regex(/^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]|M9))?$/, 'period_format')
      .optional()
      .describe(
        'The period: YYYY, YYYY-MM, YYYY-Qn (quarter), YYYY-Hn (half year) or YYYY-M9 (nine months). Give either ' +
          'period or both from and to, never both.',
      )
      .meta({ example: '2024-H1', maxLength: 7 }),
    reporting: z
      .enum(['civil', 'official'])
      .default('civil')
      .describe('official: reporting periods from the 15th of the month before to the 14th.'),
    from: LocalDateString.optional().describe(
      'Explicit period start; requires to, excludes period. from ≤ to.',
    ),
    to: LocalDateString.optional().describe(
      'Explicit period end, inclusive; requires from, excludes period.',
    ),
    attribution: Attribution.default('resolving'),
    groupBy: GroupBy.default('none'),
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  })
  .refine((q) => (q.period === undefined) !== (q.from === undefined && q.to === undefined), {
    message: 'period_or_range',
    path: ['period'],
  })
  .refine((q) => q.period !== undefined || (q.from !== undefined && q.to !== undefined && q.from <= q.to), {
    message: 'range_order',
    path: ['to'],
  });

const Counts = {
  received: z.object({
    total: z.number().int().describe('carried over + new'),
    carriedOver: z
      .number()
      .int()
      .describe('Từ kỳ trước: received before the period, not finished before it.'),
    new: z.number().int().describe('Mới tiếp nhận: received in the period.'),
    online: z.number().int(),
    direct: z.number().int(),
    postal: z.number().int(),
  }),
  resolved: z.object({
    total: z.number().int(),
    early: z.number().int().describe('Trước hạn'),
    onTime: z.number().int().describe('Đúng hạn'),
    overdue: z.number().int().describe('Quá hạn'),
  }),
  withdrawn: z.number().int(),
  stopped: z.number().int(),
  pending: z.object({
    total: z.number().int().describe('Đang giải quyết at the end of the period.'),
    notYetDue: z.number().int(),
    overdue: z.number().int(),
  }),
  steps: z
    .object({
      early: z.number().int().describe('Step runs ended in the period before their due date (trước hạn).'),
      onTime: z.number().int().describe('Step runs ended in the period on their due date (đúng hạn).'),
      overdue: z.number().int().describe('Step runs ended in the period after their due (quá hạn).'),
      openOverdue: z
        .number()
        .int()
        .describe(
          'Step runs open at the end of the period (or at asOf) and past their due then; a paused dossier’s ' +
            'step is never overdue.',
        ),
    })
    .describe(
      'Who is late: the step runs (internal process steps, each held by one officer) of the dossiers counted, ' +
        'wherever they ran, by the dossier’s comparison rule on the step’s end and its due. Dossiers ' +
        'received before steps were recorded count nothing here.',
    )
    .meta({ example: { early: 12, onTime: 30, overdue: 2, openOverdue: 1 } }),
  rates: z.object({
    onTime: z.number().nullable().describe('(early + on time) / resolved, percent.'),
    early: z.number().nullable().describe('early / resolved, percent.'),
    onDueDate: z.number().nullable().describe('on time / resolved, percent.'),
    online: z.number().nullable().describe('online / newly received, percent.'),
  }),
  satisfaction: z
    .object({
      rated: z.number().int().describe('Ratings given in the period (số lượt đánh giá).'),
      verySatisfied: z.number().int().describe('Rất hài lòng'),
      satisfied: z.number().int().describe('Hài lòng'),
      dissatisfied: z.number().int().describe('Không hài lòng'),
    })
    .describe(
      'Satisfaction ratings whose rated instant falls in the period (not after asOf), counted for the unit ' +
        'the dossier counts for (attribution). A group with ratings but no dossier to count has a row of zeros ' +
        'besides.',
    ),
};

export const StatsRow = z
  .object({ key: z.string().meta({ example: '000.17.22.H56' }), label: z.string(), ...Counts })
  .meta({ id: 'StatsRow' });

export const Stats = z
  .object({
    unitCode: z.string().nullable(),
    from: LocalDateString.meta({ example: '2024-01-01' }),
    to: LocalDateString.meta({ example: '2024-06-30' }),
    reporting: z.enum(['civil', 'official']),
    attribution: Attribution,
    groupBy: GroupBy,
    asOf: InstantString.describe(
      'The instant the figures describe: a period not yet ended is answered as at this instant, that of the ' +
        "worker's newest snapshot of today's figures (at most 3 × STATS_TODAY_INTERVAL_MS, 45 s by default, " +
        'before the request) or else the request’s own.',
    ),
    source: z
      .enum(['figures', 'dossiers'])
      .describe(
        'figures: the maintained daily figures, with today from the snapshot of today’s figures (or counted live) and any unit awaiting a recompute counted live; dossiers: computed from the dossiers (same numbers).',
      ),
    rows: z.array(StatsRow),
    totals: z.object(Counts),
  })
  .meta({
    id: 'Stats',
    description: 'Form II.06a figures. Always: received.total = resolved + withdrawn + stopped + pending.',
  });
