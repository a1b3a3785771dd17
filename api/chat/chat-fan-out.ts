import type { Bus } from '../../core/bus/index.js';
import type { Logger } from '../../core/log/index.js';
import { prepareFrame, type Connection, type RealtimeGateway } from '../realtime/index.js';

type Frame = { type: string; [k: string]: unknown };

interface Wake {
  readonly origin: string;
  readonly personId: string;
  readonly json: string;
  readonly exclude?: string;
}

const channelOf = (personId: string) => `chat.person.${personId}`;
const MEMBERS_CHANNEL = 'chat.members';

/**
 * Pushes chat frames to every live endpoint of a person: the local sockets directly, and, when
 * several processes share Redis, the processes holding that person's sockets through a
 * per-person channel each process subscribes to while it holds one. Best effort by design:
 * the store is the truth and a client that misses a push catches up with `chat.sync`.
 */
export class ChatFanOut {
  readonly #subscriptions = new Map<string, Promise<() => Promise<void>>>();
  readonly #membersListeners = new Set<(conversationId: string) => void>();

  constructor(
    readonly gateway: RealtimeGateway,
    readonly bus: Bus,
    /** False on a single process: nobody else to wake. */
    readonly distributed: boolean,
    readonly log: Logger,
  ) {}

  /** Cached member lists elsewhere are stale: tell every process (and this one). */
  membersChanged(conversationId: string): void {
    for (const l of this.#membersListeners) l(conversationId);
    if (this.distributed)
      this.bus
        .publish(MEMBERS_CHANNEL, { origin: this.bus.nodeId, conversationId })
        .catch((err: unknown) => this.log.warn({ err }, 'chat members publish failed'));
  }

  onMembersChanged(listener: (conversationId: string) => void): void {
    this.#membersListeners.add(listener);
  }

  start(): void {
    if (!this.distributed) return;
    this.#subscriptions.set(
      MEMBERS_CHANNEL,
      this.bus.subscribe(MEMBERS_CHANNEL, (m) => {
        const e = m as { origin?: string; conversationId?: unknown };
        if (e?.origin !== this.bus.nodeId && typeof e?.conversationId === 'string') for (const l of this.#membersListeners) l(e.conversationId);
      }),
    );
    this.gateway.onOpen((c) => this.#onOpen(c));
    this.gateway.onClose((c) => this.#onClose(c));
  }

  async stop(): Promise<void> {
    const subs = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    for (const s of subs) await (await s.catch(() => async () => {}))().catch(() => {});
  }

  /** Resolves once this process is subscribed to wake-ups for the person (at once on one process). */
  async ready(personId: string): Promise<void> {
    await this.#subscriptions.get(personId)?.catch(() => undefined);
  }

  /** Sends `frame` to all endpoints of `personId` except the connection `exclude`. */
  toPerson(personId: string, frame: Frame, exclude?: string): void {
    this.toPersonRaw(personId, JSON.stringify(frame), exclude);
  }

  /** The same with the frame already serialised (one message, many recipients: serialise once). */
  toPersonRaw(personId: string, json: string, exclude?: string): void {
    this.#local(personId, json, exclude);
    if (this.distributed) {
      const wake: Wake = { origin: this.bus.nodeId, personId, json, exclude };
      this.bus.publish(channelOf(personId), wake).catch((err: unknown) => this.log.warn({ err }, 'chat wake publish failed'));
    }
  }

  #local(personId: string, json: string, exclude?: string): void {
    // One person's panes all get the same bytes: encoded once.
    const frame = prepareFrame(json);
    for (const c of this.gateway.connectionsOf(personId)) if (c.id !== exclude) c.sendPrepared(frame);
  }

  #onOpen(c: Connection): void {
    const id = c.principal.personId;
    if (this.#subscriptions.has(id)) return;
    this.#subscriptions.set(
      id,
      this.bus.subscribe(channelOf(id), (m) => {
        const w = m as Wake;
        if (w && w.origin !== this.bus.nodeId && typeof w.json === 'string') this.#local(w.personId, w.json, w.exclude);
      }),
    );
  }

  #onClose(c: Connection): void {
    const id = c.principal.personId;
    if (this.gateway.connectionsOf(id).size > 0) return;
    const sub = this.#subscriptions.get(id);
    if (!sub) return;
    this.#subscriptions.delete(id);
    void sub.then((unsubscribe) => unsubscribe()).catch(() => {});
  }
}
