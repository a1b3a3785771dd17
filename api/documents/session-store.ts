import type { DocSession } from './participants.js';

/**
 * Where document sessions live. In memory for one process; in Redis (expiring keys) when several
 * API processes share the load. Stores return only live sessions: expiry is checked on read, and
 * sweep() removes what expired so that a change can be announced.
 */
export interface DocSessionStore {
  /** Inserts or replaces a session (a renewal is a put with a later expiresAt). */
  put(session: DocSession): Promise<void>;
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

  async list(docKey: string, now: number): Promise<DocSession[]> {
    const doc = this.#docs.get(docKey);
    if (!doc) return [];
    const live: DocSession[] = [];
    for (const s of doc.values()) if (s.expiresAt > now) live.push(s);
    return live;
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
