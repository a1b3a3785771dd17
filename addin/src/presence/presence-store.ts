import type { Frame, RealtimeClient } from '../api/index.js';
import type { PresenceDto } from './presence-types.js';

/** The server accepts at most this many addresses per frame and per connection. */
const MAX_PER_FRAME = 2000;
/** Unsubscribes wait a little: a list that re-renders re-subscribes the same people at once. */
const UNSUBSCRIBE_DELAY_MS = 2000;

/** What the server subscribes to (api/contract/route.ts `email`). */
const subscribable = (email: string): boolean => email.length <= 320 && /^[^@\s]+@[^@\s]+$/.test(email);
/**
 * The presence of an address no one can hold (an Exchange legacy DN, a name Outlook has not
 * resolved): shown at once as unknown instead of waiting for a frame that never comes.
 */
const NOBODY: PresenceDto = Object.freeze({
  availability: 'PresenceUnknown',
  activity: 'PresenceUnknown',
  note: null,
  outOfOffice: Object.freeze({ active: false, message: null }),
  lastActive: null,
  version: 0,
});

interface Entry {
  /** The address as first asked for (the server answers with the address as subscribed). */
  readonly email: string;
  refs: number;
  presence: PresenceDto | undefined;
  readonly listeners: Set<() => void>;
}

/**
 * One presence subscription store per pane, over the pane's one realtime socket. Components ask
 * for addresses (ref-counted); the store subscribes in batches, re-subscribes everything after a
 * reconnect, and drops frames older than the version it already shows.
 */
export class PresenceStore {
  readonly #entries = new Map<string, Entry>();
  readonly #toSubscribe = new Set<string>();
  readonly #toUnsubscribe = new Set<string>();
  #subscribeScheduled = false;
  #unsubscribeTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #offs: (() => void)[] = [];

  constructor(readonly realtime: RealtimeClient) {
    this.#offs.push(
      realtime.on<Frame & { email: string; presence: PresenceDto }>('presence', (f) => this.#onFrame(f.email, f.presence)),
      // First connect and every reconnect: the server forgot our subscriptions with the old socket.
      realtime.onOpen(() => this.#sendSubscribe([...this.#entries.values()].filter((e) => e.refs > 0).map((e) => e.email))),
    );
  }

  /** Starts watching addresses; returns the function that stops. */
  acquire(emails: readonly string[]): () => void {
    const keys = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
    for (const key of keys) {
      let entry = this.#entries.get(key);
      if (!entry) {
        const email = emails.find((e) => e.trim().toLowerCase() === key)!.trim();
        this.#entries.set(key, (entry = { email, refs: 0, presence: subscribable(email) ? undefined : NOBODY, listeners: new Set() }));
      }
      if (entry.presence === NOBODY) continue;
      if (entry.refs++ === 0 && !this.#toUnsubscribe.delete(key)) this.#toSubscribe.add(key);
    }
    this.#scheduleSubscribe();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const entry = this.#entries.get(key);
        if (entry?.presence === NOBODY) continue;
        if (entry && --entry.refs === 0) {
          if (!this.#toSubscribe.delete(key)) this.#toUnsubscribe.add(key);
        }
      }
      this.#scheduleUnsubscribe();
    };
  }

  get(email: string): PresenceDto | undefined {
    return this.#entries.get(email.trim().toLowerCase())?.presence;
  }

  /** Re-renders on changes of the given addresses only. */
  listen(emails: readonly string[], listener: () => void): () => void {
    const keys = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
    for (const k of keys) this.#entries.get(k)?.listeners.add(listener);
    return () => {
      for (const k of keys) this.#entries.get(k)?.listeners.delete(listener);
    };
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
    clearTimeout(this.#unsubscribeTimer);
  }

  #onFrame(email: unknown, presence: PresenceDto | undefined): void {
    if (typeof email !== 'string' || !presence || typeof presence.version !== 'number') return;
    const entry = this.#entries.get(email.toLowerCase());
    if (!entry) return;
    // Equal versions are accepted: a block or unblock re-sends the same version filtered differently.
    if (entry.presence && presence.version < entry.presence.version) return;
    entry.presence = presence;
    for (const l of [...entry.listeners]) l();
  }

  #scheduleSubscribe(): void {
    if (this.#subscribeScheduled || this.#toSubscribe.size === 0) return;
    this.#subscribeScheduled = true;
    queueMicrotask(() => {
      this.#subscribeScheduled = false;
      const keys = [...this.#toSubscribe];
      this.#toSubscribe.clear();
      // When the socket is not open the frame is dropped; onOpen re-subscribes everything.
      this.#sendSubscribe(keys.map((k) => this.#entries.get(k)!.email));
    });
  }

  #scheduleUnsubscribe(): void {
    if (this.#unsubscribeTimer || this.#toUnsubscribe.size === 0) return;
    this.#unsubscribeTimer = setTimeout(() => {
      this.#unsubscribeTimer = undefined;
      const keys = [...this.#toUnsubscribe].filter((k) => (this.#entries.get(k)?.refs ?? 0) === 0);
      this.#toUnsubscribe.clear();
      const emails: string[] = [];
      for (const k of keys) {
        const entry = this.#entries.get(k);
        if (!entry) continue;
        emails.push(entry.email);
        if (entry.listeners.size === 0) this.#entries.delete(k);
        else entry.presence = undefined;
      }
      for (let i = 0; i < emails.length; i += MAX_PER_FRAME) this.realtime.send({ type: 'presence.unsubscribe', emails: emails.slice(i, i + MAX_PER_FRAME) });
    }, UNSUBSCRIBE_DELAY_MS);
  }

  #sendSubscribe(emails: readonly string[]): void {
    const valid = emails.filter(subscribable);
    for (let i = 0; i < valid.length; i += MAX_PER_FRAME) this.realtime.send({ type: 'presence.subscribe', emails: valid.slice(i, i + MAX_PER_FRAME) });
  }
}

const stores = new WeakMap<RealtimeClient, PresenceStore>();

/** The pane's one store for its realtime socket. */
export function presenceStoreFor(realtime: RealtimeClient): PresenceStore {
  let store = stores.get(realtime);
  if (!store) stores.set(realtime, (store = new PresenceStore(realtime)));
  return store;
}
