import { useSyncExternalStore } from 'react';
import type { DemoHostState, DemoSnapshot } from './demo-state.js';

export function useDemoSnapshot(state: DemoHostState): DemoSnapshot {
  return useSyncExternalStore(state.subscribe, () => state.snapshot);
}
