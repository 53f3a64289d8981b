import { z } from 'zod';
import { InstantString } from '../http/schemas.js';
import { ProcedureCode } from '../procedures/schemas.js';

/** Step codes: a letter or digit, then letters, digits, `.`, `_` or `-`, at most 30 characters. */
export const StepCode = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$/, 'step_code')
  .meta({ description: 'Step code, unique inside the process.', example: 'tham-dinh', maxLength: 30 });

/** What is wrong with an allotment's value for its unit (the message's key), or null. */
function allotmentProblem(a: { value: number; unit: 'hours' | 'days' }): string | null {
  if (a.unit === 'days') return Number.isInteger(a.value * 2) ? null : 'duration_half_days';
  const minutes = Math.round(a.value * 60);
  if (Math.abs(a.value * 60 - minutes) >= 1e-9) return 'duration_whole_minutes';
  // A few billionths of an hour are whole minutes within rounding, but none: no step can run on them.
  return minutes < 1 ? 'allotment_one_minute' : null;
}

export const Allotment = z
  .object({
    value: z.number().gt(0).max(3650).meta({ example: 1.5 }),
    unit: z
      .enum(['hours', 'days'])
      .describe('hours: working hours, whole minutes (at least 1); days: working days, multiples of 0.5.'),
  })
  .superRefine((a, ctx) => {
    const message = allotmentProblem(a);
    if (message) ctx.addIssue({ code: 'custom', path: ['value'], message });
  })
  .meta({
    id: 'Allotment',
    description:
      'The working time a step is given: working hours or working days (a day = the calendar’s working day).',
    allOf: [
      {
        if: { properties: { unit: { const: 'days' } }, required: ['unit'] },
        then: { properties: { value: { multipleOf: 0.5 } } },
      },
    ],
  });

const StepName = z.string().trim().normalize('NFC').min(1).max(300);

export const ProcessStepInput = z
  .object({
    code: StepCode,
    name: StepName.meta({ example: 'Thẩm định hồ sơ' }),
    allotment: Allotment,
    onlineAllotment: Allotment.nullable()
      .optional()
      .describe('The allotment for online dossiers; omit or null = the same as allotment.'),
  })
  .meta({ id: 'PutProcessStep' });

export const PutProcessBody = z
  .object({
    steps: z.array(ProcessStepInput).min(1).max(30).describe('The steps in order, 1 to 30, codes unique.'),
  })
  .check(
    // Run also when a step has another problem, so that one answer names them all; the steps may then be
    // malformed, so only well-formed codes are compared.
    z.superRefine(
      (body, ctx) => {
        const seen = new Set<string>();
        (Array.isArray(body.steps) ? body.steps : []).forEach((step: unknown, i) => {
          const code = (step as { code?: unknown } | null)?.code;
          if (typeof code !== 'string') return;
          if (seen.has(code)) {
            ctx.addIssue({ code: 'custom', path: ['steps', i, 'code'], message: 'step_code_repeated' });
          }
          seen.add(code);
        });
      },
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
  )
  .meta({ id: 'PutProcess' });

export const ProcessStep = z
  .object({
    code: StepCode,
    name: z.string().meta({ example: 'Thẩm định hồ sơ' }),
    allotment: Allotment,
    onlineAllotment: Allotment.nullable().describe('null = the same as allotment.'),
  })
  .meta({ id: 'ProcessStep' });

export const Process = z
  .object({
    procedureCode: ProcedureCode,
    version: z
      .number()
      .int()
      .nullable()
      .describe('1, 2, … (each replacement adds one); null for the implicit single step.')
      .meta({ example: 2 }),
    steps: z.array(ProcessStep),
    implicit: z
      .boolean()
      .describe('true: the procedure has no process; its one implicit step holds the whole statutory time.'),
    createdAt: InstantString.nullable().describe('When this version was put; null for the implicit step.'),
  })
  .meta({ id: 'ProcedureProcess', description: 'The internal process (quy trình nội bộ) of a procedure.' });

export const ProcessQuery = z.object({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .describe('A past version; omitted: the one in force now.'),
});
