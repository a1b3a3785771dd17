import { useEffect } from 'react';
import { useOfficeHost, useRealtime } from '../services/index.js';
import { watchActivity } from './watch-activity.js';

/**
 * Reports this pane's activity over the realtime socket while the pane is mounted (see
 * watchActivity). The server timestamps the frames and runs the same timers, so a pane that is
 * frozen in the background still goes idle.
 */
export function useActivityReporter(): void {
  const realtime = useRealtime();
  const host = useOfficeHost();
  useEffect(() => watchActivity(realtime, host), [realtime, host]);
}
