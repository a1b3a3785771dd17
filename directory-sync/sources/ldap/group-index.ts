import { normalizeDn as normalizeDnSlow } from '../../engine/validate-entry.js';
import type { GroupMembership } from './group-lookup.js';

/** The engine's DN normalization, with a fast path for the usual DN without blanks. */
export const normalizeDn = (dn: string): string => (dn.includes(' ') ? normalizeDnSlow(dn) : dn.toLowerCase());

/**
 * Group membership from a group search: member DN → names of every group it is in, nested
 * groups expanded (a member of "Sales EMEA", itself a member of "Sales", is in both). Cycles
 * are cut. Holds group names and member DNs only, never person entries.
 */
export class GroupIndex implements GroupMembership {
  readonly #nameByDn = new Map<string, string>();
  /** Member DN → the group it is directly in, or the groups when several (most members are in one: no array each). */
  readonly #parentsOf = new Map<string, string | string[]>();
  readonly #closure = new Map<string, readonly string[]>();
  #count = 0;

  get size(): number {
    return this.#count;
  }

  addGroup(dn: string, name: string, memberDns: readonly string[]): void {
    const g = normalizeDn(dn);
    this.#nameByDn.set(g, name);
    this.#count++;
    for (const m of memberDns) {
      const key = normalizeDn(m);
      const parents = this.#parentsOf.get(key);
      if (parents === undefined) this.#parentsOf.set(key, g);
      else if (typeof parents === 'string') this.#parentsOf.set(key, [parents, g]);
      else parents.push(g);
    }
    this.#closure.clear();
  }

  /**
   * Names of all groups (direct and nested) of the entry with this DN, plus those of its memberOf
   * DNs, sorted: the engine hashes entries as given, so the order must not depend on how the
   * memberships were found (this index on a full pass, GroupLookup on an incremental one).
   */
  groupsOf(dn: string, memberOf: readonly string[] = []): readonly string[] {
    const direct = this.#parentsOf.get(normalizeDn(dn));
    // The usual case, one direct group and no memberOf: its (cached, sorted) closure as it is.
    if (typeof direct === 'string' && memberOf.length === 0) return this.#groupAndAncestors(direct);
    const out = new Set<string>();
    const starts = [...parentList(direct), ...memberOf.map(normalizeDn)];
    for (const g of starts) {
      for (const name of this.#groupAndAncestors(g)) out.add(name);
    }
    return [...out].sort();
  }

  /** Group name of a group DN (falls back to the first RDN value of an unknown one). */
  nameOf(groupDn: string): string {
    const g = normalizeDn(groupDn);
    return this.#nameByDn.get(g) ?? firstRdnValue(groupDn);
  }

  #groupAndAncestors(group: string): readonly string[] {
    const cached = this.#closure.get(group);
    if (cached) return cached;
    const names = new Set<string>();
    const seen = new Set<string>();
    const stack = [group];
    // Bounded by the number of distinct groups: each is expanded once.
    while (stack.length) {
      const g = stack.pop()!;
      if (seen.has(g)) continue;
      seen.add(g);
      names.add(this.#nameByDn.get(g) ?? firstRdnValue(g));
      for (const p of parentList(this.#parentsOf.get(g))) if (!seen.has(p)) stack.push(p);
    }
    // Frozen: handed out as it is to every member (see groupsOf).
    const result = Object.freeze([...names].sort());
    this.#closure.set(group, result);
    return result;
  }
}

const parentList = (parents: string | string[] | undefined): readonly string[] =>
  parents === undefined ? [] : typeof parents === 'string' ? [parents] : parents;

function firstRdnValue(dn: string): string {
  const m = /^[^=]+=((?:\\.|[^,+\\])*)/.exec(dn.trim());
  return (m?.[1] ?? dn).replace(/\\(.)/g, '$1').trim();
}
