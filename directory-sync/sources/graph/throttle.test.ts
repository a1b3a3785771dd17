import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RETRY_POLICY, KeyedSemaphore, RateBudget, parseRetryAfter, retryDelay } from './throttle.js';

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores nonsense', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('waits at least Retry-After, else backs off exponentially up to the cap, with bounded jitter', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000, jitterMs: 50 };
    expect(retryDelay(p, 1, 2000, () => 0)).toBe(2000);
    expect(retryDelay(p, 1, 2000, () => 0.99)).toBe(2049);
    expect(retryDelay(p, 1, undefined, () => 0)).toBe(100);
    expect(retryDelay(p, 3, undefined, () => 0)).toBe(400);
    expect(retryDelay(p, 10, undefined, () => 0)).toBe(1000);
  });
});

describe('KeyedSemaphore', () => {
  it('lets at most `limit` holders per key run, other keys unaffected', async () => {
    const sem = new KeyedSemaphore(2);
    const a1 = await sem.acquire('a');
    const a2 = await sem.acquire('a');
    let third = false;
    const p = sem.acquire('a').then((r) => {
      third = true;
      return r;
    });
    const b1 = await sem.acquire('b');
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    a1();
    a1(); // releasing twice is harmless
    const a3 = await p;
    expect(third).toBe(true);
    a2();
    a3();
    b1();
  });
});

describe('RateBudget', () => {
  it('starts at most `limit` requests per sliding window', async () => {
    let t = 0;
    const budget = new RateBudget(3, 1000, () => t);
    for (let i = 0; i < 3; i++) await budget.take();
    expect(budget.used()).toBe(3);
    let fourth = false;
    const p = budget.take().then(() => (fourth = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fourth).toBe(false);
    t = 1001; // the window has moved past the first starts
    await p;
    expect(fourth).toBe(true);
  });
});
