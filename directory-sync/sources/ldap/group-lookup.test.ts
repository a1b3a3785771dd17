import { describe, expect, it } from '@jest/globals';
import { MemoryLdapConnection, type LdapEntry } from '../ldap-common/index.js';
import { parseAttributeMap } from './attribute-map.js';
import { GroupIndex } from './group-index.js';
import { GroupLookup } from './group-lookup.js';

const BASE = 'dc=x';
const g = (cn: string, members: string[], cls = 'groupOfNames', attr = 'member'): LdapEntry => ({
  dn: `cn=${cn},ou=g,${BASE}`,
  attributes: { objectclass: [cls], cn: [cn], [attr]: members },
});
const p = (uid: string) => `uid=${uid},ou=p,${BASE}`;

describe('group membership: page lookups and the full index agree', () => {
  const groups = [
    g('a', [p('1'), p('2')]),
    g('b', [`cn=a,ou=g,${BASE}`, p('3')]),
    g('c', [`cn=b,ou=g,${BASE}`]),
    g('loop1', [`cn=loop2,ou=g,${BASE}`, p('4')]),
    g('loop2', [`cn=loop1,ou=g,${BASE}`]),
    g('u', [p('5')], 'groupOfUniqueNames', 'uniqueMember'),
  ];
  const map = parseAttributeMap(undefined);
  const index = new GroupIndex();
  for (const x of groups) index.addGroup(x.dn, String(x.attributes.cn![0]), (x.attributes.member ?? x.attributes.uniquemember ?? []) as string[]);

  it.each([['1'], ['3'], ['4'], ['5'], ['6']])('uid=%s', async (uid) => {
    const conn = new MemoryLdapConnection(groups);
    const lookup = new GroupLookup(conn, BASE, map);
    const viaLookup = [...(await lookup.resolve([{ dn: p(uid), memberOf: [] }])).groupsOf(p(uid))].sort();
    expect(viaLookup).toEqual([...index.groupsOf(p(uid))].sort());
  });

  it('both answer in the same (sorted) order, so an entry hashes the same on full and incremental passes', async () => {
    // Added in an order that is not the sorted one; 7 is direct in z, m and k, nested in n through m.
    const unordered = [g('z', [p('7')]), g('m', [p('7')]), g('n', [`cn=m,ou=g,${BASE}`]), g('k', [p('7'), p('8')])];
    const idx = new GroupIndex();
    for (const x of unordered) idx.addGroup(x.dn, String(x.attributes.cn![0]), x.attributes.member as string[]);
    const lookup = new GroupLookup(new MemoryLdapConnection(unordered), BASE, map);
    const m = await lookup.resolve([p('7'), p('8')].map((dn) => ({ dn, memberOf: [] })));
    expect(idx.groupsOf(p('7'))).toEqual(['k', 'm', 'n', 'z']);
    expect(m.groupsOf(p('7'))).toEqual(['k', 'm', 'n', 'z']);
    expect(m.groupsOf(p('8'))).toEqual(idx.groupsOf(p('8')));
    // memberOf DNs join in, still sorted.
    expect(idx.groupsOf(p('8'), [`cn=z,ou=g,${BASE}`, `cn=a0,ou=g,${BASE}`])).toEqual(['a0', 'k', 'z']);
  });

  it('expands nesting, cuts cycles, and caches group answers across entries', async () => {
    const conn = new MemoryLdapConnection(groups);
    const lookup = new GroupLookup(conn, BASE, map);
    const m = await lookup.resolve([1, 2, 4].map((n) => ({ dn: p(String(n)), memberOf: [] })));
    expect([...m.groupsOf(p('1'))].sort()).toEqual(['a', 'b', 'c']);
    expect([...m.groupsOf(p('4'))].sort()).toEqual(['loop1', 'loop2']);
    // One search per level of nesting, not per person or group: people; a, loop1; b, loop2; c.
    expect(lookup.searches).toBe(4);
    // Asking again costs nothing: the answers are cached for the pass.
    await lookup.resolve([{ dn: p('1'), memberOf: [] }]);
    expect(lookup.searches).toBe(4);
  });
});
