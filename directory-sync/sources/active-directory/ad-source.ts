import type { Config } from '../../../core/config/index.js';
import type { DirectoryEntry } from '../../model/directory-entry.js';
import {
  andFilters,
  attrBuffer,
  createLdapConnection,
  ldapConnectionOptionsFromConfig,
  LdapError,
  normalizeFilter,
  type LdapConnection,
  type LdapEntry,
} from '../ldap-common/index.js';
import type { DirectorySource, ReadOptions, ReadSummary, SourceBatch } from '../source.js';
import { showDeletedControl } from './ad-controls.js';
import { AD_BINARY_ATTRIBUTES, AD_ENTRY_ATTRIBUTES, AD_SCOPE_FILTER, toDirectoryEntry } from './ad-entry.js';
import { incrementalBlocker, readDcIdentity, watermarkOf, type DcIdentity } from './dc-identity.js';
import { DEFAULT_RANGE_STEP, GroupIndex, type GroupIndexStats } from './group-index.js';
import { guidToString } from './object-guid.js';

export interface ActiveDirectorySourceOptions {
  /** Source name in the store and in `npm run sync -- --source NAME`. Default `ad`. */
  readonly name?: string;
  readonly connection: LdapConnection;
  /** What is synced (LDAP_BASE_DN); groups and tombstones are read domain-wide. */
  readonly baseDn: string;
  /** LDAP_FILTER, already checked (normalizeFilter); ANDed with the users-and-contacts filter. */
  readonly filter?: string;
  readonly pageSize?: number;
  /** Values per `member;range=` request (AD's MaxValRange is 1,500). */
  readonly rangeStep?: number;
}

/** Objects whose change or removal changes someone's groups: any such change → a complete pass. */
const GROUP_FILTER = '(objectClass=group)';
/** Every user or contact, in scope or not, for the "moved out of scope" check. */
const ANY_PERSON_FILTER = '(&(objectCategory=person)(|(objectClass=user)(objectClass=contact)))';
const NO_SUCH_OBJECT = 32;
const INSUFFICIENT_ACCESS = 50;
const TOMBSTONE_FILTER = '(&(isDeleted=TRUE)(|(objectClass=user)(objectClass=contact))(!(objectClass=computer)))';

/**
 * Active Directory source (LDAP_KIND=ad): users and mail-enabled contacts keyed by objectGUID,
 * incremental by uSNChanged against one DC (Microsoft's "Polling for Changes Using USNChanged"):
 *
 * - Every pass first reads the DC's identity: highestCommittedUSN, dsServiceName and invocationId.
 *   An incremental pass against another DC, a restored database (new invocationId), a USN that
 *   went back or a changed base DN/filter asks the engine for a full pass instead (needsFull).
 * - Full pass: every user and contact under the base DN, page by page; `complete: true` lets the
 *   engine mark the ones it did not see as missing (two-phase, capped).
 * - Incremental pass over (last USN, highestCommittedUSN]: changed users and contacts in scope are
 *   upserted; changed ones now outside the base DN or LDAP_FILTER are reported deleted (moved out
 *   of scope); tombstones (Show Deleted control, isDeleted=TRUE in Deleted Objects) are reported
 *   deleted by objectGUID. A changed or deleted group makes the pass complete instead, because AD
 *   does not touch a member's uSNChanged when the group changes (memberOf is a back link).
 * - Groups come from the groups' `member` attribute with range retrieval, nested groups expanded.
 * - The watermark is only handed back with the summary, after the whole pass was read.
 */
export class ActiveDirectorySource implements DirectorySource {
  readonly name: string;
  private readonly connection: LdapConnection;
  private readonly baseDn: string;
  private readonly filter: string | undefined;
  private readonly pageSize: number | undefined;
  private readonly rangeStep: number;
  /** Figures of the last group index read (for reports and tests). */
  lastGroupStats: GroupIndexStats | undefined;

  constructor(options: ActiveDirectorySourceOptions) {
    this.name = options.name ?? 'ad';
    this.connection = options.connection;
    this.baseDn = options.baseDn;
    this.filter = options.filter;
    this.pageSize = options.pageSize;
    this.rangeStep = options.rangeStep ?? DEFAULT_RANGE_STEP;
  }

