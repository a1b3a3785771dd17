import { MAX_SUBSCRIPTIONS } from '../contract/presence.js';
import { prepareFrame, type Connection, type PreparedFrame } from '../realtime/index.js';
import type { AddressBook } from './address-book.js';
import { jsonString, presenceJson, unknownPresence, viewFor } from './aggregate.js';
import type { PresenceEngine } from './engine.js';
import type { PresenceView } from './presence-api.js';

const STATE_KEY = 'presence';

/** One connection's subscriptions: by address as the client wrote it, and by person for fan-out. */
interface ConnSubs {
  readonly conn: Connection;
  /**
   * lower-cased address → the person it resolved to (null: unknown). Kept small: 10,000 sockets
   * with 50 subscriptions each are half a million entries, so no object per entry.
   */
  readonly byEmail: Map<string, string | null>;
  /** The address as subscribed, only where it is not already lower case (rare). */
  spelled: Map<string, string> | undefined;
  /** person → the address(es) as subscribed: one string nearly always, an array for several aliases. */
  readonly byPerson: Map<string, string | string[]>;
  /** The flush that last corked this connection (its frames of one flush leave in one write). */
  corkedIn: number;
  /**
   * Addresses of subscribe frames still resolving: counted against the cap, since a client can
   * send many frames in one read and each would otherwise see the count from before all of them.
   */
  resolving: number;
  /** Subscribe and unsubscribe frames seen, in order: the sequence number of the latest one. */
  frames: number;
  /**
   * While subscribe frames resolve: lower-cased address → the frame number of the latest unsubscribe
   * of it. A subscribe that began before that unsubscribe must not add the address when it resolves,
   * or the client's order of frames would be reversed (and the subscription leak toward the cap).
   */
  unsubscribedAt: Map<string, number> | undefined;
}

export interface SubscriptionHubOptions {
  /** Changes within this window reach a subscriber as one frame per person (the latest). */
  readonly coalesceMs: number;
  readonly maxPerConnection?: number;
  /** While true, flushes wait (the sockets' host has a backlog). */
  readonly backlogged?: () => boolean;
}

export class SubscriptionLimitError extends Error {
  readonly expose = true;
  readonly code = 'subscription_limit';
}

/**
 * Presence subscriptions of this process's sockets: pushes a person's presence only to the
 * connections subscribed to them, coalesced per subscriber within a short window. Sends never
 * wait: a socket that falls behind is closed by Connection (resync) without slowing the others.
 */
export class SubscriptionHub {
  readonly #subscribers = new Map<string, Set<ConnSubs>>();
  /** People changed since the last flush; the latest view is read at flush time, so changes coalesce. */
  readonly #changed = new Set<string>();
  #flushes = 0;
  /** Flushes put off because the sockets' host was backlogged (for capacity figures). */
  heldFlushes = 0;
  readonly #max: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #unlisten: () => void;

  constructor(
    readonly engine: PresenceEngine,
    readonly addresses: AddressBook,
    readonly options: SubscriptionHubOptions,
  ) {
    this.#max = options.maxPerConnection ?? MAX_SUBSCRIPTIONS;
    this.#unlisten = engine.onView((pid) => this.#personChanged(pid));
  }

  close(): void {
    this.#unlisten();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #subsOf(conn: Connection): ConnSubs {
    let cs = conn.state.get(STATE_KEY) as ConnSubs | undefined;
    if (!cs) {
      cs = { conn, byEmail: new Map(), spelled: undefined, byPerson: new Map(), corkedIn: 0, resolving: 0, frames: 0, unsubscribedAt: undefined };
      conn.state.set(STATE_KEY, cs);
    }
    return cs;
  }

