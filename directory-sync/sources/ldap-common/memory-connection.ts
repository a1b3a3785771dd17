import {
  AndFilter,
  EqualityFilter,
  type Filter,
  FilterParser,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
} from 'ldapts';
import type { LdapConnection, LdapSearchOptions } from './ldap-connection.js';
import type { LdapEntry } from './ldap-entry.js';
import { LdapConnectionError, LdapError } from './errors.js';

/**
 * An LdapConnection over a list of entries in memory, for unit tests of code that reads LDAP.
 * Filters are evaluated (and, or, not, =, >=, <=, presence, substrings; case-insensitive string
 * comparison); scope is checked against DN suffixes. `fail` makes the next operations throw.
 */
export class MemoryLdapConnection implements LdapConnection {
  readonly url = 'ldap://memory';
  /** Set to an error to make every operation fail with it (a server that went away). */
  fail: LdapError | undefined;
  /** Fail after this many pages of the next paged search (a connection lost mid-read). */
  failAfterPages: number | undefined;
  rootDse: LdapEntry = { dn: '', attributes: {} };

  constructor(public entries: LdapEntry[] = []) {}

  async connect(): Promise<void> {
    if (this.fail) throw this.fail;
  }

  async *searchPages(base: string, options: LdapSearchOptions = {}): AsyncGenerator<LdapEntry[], void, void> {
    const matched = this.match(base, options);
    const size = options.pageSize ?? 100;
    let pages = 0;
    for (let i = 0; i < matched.length; i += size) {
      if (this.fail) throw this.fail;
      if (this.failAfterPages !== undefined && pages >= this.failAfterPages) throw new LdapConnectionError('memory: connection lost mid-search');
      pages++;
      yield matched.slice(i, i + size);
    }
  }

  async search(base: string, options: LdapSearchOptions = {}): Promise<LdapEntry[]> {
    if (this.fail) throw this.fail;
    return this.match(base, options);
  }

  async readRootDse(): Promise<LdapEntry> {
    if (this.fail) throw this.fail;
    return this.rootDse;
  }

  async close(): Promise<void> {}

  private match(base: string, options: LdapSearchOptions): LdapEntry[] {
    const filter = FilterParser.parseString(options.filter ?? '(objectClass=*)');
    const b = base.toLowerCase();
    const scope = options.scope ?? 'sub';
    return this.entries.filter((e) => {
      const dn = e.dn.toLowerCase();
      const inScope =
        scope === 'base'
          ? dn === b
          : scope === 'one'
            ? dn.endsWith(`,${b}`) && !dn.slice(0, -b.length - 1).includes(',')
            : dn === b || dn.endsWith(`,${b}`) || b === '';
      return inScope && matches(filter, e);
    });
  }
}

function values(entry: LdapEntry, attribute: string): string[] {
  return (entry.attributes[attribute.toLowerCase()] ?? []).map((v) => (typeof v === 'string' ? v : v.toString('utf8')).toLowerCase());
}

function matches(filter: Filter, entry: LdapEntry): boolean {
  if (filter instanceof AndFilter) return filter.filters.every((f) => matches(f, entry));
  if (filter instanceof OrFilter) return filter.filters.some((f) => matches(f, entry));
  if (filter instanceof NotFilter) return !matches(filter.filter, entry);
  if (filter instanceof PresenceFilter) return values(entry, filter.attribute).length > 0;
  if (filter instanceof EqualityFilter) {
    const want = (typeof filter.value === 'string' ? filter.value : filter.value.toString('utf8')).toLowerCase();
    return values(entry, filter.attribute).includes(want);
  }
  if (filter instanceof GreaterThanEqualsFilter) return values(entry, filter.attribute).some((v) => v >= filter.value.toLowerCase());
  if (filter instanceof LessThanEqualsFilter) return values(entry, filter.attribute).some((v) => v <= filter.value.toLowerCase());
  if (filter instanceof SubstringFilter) {
    const parts = [filter.initial, ...filter.any, filter.final].map((p) => (p ?? '').toLowerCase());
    return values(entry, filter.attribute).some((v) => {
      if (!v.startsWith(parts[0]!)) return false;
      let at = parts[0]!.length;
      for (const mid of parts.slice(1, -1)) {
        const i = v.indexOf(mid, at);
        if (i < 0) return false;
        at = i + mid.length;
      }
      const last = parts[parts.length - 1]!;
      return v.length - last.length >= at && v.endsWith(last);
    });
  }
  throw new LdapError('operation', `memory connection: unsupported filter ${filter.toString()}`);
}