  private get scopeKey(): string {
    return `${this.baseDn.toLowerCase()}|${this.filter ?? ''}`;
  }

  async *read(options: ReadOptions): AsyncGenerator<SourceBatch, ReadSummary, void> {
    const dc = await readDcIdentity(this.connection);
    if (options.full) return yield* this.sameDc(dc, this.fullPass(dc, options.signal));
    const blocker = incrementalBlocker(options.watermark, dc, this.scopeKey);
    if (blocker) return { complete: false, needsFull: blocker };
    const from = Number(options.watermark!.usn) + 1;
    if (from > dc.usn) return { complete: false, watermark: watermarkOf(dc, this.scopeKey) };
    if (await this.groupsChanged(dc, from)) return yield* this.sameDc(dc, this.fullPass(dc, options.signal));
    return yield* this.sameDc(dc, this.incrementalPass(dc, from, options.signal));
  }

  /**
   * A pass as `pass` reads it, checked at its end against the DC it started on. A dropped
   * connection is reopened to whatever LDAP_URL resolves to, and a domain name served round-robin
   * may land on another DC between two searches: its USNs mean nothing against this watermark.
   * Then the pass deletes nothing, stores no watermark, and asks for a full pass.
   */
  private async *sameDc(dc: DcIdentity, pass: AsyncGenerator<SourceBatch, ReadSummary, void>): AsyncGenerator<SourceBatch, ReadSummary, void> {
    const summary = yield* pass;
    const now = await readDcIdentity(this.connection);
    if (now.dsServiceName === dc.dsServiceName && now.invocationId === dc.invocationId) return summary;
    return { complete: false, needsFull: `the connection moved to another domain controller during the pass (${dc.dsServiceName} → ${now.dsServiceName})` };
  }

  private async *fullPass(dc: DcIdentity, signal: AbortSignal): AsyncGenerator<SourceBatch, ReadSummary, void> {
    const groups = await this.loadGroups(dc);
    let total = 0;
    for await (const page of this.connection.searchPages(this.baseDn, this.entrySearch(andFilters(AD_SCOPE_FILTER, this.filter)))) {
      signal.throwIfAborted();
      total += page.length;
      yield this.toBatch(page, groups);
    }
    return { complete: true, watermark: watermarkOf(dc, this.scopeKey), total };
  }

  private async *incrementalPass(dc: DcIdentity, from: number, signal: AbortSignal): AsyncGenerator<SourceBatch, ReadSummary, void> {
    // Bounded above by the USN read before the pass: a change made while we read belongs to the
    // next pass, and all three searches below see the same set of changes.
    const window = `(uSNChanged>=${from})(uSNChanged<=${dc.usn})`;
    const inScope = new Set<string>();
    let groups: GroupIndex | undefined;
    for await (const page of this.connection.searchPages(this.baseDn, this.entrySearch(`(&${window}${AD_SCOPE_FILTER}${this.filter ?? ''})`))) {
      signal.throwIfAborted();
      groups ??= await this.loadGroups(dc);
      const batch = this.toBatch(page, groups);
      for (const e of batch.upserts) inScope.add(e.externalId);
      yield batch;
    }
    // Changed, but no longer under the base DN or matching LDAP_FILTER: moved out of scope.
    for await (const page of this.connection.searchPages(dc.defaultNamingContext, {
      scope: 'sub',
      filter: `(&${window}${ANY_PERSON_FILTER})`,
      attributes: ['objectGUID'],
      binaryAttributes: ['objectGUID'],
      pageSize: this.pageSize,
    })) {
      signal.throwIfAborted();
      const gone = guidsOf(page).filter((id) => !inScope.has(id));
      if (gone.length) yield { upserts: [], deletes: gone };
    }
    const unreadable: string[] = [];
    for await (const page of this.tombstones(dc, `(&${window}${TOMBSTONE_FILTER})`, unreadable)) {
      signal.throwIfAborted();
      const gone = guidsOf(page);
      if (gone.length) yield { upserts: [], deletes: gone };
    }
    if (unreadable.length) yield { upserts: [], deletes: [], warnings: unreadable };
    return { complete: false, watermark: watermarkOf(dc, this.scopeKey) };
  }

