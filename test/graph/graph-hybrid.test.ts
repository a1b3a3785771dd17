import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MemorySource, runSync } from '../../directory-sync/index.js';
import { guidToBytes, immutableIdOf } from '../../directory-sync/sources/active-directory/index.js';
import { immutableIdFromGuid } from '../../directory-sync/sources/graph/index.js';
import { person } from '../support/entries.js';
import { graphUser, outlookContact } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

let h: GraphHarness;
// objectGUIDs as the AD source reports them (string form of the raw bytes).
const ALICE_GUID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const BOB_GUID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const ad = new MemorySource('ad');
const ldap = new MemorySource('ldap');

const adPerson = (local: string, guid: string, extra: Parameters<typeof person>[1] = {}) =>
  person(local, {
    externalId: guid,
    immutableId: immutableIdOf(guidToBytes(guid)),
    dn: `CN=${local},OU=Staff,DC=samdom,DC=example,DC=com`,
    department: 'Sales (AD)',
    phones: [{ type: 'business', number: '+1 555 0101' }],
    photo: null,
    ...extra,
  });

const sourcesOf = async (email: string) => {
  const rows = await h.db
    .selectFrom('person_emails')
    .innerJoin('person_sources', 'person_sources.person_id', 'person_emails.person_id')
    .select(['person_sources.source', 'person_sources.person_id'])
    .where('person_emails.email', '=', email)
    .execute();
  return { sources: rows.map((r) => r.source).sort(), people: new Set(rows.map((r) => r.person_id)).size };
};

beforeAll(async () => {
  h = await startGraphHarness({ contacts: true });
});
afterAll(() => h.close());

describe('hybrid join: one person, two sources', () => {
  it('computes the immutable id from an objectGUID exactly as the AD source does', () => {
    for (const g of [ALICE_GUID, BOB_GUID]) expect(immutableIdFromGuid(g)).toBe(immutableIdOf(guidToBytes(g)));
  });

  it('joins an Entra user to its AD person by onPremisesImmutableId (base64 objectGUID)', async () => {
    ad.set(adPerson('alice.archer', ALICE_GUID, { aliases: ['alice@ad-only.contoso.test'] }), adPerson('bob.baker', BOB_GUID));
    expect((await runSync(ad, { store: h.store })).status).toBe('ok');
    // Entra has Alice under another primary address: the immutable id joins them anyway.
    h.em.state.users.put(
      graphUser('alice.archer', {
        onPremisesImmutableId: immutableIdFromGuid(ALICE_GUID),
        department: null,
        mail: 'alice.archer@contoso.test',
        proxyAddresses: ['SMTP:alice.archer@contoso.test', 'smtp:alice@cloud.contoso.test'],
      }),
    );
    h.em.state.users.put(graphUser('bob.baker', { onPremisesImmutableId: immutableIdFromGuid(BOB_GUID), jobTitle: 'Cloud title' }));
    const report = await h.sync();
    expect(report.status).toBe('ok');
    expect(report.added).toBe(0);
    expect(await sourcesOf('alice.archer@contoso.test')).toEqual({ sources: ['ad', 'graph'], people: 1 });
    expect(await sourcesOf('bob.baker@contoso.test')).toEqual({ sources: ['ad', 'graph'], people: 1 });
    const alice = await h.db.selectFrom('people').selectAll().where('primary_email', '=', 'alice.archer@contoso.test').executeTakeFirstOrThrow();
    // What AD said and Entra left empty stays; both sources' addresses are the person's.
    expect(alice.department).toBe('Sales (AD)');
    const emails = (await h.db.selectFrom('person_emails').select('email').where('person_id', '=', alice.id).execute()).map((r) => r.email).sort();
    expect(emails).toEqual(['alice.archer@contoso.test', 'alice@ad-only.contoso.test', 'alice@cloud.contoso.test']);
    expect((await h.db.selectFrom('people').select('id').where('deleted_at', 'is', null).execute()).length).toBe(2);
  });

  it('an AD update after the Graph one keeps the Graph-only address and neither source duplicates the person', async () => {
    ad.set(adPerson('alice.archer', ALICE_GUID, { title: 'VP Sales', aliases: ['alice@ad-only.contoso.test'] }));
    expect((await runSync(ad, { store: h.store })).status).toBe('ok');
    const alice = await h.db.selectFrom('people').selectAll().where('primary_email', '=', 'alice.archer@contoso.test').executeTakeFirstOrThrow();
    expect(alice.title).toBe('VP Sales');
    const emails = (await h.db.selectFrom('person_emails').select('email').where('person_id', '=', alice.id).execute()).map((r) => r.email);
    expect(emails).toContain('alice@cloud.contoso.test');
    expect(await sourcesOf('alice.archer@contoso.test')).toEqual({ sources: ['ad', 'graph'], people: 1 });
  });

  it('deleting the Entra side of a hybrid person keeps the person (AD still has them)', async () => {
    h.em.state.users.remove(graphUser('bob.baker').id);
    const report = await h.sync();
    expect(report.status).toBe('ok');
    const bob = await h.db
      .selectFrom('people')
      .select(['deleted_at', 'missing_since'])
      .where('primary_email', '=', 'bob.baker@contoso.test')
      .executeTakeFirstOrThrow();
    expect(bob).toEqual({ deleted_at: null, missing_since: null });
    // Only the Entra link went: when AD deletes Bob too, nothing holds the deletion back.
    expect((await sourcesOf('bob.baker@contoso.test')).sources).toEqual(['ad']);
    ad.remove(BOB_GUID);
    const adRun = await runSync(ad, { store: h.store, limits: { graceSeconds: 0, deleteCapPercent: 100 } });
    expect(adRun.deleted).toBe(1);
    const gone = await h.db.selectFrom('people').select('deleted_at').where('primary_email', '=', 'bob.baker@contoso.test').executeTakeFirst();
    expect(gone === undefined || gone.deleted_at !== null).toBe(true);
  });

  it('falls back to the primary SMTP address when there is no immutable id (cloud-only user, LDAP person)', async () => {
    ldap.set(person('dave.dunn', { externalId: 'uuid-dave', immutableId: undefined, photo: null }));
    expect((await runSync(ldap, { store: h.store })).status).toBe('ok');
    h.em.state.users.put(graphUser('dave.dunn'));
    expect((await h.sync()).status).toBe('ok');
    expect(await sourcesOf('dave.dunn@contoso.test')).toEqual({ sources: ['graph', 'ldap'], people: 1 });
  });

  it('never joins two people whose immutable ids differ, even with the same address', async () => {
    ad.set(adPerson('erin.evans', '11111111-2222-3333-4444-555555555555'));
    expect((await runSync(ad, { store: h.store })).status).toBe('ok');
    h.em.state.users.put(graphUser('erin.evans', { onPremisesImmutableId: immutableIdFromGuid('99999999-2222-3333-4444-555555555555') }));
    const report = await h.sync();
    expect(report.warnings.join('\n')).toMatch(/erin\.evans@contoso\.test already belongs to another person/);
    const s = await sourcesOf('erin.evans@contoso.test');
    expect(s.sources).toEqual(['ad']);
  });
});

