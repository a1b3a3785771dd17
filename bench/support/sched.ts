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

export interface MachineTimes {
  /** Ticks the hypervisor gave another guest while this machine's CPUs had work (steal). */
  readonly steal: number;
  readonly total: number;
}

/**
 * The machine's CPU time so far (/proc/stat, all CPUs). On a shared VM the host may run other
 * guests on this machine's cores while they have work (steal): the same work then takes longer in
 * wall time. The steal between two readings says how much. (Other guests can also slow these
 * cores without any steal showing: the processes' own CPU time grows then, as the benches print.)
 */
export function machineTimes(): MachineTimes | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { steal: fields[7]!, total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** "steal 12 % of the machine's CPU time" between two readings, or an empty string. */
export function describeSteal(before: MachineTimes | null, after: MachineTimes | null): string {
  if (!before || !after || after.total === before.total) return '';
  return `steal ${(((after.steal - before.steal) / (after.total - before.total)) * 100).toFixed(0)} % of the machine's CPU time`;
}
