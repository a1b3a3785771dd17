import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('grows exponentially and stays within [cap/2, cap]', () => {
    expect(backoffDelay(0, { random: () => 0 })).toBe(250);
    expect(backoffDelay(0, { random: () => 1 })).toBe(500);
    expect(backoffDelay(3, { random: () => 0 })).toBe(2000);
    expect(backoffDelay(3, { random: () => 1 })).toBe(4000);
  });

  it('is capped at maxMs however many attempts failed', () => {
    expect(backoffDelay(50, { random: () => 1 })).toBe(30_000);
    expect(backoffDelay(50, { random: () => 0 })).toBe(15_000);
  });

  it('spreads clients apart (jitter)', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    expect(seen.size).toBeGreaterThan(10);
  });
});
