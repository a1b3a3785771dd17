import { describe, expect, it } from '@jest/globals';
import { PrincipalCache } from './authenticators.js';
import type { Principal } from './principal.js';

const principal = (n: number) => ({ personId: `p${n}`, email: `p${n}@x.test`, displayName: `P ${n}`, isAdmin: false }) as unknown as Principal;

describe('PrincipalCache', () => {
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