  /** Subscribes to addresses (any alias), then sends the current presence of each one. */
  async subscribe(conn: Connection, emails: readonly string[]): Promise<void> {
    const cs = this.#subsOf(conn);
    const fresh = [...new Map(emails.map((e) => [e.toLowerCase(), e])).entries()].filter(([k]) => !cs.byEmail.has(k));
    if (cs.byEmail.size + cs.resolving + fresh.length > this.#max)
      throw new SubscriptionLimitError(`At most ${this.#max} subscriptions per connection (you have ${cs.byEmail.size + cs.resolving})`);
    const frame = ++cs.frames;
    cs.resolving += fresh.length;
    let found: Awaited<ReturnType<AddressBook['resolve']>>;
    let unsubscribed: Map<string, number> | undefined;
    try {
      found = await this.addresses.resolve(fresh.map(([, e]) => e));
    } finally {
      cs.resolving -= fresh.length;
      unsubscribed = cs.unsubscribedAt;
      if (cs.resolving === 0) cs.unsubscribedAt = undefined;
    }
    if (conn.closed) return;
    for (const [key, email] of fresh) {
      if (cs.byEmail.has(key) || (unsubscribed?.get(key) ?? 0) > frame) continue;
      const personId = found.get(email)?.id ?? null;
      cs.byEmail.set(key, personId);
      if (email !== key) (cs.spelled ??= new Map()).set(key, email);
      if (!personId) continue;
      const had = cs.byPerson.get(personId);
      if (had !== undefined) cs.byPerson.set(personId, typeof had === 'string' ? [had, email] : [...had, email]);
      else {
        cs.byPerson.set(personId, email);
        let set = this.#subscribers.get(personId);
        if (!set) this.#subscribers.set(personId, (set = new Set()));
        set.add(cs);
      }
    }
    // Answer every address asked for, including ones already subscribed: the client wants a snapshot.
    let asked = [...new Set(emails.map((e) => e.toLowerCase()))]
      .filter((k) => cs.byEmail.has(k))
      .map((k) => ({ key: k, email: cs.spelled?.get(k) ?? k, personId: cs.byEmail.get(k)! }));
    const pids = [...new Set(asked.map((a) => a.personId).filter((p): p is string => p !== null))];
    const views = await this.engine.currentMany(pids);
    // Unsubscribed while the views loaded: no snapshot of what the client no longer watches.
    asked = asked.filter((a) => cs.byEmail.has(a.key));
    conn.batch(() => {
      for (const a of asked) {
        const view = a.personId ? views.get(a.personId) : undefined;
        const shown = a.personId && view ? this.#filtered(a.personId, view, conn.principal.personId) : unknownPresence();
        if (!conn.sendRaw(frameJson(a.email, presenceJson(shown)))) return;
      }
      conn.send({ type: 'presence.subscribed', emails: asked.map((a) => a.email), total: cs.byEmail.size });
    });
  }

  unsubscribe(conn: Connection, emails: readonly string[]): void {
    const cs = this.#subsOf(conn);
    const frame = ++cs.frames;
    for (const e of emails) {
      const key = e.toLowerCase();
      if (cs.resolving > 0) (cs.unsubscribedAt ??= new Map()).set(key, frame);
      if (!cs.byEmail.has(key)) continue;
      const personId = cs.byEmail.get(key);
      cs.byEmail.delete(key);
      cs.spelled?.delete(key);
      if (!personId) continue;
      const left = addressesOf(cs.byPerson.get(personId)).filter((x) => x.toLowerCase() !== key);
      if (left.length) cs.byPerson.set(personId, left.length === 1 ? left[0] : left);
      else this.#dropPerson(cs, personId);
    }
    conn.send({ type: 'presence.unsubscribed', emails: [...emails], total: cs.byEmail.size });
  }

  /** Forgets a closed connection. */
  detach(conn: Connection): void {
    const cs = conn.state.get(STATE_KEY) as ConnSubs | undefined;
    if (!cs) return;
    for (const pid of [...cs.byPerson.keys()]) this.#dropPerson(cs, pid);
    cs.byEmail.clear();
  }

  /** People somebody on this process is subscribed to (Graph refreshes their OOF and calendar). */
  subscribedPeople(): string[] {
    return [...this.#subscribers.keys()];
  }

  get subscriptionCount(): number {
    let n = 0;
    for (const set of this.#subscribers.values()) n += set.size;
    return n;
  }

  #dropPerson(cs: ConnSubs, personId: string): void {
    cs.byPerson.delete(personId);
    const set = this.#subscribers.get(personId);
    if (!set) return;
    set.delete(cs);
    if (set.size === 0) this.#subscribers.delete(personId);
  }

  #filtered(personId: string, view: PresenceView, viewerId: string): PresenceView {
    if (viewerId === personId) return view;
    return this.engine.hasBlocked(personId, viewerId) ? viewFor(view, 'blocked') : view;
  }

  #personChanged(personId: string): void {
    if (!this.#subscribers.has(personId)) return;
    this.#changed.add(personId);
    this.#timer ??= setTimeout(() => this.#flush(), this.options.coalesceMs);
  }

  /**
   * Sends each person changed in the window to their subscribers: one frame per person (per
   * spelling of their address), built once and written to every socket watching them. A socket
   * watching several of them is corked for the flush, so its frames leave in one write.
   */
  #flush(): void {
    this.#timer = undefined;
    if (this.options.backlogged?.()) {
      // The sockets' host is behind: the window stays open and its changes keep coalescing.
      this.heldFlushes++;
      this.#timer = setTimeout(() => this.#flush(), this.options.coalesceMs);
      return;
    }
    const flush = ++this.#flushes;
    const corked: Connection[] = [];
    try {
      for (const pid of this.#changed) {
        const set = this.#subscribers.get(pid);
        const view = this.engine.cached(pid);
        if (!set || !view) continue;
        const blocks = this.engine.blocksAnyone(pid);
        const body = presenceJson(view);
        // Nearly everyone subscribes by the same address: its frame is kept at hand, others in a map.
        let firstEmail: string | undefined;
        let firstFrame: PreparedFrame | undefined;
        let others: Map<string, PreparedFrame> | undefined;
        const frameFor = (email: string): PreparedFrame => {
          if (email === firstEmail) return firstFrame!;
          if (firstEmail === undefined) {
            firstEmail = email;
            return (firstFrame = prepareFrame(frameJson(email, body)));
          }
          others ??= new Map();
          let frame = others.get(email);
          if (!frame) others.set(email, (frame = prepareFrame(frameJson(email, body))));
          return frame;
        };
        for (const cs of set) {
          const { conn } = cs;
          const subscribed = cs.byPerson.get(pid);
          if (conn.closed || subscribed === undefined) continue;
          if (cs.corkedIn !== flush) {
            cs.corkedIn = flush;
            conn.port.cork();
            corked.push(conn);
          }
          if (blocks && conn.principal.personId !== pid && this.engine.hasBlocked(pid, conn.principal.personId)) {
            const hidden = JSON.stringify(viewFor(view, 'blocked'));
            for (const email of addressesOf(subscribed)) conn.sendRaw(frameJson(email, hidden));
          } else if (typeof subscribed === 'string') conn.sendPrepared(frameFor(subscribed));
          else for (const email of subscribed) conn.sendPrepared(frameFor(email));
        }
      }
    } finally {
      this.#changed.clear();
      for (const conn of corked) conn.port.uncork();
    }
  }
}

const NONE: readonly string[] = [];
const addressesOf = (a: string | string[] | undefined): readonly string[] => (a === undefined ? NONE : typeof a === 'string' ? [a] : a);

const frameJson = (email: string, presence: string) => `{"type":"presence","email":${jsonString(email)},"presence":${presence}}`;