  /** Did any group change, appear or disappear in (from, dc.usn]? */
  private async groupsChanged(dc: DcIdentity, from: number): Promise<boolean> {
    const window = `(uSNChanged>=${from})(uSNChanged<=${dc.usn})`;
    const live = this.connection.searchPages(dc.defaultNamingContext, {
      scope: 'sub',
      filter: `(&${window}${GROUP_FILTER})`,
      attributes: ['1.1'],
      pageSize: 1,
    });
    for await (const page of live) if (page.length) return true;
    for await (const page of this.tombstones(dc, `(&${window}(isDeleted=TRUE)${GROUP_FILTER})`, [], 1)) if (page.length) return true;
    return false;
  }

  /**
   * Tombstones in the domain's Deleted Objects container (Show Deleted, one level, paged ≤ 1000).
   * An account without the right to list that container gets nothing back (Samba) or an access
   * error (noSuchObject / insufficientAccessRights): then deletions are only seen by full passes,
   * which `unreadable` says in the run's warnings; any other error fails the pass as usual.
   */
  private async *tombstones(
    dc: DcIdentity,
    filter: string,
    unreadable: string[],
    pageSize = Math.min(this.pageSize ?? 1000, 1000),
  ): AsyncGenerator<LdapEntry[], void, void> {
    const container = `CN=Deleted Objects,${dc.defaultNamingContext}`;
    try {
      yield* this.connection.searchPages(container, {
        scope: 'one',
        filter,
        attributes: ['objectGUID'],
        binaryAttributes: ['objectGUID'],
        controls: [showDeletedControl()],
        pageSize,
      });
    } catch (err) {
      if (!(err instanceof LdapError) || err.kind !== 'operation' || (err.code !== NO_SUCH_OBJECT && err.code !== INSUFFICIENT_ACCESS)) throw err;
      unreadable.push(
        `${container} cannot be read (LDAP result ${err.code}): deletions are only seen by full passes; grant the bind account List Contents and Read Property on it`,
      );
    }
  }

  private async loadGroups(dc: DcIdentity): Promise<GroupIndex> {
    const groups = await GroupIndex.load(this.connection, dc.defaultNamingContext, { pageSize: this.pageSize, rangeStep: this.rangeStep });
    this.lastGroupStats = groups.stats;
    return groups;
  }

  private entrySearch(filter: string) {
    return {
      scope: 'sub' as const,
      filter,
      attributes: AD_ENTRY_ATTRIBUTES,
      binaryAttributes: AD_BINARY_ATTRIBUTES,
      pageSize: this.pageSize,
    };
  }

  private toBatch(page: readonly LdapEntry[], groups: GroupIndex): SourceBatch & { upserts: DirectoryEntry[] } {
    const upserts: DirectoryEntry[] = [];
    const warnings: string[] = [];
    for (const raw of page) {
      const mapped = toDirectoryEntry(raw, groups.groupsOf(raw.dn));
      if ('warning' in mapped) warnings.push(mapped.warning);
      else upserts.push(mapped);
    }
    return { upserts, deletes: [], warnings };
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

function guidsOf(page: readonly LdapEntry[]): string[] {
  const out: string[] = [];
  for (const e of page) {
    const raw = attrBuffer(e, 'objectGUID');
    if (raw?.length === 16) out.push(guidToString(raw));
  }
  return out;
}

/**
 * The `ad` source from configuration (LDAP_URL, LDAP_BASE_DN, LDAP_FILTER, LDAP_CA_FILE,
 * LDAP_TLS_SERVER_NAME, LDAP_BIND_DN/PASSWORD, LDAP_TIMEOUT_SECONDS). The connection opens lazily.
 */
export function createActiveDirectorySource(config: Config, overrides: Partial<Omit<ActiveDirectorySourceOptions, 'connection'>> = {}): ActiveDirectorySource {
  const env = config.env;
  if (!env.LDAP_BASE_DN) throw new LdapError('config', 'LDAP_BASE_DN is required for LDAP_KIND=ad');
  return new ActiveDirectorySource({
    connection: createLdapConnection(ldapConnectionOptionsFromConfig(config)),
    baseDn: env.LDAP_BASE_DN,
    filter: env.LDAP_FILTER ? normalizeFilter(env.LDAP_FILTER) : undefined,
    ...overrides,
  });
}
