/** Retry timing and concurrency limits for Graph (research §4.5). */

export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly maxRetries: number;
  /** Base for exponential backoff when no Retry-After is given. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this fails the request instead of stalling the run. */
  readonly maxRetryAfterMs: number;
  /** Random extra wait added to every delay so retries of many callers spread out. */
  readonly jitterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 60_000, maxRetryAfterMs: 300_000, jitterMs: 250 };

export const RETRYABLE = new Set([429, 503, 504]);

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait before retry number `attempt` (1-based): Retry-After when given, else exponential. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random = Math.random): number {
  const jitter = Math.floor(random() * policy.jitterMs);
  if (retryAfterMs !== undefined) return retryAfterMs + jitter;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)) + jitter;
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** At most `limit` holders per key (Graph allows 4 concurrent requests per mailbox). */
export class KeyedSemaphore {
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, (() => void)[]>();
  constructor(readonly limit: number) {}

  async acquire(key: string): Promise<() => void> {
    const n = this.#active.get(key) ?? 0;
    if (n < this.limit) {
      this.#active.set(key, n + 1);
    } else {
      await new Promise<void>((resolve) => {
        const q = this.#waiting.get(key) ?? [];
        q.push(resolve);
        this.#waiting.set(key, q);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const q = this.#waiting.get(key);
      const next = q?.shift();
      if (q && q.length === 0) this.#waiting.delete(key);
      if (next)
        next(); // the slot passes straight to the next waiter
      else {
        const left = (this.#active.get(key) ?? 1) - 1;
        if (left <= 0) this.#active.delete(key);
        else this.#active.set(key, left);
      }
    };
  }
}

/**
 * A sliding-window request budget: at most `limit` starts within any `windowMs`
 * (Teams presence: 1,500 requests per 30 s per app per tenant).
 */
export class RateBudget {
  readonly #starts: number[] = [];
  #chain: Promise<void> = Promise.resolve();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when one more request may start. */
  take(): Promise<void> {
    const turn = this.#chain.then(async () => {
      for (;;) {
        const t = this.now();
        while (this.#starts.length && this.#starts[0] <= t - this.windowMs) this.#starts.shift();
        if (this.#starts.length < this.limit) {
          this.#starts.push(t);
          return;
        }
        await sleep(this.#starts[0] + this.windowMs - t + 1);
      }
    });
    this.#chain = turn.catch(() => {});
    return turn;
  }

  /** Starts within the current window (for tests and metrics). */
  used(): number {
    const t = this.now();
    return this.#starts.filter((s) => s > t - this.windowMs).length;
  }
}
