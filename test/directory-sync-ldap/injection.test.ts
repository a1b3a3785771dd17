// Values that end up in LDAP filters or DNs are escaped (RFC 4515 / 4514): hostile strings
// match only themselves on a real slapd, never extra entries.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../core/config/index.js';
import { StoreDirectoryReader } from '../../directory-sync/directory/index.js';
import { LdaptsConnection, attrString, buildDn, escapeFilter, ldapConnectionOptionsFromConfig } from '../../directory-sync/sources/ldap-common/index.js';
import { createLdapSource } from '../../directory-sync/sources/ldap/index.js';
import { baseLdif, startSlapd, type Slapd } from '../support/slapd.js';
import { startTestServer } from '../support/test-server.js';
import { PEOPLE_DN, personLdif } from './fixtures.js';

const HOSTILE = ['*', '*)(uid=*', 'x)(|(objectClass=*)', '*))(|(cn=*', 'a\\2a', 'Smith, John (admin)'];
let ldap: Slapd;
let conn: LdaptsConnection;

beforeAll(async () => {
  const plain = Array.from({ length: 20 }, (_, i) => personLdif({ uid: `plain${i}`, cn: `Plain ${i}` })).join('');
  const hostile = HOSTILE.map((cn, i) => personLdif({ uid: `hostile${i}`, cn, mail: `hostile${i}@example.com` })).join('');
  ldap = await startSlapd({ ldif: baseLdif() + plain + hostile });
  conn = new LdaptsConnection(ldapConnectionOptionsFromConfig(loadConfig(ldap.env(), { dotEnvFile: false })));
});
afterAll(async () => {
  await conn?.close();
  await ldap?.cleanup();
});

describe('LDAP injection', () => {
  it.each(HOSTILE.map((v, i) => [v, i] as const))('filter value %j matches only its own entry', async (value, i) => {
    const safe = await conn.search(PEOPLE_DN, { filter: escapeFilter`(&(objectClass=inetOrgPerson)(cn=${value}))`, attributes: ['uid'] });
    expect(safe.map((e) => attrString(e, 'uid'))).toEqual([`hostile${i}`]);
  });

  it('the same values unescaped would have matched more (so the check above can fail)', async () => {
    const raw = await conn.search(PEOPLE_DN, { filter: '(&(objectClass=inetOrgPerson)(cn=*))', attributes: ['uid'] });
    expect(raw.length).toBe(20 + HOSTILE.length);
  });

  it('a hostile DN value stays one RDN: the base search finds nothing else', async () => {
    const dn = buildDn([['uid', 'hostile0,ou=people']], PEOPLE_DN);
    await expect(conn.search(dn, { scope: 'base' })).rejects.toMatchObject({ code: 32 });
    const real = await conn.search(buildDn([['uid', 'hostile1']], PEOPLE_DN), { scope: 'base', attributes: ['cn'] });
    expect(attrString(real[0]!, 'cn')).toBe('*)(uid=*');
  });

  it('a tampered watermark cannot widen or narrow the incremental filter: the pass falls back to full', async () => {
    const source = createLdapSource(loadConfig(ldap.env(), { dotEnvFile: false }))!;
    try {
      const gen = source.read({ full: false, watermark: { modifyTimestamp: '*)(objectClass=*', groups: null }, signal: new AbortController().signal });
      let n = 0;
      for (;;) {
        const next = await gen.next();
        if (next.done) {
          expect(next.value.complete).toBe(true);
          break;
        }
        n += next.value.upserts.length;
      }
      expect(n).toBe(20 + HOSTILE.length);
    } finally {
      await source.close();
    }
  });

  it('hostile values sync from slapd as plain text, and GET /v1/people/search takes them as plain text', async () => {
    // The server syncs its configured source (this slapd) on start.
    const server = await startTestServer({ env: ldap.env() });
    try {
      const reader = new StoreDirectoryReader(server.deps.store);
      const everyone = [...Array.from({ length: 20 }, (_, i) => `plain${i}@example.com`), ...HOSTILE.map((_, i) => `hostile${i}@example.com`)];
      const synced = async () => [...(await reader.lookupEmails(everyone)).values()].filter(Boolean).length;
      for (let i = 0; i < 100 && (await synced()) < everyone.length; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await synced()).toBe(everyone.length);
      const search = async (q: string) => {
        const res = await server.api('GET', `/v1/people/search?q=${encodeURIComponent(q)}&limit=50`, { as: 'plain0@example.com' });
        expect(res.status).toBe(200);
        return ((await res.json()) as { results: { email: string; displayName: string }[] }).results;
      };
      expect((await search('*)(uid=*')).map((h) => h.email)).toEqual(['hostile1@example.com']);
      // A literal asterisk: the four names that contain one, not everyone.
      expect((await search('*')).map((h) => h.email).sort()).toEqual([0, 1, 2, 3].map((i) => `hostile${i}@example.com`));
      expect((await search('Smith, John (admin)')).map((h) => h.displayName)).toEqual(['Smith, John (admin)']);
      // SQL LIKE wildcards are text too.
      expect(await search('%')).toEqual([]);
      expect((await search('Plain')).length).toBe(20);
    } finally {
      await server.close();
    }
  });
});
