import { useEffect } from 'react';
import { useRealtime } from '../services/index.js';
import type { EndpointActivity } from './presence-types.js';

/** Lync's defaults: Inactive after 5 minutes without input, Away 5 minutes later. */
export const IDLE_MS = 5 * 60_000;
export const AWAY_MS = 5 * 60_000;
/** While active, repeat `active` this often so the server's idle timers restart. */
const ACTIVE_REPEAT_MS = 60_000;
const CHECK_MS = 15_000;

/** What the pane should report after `idleFor` ms without input. */
export function activityFor(idleFor: number, visible: boolean): EndpointActivity {
  if (idleFor >= IDLE_MS + AWAY_MS) return 'away';
  if (idleFor >= IDLE_MS || !visible) return 'inactive';
  return 'active';
}

/**
 * Reports this pane's activity over the realtime socket: `active` on input (at most once a
 * minute while it stays active), `inactive` after 5 min idle or when the pane is hidden, `away`
 * 5 min later. The server timestamps the frames and runs the same timers, so a pane that is
 * frozen in the background still goes idle.
 */
export function useActivityReporter(): void {
  const realtime = useRealtime();
  useEffect(() => {
    let lastInput = Date.now();
    let sent: EndpointActivity | null = null;
    let sentAt = 0;
    const visible = () => document.visibilityState !== 'hidden';
    const report = (force = false) => {
      const state = activityFor(Date.now() - lastInput, visible());
      const now = Date.now();
      if (!force && state === sent && (state !== 'active' || now - sentAt < ACTIVE_REPEAT_MS)) return;
      if (realtime.send({ type: 'activity', state })) {
        sent = state;
        sentAt = now;
      }
    };
    const onInput = () => {
      lastInput = Date.now();
      if (visible()) report();
    };
    const onVisibility = () => {
      if (visible()) lastInput = Date.now();
      report();
    };
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'focus'] as const;
    let lastMove = 0;
    const onMove = () => {
      const now = Date.now();
      if (now - lastMove < 5000) return;
      lastMove = now;
      onInput();
    };
    for (const e of events) window.addEventListener(e, onInput, { passive: true, capture: true });
    window.addEventListener('pointermove', onMove, { passive: true, capture: true });
    document.addEventListener('visibilitychange', onVisibility);
    const timer = setInterval(() => report(), CHECK_MS);
    // A new socket starts as an active endpoint on the server: tell it the truth.
    const offOpen = realtime.onOpen(() => {
      sent = null;
      report(true);
    });
    return () => {
      for (const e of events) window.removeEventListener(e, onInput, { capture: true });
      window.removeEventListener('pointermove', onMove, { capture: true });
      document.removeEventListener('visibilitychange', onVisibility);
      clearInterval(timer);
      offOpen();
    };
  }, [realtime]);
}
