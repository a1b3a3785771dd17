import { createHash } from 'node:crypto';
import type { Logger } from '../../../core/log/index.js';
import type { DirectoryEntry } from '../../model/directory-entry.js';
import type { DirectorySource, ReadOptions, ReadSummary, SourceBatch, Watermark } from '../source.js';
import { andFilters, attrString, attrValues, escapeFilterValue, type LdapConnection, type LdapConnectionOptions } from '../ldap-common/index.js';
import type { AttributeMap } from './attribute-map.js';
import { personAttributes } from './person-attributes.js';
import { EntryMapper } from './entry-mapper.js';
import { formatGeneralizedTime, parseGeneralizedTime } from './generalized-time.js';
import { GroupIndex } from './group-index.js';
import { GroupLookup, type GroupMembership } from './group-lookup.js';
import { ReaderThread, readInWorker, type WorkerSpec } from './threaded-read.js';

/** Clock skew and slow commits a `modifyTimestamp >=` pass must still catch. */
export const DEFAULT_OVERLAP_SECONDS = 300;

export interface LdapSourceOptions {
  readonly connection: LdapConnection;
  readonly baseDn: string;
  /** LDAP_FILTER: narrows which people are synced (already validated with normalizeFilter). */
  readonly filter?: string;
  readonly map: AttributeMap;
  readonly name?: string;
  readonly overlapSeconds?: number;
  readonly pageSize?: number;
  /**
   * Pages are gathered into batches of at least this many entries (the last one may be smaller):
   * the engine applies and commits one batch per transaction, and a commit rewrites the index
   * pages it touched, so a few big commits write far less than one per page. Default 2,000, and
   * THREADED_BATCH_SIZE for a full pass read in a worker thread.
   */
  readonly batchSize?: number;
  readonly log?: Logger;
  /**
   * Run full passes in a worker thread (BER decoding and mapping there, the engine's writes
   * here: both cores busy). Needs `connectionOptions`, since the worker opens its own connection.
   */
  readonly threaded?: boolean;
  readonly connectionOptions?: LdapConnectionOptions;
  /** How long a reader thread started with the source waits for a full pass (default SPARE_READER_IDLE_MS). */
  readonly spareIdleMs?: number;
  /** A second connection for group lookups during an incremental pass (default: `connection`, fine for MemoryLdapConnection). */
  readonly sideConnection?: LdapConnection;
}

export const DEFAULT_BATCH_SIZE = 2000;

/**
 * Batch size of a full pass read in a worker thread. Everything the engine builds for a batch stays
 * alive while it is applied, and what outlives a scavenge is copied, then promoted: big batches
 * cost collections (100k full pass, engine-thread scavenges: 1.26 s at 2,000 entries, 0.38 s at
 * 500, when a person's row was still built with spread copies), small ones cost commits and
 * per-batch lookups. 1,000 measured best since those copies went (interleaved runs, 100k
 * people: 4.8–5.4 s against 5.1–6.0 s at 500; 2,000 brought peak RSS to 356 MB).
 */
export const THREADED_BATCH_SIZE = 1000;

/** Up to this many changed people in a page, their groups are looked up rather than all memberships read. */
export const GROUP_LOOKUP_LIMIT = 100;

const PLAIN_STAMP = /^\d{14}Z$/;

/** A reader thread started with the source and not taken by a full pass by then is ended. */
export const SPARE_READER_IDLE_MS = 60_000;

/**
 * OpenLDAP (or any LDAPv3 server) as a directory source. Keyed by entryUUID, so a rename or an
 * OU move is the same person. Incremental passes read `modifyTimestamp >= watermark − overlap`;
 * the watermark (the newest modifyTimestamp seen) is only handed to the engine at the end of a
 * pass, because paged results come in no particular order. Deletions are not visible to an
 * incremental pass: full passes enumerate everything and the engine reconciles. A change to any
 * group (its members, its name, a group gone) asks the engine for a full pass, since group
 * changes do not touch the members' modifyTimestamp; so does a changed base DN, filter or
 * attribute map (the watermark records a key of them).
 */
export class LdapSource implements DirectorySource {
  readonly name: string;
  readonly #o: LdapSourceOptions;
  readonly #overlapMs: number;
  readonly #mapper: EntryMapper;
  /** What decides which entries are read and how they are mapped; stored in the watermark. */
  readonly #scopeKey: string;
  readonly #workerSpec: WorkerSpec | undefined;
  /** The reader thread for the next full pass, loading already (see ReaderThread). */
  #spare: ReaderThread | undefined;
  #spareTimer: NodeJS.Timeout | undefined;

