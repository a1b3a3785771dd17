import { useEffect } from 'react';
import { useRealtime } from '../services/index.js';
import { ActivityReporter } from './activity-reporter.js';

/** How often the idle timers are checked between inputs. */
const CHECK_MS = 15_000;
/** Pointer moves count as input at most this often (they come by the hundred). */
const MOVE_EVERY_MS = 5000;

/**
 * Reports this pane's activity over the realtime socket (rules in ActivityReporter). The server
 * timestamps the frames and runs the same timers, so a pane that is frozen in the background
 * still goes idle.
 */
export function useActivityReporter(): void {
  const realtime = useRealtime();
  useEffect(() => {
    const reporter = new ActivityReporter(
      (state) => realtime.send({ type: 'activity', state }),
      () => document.visibilityState !== 'hidden',
    );
    const onInput = () => reporter.input();
    const onVisibility = () => reporter.visibilityChanged();
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'focus'] as const;
    let lastMove = 0;
    const onMove = () => {
      const now = Date.now();
      if (now - lastMove < MOVE_EVERY_MS) return;
      lastMove = now;
      reporter.input();
    };
    for (const e of events) window.addEventListener(e, onInput, { passive: true, capture: true });
    window.addEventListener('pointermove', onMove, { passive: true, capture: true });
    document.addEventListener('visibilitychange', onVisibility);
    const timer = setInterval(() => reporter.report(), CHECK_MS);
    const offOpen = realtime.onOpen(() => reporter.reconnected());
    return () => {
      for (const e of events) window.removeEventListener(e, onInput, { capture: true });
      window.removeEventListener('pointermove', onMove, { capture: true });
      document.removeEventListener('visibilitychange', onVisibility);
      clearInterval(timer);
      offOpen();
    };
  }, [realtime]);
}
