import { describe, expect, it } from 'vitest';
import {
  eventOfForm,
  formDate,
  formDuration,
  formFileName,
  formHour,
  formInstant,
  formMoney,
  stepHolding,
  type FormEvent,
} from '../../src/domain/forms.js';
import { negotiate } from '../../src/http/accept.js';

describe('how the forms write dates, hours, durations and money', () => {
  it('dates dd/MM/yyyy and hours HH giờ mm phút in Vietnamese local time', () => {
    // 17:05 UTC on 31/12 is 00:05 on 1/1 in Vietnam.
    const instant = new Date('2024-12-31T17:05:00Z');
    expect(formDate(instant)).toBe('01/01/2025');
    expect(formHour(instant)).toBe('00 giờ 05 phút');
    expect(formInstant(new Date('2024-07-09T14:30:00+07:00'))).toBe('14 giờ 30 phút, ngày 09/07/2024');
  });

  it('durations in working days or hours with a decimal comma; money with dots between thousands', () => {
    expect(formDuration({ value: 0.5, unit: 'working_days' })).toBe('0,5 ngày làm việc');
    expect(formDuration({ value: 8, unit: 'working_hours' })).toBe('8 giờ làm việc');
    expect(formDuration({ value: 15, unit: 'calendar_days' })).toBe('15 ngày');
    expect(formMoney(1500000)).toBe('1.500.000 đồng');
    expect(formMoney(0)).toBe('0 đồng');
  });

  it('file names keep the dossier code and replace anything unsafe', () => {
    expect(formFileName('01', '000.17.22.H56-240709-0001')).toBe('mau-01-000.17.22.H56-240709-0001.pdf');
    expect(formFileName('07', 'a/b "c"')).toBe('mau-07-a_b__c_.pdf');
  });
});

describe('which event a form prints (a form applies only once it happened)', () => {
  const at = (s: string) => new Date(`2025-06-02T${s}:00+07:00`);
  const e = (
    type: string,
    toStatus: string,
    time: string,
    data: Record<string, unknown> = {},
  ): FormEvent => ({
    type,
    toStatus,
    at: at(time),
    data,
  });

  it('01 and 06: the receipt, intake at the counter or acceptance online; none for a submission', () => {
    expect(eventOfForm('01', [e('intake', 'received', '08:00')])?.type).toBe('intake');
    expect(eventOfForm('06', [e('intake', 'submitted', '08:00')])).toBeNull();
    expect(
      eventOfForm('01', [e('intake', 'submitted', '08:00'), e('accept', 'received', '09:00')])?.type,
    ).toBe('accept');
  });

  it('02: the latest supplement request; 03: a rejection or a refusal; 04: the reschedule; 05: the stop', () => {
    const trail = [
      e('intake', 'received', '08:00'),
      e('request-supplement', 'awaiting_supplement', '09:00', { reason: 'a' }),
      e('receive-supplement', 'processing', '10:00'),
      e('request-supplement', 'awaiting_supplement', '11:00', { reason: 'b' }),
    ];
    expect(eventOfForm('02', trail)?.data.reason).toBe('b');
    for (const form of ['03', '04', '05'] as const) expect(eventOfForm(form, trail)).toBeNull();
    expect(
      eventOfForm('03', [...trail, e('resolve', 'resolved', '12:00', { result: 'approved' })]),
    ).toBeNull();
    expect(
      eventOfForm('03', [...trail, e('resolve', 'resolved', '12:00', { result: 'refused' })])?.type,
    ).toBe('resolve');
    expect(eventOfForm('03', [e('reject', 'rejected', '12:00')])?.type).toBe('reject');
    expect(eventOfForm('04', [...trail, e('reschedule', 'processing', '12:00')])?.type).toBe('reschedule');
    expect(eventOfForm('05', [...trail, e('stop', 'stopped', '12:00')])?.type).toBe('stop');
    expect(eventOfForm('02', [e('intake', 'received', '08:00')])).toBeNull();
  });

  it('the unit at fault: the step run holding the dossier when the apology was made', () => {
    const steps = [
      { handedOverAt: at('08:00'), unit: 'counter' },
      { handedOverAt: at('09:00'), unit: 'department' },
      { handedOverAt: at('15:00'), unit: 'leader' },
    ];
    expect(stepHolding(steps, at('14:59'))?.unit).toBe('department');
    expect(stepHolding(steps, at('15:00'))?.unit).toBe('leader');
    expect(stepHolding(steps, at('07:59'))).toBeNull();
  });
});

describe('Accept negotiation (JSON by default, PDF when asked for)', () => {
  const offered = ['application/json', 'application/pdf'] as const;
  it('takes the default without a header, the named type over a wildcard, the higher quality first', () => {
    expect(negotiate(undefined, offered)).toBe('application/json');
    expect(negotiate('', offered)).toBe('application/json');
    expect(negotiate('*/*', offered)).toBe('application/json');
    expect(negotiate('application/pdf', offered)).toBe('application/pdf');
    expect(negotiate('application/*, application/pdf', offered)).toBe('application/pdf');
    expect(negotiate('application/pdf;q=0.4, application/json;q=0.9', offered)).toBe('application/json');
    expect(negotiate('application/pdf, application/json', offered)).toBe('application/pdf');
    expect(negotiate('text/html, */*;q=0.1', offered)).toBe('application/json');
  });

  it('refuses (406 NOT_ACCEPTABLE) when nothing offered is acceptable', () => {
    for (const accept of [
      'text/html',
      'image/png, text/*',
      'application/pdf;q=0, application/json;q=0',
      'a;q=x',
    ])
      expect(() => negotiate(accept, offered), accept).toThrow('NOT_ACCEPTABLE');
  });
});