  constructor(options: LdapSourceOptions) {
    this.#o = options;
    this.#mapper = new EntryMapper(options.map);
    this.name = options.name ?? 'ldap';
    this.#overlapMs = (options.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS) * 1000;
    const scope = JSON.stringify({ baseDn: options.baseDn.toLowerCase(), filter: options.filter ?? '', map: options.map });
    this.#scopeKey = createHash('sha256').update(scope).digest('base64url').slice(0, 22);
    if (options.threaded && options.connectionOptions) {
      const { connectionOptions, baseDn, filter, map, name, overlapSeconds, pageSize, batchSize } = options;
      this.#workerSpec = { connectionOptions, baseDn, filter, map, name, overlapSeconds, pageSize, batchSize: batchSize ?? THREADED_BATCH_SIZE };
      // Most runs of a CLI invocation or a first start are full passes; a process whose first pass
      // is incremental ends the spare thread unused after a minute.
      this.#spare = new ReaderThread(this.#workerSpec);
      this.#spareTimer = setTimeout(() => void this.#dropSpare(), options.spareIdleMs ?? SPARE_READER_IDLE_MS).unref();
    }
  }

  /**
   * Settles when the reader thread started with the source has loaded (at once when there is
   * none): for a caller that wants to time a pass apart from a thread's start, as the benchmark does.
   */
  async readerLoaded(): Promise<void> {
    const spare = this.#spare;
    if (!spare) return;
    // Referenced while waited on: an unreferenced thread alone would let the process exit under the caller's await.
    spare.worker.ref();
    try {
      await spare.loaded;
    } finally {
      if (this.#spare === spare) spare.worker.unref();
    }
  }

  /** A reader thread is loading or waiting for this source's next full pass. */
  get hasSpareReader(): boolean {
    return !!this.#spare && !this.#spare.exited;
  }

  /** The spare reader thread if it is still alive, otherwise a new one; either way it is this pass's. */
  #takeReader(spec: WorkerSpec): ReaderThread {
    const spare = this.#spare;
    this.#spare = undefined;
    clearTimeout(this.#spareTimer);
    if (spare && !spare.exited && !spare.failure) return spare;
    if (spare) void spare.terminate();
    return new ReaderThread(spec);
  }

  async #dropSpare(): Promise<void> {
    clearTimeout(this.#spareTimer);
    const spare = this.#spare;
    this.#spare = undefined;
    await spare?.terminate();
  }

  async *read(options: ReadOptions): AsyncGenerator<SourceBatch, ReadSummary, void> {
    const { connection, baseDn, map } = this.#o;
    const { signal } = options;
    const previousTs = typeof options.watermark?.modifyTimestamp === 'string' ? options.watermark.modifyTimestamp : undefined;
    const previousMs = previousTs ? parseGeneralizedTime(previousTs) : undefined;
    const full = options.full || previousMs === undefined;
    if (full && this.#workerSpec) return yield* readInWorker(this.#takeReader(this.#workerSpec), { ...options, full });
    const checkAbort = () => {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    };

    // Entries brought into scope by a wider base DN or filter, or mapped anew by another attribute
    // map, have not changed on the server: an incremental pass would not read them.
    if (!full && options.watermark?.scope !== this.#scopeKey)
      return {
        complete: false,
        needsFull: 'LDAP_BASE_DN, LDAP_FILTER or LDAP_ATTRIBUTE_MAP changed since the last pass (or the watermark predates recording them)',
      };

    await connection.connect();
    checkAbort();

    // Groups: on an incremental pass only their ids and timestamps (cheap) to see whether any changed.
    let groups: GroupIndex | undefined;
    let groupStamp: string | null = null;
    if (map.groupFilter) {
      if (full) {
        ({ index: groups, stamp: groupStamp } = await this.#readGroups(true, signal));
      } else {
        groupStamp = (await this.#readGroups(false, signal)).stamp;
        if (groupStamp !== (options.watermark?.groups ?? null)) return { complete: false, needsFull: 'groups changed since the last pass' };
      }
    }

    const tsAttr = map.modifyTimestamp[0]!;
    const since = full ? undefined : formatGeneralizedTime(previousMs! - this.#overlapMs);
    const filter = andFilters(map.personFilter, this.#o.filter, since ? `(${tsAttr}>=${escapeFilterValue(since)})` : undefined);
    // Incremental: the groups of the few people who changed are asked page by page (only their
    // own memberships come back); a big page reads every group's members once instead. Both on
    // the side connection: a search on this one between two pages would void the paging cookie.
    const lookup = !groups && map.groupFilter ? new GroupLookup(this.#side, baseDn, map) : undefined;
    const noGroups = new GroupIndex();
    let maxMs = previousMs ?? -Infinity;
    let maxTs = previousTs;
    let maxPlain = !!maxTs && PLAIN_STAMP.test(maxTs);
    let total = 0;
    const batchSize = this.#o.batchSize ?? DEFAULT_BATCH_SIZE;
    let upserts: DirectoryEntry[] = [];
    let warnings: string[] = [];
    for await (const page of connection.searchPages(baseDn, {
      filter,
      attributes: personAttributes(map),
      binaryAttributes: map.photo,
      pageSize: this.#o.pageSize,
    })) {
      checkAbort();
      if (page.length === 0) continue;
      let membership: GroupMembership = groups ?? noGroups;
      if (lookup && !groups) {
        // The server checks each asserted DN against each member of each group: cheap for a few
        // people, dearer than reading every membership once for a big page.
        if (page.length > GROUP_LOOKUP_LIMIT) membership = groups = (await this.#readGroups(true, signal, this.#side)).index;
        else membership = await lookup.resolve(page.map((raw) => ({ dn: raw.dn, memberOf: map.memberOf.flatMap((a) => attrValues(raw, a)) })));
        checkAbort();
      }
      for (const raw of page) {
        const { entry, warning } = this.#mapper.map(raw, membership);
        if (warning) warnings.push(warning);
        if (entry) upserts.push(entry);
        const ts = attrString(raw, tsAttr);
        // Stamps in UTC to the second (YYYYMMDDHHMMSSZ, as servers write them) order as strings:
        // only a stamp that may be newer is parsed.
        if (ts && !(maxPlain && ts <= maxTs! && PLAIN_STAMP.test(ts))) {
          const ms = parseGeneralizedTime(ts);
          if (ms !== undefined && ms > maxMs) {
            maxMs = ms;
            maxTs = ts;
            maxPlain = PLAIN_STAMP.test(ts);
          }
        }
      }
      total += page.length;
      if (upserts.length + warnings.length >= batchSize) {
        yield { upserts, deletes: [], warnings };
        upserts = [];
        warnings = [];
      }
    }
    checkAbort();
    if (upserts.length || warnings.length) yield { upserts, deletes: [], warnings };
    const watermark: Watermark = { modifyTimestamp: maxTs ?? null, groups: groupStamp, scope: this.#scopeKey };
    return { complete: full, watermark, ...(full ? { total } : {}) };
  }

  async close(): Promise<void> {
    await this.#dropSpare();
    await this.#o.connection.close();
    if (this.#o.sideConnection) await this.#o.sideConnection.close();
  }

  get #side(): LdapConnection {
    return this.#o.sideConnection ?? this.#o.connection;
  }

  /** Reads the groups under the base DN; the stamp changes whenever any group changes, appears or goes. */
  async #readGroups(withMembers: boolean, signal: AbortSignal, connection = this.#o.connection): Promise<{ index: GroupIndex; stamp: string }> {
    const { baseDn, map } = this.#o;
    const index = new GroupIndex();
    const stamps: string[] = [];
    const attributes = [...map.id, ...map.modifyTimestamp, ...(withMembers ? [...map.groupName, ...map.groupMember] : [])];
    for await (const page of connection.searchPages(baseDn, { filter: map.groupFilter, attributes, pageSize: this.#o.pageSize })) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      for (const g of page) {
        stamps.push(`${map.id.map((a) => attrString(g, a)).find(Boolean) ?? g.dn}|${attrString(g, map.modifyTimestamp[0]!) ?? ''}`);
        if (withMembers) {
          const name = map.groupName.map((a) => attrString(g, a)).find(Boolean) ?? g.dn;
          index.addGroup(
            g.dn,
            name,
            map.groupMember.flatMap((a) => attrValues(g, a)),
          );
        }
      }
    }
    stamps.sort();
    const stamp = createHash('sha256').update(stamps.join('\n')).digest('base64url').slice(0, 22);
    return { index, stamp };
  }
}
