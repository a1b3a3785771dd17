/**
 * Token bucket per key, in memory. Per-process limits are what protect a process;
 * across processes each one enforces its own share.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(key: string, cost = 1): number {
    const t = this.now();
    let b = this.#buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: t };
      this.#buckets.set(key, b);
      if (this.#buckets.size > 100_000) this.#sweep(t);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond);
    b.at = t;
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    return (cost - b.tokens) / this.ratePerSecond;
  }

  #sweep(t: number): void {
    for (const [k, b] of this.#buckets) if (t - b.at > 60_000) this.#buckets.delete(k);
  }
}
