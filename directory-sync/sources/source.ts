import type { DirectoryEntry } from '../model/directory-entry.js';

/**
 * Where a source stands after a pass: opaque to the engine, committed in the same transaction as
 * the data it covers. AD: { usn, dsServiceName, invocationId }; LDAP: { modifyTimestamp };
 * Graph: { deltaLink }; LDIF: { fileHash }.
 */
export type Watermark = Readonly<Record<string, string | number | null>>;

export interface ReadOptions {
  /** Read everything (and reconcile deletions at the end) instead of changes since the watermark. */
  readonly full: boolean;
  readonly watermark: Watermark | null;
  readonly signal: AbortSignal;
}

/**
 * One page of what a source read. The engine applies a batch in one transaction; when `watermark`
 * is set it is stored in that same transaction.
 */
export interface SourceBatch {
  readonly upserts: readonly DirectoryEntry[];
  /**
   * contentHash of each upsert, when the source computed them (it serialized the entries anyway,
   * e.g. to post them from a worker thread). The engine computes the ones not given.
   */
  readonly hashes?: readonly string[];
  /** External ids the source reports as deleted (AD tombstones, Graph @removed). */
  readonly deletes: readonly string[];
  readonly watermark?: Watermark;
  /** Warnings about entries the source skipped or trimmed while reading. */
  readonly warnings?: readonly string[];
  /**
   * External-id prefixes this pass could not read (e.g. one mailbox's Outlook contacts, access
   * denied): what the store holds under them counts as seen, so a complete pass reconciles
   * everything else and never removes them for not having been read.
   */
  readonly keep?: readonly string[];
}

/** What a pass turned out to be; returned when the iterator finishes. */
export interface ReadSummary {
  /** A full enumeration completed: entries not seen may be marked missing (two-phase, capped). */
  readonly complete: boolean;
  /** The source demands a full pass (changed DC, new invocationId, 410 Gone): the engine re-runs full. */
  readonly needsFull?: string;
  readonly watermark?: Watermark;
  /** Entry count of the whole source when known (for the deletion cap's percentage). */
  readonly total?: number;
}

/**
 * A directory the product syncs from: LDAP/AD, an LDIF file, Microsoft Graph.
 * Implementations stream pages; they never hold the whole directory in memory.
 */
export interface DirectorySource {
  readonly name: string;
  read(options: ReadOptions): AsyncGenerator<SourceBatch, ReadSummary, void>;
  close?(): Promise<void>;
}
