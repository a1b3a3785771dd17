/**
 * Fan-out between API processes. The store is the source of truth; the bus only wakes the
 * processes that hold interested sockets, so a lost bus message must never lose data.
 */
export interface Bus {
  /** Stable id of this process on the bus (also used to ignore our own echoes when useful). */
  readonly nodeId: string;
  publish(channel: string, message: unknown): Promise<void>;
  /** Returns an unsubscribe function. Handlers never throw into the bus. */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>>;
  /**
   * Calls `listener` each time the bus came back after losing its connection, once its
   * subscriptions are live again: messages published meanwhile are lost, so whoever caches what
   * they announce must re-read the source of truth. Returns a function that stops the calls.
   */
  onReconnect(listener: () => void): () => void;
  close(): Promise<void>;
}
