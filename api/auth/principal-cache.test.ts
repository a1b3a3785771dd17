import { describe, expect, it } from '@jest/globals';
import { PrincipalCache } from './authenticators.js';
import type { Principal } from './principal.js';

const principal = (n: number) => ({ personId: `p${n}`, email: `p${n}@x.test`, displayName: `P ${n}`, isAdmin: false }) as unknown as Principal;

describe('PrincipalCache', () => {
  it('drops only its oldest tenth when full, so active users keep their entries', () => {
    const cache = new PrincipalCache(100, 60_000, () => 0);
    for (let i = 0; i < 100; i++) cache.set(`t${i}`, principal(i), undefined);
    cache.set('t100', principal(100), undefined);
    expect(cache.size).toBe(91);
    expect(cache.get('t0')).toBeUndefined();
    expect(cache.get('t9')).toBeUndefined();
    expect(cache.get('t10')?.personId).toBe('p10');
    expect(cache.get('t100')?.personId).toBe('p100');
  });

  it('never keeps a principal past its TTL or past the token expiry', () => {
    let now = 1_000_000;
    const cache = new PrincipalCache(10, 60_000, () => now);
    cache.set('long', principal(1), undefined);
    cache.set('short', principal(2), (now + 5_000) / 1000);
    now += 4_999;
    expect(cache.get('short')?.personId).toBe('p2');
    now += 1;
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')?.personId).toBe('p1');
    now += 55_000;
    expect(cache.get('long')).toBeUndefined();
  });
});
