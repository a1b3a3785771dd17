import { describe, expect, it } from '@jest/globals';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('drops only its oldest tenth when full, so hot keys survive a burst of new ones', () => {
    const cache = new TtlCache<string, number>(100, () => 0);
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, i, 1000);
    cache.set('k100', 100, 1000);
    expect(cache.size).toBe(91);
    expect(cache.get('k9')).toBeUndefined();
    expect(cache.get('k10')).toBe(10);
    expect(cache.get('k100')).toBe(100);
  });

  it('replacing a key when full evicts nothing', () => {
    const cache = new TtlCache<string, number>(3, () => 0);
    for (const k of ['a', 'b', 'c']) cache.set(k, 1, 1000);
    cache.set('b', 2, 1000);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, 2, 1]);
  });

  it('forgets entries at their expiry, and keeps null values apart from misses', () => {
    let now = 0;
    const cache = new TtlCache<string, string | null>(10, () => now);
    cache.set('known', 'x', 100);
    cache.set('unknown', null, 50);
    now = 49;
    expect(cache.get('unknown')).toBeNull();
    now = 50;
    expect(cache.get('unknown')).toBeUndefined();
    expect(cache.get('known')).toBe('x');
    now = 100;
    expect(cache.get('known')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
