import { describe, expect, it } from 'vitest';
import { TtlCache } from '../src/lib/ttl-cache.js';

describe('TtlCache', () => {
  it('gives a value until it is ttlMs old, by the injected clock', () => {
    let now = 5_000;
    const cache = new TtlCache<string, number>(1_000, () => now);
    cache.set('a', 1);
    now += 999;
    expect(cache.get('a')).toBe(1);
    now += 1;
    expect(cache.get('a')).toBeUndefined();
  });

  it('counts the age from the latest set', () => {
    let now = 0;
    const cache = new TtlCache<string, number>(1_000, () => now);
    cache.set('a', 1);
    now = 800;
    cache.set('a', 2);
    now = 1_500;
    expect(cache.get('a')).toBe(2);
  });

  it('forgets one key, the keys whose value matches, or everything', () => {
    const cache = new TtlCache<string, { owner: string }>(1_000, () => 0);
    cache.set('a', { owner: 'x' });
    cache.set('b', { owner: 'y' });
    cache.set('c', { owner: 'x' });
    cache.set('d', { owner: 'z' });
    cache.delete('d');
    expect(cache.get('d')).toBeUndefined();
    cache.deleteWhere((value) => value.owner === 'x');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeUndefined();
    expect(cache.get('b')).toEqual({ owner: 'y' });
    cache.clear();
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps nothing with a TTL of 0', () => {
    const cache = new TtlCache<string, number>(0, () => 0);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the one stored longest ago', () => {
    const cache = new TtlCache<string, number>(1_000, () => 0, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3); // stored again: now the newest
    cache.set('c', 4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(3);
    expect(cache.get('c')).toBe(4);
  });
});
