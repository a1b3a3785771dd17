import { describe, expect, it } from '@jest/globals';
import type { LdapConnection, LdapSearchOptions } from './ldap-connection.js';
import type { LdapEntry } from './ldap-entry.js';
import { readRangedAttribute } from './ranged-attribute.js';

/** Serves `member` the way AD does: at most `max` values per answer, the last range ending in `*`. */
function rangingServer(values: string[], max: number, calls: string[]): LdapConnection {
  return {
    url: 'ldap://fake',
    connect: async () => {},
    readRootDse: async () => ({ dn: '', attributes: {} }),
    close: async () => {},
    // eslint-disable-next-line require-yield
    async *searchPages() {
      throw new Error('not used');
    },
    async search(dn: string, options?: LdapSearchOptions): Promise<LdapEntry[]> {
      const asked = options!.attributes![0]!;
      calls.push(asked);
      const low = Number(/range=(\d+)-/.exec(asked)![1]);
      const high = low + max - 1;
      const last = high >= values.length - 1;
      const name = `member;range=${low}-${last ? '*' : high}`;
      return [{ dn, attributes: { [name]: values.slice(low, last ? undefined : high + 1) } }];
    },
  };
}

describe('readRangedAttribute', () => {
  it('follows ranges until the one ending in *', async () => {
    const values = Array.from({ length: 3210 }, (_, i) => `uid=u${i},dc=x`);
    const calls: string[] = [];
    const got = await readRangedAttribute(rangingServer(values, 1500, calls), 'cn=g,dc=x', 'member');
    expect(got).toEqual(values);
    expect(calls).toEqual(['member;range=0-*', 'member;range=1500-*', 'member;range=3000-*']);
  });

  it('takes a plain attribute from a server that does not range', async () => {
    const conn: LdapConnection = {
      ...rangingServer([], 1, []),
      search: async (dn) => [{ dn, attributes: { member: ['a', 'b'] } }],
    };
    expect(await readRangedAttribute(conn, 'cn=g', 'member')).toEqual(['a', 'b']);
  });
});
