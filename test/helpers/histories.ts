import { expect } from 'vitest';
import { bearer, createKey, createProcedure, createUnit, intakeBody, type TestContext } from './context.js';

/** A small deterministic PRNG so a failing history can be replayed. */
export function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Drives random dossier histories through the HTTP API on an app whose clock the caller controls: intakes
 * (some back-dated) and every kind of action (some entered late), over simulated weeks. Returns the units and
 * how many actions succeeded.
 */
export async function randomHistory(
  ctx: TestContext,
  clock: { get(): Date; set(d: Date): void },
  seed: number,
  steps: number,
) {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const province = await createUnit(ctx);
  const communes = [
    (await createUnit(ctx, { parentCode: province.code })).code,
    (await createUnit(ctx, { parentCode: province.code })).code,
  ];
  const clerk = await createKey(ctx, 'clerk', province.code);
  const procs = [
    (
      await createProcedure(ctx, {
        duration: { value: 3, unit: 'working_days' },
        supplementPolicy: 'restart',
      })
    ).code,
    (
      await createProcedure(ctx, {
        duration: { value: 8, unit: 'working_hours' },
        supplementPolicy: 'extend',
        field: { code: 'F2', name: 'Đất đai' },
      })
    ).code,
    (
      await createProcedure(ctx, {
        duration: { value: 10, unit: 'calendar_days' },
        onlineDuration: { value: 5, unit: 'working_days' },
      })
    ).code,
  ];
  const live: Array<{ code: string; status: string; lastAt: number; rescheduled: boolean }> = [];
  const act = async (d: (typeof live)[number], action: string, body: Record<string, unknown>) => {
    // Sometimes entered late: between the latest event and now.
    const at =
      random() < 0.3
        ? new Date(
            Math.max(d.lastAt, clock.get().getTime() - 2 * 86_400_000) + Math.floor(random() * 3_600_000),
          )
        : null;
    const payload = at && at.getTime() <= clock.get().getTime() ? { ...body, at: at.toISOString() } : body;
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/v1/dossiers/${d.code}/${action}`,
      headers: bearer(clerk),
      payload,
    });
    if (res.statusCode === 200) {
      d.status = res.json().status;
      d.lastAt = 'at' in payload ? new Date(payload.at as string).getTime() : clock.get().getTime();
      if (action === 'reschedule') d.rescheduled = true;
    }
    return res.statusCode;
  };
  let done = 0;
  for (let step = 0; step < steps; step++) {
    clock.set(new Date(clock.get().getTime() + Math.floor(random() * 9 * 3_600_000)));
    const open = live.filter((d) => !['rejected', 'withdrawn', 'stopped', 'returned'].includes(d.status));
    if (random() < 0.35 || open.length === 0) {
      const backdate = random() < 0.25 ? Math.floor(random() * 2 * 86_400_000) : 0;
      const channel = pick(['direct', 'online', 'online', 'postal'] as const);
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/dossiers',
        headers: bearer(clerk),
        payload: intakeBody(pick(procs), {
          unitCode: pick(communes),
          channel,
          ...(backdate ? { receivedAt: new Date(clock.get().getTime() - backdate).toISOString() } : {}),
        }),
      });
      expect(res.statusCode, res.body).toBe(201);
      live.push({
        code: res.json().code,
        status: res.json().status,
        lastAt: clock.get().getTime() - backdate,
        rescheduled: false,
      });
      continue;
    }
    const d = pick(open);
    const options: Record<string, Array<[string, Record<string, unknown>]>> = {
      submitted: [
        ['accept', {}],
        ['accept', {}],
        ['reject', { reason: 'Sai' }],
        ['withdraw', { reason: 'Rút' }],
      ],
      received: [
        ['assign', {}],
        ['assign', { handlingUnitCode: pick(communes) }],
        ['resolve', { result: 'approved' }],
        ['request-supplement', { reason: 'Thiếu' }],
        ['request-payment', {}],
        ['withdraw', { reason: 'Rút' }],
        ['stop', { reason: 'Dừng' }],
      ],
      processing: [
        ['resolve', { result: 'approved' }],
        ['resolve', { result: 'refused', note: 'Không đủ' }],
        ['request-supplement', { reason: 'Thiếu' }],
        ['request-payment', {}],
        ['stop', { reason: 'Dừng' }],
      ],
      awaiting_supplement: [
        ['receive-supplement', {}],
        ['receive-supplement', {}],
        ['withdraw', { reason: 'Rút' }],
      ],
      awaiting_payment: [
        ['confirm-payment', {}],
        ['stop', { reason: 'Dừng' }],
      ],
      resolved: [['return', {}]],
    };
    if (['received', 'processing'].includes(d.status) && !d.rescheduled && random() < 0.1) {
      await act(d, 'reschedule', {
        newDueAt: new Date(clock.get().getTime() + 20 * 86_400_000).toISOString(),
        reason: 'Xin lỗi',
      });
      continue;
    }
    const [action, body] = pick(options[d.status]!);
    if ((await act(d, action, body)) === 200) done++;
  }
  return { province, communes, clerk, done };
}
