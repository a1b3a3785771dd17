// Optional CPU profile of one phase of a benchmark, for finding where the time goes: set
// BENCH_CPU_PROFILE=/path/prefix and the phase's profile is written to <prefix>-<phase>.cpuprofile
// (open it in Chrome DevTools). Off by default: profiling slows the process it watches.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * A wrapper that runs a phase with an inspector session recording it, when the environment
 * variable `envVar` gives a path prefix: `start` begins recording, `stop` ends it and returns the
 * profile, written to <prefix>-<phase>.<ext> as JSON (even when the phase fails).
 */
export function phaseRecorder(
  envVar: string,
  ext: string,
  start: (s: Session) => Promise<unknown>,
  stop: (s: Session) => Promise<{ profile: unknown }>,
): <T>(phase: string, fn: () => Promise<T>) => Promise<T> {
  return async (phase, fn) => {
    const prefix = process.env[envVar];
    if (!prefix) return fn();
    const session = new Session();
    session.connect();
    await start(session);
    try {
      return await fn();
    } finally {
      const { profile } = await stop(session);
      writeFileSync(`${prefix}-${phase}.${ext}`, JSON.stringify(profile));
      session.disconnect();
    }
  };
}

export const profiled = phaseRecorder(
  'BENCH_CPU_PROFILE',
  'cpuprofile',
  async (s) => {
    await s.post('Profiler.enable');
    await s.post('Profiler.start');
  },
  (s) => s.post('Profiler.stop'),
);
