import type { DocSession } from './participants.js';

/**
 * Where document sessions live. In memory for one process; in Redis (expiring keys) when several
 * API processes share the load. Stores return only live sessions: expiry is checked on read, and
 * sweep() removes what expired so that a change can be announced.
 */
export interface DocSessionStore {
  /** Inserts or replaces a session (a renewal is a put with a later expiresAt). */
  put(session: DocSession): Promise<void>;
  /**
   * The position of a session put before has changed in place (the caller owns the object). The
   * memory store holds that very object and has nothing to do; shared stores write it at flush().
   */
  moved(session: DocSession): void;
  /** Writes what moved() queued, in one round trip. */
  flush(): Promise<void>;
  /**
   * Live sessions of a document, synchronously: only a store private to this process has them at
   * hand (then changes are pushed to this process's sockets without the bus or a read).
   */
  readonly listNow?: (docKey: string, now: number) => DocSession[];
  /** Removes a session; true when it was there. */
  remove(docKey: string, connId: string): Promise<boolean>;
  /** Live sessions of a document. */
  list(docKey: string, now: number): Promise<DocSession[]>;
  /** Drops expired sessions (and those of dead processes) of these documents; returns the documents that changed. */
  sweep(docKeys: Iterable<string>, now: number): Promise<string[]>;
  /** Sessions held, for metrics and the benchmark's ghost count (shared stores: of these documents). */
  count(docKeys: Iterable<string>, now: number): Promise<number>;
  close(): Promise<void>;
}

/** The single-process store. */
export class MemorySessionStore implements DocSessionStore {
  readonly #docs = new Map<string, Map<string, DocSession>>();

  async put(session: DocSession): Promise<void> {
    let doc = this.#docs.get(session.docKey);
    if (!doc) this.#docs.set(session.docKey, (doc = new Map()));
    doc.set(session.connId, session);
  }

  async remove(docKey: string, connId: string): Promise<boolean> {
    const doc = this.#docs.get(docKey);
    if (!doc?.delete(connId)) return false;
    if (doc.size === 0) this.#docs.delete(docKey);
    return true;
  }

  moved(): void {
    // The session object in the map is the one that moved.
  }

  async flush(): Promise<void> {}

  readonly listNow = (docKey: string, now: number): DocSession[] => {
    const doc = this.#docs.get(docKey);
    if (!doc) return [];
    const live: DocSession[] = [];
    for (const s of doc.values()) if (s.expiresAt > now) live.push(s);
    return live;
  };

  async list(docKey: string, now: number): Promise<DocSession[]> {
    return this.listNow(docKey, now);
  }

  async sweep(_docKeys: Iterable<string>, now: number): Promise<string[]> {
    // Every session of this process is in this map: sweep all of them, not only the named documents.
    const changed: string[] = [];
    for (const [docKey, doc] of this.#docs) {
      let removed = false;
      for (const [connId, s] of doc) {
        if (s.expiresAt <= now) {
          doc.delete(connId);
          removed = true;
        }
      }
      if (doc.size === 0) this.#docs.delete(docKey);
      if (removed) changed.push(docKey);
    }
    return changed;
  }

  async count(_docKeys: Iterable<string>, now: number): Promise<number> {
    let n = 0;
    for (const doc of this.#docs.values()) for (const s of doc.values()) if (s.expiresAt > now) n++;
    return n;
  }

  async close(): Promise<void> {
    this.#docs.clear();
  }
}
