import type { Control } from 'ldapts';
import type { LdapEntry } from './ldap-entry.js';

export interface LdapSearchOptions {
  readonly scope?: 'base' | 'one' | 'sub';
  /** An RFC 4515 filter; build it with escapeFilter / escapeFilterValue. Default (objectClass=*). */
  readonly filter?: string;
  /** Attributes to return; may carry options such as `member;range=0-*`. Default: all user attributes. */
  readonly attributes?: readonly string[];
  /** Attributes always returned as Buffers (objectGUID, objectSid, thumbnailPhoto, jpegPhoto). */
  readonly binaryAttributes?: readonly string[];
  /** Extra request controls passed through as they are (AD Show Deleted 1.2.840.113556.1.4.417, …). */
  readonly controls?: readonly Control[];
  /** Entries per page for paged searches (RFC 2696). */
  readonly pageSize?: number;
  /** Server-side limits; 0 means none. */
  readonly sizeLimit?: number;
  readonly timeLimitSeconds?: number;
}

/**
 * A bound connection to one LDAP server. Implementations reconnect (and rebind, and redo
 * StartTLS) by themselves when the server dropped an idle connection; a connection lost in the
 * middle of a paged search fails that search with an LdapError (the pass is then incomplete and
 * the engine deletes nothing).
 */
export interface LdapConnection {
  readonly url: string;
  /** Connects, upgrades with StartTLS when configured, binds. Safe to call again. */
  connect(): Promise<void>;
  /**
   * Paged search (RFC 2696): yields one page at a time, so the caller holds one page in memory.
   * Breaking out of the loop abandons the rest.
   */
  searchPages(base: string, options?: LdapSearchOptions): AsyncGenerator<LdapEntry[], void, void>;
  /** One unpaged search for small answers (an entry by DN, a ranged attribute, the rootDSE). */
  search(base: string, options?: LdapSearchOptions): Promise<LdapEntry[]>;
  /** The root DSE (base "" scope base), with the given attributes (default: all user + operational). */
  readRootDse(attributes?: readonly string[]): Promise<LdapEntry>;
  close(): Promise<void>;
}
