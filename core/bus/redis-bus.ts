import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Bus } from './bus.js';
import { safeCall } from './memory-bus.js';

/** Redis pub/sub. Two connections: a subscribed connection cannot publish. Channels carry the key prefix. */
export class RedisBus implements Bus {
  readonly nodeId = randomUUID();
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #handlers = new Map<string, Set<(message: unknown) => void>>();
  readonly #reconnectListeners = new Set<() => void>();

  constructor(
    url: string,
    readonly prefix: string,
  ) {
    this.#pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3, enableAutoPipelining: true });
    // Named so an operator (or a test) can tell this process's subscriber apart in CLIENT LIST.
    this.#sub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3, connectionName: `${prefix}bus-sub-${this.nodeId}` });
    let connectedBefore = false;
    this.#sub.on('ready', () => {
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      // ioredis re-subscribes on reconnect before 'ready' but does not wait for the replies; a PING
      // on the same connection answers after them, so listeners re-read with the subscriptions live.
      this.#sub.ping().then(
        () => {
          for (const l of this.#reconnectListeners) safeCall(l, undefined);
        },
        () => {},
      );
    });
    this.#sub.on('message', (channel: string, raw: string) => {
      const handlers = this.#handlers.get(channel.slice(this.prefix.length));
      if (!handlers) return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      for (const h of handlers) safeCall(h, message);
    });
    // Errors are retried by ioredis; an unhandled 'error' event would crash the process.
    this.#pub.on('error', () => {});
    this.#sub.on('error', () => {});
  }

  /** A plain command connection for features that keep shared, expiring state in Redis. */
  get redis(): Redis {
    return this.#pub;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.#pub.publish(this.prefix + channel, JSON.stringify(message));
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    let set = this.#handlers.get(channel);
    if (!set) {
      this.#handlers.set(channel, (set = new Set()));
      await this.#sub.subscribe(this.prefix + channel);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.#handlers.get(channel) === set) {
        this.#handlers.delete(channel);
        await this.#sub.unsubscribe(this.prefix + channel);
      }
    };
  }

  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    this.#reconnectListeners.clear();
    this.#pub.disconnect();
    this.#sub.disconnect();
  }
}
