import { MatchedValuesControl, attrString, attrValues, escapeFilterValue, type LdapConnection } from '../ldap-common/index.js';
import type { AttributeMap } from './attribute-map.js';
import { normalizeDn } from './group-index.js';

/** Who is in which group, as mapEntry asks it. GroupIndex answers from a full read; GroupLookup per page. */
export interface GroupMembership {
  groupsOf(dn: string, memberOf?: readonly string[]): readonly string[];
}

interface Group {
  readonly dn: string;
  readonly name: string;
}

/** DNs per search: keeps the filter a few tens of KB. */
const CHUNK = 200;

/**
 * Group membership of the people an incremental pass read, asked of the server for the page at
 * once: `(&(groupFilter)(|(member=dn1)(member=dn2)…))` with the RFC 3876 matched-values control,
 * so each group comes back with only the members asked about, not its whole member list. The
 * groups found are asked about the same way, for nesting, until no new group turns up; answers
 * are cached for the pass. Runs on its own connection: a search on the connection of a paged
 * search, between two pages, would void the paging cookie.
 */
export class GroupLookup {
  /** Direct parents of every DN asked about so far (people and groups), by normalized DN. */
  readonly #parents = new Map<string, Group[]>();
  #searches = 0;

  constructor(
    private readonly connection: LdapConnection,
    private readonly baseDn: string,
    private readonly map: AttributeMap,
  ) {}

  /** Searches made so far (tests check the lookup stays proportional to what changed). */
  get searches(): number {
    return this.#searches;
  }

  /** Group memberships (nested expanded) of these DNs and of their memberOf group DNs. */
  async resolve(entries: readonly { dn: string; memberOf: readonly string[] }[]): Promise<GroupMembership> {
    await this.#askParents(entries.map((e) => e.dn));
    // Walk up: ask about every group found until nothing new (bounded by the number of groups).
    for (let round = 0; round < 1000; round++) {
      const unknown = new Set<string>();
      for (const e of entries)
        for (const g of [...(this.#parents.get(normalizeDn(e.dn)) ?? []), ...e.memberOf.map((dn) => ({ dn, name: '' }))])
          this.#collectUnknown(g.dn, unknown, new Set());
      if (unknown.size === 0) break;
      await this.#askParents([...unknown]);
    }
    const result = new Map<string, string[]>();
    for (const e of entries) {
      const names = new Set<string>();
      const seen = new Set<string>();
      const stack: Group[] = [...(this.#parents.get(normalizeDn(e.dn)) ?? []), ...e.memberOf.map((dn) => ({ dn, name: firstRdnValue(dn) }))];
      while (stack.length) {
        const g = stack.pop()!;
        const key = normalizeDn(g.dn);
        if (seen.has(key)) continue;
        seen.add(key);
        names.add(g.name || firstRdnValue(g.dn));
        stack.push(...(this.#parents.get(key) ?? []));
      }
      // Sorted, as GroupIndex answers: the entry's content hash must not depend on the path taken.
      result.set(normalizeDn(e.dn), [...names].sort());
    }
    return { groupsOf: (dn) => result.get(normalizeDn(dn)) ?? [] };
  }

  /** Adds to `out` the groups reachable from `dn` whose own parents were never asked for. */
  #collectUnknown(dn: string, out: Set<string>, seen: Set<string>): void {
    const key = normalizeDn(dn);
    if (seen.has(key)) return;
    seen.add(key);
    const parents = this.#parents.get(key);
    if (!parents) {
      out.add(dn);
      return;
    }
    for (const p of parents) this.#collectUnknown(p.dn, out, seen);
  }

  /** One search per CHUNK DNs: which groups list them as members. */
  async #askParents(dns: readonly string[]): Promise<void> {
    const todo = [...new Map(dns.map((d) => [normalizeDn(d), d])).entries()].filter(([k]) => !this.#parents.has(k));
    for (const [k] of todo) this.#parents.set(k, []);
    for (let i = 0; i < todo.length; i += CHUNK) {
      const part = todo.slice(i, i + CHUNK);
      const assertions = part.flatMap(([, dn]) => this.map.groupMember.map((attribute) => ({ attribute, value: dn })));
      const filter = `(&${this.map.groupFilter}(|${assertions.map((a) => `(${a.attribute}=${escapeFilterValue(a.value)})`).join('')}))`;
      this.#searches++;
      const groups = await this.connection.search(this.baseDn, {
        filter,
        attributes: [...this.map.groupName, ...this.map.groupMember],
        controls: [new MatchedValuesControl(assertions)],
      });
      const wanted = new Set(part.map(([k]) => k));
      for (const g of groups) {
        const group: Group = { dn: g.dn, name: this.map.groupName.map((a) => attrString(g, a)).find(Boolean) ?? firstRdnValue(g.dn) };
        // Without the control (another server) every member comes back: keep only those asked about.
        for (const m of this.map.groupMember.flatMap((a) => attrValues(g, a))) {
          const key = normalizeDn(m);
          if (wanted.has(key)) this.#parents.get(key)!.push(group);
        }
      }
    }
  }
}

function firstRdnValue(dn: string): string {
  const m = /^[^=]+=((?:\\.|[^,+\\])*)/.exec(dn.trim());
  return (m?.[1] ?? dn).replace(/\\(.)/g, '$1').trim();
}
