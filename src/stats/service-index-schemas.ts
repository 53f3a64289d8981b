import { z } from 'zod';
import { InstantString, LocalDateString } from '../http/schemas.js';
import { StatsQuery } from './schemas.js';

const { unitCode, period, reporting, from, to } = StatsQuery.shape;

export const ServiceIndexQuery = z
  .object({ unitCode, period, reporting, from, to })
  .refine((q) => (q.period === undefined) !== (q.from === undefined && q.to === undefined), {
    message: 'period_or_range',
    path: ['period'],
  })
  .refine((q) => q.period !== undefined || (q.from !== undefined && q.to !== undefined && q.from <= q.to), {
    message: 'range_order',
    path: ['to'],
  });

const Ratio = (what: string, example: { ratio: number; numerator: number; denominator: number }) =>
  z
    .object({
      ratio: z
        .number()
        .min(0)
        .max(1)
        .nullable()
        .describe('numerator / denominator as a fraction, 4 decimals; null when the denominator is 0.'),
      numerator: z.number().int(),
      denominator: z.number().int(),
    })
    .describe(what)
    .meta({ example });

const Ratios = {
  progress: Ratio(
    'Tiến độ giải quyết: (pending not yet due + resolved early or on time) / received (carried over + new), the ' +
      'form II.06a columns of the period.',
    { ratio: 0.95, numerator: 380, denominator: 400 },
  ).extend({
    points: z
      .object({
        value: z
          .number()
          .nullable()
          .describe('ratio × 20 (the group\u2019s weight), 2 decimals; null with the ratio.'),
        estimate: z
          .literal(true)
          .describe('Always true: an estimate of the official score, which the national portal computes.'),
      })
      .meta({ example: { value: 19, estimate: true } }),
  }),
  onlineShare: Ratio('Online share: received online / newly received.', {
    ratio: 0.6,
    numerator: 180,
    denominator: 300,
  }),
  onlinePaymentShare: Ratio(
    'Online payment share: dossiers whose payment was confirmed in the period and paid online / dossiers whose ' +
      'payment was confirmed in the period (by their last payment).',
    { ratio: 0.5, numerator: 20, denominator: 40 },
  ),
  digitisedShare: Ratio(
    'Digitised share: dossiers newly received in the period with a digitised component (as recorded now) / newly ' +
      'received.',
    { ratio: 0.8, numerator: 240, denominator: 300 },
  ),
  satisfaction: Ratio(
    'Satisfaction: (very satisfied + satisfied) / rated, the ratings given in the period for the dossiers the ' +
      'unit resolves.',
    { ratio: 0.9, numerator: 90, denominator: 100 },
  ),
};

export const ServiceIndexRow = z
  .object({
    unitCode: z.string().describe('The resolving unit.').meta({ example: '000.17.22.H56' }),
    unitName: z.string().meta({ example: 'UBND xã Tân Hòa' }),
    ...Ratios,
  })
  .meta({ id: 'ServiceIndexRow' });

export const ServiceIndex = z
  .object({
    unitCode: z.string().nullable(),
    from: LocalDateString.meta({ example: '2025-01-01' }),
    to: LocalDateString.meta({ example: '2025-12-31' }),
    reporting: z.enum(['civil', 'official']),
    asOf: InstantString.describe(
      'The instant the ratios describe: a period not yet ended is answered as at this instant.',
    ),
    source: z
      .enum(['figures', 'dossiers'])
      .describe(
        'figures: the maintained daily figures, with today and any unit awaiting a recompute counted live; dossiers: computed from the dossiers (same numbers).',
      ),
    rows: z
      .array(ServiceIndexRow)
      .describe('One row per resolving unit in the scope with something counted.'),
    totals: z.object(Ratios).describe('The whole scope.'),
  })
  .meta({
    id: 'ServiceIndex',
    description:
      'The Decision 766/QĐ-TTg ratios this service can compute, each with its counts, per resolving unit.',
  });
