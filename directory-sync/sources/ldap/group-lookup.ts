import { attrString, escapeFilterValue, type LdapConnection } from '../ldap-common/index.js';
import type { AttributeMap } from './attribute-map.js';
import { normalizeDn } from './group-index.js';

/** Who is in which group, as mapEntry asks it. GroupIndex answers from a full read; GroupLookup per entry. */
export interface GroupMembership {
  groupsOf(dn: string, memberOf?: readonly string[]): string[];
}

/**
 * Group membership of a few changed entries, asked of the server entry by entry
 * (`(&(groupFilter)(member=<dn>))`, then the same for each group found, for nesting), instead
 * of reading every group's member list. For incremental passes that changed little; the answers
 * for groups are cached for the pass. Runs on its own connection: a search on the connection of
 * a paged search, between two pages, would void the paging cookie.
 */
export class GroupLookup {
  readonly #cache = new Map<string, Promise<readonly { dn: string; name: string }[]>>();
  #searches = 0;

  constructor(
    private readonly connection: LdapConnection,
    private readonly baseDn: string,
    private readonly map: AttributeMap,
  ) {}

  /** Searches made so far (for tests: the lookup must stay proportional to what changed). */
  get searches(): number {
    return this.#searches;
  }

  /** Group memberships (nested expanded) of these DNs and of their memberOf group DNs. */
  async resolve(entries: readonly { dn: string; memberOf: readonly string[] }[]): Promise<GroupMembership> {
    const result = new Map<string, string[]>();
    // A handful of searches in flight at once: the connection multiplexes them.
    const CONCURRENCY = 16;
    for (let i = 0; i < entries.length; i += CONCURRENCY) {
      await Promise.all(
        entries.slice(i, i + CONCURRENCY).map(async (e) => {
          const names = new Set<string>();
          const seen = new Set<string>();
          let frontier = [...(await this.#directGroups(e.dn)), ...e.memberOf.map((dn) => ({ dn, name: firstRdnValue(dn) }))];
          // Bounded: each group is expanded once per entry.
          while (frontier.length) {
            const next: { dn: string; name: string }[] = [];
            for (const g of frontier) {
              const key = normalizeDn(g.dn);
              if (seen.has(key)) continue;
              seen.add(key);
              names.add(g.name);
              next.push(...(await this.#directGroups(g.dn)));
            }
            frontier = next;
          }
          result.set(normalizeDn(e.dn), [...names]);
        }),
      );
    }
    return { groupsOf: (dn) => result.get(normalizeDn(dn)) ?? [] };
  }

  #directGroups(dn: string): Promise<readonly { dn: string; name: string }[]> {
    const key = normalizeDn(dn);
    let p = this.#cache.get(key);
    if (!p) {
      const value = escapeFilterValue(dn);
      const anyMember = this.map.groupMember.map((a) => `(${a}=${value})`).join('');
      const filter = `(&${this.map.groupFilter}${this.map.groupMember.length > 1 ? `(|${anyMember})` : anyMember})`;
      this.#searches++;
      p = this.connection
        .search(this.baseDn, { filter, attributes: this.map.groupName })
        .then((groups) => groups.map((g) => ({ dn: g.dn, name: this.map.groupName.map((a) => attrString(g, a)).find(Boolean) ?? firstRdnValue(g.dn) })));
      this.#cache.set(key, p);
    }
    return p;
  }
}

function firstRdnValue(dn: string): string {
  const m = /^[^=]+=((?:\\.|[^,+\\])*)/.exec(dn.trim());
  return (m?.[1] ?? dn).replace(/\\(.)/g, '$1').trim();
}
