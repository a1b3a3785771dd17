import { randomUUID } from 'node:crypto';
import type { Bus } from './bus.js';

/** In-process bus for the single-process default and for tests. Delivery is asynchronous, like Redis. */
export class MemoryBus implements Bus {
  readonly nodeId = randomUUID();
  readonly #handlers = new Map<string, Set<(message: unknown) => void>>();

  async publish(channel: string, message: unknown): Promise<void> {
    const handlers = this.#handlers.get(channel);
    if (!handlers) return;
    // Serialise like a real bus so nobody shares mutable objects across "processes".
    const copy = JSON.parse(JSON.stringify(message)) as unknown;
    queueMicrotask(() => {
      for (const h of handlers) safeCall(h, copy);
    });
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    let set = this.#handlers.get(channel);
    if (!set) this.#handlers.set(channel, (set = new Set()));
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0) this.#handlers.delete(channel);
    };
  }

  /** In one process nothing is ever lost in transit: there is no reconnect to report. */
  onReconnect(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.#handlers.clear();
  }
}

export function safeCall(handler: (message: unknown) => void, message: unknown): void {
  try {
    handler(message);
  } catch {
    // A subscriber's bug must not break delivery to the others; subscribers log their own errors.
  }
}
