// A paged search whose middle pages come back empty but with a paging cookie (RFC 2696 allows
// it) is read to its end, against a real slapd that does it: an OpenLDAP proxy (back-ldap + rwm)
// whose ACLs hide a run of entries from the bind user forwards the backend's cookies with pages
// it has emptied. ldapts 8.2's searchPaginated stopped at the first such page; a full pass then
// took everyone after it for deleted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { loadConfig } from '../../core/config/index.js';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import { runSync } from '../../directory-sync/engine/index.js';
import { tempStore } from '../../directory-sync/engine/test-helpers.js';
import { LdaptsConnection, ldapConnectionOptionsFromConfig } from '../../directory-sync/sources/ldap-common/index.js';
import { createLdapSource, type LdapSource } from '../../directory-sync/sources/ldap/index.js';
import { baseLdif, startSlapd, type Slapd } from '../support/slapd.js';
import { personLdif } from './fixtures.js';

const PROXY_DN = 'dc=proxy,dc=com';
const READER_DN = 'cn=reader,dc=example,dc=com';
const ADMIN_DN = 'cn=admin,dc=example,dc=com';
// Five visible, a hidden run of twelve (three empty pages of four), five visible: in slapadd order.
const UIDS = [...['a0', 'a1', 'a2', 'a3', 'a4'], ...Array.from({ length: 12 }, (_, i) => `h${String(i).padStart(2, '0')}`), ...['z0', 'z1', 'z2', 'z3', 'z4']];
const VISIBLE = UIDS.filter((u) => !u.startsWith('h'));

let ldap: Slapd;

beforeAll(async () => {
  ldap = await startSlapd({
    ldif:
      baseLdif() + `dn: ${READER_DN}\nobjectClass: person\ncn: reader\nsn: reader\nuserPassword: secret\n\n` + UIDS.map((uid) => personLdif({ uid })).join(''),
    // dc=proxy,dc=com is this server's own tree again through back-ldap; the h… people are
    // readable there by the admin only.
    extraConfig: (url) => [
      'moduleload back_ldap',
      'moduleload rwm',
      'database ldap',
      `suffix "${PROXY_DN}"`,
      `uri ${url}/`,
      'overlay rwm',
      `rwm-suffixmassage "${PROXY_DN}" "dc=example,dc=com"`,
      `access to dn.regex="^uid=h[0-9]+,ou=people,${PROXY_DN}$" by dn.exact="${ADMIN_DN}" read by * none`,
      'access to * by * read',
    ],
  });
});
afterAll(async () => {
  await ldap?.cleanup();
});

const asReader = { LDAP_BIND_DN: READER_DN, LDAP_BIND_PASSWORD: 'secret' };
const proxyEnv = (extra: Record<string, string> = {}) => ldap.env({ LDAP_BASE_DN: PROXY_DN, ...extra });

describe('paged search with empty pages that carry a cookie (real slapd proxy)', () => {
  it('LdaptsConnection.searchPages reads past the empty pages to the last entry', async () => {
    const conn = new LdaptsConnection({ ...ldapConnectionOptionsFromConfig(loadConfig(proxyEnv(asReader), { dotEnvFile: false })), reconnectDelayMs: 50 });
    try {
      const pages: string[][] = [];
      for await (const page of conn.searchPages(`ou=people,${PROXY_DN}`, { filter: '(objectClass=inetOrgPerson)', pageSize: 4, attributes: ['uid'] }))
        pages.push(page.map((e) => e.attributes.uid![0] as string));
      // The server did send empty pages (else this test would prove nothing).
      expect(pages.filter((p) => p.length === 0).length).toBeGreaterThanOrEqual(2);
      expect(pages.flat().sort()).toEqual(VISIBLE);
    } finally {
      await conn.close();
    }
  });

  it('a full pass reads everyone after the empty pages: only the hidden people go missing', async () => {
    const store = await tempStore();
    const sources: LdapSource[] = [];
    const source = (env: Record<string, string>) => {
      const s = createLdapSource(loadConfig(proxyEnv(env), { dotEnvFile: false }), undefined, { pageSize: 4 })!;
      sources.push(s);
      return s;
    };
    try {
      // The admin sees everyone through the proxy: all 22 are synced.
      const first = await runSync(source({}), { store, full: true });
      expect(first).toMatchObject({ status: 'ok', mode: 'full', entries: UIDS.length, added: UIDS.length });
      // The reader gets pages 2 to 4 empty (with a cookie), then z0…z4.
      const second = await runSync(source(asReader), { store, full: true, allowDeletes: true, limits: { graceSeconds: 3600 } });
      expect(second).toMatchObject({ status: 'ok', mode: 'full', entries: VISIBLE.length, missing: UIDS.length - VISIBLE.length });
      const db = store.db as Kysely<DirectoryTables>;
      const live = await db
        .selectFrom('people')
        .innerJoin('person_emails', 'person_emails.person_id', 'people.id')
        .where('people.missing_since', 'is', null)
        .where('people.deleted_at', 'is', null)
        .select('person_emails.email')
        .execute();
      expect(live.map((r) => r.email.split('@')[0]).sort()).toEqual(VISIBLE);
    } finally {
      for (const s of sources) await s.close();
      await store.dispose();
    }
  });
});
