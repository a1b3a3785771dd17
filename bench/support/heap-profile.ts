// Optional sampling heap profile of one phase of a benchmark, for finding what survives the young
// generation: set BENCH_HEAP_PROFILE=/path/prefix and the phase's profile is written to
// <prefix>-<phase>.heapprofile (open it in Chrome DevTools). It keeps the samples of objects that a
// full GC collected and drops those that died young, so it shows the allocations that were promoted
// to the old generation and then died there: garbage that only a full GC frees, with whatever native
// memory (ArrayBuffer backing stores) it holds. Off by default: sampling slows the process it watches.
import { phaseRecorder } from './cpu-profile.js';

export const heapProfiled = phaseRecorder(
  'BENCH_HEAP_PROFILE',
  'heapprofile',
  async (s) => {
    await s.post('HeapProfiler.enable');
    await s.post('HeapProfiler.startSampling', {
      samplingInterval: Number(process.env.BENCH_HEAP_PROFILE_INTERVAL ?? 16_384),
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: false,
    } as never);
  },
  (s) => s.post('HeapProfiler.stopSampling'),
);
