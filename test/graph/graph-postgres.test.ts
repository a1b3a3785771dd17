import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MemorySource, runSync } from '../../directory-sync/index.js';
import { refreshGraphPhotos } from '../../directory-sync/sources/graph/index.js';
import { person } from '../support/entries.js';
import { graphUser, outlookContact } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

// The same source and engine rules on PostgreSQL (the scale-out store).
let h: GraphHarness;
const users = ['alice.archer', 'bob.baker', 'carol.clark', 'dan.dixon'].map((n) => graphUser(n));

beforeAll(async () => {
  h = await startGraphHarness({ postgres: true, contacts: true });
  h.em.state.pageSize = 3;
  for (const u of users) h.em.state.users.put(u);
  h.em.state.contactsOf(users[0].id).put(outlookContact('zoe.zimmer@fabrikam.example'));
});
afterAll(() => h?.close());

describe('graph source on PostgreSQL', () => {
  it('full then incremental delta, deletions, 410 resync, hybrid join, Outlook contacts and photos', async () => {
    const ldap = new MemorySource('ldap');
    ldap.set(person('erin.evans', { externalId: 'uuid-erin', photo: null }));
    expect((await runSync(ldap, { store: h.store })).status).toBe('ok');
    h.em.state.users.put(graphUser('erin.evans'));

    let r = await h.sync();
    expect(r).toMatchObject({ status: 'ok', mode: 'full', added: 5 }); // 4 users + Zoe; Erin joins the LDAP person
    const people = await h.livePeople();
    expect(people.get('zoe.zimmer@fabrikam.example')?.owner_id).toBe(people.get('alice.archer@contoso.test')?.id);
    const erinSources = await h.db.selectFrom('person_sources').select('source').where('person_id', '=', people.get('erin.evans@contoso.test')!.id).execute();
    expect(erinSources.map((s) => s.source).sort()).toEqual(['graph', 'ldap']);

    h.em.state.users.patch(users[1].id, { jobTitle: 'Lead' });
    h.em.state.users.remove(users[3].id);
    r = await h.sync();
    expect(r).toMatchObject({ status: 'ok', mode: 'incremental', updated: 1, deleted: 1 });

    h.em.state.expireDeltaTokens();
    r = await h.sync();
    expect(r).toMatchObject({ status: 'ok', mode: 'full', deleted: 0 });
    expect((await h.livePeople()).size).toBe(5);

    h.em.state.setPhoto(users[0].id, Buffer.from('\xff\xd8\xff jpeg', 'latin1'));
    expect(await refreshGraphPhotos(h.store, h.api)).toMatchObject({ updated: 1, failed: 0 });
    // A later directory change of Alice keeps her photo (Graph photos are refreshed apart).
    h.em.state.users.patch(users[0].id, { officeLocation: 'Building 9' });
    expect((await h.sync()).updated).toBe(1);
    const photo = await h.db
      .selectFrom('person_photos')
      .select('person_id')
      .where('person_id', '=', people.get('alice.archer@contoso.test')!.id)
      .executeTakeFirst();
    expect(photo).toBeDefined();
  });
});
