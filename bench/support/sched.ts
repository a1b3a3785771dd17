// How long a thread ran and how long it waited, runnable, for a CPU (Linux /proc schedstat). On a
// 2-core box shared with load generators, a late event loop is either busy or starved of a CPU:
// this tells which. Returns null where /proc has no schedstat.
import { readFileSync } from 'node:fs';

export interface SchedTimes {
  readonly runMs: number;
  readonly waitMs: number;
}

/** The main thread of this process (its tid is the pid). */
export function mainThreadSched(): SchedTimes | null {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { runMs: run / 1e6, waitMs: wait / 1e6 };
  } catch {
    return null;
  }
}

/** "ran 12.3 s, waited 4.5 s for a CPU" between two readings, or an empty string. */
export function describeSched(before: SchedTimes | null, after: SchedTimes | null): string {
  if (!before || !after) return '';
  return `main thread ran ${((after.runMs - before.runMs) / 1000).toFixed(1)} s and waited ${((after.waitMs - before.waitMs) / 1000).toFixed(1)} s for a CPU`;
}
