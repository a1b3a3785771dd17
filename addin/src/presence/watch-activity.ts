import type { RealtimeClient } from '../api/index.js';
import type { OfficeHost } from '../office/index.js';
import { ActivityReporter } from './activity-reporter.js';

/** How often the idle timers are checked between inputs. */
export const CHECK_MS = 15_000;
/** Pointer moves and host events count as input at most this often (they come by the hundred). */
export const MOVE_EVERY_MS = 5000;

/** The page the pane runs in: window for input events, document for visibility (fakes in tests). */
export interface ActivityPage {
  readonly window: EventTarget;
  readonly document: EventTarget & { readonly visibilityState: string };
}

const browserPage = (): ActivityPage => ({ window, document });

/**
 * Reports this pane's activity over the realtime socket (rules in ActivityReporter). Input counts
 * from the pane's own frame and from the host: the user mostly works in Outlook or Word, not in the
 * pane, and the pane sees none of that input. So a new Outlook item or changed compose recipients,
 * and a moved Word selection, count as input too. (Word on the web also reports selection changes
 * caused by co-authors' edits, office-js#4114: such a user may look active a little longer.)
 * Returns the function that stops it.
 */
export function watchActivity(
  realtime: Pick<RealtimeClient, 'send' | 'onOpen'>,
  host: Pick<OfficeHost, 'mail' | 'document'>,
  page: ActivityPage = browserPage(),
  now: () => number = Date.now,
): () => void {
  const { window: win, document: doc } = page;
  const reporter = new ActivityReporter(
    (state) => realtime.send({ type: 'activity', state }),
    () => doc.visibilityState !== 'hidden',
    now,
  );
  const onInput = () => reporter.input();
  const onVisibility = () => reporter.visibilityChanged();
  let lastBurst = -Infinity;
  const onBurst = () => {
    const t = now();
    if (t - lastBurst < MOVE_EVERY_MS) return;
    lastBurst = t;
    reporter.input();
  };
  const events = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'focus'] as const;
  for (const e of events) win.addEventListener(e, onInput, { passive: true, capture: true });
  win.addEventListener('pointermove', onBurst, { passive: true, capture: true });
  doc.addEventListener('visibilitychange', onVisibility);
  const offHost = [host.mail?.onItemChanged(onBurst), host.document?.onSelectionChanged(onBurst)];
  const timer = setInterval(() => reporter.report(), CHECK_MS);
  const offOpen = realtime.onOpen(() => reporter.reconnected());
  return () => {
    for (const e of events) win.removeEventListener(e, onInput, { capture: true });
    win.removeEventListener('pointermove', onBurst, { capture: true });
    doc.removeEventListener('visibilitychange', onVisibility);
    for (const off of offHost) off?.();
    clearInterval(timer);
    offOpen();
  };
}
