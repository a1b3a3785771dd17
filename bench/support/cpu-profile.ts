// Optional CPU profile of one phase of a benchmark, for finding where the time goes: set
// BENCH_CPU_PROFILE=/path/prefix and the phase's profile is written to <prefix>-<phase>.cpuprofile
// (open it in Chrome DevTools). Off by default: profiling slows the process it watches.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export async function profiled<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const prefix = process.env.BENCH_CPU_PROFILE;
  if (!prefix) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${prefix}-${phase}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}
