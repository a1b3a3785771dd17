// A changed LDAP_FILTER, LDAP_BASE_DN or LDAP_ATTRIBUTE_MAP turns the next incremental pass into
// a full one (real slapd, real engine): people brought into scope, or mapped anew, have not
// changed on the server, so `modifyTimestamp >= watermark` would never read them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { loadConfig } from '../../core/config/index.js';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import { runSync } from '../../directory-sync/engine/index.js';
import { tempStore } from '../../directory-sync/engine/test-helpers.js';
import { createLdapSource, type LdapSource } from '../../directory-sync/sources/ldap/index.js';
import { baseLdif, startSlapd, type Slapd } from '../support/slapd.js';
import { personLdif } from './fixtures.js';

type TempStore = Awaited<ReturnType<typeof tempStore>>;
let ldap: Slapd;
let store: TempStore;
const sources: LdapSource[] = [];

// Sales people written now; p, in Engineering, last changed long ago: with no overlap an
// incremental pass after a Sales-only full pass does not read p.
const SALES = ['s0', 's1', 's2', 's3'];
const oldStamp = (ldif: string) => ldif.replace(/\n\n$/, '\nmodifyTimestamp: 20200101000000Z\ncreateTimestamp: 20200101000000Z\n\n');

beforeAll(async () => {
  ldap = await startSlapd({
    ldif: baseLdif() + SALES.map((uid) => personLdif({ uid, department: 'Sales' })).join('') + oldStamp(personLdif({ uid: 'p', department: 'Engineering' })),
  });
  store = await tempStore();
});
afterAll(async () => {
  for (const s of sources) await s.close();
  await store?.dispose();
  await ldap?.cleanup();
});

function source(env: Record<string, string>): LdapSource {
  const s = createLdapSource(loadConfig(ldap.env(env), { dotEnvFile: false }), undefined, { overlapSeconds: 0 })!;
  sources.push(s);
  return s;
}

const departmentOf = async (email: string) =>
  (
    await (store.db as Kysely<DirectoryTables>)
      .selectFrom('people')
      .innerJoin('person_emails', 'person_emails.person_id', 'people.id')
      .select('people.department')
      .where('person_emails.email', '=', email)
      .executeTakeFirst()
  )?.department;

describe('ldap source: scope changes force a full pass (real slapd)', () => {
  it('same settings stay incremental; a wider LDAP_FILTER or another attribute map reads everyone', async () => {
    const narrow = { LDAP_FILTER: '(departmentNumber=Sales)' };
    // The full pass is read in a worker thread, the incremental ones here: both agree on the key.
    expect(await runSync(source(narrow), { store })).toMatchObject({ status: 'ok', mode: 'full', entries: SALES.length });
    expect(await departmentOf('p@example.com')).toBeUndefined();
    expect(await runSync(source(narrow), { store })).toMatchObject({ status: 'ok', mode: 'incremental' });

    // Widened: p has not changed on the server, only the settings did.
    const wide = await runSync(source({}), { store });
    expect(wide).toMatchObject({ status: 'ok', mode: 'full', entries: SALES.length + 1, added: 1 });
    expect(await departmentOf('p@example.com')).toBe('Engineering');
    expect(await runSync(source({}), { store })).toMatchObject({ status: 'ok', mode: 'incremental' });

    // Another attribute map: everyone's department now comes from o (Example Corp).
    const remapped = await runSync(source({ LDAP_ATTRIBUTE_MAP: '{"department":"o"}' }), { store });
    expect(remapped).toMatchObject({ status: 'ok', mode: 'full', updated: SALES.length + 1 });
    expect(await departmentOf('p@example.com')).toBe('Example Corp');
  });
});
