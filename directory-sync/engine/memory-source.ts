import type { DirectoryEntry } from '../model/directory-entry.js';
import type { DirectorySource, ReadOptions, ReadSummary, SourceBatch } from '../sources/source.js';

/**
 * A directory held in memory, for tests: full passes enumerate everything, incremental passes
 * return what changed since a version watermark (with tombstones), page by page. It can fail
 * mid-read or demand a full pass, like a real server would.
 */
export class MemorySource implements DirectorySource {
  readonly #entries = new Map<string, DirectoryEntry>();
  /** Latest version at which each id changed; deleted ids map to their tombstone version. */
  readonly #changes = new Map<string, { version: number; deleted: boolean }>();
  #version = 0;
  /** Throw after this many batches of the next read (a server that dies mid-run). */
  failAfterBatches: number | undefined;
  /** The next incremental read answers "needs a full pass" with this reason. */
  demandFull: string | undefined;
  /**
   * The next full read delivers every entry but ends incomplete: with `needsFull` (the DC changed
   * during the pass), or without a reason (part of the source could not be read).
   */
  incompleteFull: { needsFull?: string } | undefined;
  /**
   * Ids no read can see (an ACL, a filter): full passes leave them out, incremental passes leave
   * out their changes. Taking one out of the set changes nothing in the entry, as when an ACL is
   * fixed: an incremental pass does not report it.
   */
  readonly hidden = new Set<string>();
  reads = 0;

  constructor(
    readonly name = 'memory',
    public pageSize = 100,
  ) {}

  set(...entries: DirectoryEntry[]): this {
    for (const e of entries) {
      this.#entries.set(e.externalId, e);
      this.#changes.set(e.externalId, { version: ++this.#version, deleted: false });
    }
    return this;
  }

  remove(...externalIds: string[]): this {
    for (const id of externalIds) {
      if (!this.#entries.delete(id)) continue;
      this.#changes.set(id, { version: ++this.#version, deleted: true });
    }
    return this;
  }

  get(externalId: string): DirectoryEntry | undefined {
    return this.#entries.get(externalId);
  }

  get size(): number {
    return this.#entries.size;
  }

  async *read(options: ReadOptions): AsyncGenerator<SourceBatch, ReadSummary, void> {
    this.reads++;
    const failAfter = this.failAfterBatches;
    this.failAfterBatches = undefined;
    let batches = 0;
    const emit = (b: SourceBatch) => {
      if (failAfter !== undefined && batches >= failAfter) throw new Error('memory source: connection lost');
      batches++;
      return b;
    };
    const version = this.#version;
    if (options.full) {
      const incomplete = this.incompleteFull;
      this.incompleteFull = undefined;
      const all = [...this.#entries.values()].filter((e) => !this.hidden.has(e.externalId)).sort((a, b) => a.externalId.localeCompare(b.externalId));
      for (let i = 0; i < all.length; i += this.pageSize) {
        options.signal.throwIfAborted();
        yield emit({ upserts: all.slice(i, i + this.pageSize), deletes: [] });
      }
      if (failAfter !== undefined && batches >= failAfter) throw new Error('memory source: connection lost');
      if (incomplete) return { complete: false, ...(incomplete.needsFull ? { needsFull: incomplete.needsFull } : {}) };
      return { complete: true, watermark: { version }, total: all.length };
    }
    if (this.demandFull) {
      const reason = this.demandFull;
      this.demandFull = undefined;
      return { complete: false, needsFull: reason };
    }
    const since = Number(options.watermark?.version ?? 0);
    const changed = [...this.#changes.entries()]
      .filter(([id, c]) => c.version > since && c.version <= version && !this.hidden.has(id))
      .sort((a, b) => a[1].version - b[1].version);
    for (let i = 0; i < changed.length; i += this.pageSize) {
      options.signal.throwIfAborted();
      const page = changed.slice(i, i + this.pageSize);
      yield emit({
        upserts: page.filter(([, c]) => !c.deleted).map(([id]) => this.#entries.get(id)!),
        deletes: page.filter(([, c]) => c.deleted).map(([id]) => id),
        watermark: { version: page[page.length - 1][1].version },
      });
    }
    if (failAfter !== undefined && batches >= failAfter) throw new Error('memory source: connection lost');
    return { complete: false, watermark: { version } };
  }
}
