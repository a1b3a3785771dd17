import type { EndpointActivity } from './presence-types.js';

/** Lync's defaults: Inactive after 5 minutes without input, Away 5 minutes later. */
export const IDLE_MS = 5 * 60_000;
export const AWAY_MS = 5 * 60_000;
/** While active, repeat `active` this often so the server's idle timers restart. */
export const ACTIVE_REPEAT_MS = 60_000;

/** What the pane should report after `idleFor` ms without input. */
export function activityFor(idleFor: number, visible: boolean): EndpointActivity {
  if (idleFor >= IDLE_MS + AWAY_MS) return 'away';
  if (idleFor >= IDLE_MS || !visible) return 'inactive';
  return 'active';
}

/**
 * A pane's activity as the frames it sends: `active` on input (at most once a minute while it
 * stays active), `inactive` after 5 min idle or when the pane is hidden, `away` 5 min later. Kept
 * apart from the DOM so its rules run on a test clock; useActivityReporter wires the events.
 */
export class ActivityReporter {
  #lastInput: number;
  #sent: EndpointActivity | null = null;
  #sentAt = 0;

  constructor(
    /** Sends an `activity` frame; false when it could not (the socket is down): retried later. */
    readonly send: (state: EndpointActivity) => boolean,
    readonly visible: () => boolean,
    readonly now: () => number = Date.now,
  ) {
    this.#lastInput = now();
  }

  /** Keyboard, pointer, wheel, touch or focus in the pane. */
  input(): void {
    this.#lastInput = this.now();
    if (this.visible()) this.report();
  }

  /** The pane was shown or hidden; showing it counts as input. */
  visibilityChanged(): void {
    if (this.visible()) this.#lastInput = this.now();
    this.report();
  }

  /** A new socket starts as an active endpoint on the server: tell it the truth. */
  reconnected(): void {
    this.#sent = null;
    this.report(true);
  }

  /** Sends the state if it changed (or, while active, once a minute); run on a timer too. */
  report(force = false): void {
    const now = this.now();
    const state = activityFor(now - this.#lastInput, this.visible());
    if (!force && state === this.#sent && (state !== 'active' || now - this.#sentAt < ACTIVE_REPEAT_MS)) return;
    if (this.send(state)) {
      this.#sent = state;
      this.#sentAt = now;
    }
  }
}
