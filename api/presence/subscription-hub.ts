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
  /** lower-cased address → the address as subscribed and the person it resolved to (null: unknown). */
  readonly byEmail: Map<string, { email: string; personId: string | null }>;
  readonly byPerson: Map<string, string[]>;
  /** People changed since the last flush; the latest view is read at flush time, so changes coalesce. */
  readonly pending: Set<string>;
}

export interface SubscriptionHubOptions {
  /** Changes within this window reach a subscriber as one frame per person (the latest). */
  readonly coalesceMs: number;
  readonly maxPerConnection?: number;
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
  readonly #dirty = new Set<ConnSubs>();
  readonly #max: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #unlisten: () => void;

  constructor(
    readonly engine: PresenceEngine,
    readonly addresses: AddressBook,
    readonly options: SubscriptionHubOptions,
  ) {
    this.#max = options.maxPerConnection ?? MAX_SUBSCRIPTIONS;
    this.#unlisten = engine.onView((pid) => this.#changed(pid));
  }

  close(): void {
    this.#unlisten();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #subsOf(conn: Connection): ConnSubs {
    let cs = conn.state.get(STATE_KEY) as ConnSubs | undefined;
    if (!cs) {
      cs = { conn, byEmail: new Map(), byPerson: new Map(), pending: new Set() };
      conn.state.set(STATE_KEY, cs);
    }
    return cs;
  }

  /** Subscribes to addresses (any alias), then sends the current presence of each one. */
  async subscribe(conn: Connection, emails: readonly string[]): Promise<void> {
    const cs = this.#subsOf(conn);
    const fresh = [...new Map(emails.map((e) => [e.toLowerCase(), e])).entries()].filter(([k]) => !cs.byEmail.has(k));
    if (cs.byEmail.size + fresh.length > this.#max)
      throw new SubscriptionLimitError(`At most ${this.#max} subscriptions per connection (you have ${cs.byEmail.size})`);
    const found = await this.addresses.resolve(fresh.map(([, e]) => e));
    if (conn.closed) return;
    for (const [key, email] of fresh) {
      if (cs.byEmail.has(key)) continue;
      const personId = found.get(email)?.id ?? null;
      cs.byEmail.set(key, { email, personId });
      if (!personId) continue;
      const list = cs.byPerson.get(personId);
      if (list) list.push(email);
      else {
        cs.byPerson.set(personId, [email]);
        let set = this.#subscribers.get(personId);
        if (!set) this.#subscribers.set(personId, (set = new Set()));
        set.add(cs);
      }
    }
    // Answer every address asked for, including ones already subscribed: the client wants a snapshot.
    const asked = [...new Set(emails.map((e) => e.toLowerCase()))].map((k) => cs.byEmail.get(k)).filter((x) => x !== undefined);
    const pids = [...new Set(asked.map((a) => a.personId).filter((p): p is string => p !== null))];
    const views = await this.engine.currentMany(pids);
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
    for (const e of emails) {
      const key = e.toLowerCase();
      const sub = cs.byEmail.get(key);
      if (!sub) continue;
      cs.byEmail.delete(key);
      if (!sub.personId) continue;
      const list = (cs.byPerson.get(sub.personId) ?? []).filter((x) => x.toLowerCase() !== key);
      if (list.length) cs.byPerson.set(sub.personId, list);
      else this.#dropPerson(cs, sub.personId);
    }
    conn.send({ type: 'presence.unsubscribed', emails: [...emails], total: cs.byEmail.size });
  }

  /** Forgets a closed connection. */
  detach(conn: Connection): void {
    const cs = conn.state.get(STATE_KEY) as ConnSubs | undefined;
    if (!cs) return;
    for (const pid of [...cs.byPerson.keys()]) this.#dropPerson(cs, pid);
    cs.byEmail.clear();
    this.#dirty.delete(cs);
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
    cs.pending.delete(personId);
    const set = this.#subscribers.get(personId);
    if (!set) return;
    set.delete(cs);
    if (set.size === 0) this.#subscribers.delete(personId);
  }

  #filtered(personId: string, view: PresenceView, viewerId: string): PresenceView {
    if (viewerId === personId) return view;
    return this.engine.hasBlocked(personId, viewerId) ? viewFor(view, 'blocked') : view;
  }

  #changed(personId: string): void {
    const set = this.#subscribers.get(personId);
    if (!set) return;
    for (const cs of set) {
      cs.pending.add(personId);
      this.#dirty.add(cs);
    }
    this.#timer ??= setTimeout(() => this.#flush(), this.options.coalesceMs);
  }

  #flush(): void {
    this.#timer = undefined;
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    // One person's frame goes to many subscribers: encode it once per flush, not once per socket.
    // Keyed person → address as subscribed (subscribers who wrote it differently get their spelling
    // back); both keys are long-lived strings, so no key is built per delivery.
    const frames = new Map<string, Map<string, PreparedFrame>>();
    for (const cs of dirty) {
      // Several frames for one socket leave in one write; one frame needs no corking.
      if (cs.pending.size > 1) cs.conn.batch(() => this.#sendPending(cs, frames));
      else this.#sendPending(cs, frames);
      cs.pending.clear();
    }
  }

  #sendPending(cs: ConnSubs, frames: Map<string, Map<string, PreparedFrame>>): void {
    const viewer = cs.conn.principal.personId;
    const mayBeBlocked = this.engine.isBlockedByAnyone(viewer);
    for (const pid of cs.pending) {
      const view = this.engine.cached(pid);
      if (!view) continue;
      const emails = cs.byPerson.get(pid) ?? [];
      if (mayBeBlocked && viewer !== pid && this.engine.hasBlocked(pid, viewer)) {
        const body = JSON.stringify(viewFor(view, 'blocked'));
        for (const email of emails) if (!cs.conn.sendRaw(frameJson(email, body))) return;
        continue;
      }
      let mine = frames.get(pid);
      if (!mine) frames.set(pid, (mine = new Map()));
      for (const email of emails) {
        let frame = mine.get(email);
        if (!frame) mine.set(email, (frame = prepareFrame(frameJson(email, presenceJson(view)))));
        if (!cs.conn.sendPrepared(frame)) return;
      }
    }
  }
}

const frameJson = (email: string, presence: string) => `{"type":"presence","email":${jsonString(email)},"presence":${presence}}`;