describe('Outlook contacts', () => {
  it("stores a user's Outlook contacts as their own external contacts, not as directory people", async () => {
    const alice = graphUser('alice.archer');
    const carol = graphUser('carol.clark');
    h.em.state.users.put(carol);
    h.em.state.contactsOf(alice.id).put(outlookContact('zoe.zimmer@fabrikam.example', { displayName: 'Zoe Zimmer', companyName: 'Fabrikam' }));
    h.em.state.contactsOf(alice.id).put(outlookContact('carol.clark@contoso.test', { displayName: 'Carol (my contact)' }));
    h.em.state.contactsOf(carol.id).put(outlookContact('zoe.zimmer@fabrikam.example', { displayName: 'Zoe Z.' }));
    const report = await h.sync();
    expect(report.status).toBe('ok');
    const aliceId = (await h.db.selectFrom('people').select('id').where('primary_email', '=', 'alice.archer@contoso.test').executeTakeFirstOrThrow()).id;
    const carolId = (
      await h.db
        .selectFrom('people')
        .select('id')
        .where('primary_email', '=', 'carol.clark@contoso.test')
        .where('owner_id', 'is', null)
        .executeTakeFirstOrThrow()
    ).id;
    const zoes = await h.db
      .selectFrom('people')
      .select(['owner_id', 'kind', 'display_name', 'company'])
      .where('primary_email', '=', 'zoe.zimmer@fabrikam.example')
      .where('deleted_at', 'is', null)
      .orderBy('display_name')
      .execute();
    expect(zoes).toEqual([
      { owner_id: carolId, kind: 'contact', display_name: 'Zoe Z.', company: 'Fabrikam' },
      { owner_id: aliceId, kind: 'contact', display_name: 'Zoe Zimmer', company: 'Fabrikam' },
    ]);
    // Private: their addresses resolve to nobody in the shared directory.
    expect(await h.db.selectFrom('person_emails').select('email').where('email', '=', 'zoe.zimmer@fabrikam.example').execute()).toEqual([]);
    // A contact who is a directory person is that person: no second card for Carol.
    expect((await h.db.selectFrom('people').select('id').where('primary_email', '=', 'carol.clark@contoso.test').execute()).length).toBe(1);
  });

  it('follows the contact-folder delta: changes and deletions', async () => {
    const alice = graphUser('alice.archer');
    const zoe = outlookContact('zoe.zimmer@fabrikam.example');
    h.em.state.contactsOf(alice.id).patch(zoe.id, { jobTitle: 'Buyer' });
    let report = await h.sync();
    expect(report.status).toBe('ok');
    const aliceId = (await h.db.selectFrom('people').select('id').where('primary_email', '=', 'alice.archer@contoso.test').executeTakeFirstOrThrow()).id;
    const row = await h.db
      .selectFrom('people')
      .select(['title'])
      .where('owner_id', '=', aliceId)
      .where('primary_email', '=', 'zoe.zimmer@fabrikam.example')
      .executeTakeFirstOrThrow();
    expect(row.title).toBe('Buyer');
    h.em.state.contactsOf(alice.id).remove(zoe.id);
    report = await h.sync();
    expect(report.deleted).toBe(1);
    const live = await h.db
      .selectFrom('people')
      .select('owner_id')
      .where('primary_email', '=', 'zoe.zimmer@fabrikam.example')
      .where('deleted_at', 'is', null)
      .execute();
    expect(live).toHaveLength(1); // Carol's Zoe remains
    expect(live[0].owner_id).not.toBe(aliceId);
  });
});
