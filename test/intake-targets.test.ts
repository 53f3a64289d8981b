import { describe, expect, it } from 'vitest';
import { IntakeTargetsCache, type ProcedureTarget, type UnitTarget } from '../src/dossiers/intake-targets.js';

const procedure = (code: string) => ({ code, active: true }) as ProcedureTarget;
const unit = (code: string) => ({ code, active: true, path: `/${code}/` }) as UnitTarget;

describe('IntakeTargetsCache', () => {
  it('gives both rows while they are fresh, and nothing once either is older than the TTL', () => {
    let now = 1_000;
    const cache = new IntakeTargetsCache(2_000, () => now);
    cache.set(procedure('1.001'), unit('U1'));
    expect(cache.get('1.001', 'U1')).toEqual({
      procedure: procedure('1.001'),
      unit: unit('U1'),
      resolvingUnit: unit('U1'),
    });
    expect(cache.get('1.001', 'U2')).toBeUndefined();
    now += 1_000;
    cache.set(procedure('1.002'), unit('U2'));
    expect(cache.get('1.002', 'U1')).toBeDefined();
    now += 1_000; // U1 and 1.001 are 2 s old now
    expect(cache.get('1.001', 'U1')).toBeUndefined();
    expect(cache.get('1.002', 'U1')).toBeUndefined();
    expect(cache.get('1.002', 'U2')).toBeDefined();
  });

  it('gives a resolving unit other than the receiving one only while it is fresh too', () => {
    let now = 1_000;
    const cache = new IntakeTargetsCache(2_000, () => now);
    cache.set(procedure('1.001'), unit('U1'), unit('S1'));
    expect(cache.get('1.001', 'U1', 'S1')).toEqual({
      procedure: procedure('1.001'),
      unit: unit('U1'),
      resolvingUnit: unit('S1'),
    });
    expect(cache.get('1.001', 'U1', 'S2')).toBeUndefined();
    now += 1_000;
    cache.set(procedure('1.001'), unit('U1'));
    now += 1_000; // S1 is 2 s old now, U1 and 1.001 1 s
    expect(cache.get('1.001', 'U1')).toBeDefined();
    expect(cache.get('1.001', 'U1', 'S1')).toBeUndefined();
    cache.set(procedure('1.001'), unit('U1'), unit('S1'));
    cache.forget('1.002', 'U2', 'S1');
    expect(cache.get('1.001', 'U1', 'S1')).toBeUndefined();
    expect(cache.get('1.001', 'U1')).toBeDefined();
  });

  it('forgets a pair, or everything; a TTL of 0 keeps nothing', () => {
    const cache = new IntakeTargetsCache(2_000, () => 0);
    cache.set(procedure('1.001'), unit('U1'));
    cache.set(procedure('1.002'), unit('U2'));
    cache.forget('1.001', 'U1');
    expect(cache.get('1.001', 'U2')).toBeUndefined();
    expect(cache.get('1.002', 'U2')).toBeDefined();
    cache.clear();
    expect(cache.get('1.002', 'U2')).toBeUndefined();
    const off = new IntakeTargetsCache(0, () => 0);
    off.set(procedure('1.001'), unit('U1'));
    expect(off.get('1.001', 'U1')).toBeUndefined();
  });
});
