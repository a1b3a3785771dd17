import { describe, expect, it } from '@jest/globals';
import type { LdapConnection, LdapEntry, LdapSearchOptions } from '../ldap-common/index.js';
import { GroupIndex } from './group-index.js';

/**
 * An in-memory directory of groups that answers `member;range=low-high` the way Windows AD does:
 * never more than `maxValRange` values per answer, the last chunk named `low-*`.
 */
class RangingGroups implements LdapConnection {
  readonly url = 'ldap://ranging';
  requests: string[] = [];
  constructor(
    private readonly groups: Record<string, { cn: string; member: string[] }>,
    private readonly maxValRange: number,
  ) {}
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async readRootDse(): Promise<LdapEntry> {
    return { dn: '', attributes: {} };
  }
  private answer(dn: string, attributes: readonly string[]): LdapEntry {
    const g = this.groups[dn]!;
    const out: Record<string, string[]> = { cn: [g.cn] };
    for (const a of attributes) {
      const m = /^member;range=(\d+)-(\d+|\*)$/i.exec(a);
      if (!m) continue;
      const low = Number(m[1]);
      const asked = m[2] === '*' ? Infinity : Number(m[2]);
      const high = Math.min(asked, low + this.maxValRange - 1, g.member.length - 1);
      const values = g.member.slice(low, high + 1);
      out[`member;range=${low}-${high >= g.member.length - 1 ? '*' : high}`] = values;
    }
    return { dn, attributes: out };
  }
  async *searchPages(_base: string, options: LdapSearchOptions = {}): AsyncGenerator<LdapEntry[], void, void> {
    this.requests.push(`page ${options.attributes?.join(',')}`);
    yield Object.keys(this.groups).map((dn) => this.answer(dn, options.attributes ?? []));
  }
  async search(base: string, options: LdapSearchOptions = {}): Promise<LdapEntry[]> {
    this.requests.push(`base ${options.attributes?.join(',')}`);
    return [this.answer(base, options.attributes ?? [])];
  }
}

const users = (n: number, prefix = 'u') => Array.from({ length: n }, (_, i) => `CN=${prefix}${i},OU=People,DC=corp`);

describe('GroupIndex', () => {
  it('reads a group of 3,200 members in 1,000-value ranges and gives every member the group', async () => {
    const big = users(3200);
    const conn = new RangingGroups({ 'CN=Big,DC=corp': { cn: 'Big', member: big } }, 1000);
    const index = await GroupIndex.load(conn, 'DC=corp', { rangeStep: 1500 });
    // First chunk in the paged search (0-999 of the asked 0-1499), then 1000-, 2000-, 3000-*.
    expect(conn.requests).toEqual(['page cn,member;range=0-1499', 'base member;range=1000-2499', 'base member;range=2000-3499', 'base member;range=3000-4499']);
    expect(index.stats).toEqual({ groups: 1, memberships: 3200, rangedReads: 1 });
    for (const dn of [big[0]!, big[999]!, big[1000]!, big[3199]!]) expect(index.groupsOf(dn)).toEqual(['Big']);
  });

  it('a small group needs no extra request', async () => {
    const conn = new RangingGroups({ 'CN=Small,DC=corp': { cn: 'Small', member: users(3) } }, 1500);
    const index = await GroupIndex.load(conn, 'DC=corp');
    expect(conn.requests).toHaveLength(1);
    expect(index.groupsOf('cn=U1,ou=people,dc=corp')).toEqual(['Small']);
  });

  it('expands nested groups transitively and survives cycles', async () => {
    const conn = new RangingGroups(
      {
        'CN=Team,DC=corp': { cn: 'Team', member: ['CN=ann,DC=corp'] },
        'CN=Dept,DC=corp': { cn: 'Dept', member: ['CN=Team,DC=corp', 'CN=bob,DC=corp'] },
        'CN=All,DC=corp': { cn: 'All', member: ['CN=Dept,DC=corp'] },
        // A cycle: Loop A ⊂ Loop B ⊂ Loop A.
        'CN=Loop A,DC=corp': { cn: 'Loop A', member: ['CN=Loop B,DC=corp', 'CN=cyd,DC=corp'] },
        'CN=Loop B,DC=corp': { cn: 'Loop B', member: ['CN=Loop A,DC=corp'] },
      },
      1500,
    );
    const index = await GroupIndex.load(conn, 'DC=corp');
    expect(index.groupsOf('CN=ann,DC=corp')).toEqual(['All', 'Dept', 'Team']);
    expect(index.groupsOf('CN=bob,DC=corp')).toEqual(['All', 'Dept']);
    expect(index.groupsOf('CN=cyd,DC=corp')).toEqual(['Loop A', 'Loop B']);
    expect(index.groupsOf('CN=nobody,DC=corp')).toEqual([]);
  });
});
