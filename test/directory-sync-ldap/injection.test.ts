// Values that end up in LDAP filters or DNs are escaped (RFC 4515 / 4514): hostile strings
// match only themselves on a real slapd, never extra entries.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../core/config/index.js';
import { StoreDirectoryReader } from '../../directory-sync/directory/index.js';
import { runSync } from '../../directory-sync/engine/index.js';
import { tempStore } from '../../directory-sync/engine/test-helpers.js';
import { LdaptsConnection, attrString, buildDn, escapeFilter, ldapConnectionOptionsFromConfig } from '../../directory-sync/sources/ldap-common/index.js';
import { createLdapSource } from '../../directory-sync/sources/ldap/index.js';
import { baseLdif, startSlapd, type Slapd } from '../support/slapd.js';
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

  it('hostile values sync as plain text and search as plain text', async () => {
    const store = await tempStore();
    const source = createLdapSource(loadConfig(ldap.env(), { dotEnvFile: false }))!;
    try {
      const r = await runSync(source, { store });
      expect(r).toMatchObject({ status: 'ok', added: 20 + HOSTILE.length });
      const reader = new StoreDirectoryReader(store);
      const hits = await reader.search('*)(uid=*', 50);
      expect(hits.map((h) => h.email)).toEqual(['hostile1@example.com']);
      expect((await reader.search('Smith, John (admin)', 50)).map((h) => h.displayName)).toEqual(['Smith, John (admin)']);
    } finally {
      await source.close();
      await store.dispose();
    }
  });
});
