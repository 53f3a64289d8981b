import { describe, expect, it } from 'vitest';
import { KeyCache, type Principal } from '../src/auth/plugin.js';

const principal = (keyId: string): Principal => ({ keyId, role: 'clerk', unitCode: null, scopePath: null });

describe('KeyCache', () => {
  it('keeps a key for the TTL only', () => {
    let now = 1_000;
    const cache = new KeyCache(10_000, () => now);
    cache.set('h1', principal('k1'));
    expect(cache.get('h1')?.keyId).toBe('k1');
    now += 9_999;
    expect(cache.get('h1')?.keyId).toBe('k1');
    now += 1;
    expect(cache.get('h1')).toBeUndefined();
  });

  it('forgets a revoked key at once, and everything on clear', () => {
    const cache = new KeyCache(10_000);
    cache.set('h1', principal('k1'));
    cache.set('h2', principal('k2'));
    cache.forget('k1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')?.keyId).toBe('k2');
    cache.clear();
    expect(cache.get('h2')).toBeUndefined();
  });

  it('keeps nothing with a TTL of 0', () => {
    const cache = new KeyCache(0);
    cache.set('h1', principal('k1'));
    expect(cache.get('h1')).toBeUndefined();
  });
});
