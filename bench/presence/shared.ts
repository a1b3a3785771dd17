/** Shared by the presence benchmark's processes: people, their subscriptions, the histogram. */

export const emailOf = (i: number) => `bench.p${i}@contoso.test`;

import { seededRandom as prng } from '../../core/random/seeded-random.js';

export { prng };

/** The people client `i` watches: `count` distinct others out of `people`. */
export function subscriptionsOf(i: number, people: number, count: number): number[] {
  const rnd = prng(i * 7919 + 17);
  const out = new Set<number>();
  while (out.size < Math.min(count, people - 1)) {
    const p = Math.floor(rnd() * people);
    if (p !== i) out.add(p);
  }
  return [...out];
}

/** Latency histogram in whole milliseconds (last bucket = that or more). */
export const HIST_BUCKETS = 30_000;

export function percentile(hist: ArrayLike<number>, p: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i];
  if (total === 0) return NaN;
  const want = Math.ceil(total * p);
  let acc = 0;
  for (let ms = 0; ms < hist.length; ms++) {
    acc += hist[ms];
    if (acc >= want) return ms;
  }
  return hist.length - 1;
}

/** The note a change carries: when the change was sent and its sequence number. */
export const changeNote = (sentAt: number, seq: number) => `b:${sentAt}:${seq}`;
export function sentAtOf(note: unknown): number | null {
  if (typeof note !== 'string' || !note.startsWith('b:')) return null;
  const end = note.indexOf(':', 2);
  return Number(note.slice(2, end));
}

/**
 * Calls `each` `rate` times a second for `seconds`, paced by the clock rather than by tick count
 * (a late tick makes up what is due); resolves when the time is up.
 */
export function paced(rate: number, seconds: number, each: () => void): Promise<void> {
  const started = Date.now();
  const end = started + seconds * 1000;
  let due = 0;
  return new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = Date.now();
      if (now >= end) {
        clearInterval(tick);
        resolve();
        return;
      }
      for (const target = Math.floor(((now - started) * rate) / 1000); due < target; due++) each();
    }, 10);
  });
}
