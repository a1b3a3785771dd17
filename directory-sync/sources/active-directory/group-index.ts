import { attrString, rangedValues, readRangedAttribute, type LdapConnection, type LdapEntry } from '../ldap-common/index.js';

/** AD returns at most 1,500 values of a multi-valued attribute per request (MaxValRange). */
export const DEFAULT_RANGE_STEP = 1500;

export interface GroupIndexStats {
  readonly groups: number;
  readonly memberships: number;
  /** Extra `member;range=…` requests made for groups whose members did not fit in one range. */
  readonly rangedReads: number;
}

/**
 * Group memberships of one pass, read from the groups' `member` attribute with AD range retrieval
 * (`member;range=0-1499`, then `member;range=1500-2999`, …) so groups of any size are complete,
 * and expanded transitively through nested groups (cycles are harmless).
 *
 * Holds one entry per membership (member DN → group ids), not the directory: a domain with
 * 100,000 users in 10 groups each is about a million short arrays.
 */
export class GroupIndex {
  private readonly names: string[] = [];
  private readonly idOf = new Map<string, number>();
  private readonly direct = new Map<string, number[]>();
  private readonly closure = new Map<number, readonly number[]>();
  private memberships = 0;
  private rangedReads = 0;

  /** Reads every group under `base` (the domain root: groups may live outside the synced OU). */
  static async load(connection: LdapConnection, base: string, options: { pageSize?: number; rangeStep?: number } = {}): Promise<GroupIndex> {
    const step = options.rangeStep ?? DEFAULT_RANGE_STEP;
    const index = new GroupIndex();
    for await (const page of connection.searchPages(base, {
      scope: 'sub',
      filter: '(objectClass=group)',
      attributes: ['cn', `member;range=0-${step - 1}`],
      pageSize: options.pageSize,
    })) {
      for (const entry of page) await index.addGroup(connection, entry, step);
    }
    return index;
  }

  private async addGroup(connection: LdapConnection, entry: LdapEntry, step: number): Promise<void> {
    const name = attrString(entry, 'cn') ?? entry.dn;
    const id = this.idFor(entry.dn, name);
    let members: readonly (string | Buffer)[];
    const ranged = rangedValues(entry, 'member');
    if (ranged) {
      members = ranged.values;
      if (ranged.high !== '*') {
        const rest = await readRangedAttribute(connection, entry.dn, 'member', { step, from: ranged.high + 1 });
        this.rangedReads++;
        members = [...members, ...rest];
      }
    } else {
      // A server that does not range answers with the plain attribute (or none: an empty group).
      members = entry.attributes['member'] ?? [];
    }
    for (const m of members) this.addMembership(String(m), id);
  }

  private idFor(dn: string, name: string): number {
    const key = dn.toLowerCase();
    let id = this.idOf.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.idOf.set(key, id);
      this.names.push(name);
    } else this.names[id] = name;
    return id;
  }

  private addMembership(memberDn: string, groupId: number): void {
    const key = memberDn.toLowerCase();
    const list = this.direct.get(key);
    if (!list) this.direct.set(key, [groupId]);
    else if (!list.includes(groupId)) list.push(groupId);
    else return;
    this.memberships++;
  }

  /** The group (ids) and every group it is nested in, directly or not. */
  private ancestorsOf(groupId: number): readonly number[] {
    const cached = this.closure.get(groupId);
    if (cached) return cached;
    const seen = new Set<number>([groupId]);
    const stack = [groupId];
    while (stack.length) {
      const id = stack.pop()!;
      const done = this.closure.get(id);
      if (done && id !== groupId) {
        for (const a of done) seen.add(a);
        continue;
      }
      for (const parent of this.direct.get(this.dnOf(id)) ?? []) {
        if (!seen.has(parent)) {
          seen.add(parent);
          stack.push(parent);
        }
      }
    }
    const result = [...seen];
    this.closure.set(groupId, result);
    return result;
  }

  private dnOf(id: number): string {
    // Only used while expanding: a reverse lookup kept implicit to save memory on big domains.
    if (!this.dns) this.dns = [...this.idOf.entries()].sort((a, b) => a[1] - b[1]).map(([dn]) => dn);
    return this.dns[id]!;
  }
  private dns: string[] | undefined;

  /** Names of every group `dn` belongs to, nested memberships included, sorted. */
  groupsOf(dn: string): string[] {
    const direct = this.direct.get(dn.toLowerCase());
    if (!direct) return [];
    const all = new Set<number>();
    for (const g of direct) for (const a of this.ancestorsOf(g)) all.add(a);
    return [...new Set([...all].map((id) => this.names[id]!))].sort((a, b) => a.localeCompare(b));
  }

  get stats(): GroupIndexStats {
    return { groups: this.names.length, memberships: this.memberships, rangedReads: this.rangedReads };
  }
}
