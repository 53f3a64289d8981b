import { describe, expect, it } from 'vitest';
import { StatsAnswerCache } from '../src/stats/answer-cache.js';
import type { StatisticsAnswer } from '../src/stats/serving.js';

/** An answer of `rows` rows (only their number matters to the cache). */
const answerOf = (rows: number, asOf = '2025-06-02T10:00:00.000+07:00') =>
  ({ asOf, rows: Array.from({ length: rows }, (_, i) => ({ key: `K${i}` })) }) as unknown as StatisticsAnswer;

describe('StatsAnswerCache', () => {
  it('gives an answer again until it is ttlMs old, by the injected clock', () => {
    let now = 0;
    const cache = new StatsAnswerCache(10_000, 100, () => now);
    const answer = answerOf(3);
    cache.set('a', answer);
    now = 9_999;
    expect(cache.get('a')).toBe(answer);
    now = 10_000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxRows rows together, dropping the answers kept longest ago first', () => {
    const cache = new StatsAnswerCache(10_000, 10, () => 0);
    // Each answer counts its rows and one more (the totals).
    cache.set('a', answerOf(3));
    cache.set('b', answerOf(3));
    expect(cache.size).toBe(2);
    cache.set('c', answerOf(4));
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map((a) => a?.rows.length)).toEqual([
      undefined,
      3,
      4,
    ]);
    // Stored again under the same key: counted once.
    cache.set('c', answerOf(4));
    expect(cache.size).toBe(2);
    // One larger than them all is not kept, and drops nothing.
    cache.set('d', answerOf(10));
    expect(cache.get('d')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('keeps nothing with a ttl of 0', () => {
    const cache = new StatsAnswerCache(0, 100, () => 0);
    cache.set('a', answerOf(1));
    expect(cache.get('a')).toBeUndefined();
  });
});
