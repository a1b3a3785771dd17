import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSync } from '../../directory-sync/index.js';
import { graphUser, outlookContact } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

// Outlook contacts live in the default Contacts folder and in folders below it: each folder is
// read by its own contact delta (/users/{id}/contactFolders/{folderId}/contacts/delta).
let h: GraphHarness;
const alice = graphUser('alice.archer');
const carol = graphUser('carol.clark');
let clients = '';
let vip = '';
let suppliers = '';
const at = (local: string) => `${local}@fabrikam.example`;

const aliceId = async () =>
  (await h.db.selectFrom('people').select('id').where('primary_email', '=', 'alice.archer@contoso.test').executeTakeFirstOrThrow()).id;
/** Live external contacts of a user: primary e-mail → display name. */
const contactsOf = async (ownerId: string) => {
  const rows = await h.db
    .selectFrom('people')
    .select(['primary_email', 'display_name', 'kind'])
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .where('missing_since', 'is', null)
    .execute();
  expect(rows.every((r) => r.kind === 'contact')).toBe(true);
  return Object.fromEntries(rows.map((r) => [r.primary_email, r.display_name]));
};
const requestsSince = (n: number) => h.em.state.requests.slice(n).filter((r) => !r.inBatch);

beforeAll(async () => {
  // Pages of 2: the folder lists and every folder's delta are paged.
  h = await startGraphHarness({ contacts: true, pageSize: 2 });
});
afterAll(() => h.close());

describe('Outlook contacts by contact folder', () => {
  it('a full pass reads the default folder, the top-level folders and their child folders', async () => {
    const s = h.em.state;
    s.users.put(alice);
    s.users.put(carol);
    s.contactsOf(alice.id).put(outlookContact(at('ann'), { displayName: 'Ann (default folder)' }));
    clients = s.addContactFolder(alice.id, 'Clients');
    suppliers = s.addContactFolder(alice.id, 'Suppliers');
    s.addContactFolder(alice.id, 'Empty');
    vip = s.addContactFolder(alice.id, 'VIP', clients);
    s.folderContactsOf(alice.id, clients).put(outlookContact(at('bea'), { displayName: 'Bea (Clients)' }));
    s.folderContactsOf(alice.id, clients).put(outlookContact(at('cid'), { displayName: 'Cid (Clients)' }));
    s.folderContactsOf(alice.id, clients).put(outlookContact(at('dee'), { displayName: 'Dee (Clients)' }));
    s.folderContactsOf(alice.id, vip).put(outlookContact(at('eve'), { displayName: 'Eve (VIP)' }));
    s.folderContactsOf(alice.id, suppliers).put(outlookContact(at('fay'), { displayName: 'Fay (Suppliers)' }));
    // Carol's folder: the same address as one of Alice's, but Carol's own card.
    const carolFolder = s.addContactFolder(carol.id, 'Friends');
    s.folderContactsOf(carol.id, carolFolder).put(outlookContact(at('bea'), { displayName: "Carol's Bea" }));

    const report = await h.sync();
    expect(report.status).toBe('ok');
    expect(await contactsOf(await aliceId())).toEqual({
      [at('ann')]: 'Ann (default folder)',
      [at('bea')]: 'Bea (Clients)',
      [at('cid')]: 'Cid (Clients)',
      [at('dee')]: 'Dee (Clients)',
      [at('eve')]: 'Eve (VIP)',
      [at('fay')]: 'Fay (Suppliers)',
    });
    const carolId = (await h.db.selectFrom('people').select('id').where('primary_email', '=', 'carol.clark@contoso.test').executeTakeFirstOrThrow()).id;
    expect(await contactsOf(carolId)).toEqual({ [at('bea')]: "Carol's Bea" });
    const paths = h.em.state.requests.map((r) => r.path);
    expect(paths).toContain(`/users/${alice.id}/contactFolders/${encodeURIComponent(vip)}/contacts/delta`);
    expect(paths).toContain(`/users/${alice.id}/contactFolders/${encodeURIComponent(clients)}/childFolders`);
  });

  it('an incremental pass follows each folder by its own delta link: additions and removals', async () => {
    const s = h.em.state;
    const bea = outlookContact(at('bea'));
    s.folderContactsOf(alice.id, clients).remove(bea.id);
    s.folderContactsOf(alice.id, clients).put(outlookContact(at('gus'), { displayName: 'Gus (Clients)' }));
    s.folderContactsOf(alice.id, vip).put(outlookContact(at('hal'), { displayName: 'Hal (VIP)' }));
    const before = h.em.state.requests.length;
    const report = await h.sync();
    expect(report.status).toBe('ok');
    expect(report.deleted).toBe(1);
    expect(await contactsOf(await aliceId())).toEqual({
      [at('ann')]: 'Ann (default folder)',
      [at('cid')]: 'Cid (Clients)',
      [at('dee')]: 'Dee (Clients)',
      [at('eve')]: 'Eve (VIP)',
      [at('fay')]: 'Fay (Suppliers)',
      [at('gus')]: 'Gus (Clients)',
      [at('hal')]: 'Hal (VIP)',
    });
    // Only the changes came back: one page per folder (two changes fit a page of 2).
    const clientsDelta = requestsSince(before).filter((r) => r.path === `/users/${alice.id}/contactFolders/${encodeURIComponent(clients)}/contacts/delta`);
    expect(clientsDelta.map((r) => r.status)).toEqual([200]);
    // Carol's Bea is Carol's: untouched by Alice's removal.
    const beas = await h.db.selectFrom('people').select('display_name').where('primary_email', '=', at('bea')).where('deleted_at', 'is', null).execute();
    expect(beas).toEqual([{ display_name: "Carol's Bea" }]);
  });

  it('a 410 on one folder link restarts only that folder and loses nobody', async () => {
    const s = h.em.state;
    // Clients' sync state expires; meanwhile VIP and the default folder change.
    s.folderContactsOf(alice.id, clients).epoch++;
    s.folderContactsOf(alice.id, vip).put(outlookContact(at('ivy'), { displayName: 'Ivy (VIP)' }));
    s.contactsOf(alice.id).patch(outlookContact(at('ann')).id, { displayName: 'Ann A.' });
    const before = h.em.state.requests.length;
    const report = await h.sync();
    expect(report.status).toBe('ok');
    expect(report.deleted).toBe(0);
    expect(await contactsOf(await aliceId())).toEqual({
      [at('ann')]: 'Ann A.',
      [at('cid')]: 'Cid (Clients)',
      [at('dee')]: 'Dee (Clients)',
      [at('eve')]: 'Eve (VIP)',
      [at('fay')]: 'Fay (Suppliers)',
      [at('gus')]: 'Gus (Clients)',
      [at('hal')]: 'Hal (VIP)',
      [at('ivy')]: 'Ivy (VIP)',
    });
    const reqs = requestsSince(before);
    const statusesOf = (p: string) => reqs.filter((r) => r.path === p).map((r) => r.status);
    // Clients: 410, then its three contacts again from scratch in pages of 2.
    expect(statusesOf(`/users/${alice.id}/contactFolders/${encodeURIComponent(clients)}/contacts/delta`)).toEqual([410, 200, 200]);
    // The other folders went on from their own links: one page of changes each, no 410.
    expect(statusesOf(`/users/${alice.id}/contactFolders/${encodeURIComponent(vip)}/contacts/delta`)).toEqual([200]);
    expect(statusesOf(`/users/${alice.id}/contacts/delta`)).toEqual([200]);
    expect(reqs.filter((r) => r.status === 410)).toHaveLength(1);

    // The restarted folder's new link works: the next pass reads only its changes.
    s.folderContactsOf(alice.id, clients).remove(outlookContact(at('cid')).id);
    const next = h.em.state.requests.length;
    const again = await h.sync();
    expect(again.deleted).toBe(1);
    const clientsDelta = `/users/${alice.id}/contactFolders/${encodeURIComponent(clients)}/contacts/delta`;
    expect(
      requestsSince(next)
        .filter((r) => r.path === clientsDelta)
        .map((r) => r.status),
    ).toEqual([200]);
    expect(await contactsOf(await aliceId())).not.toHaveProperty(at('cid'));
  });

  it('a deleted folder deletes nobody on an incremental pass; the next full pass reconciles it', async () => {
    const s = h.em.state;
    s.removeContactFolder(alice.id, clients); // VIP (its child) goes with it
    const before = h.em.state.requests.length;
    const report = await h.sync();
    expect(report.status).toBe('ok');
    expect(report.deleted).toBe(0);
    // The stored links of the vanished folders answered 404: nothing deleted on that account.
    expect(requestsSince(before).filter((r) => r.status === 404 && r.path.endsWith('/contacts/delta'))).toHaveLength(2);
    expect(Object.keys(await contactsOf(await aliceId())).sort()).toEqual([at('ann'), at('dee'), at('eve'), at('fay'), at('gus'), at('hal'), at('ivy')].sort());
    // Their links were dropped: the next incremental pass does not ask for them again.
    const next = h.em.state.requests.length;
    expect((await h.sync()).status).toBe('ok');
    expect(requestsSince(next).filter((r) => r.status === 404)).toHaveLength(0);

    // Five of a dozen entries go at once: above the default deletion cap, so allow it here.
    const full = await runSync(h.source, { store: h.store, full: true, limits: { graceSeconds: 0, deleteCapPercent: 100 } });
    expect(full.status).toBe('ok');
    expect(full.deleted).toBe(5);
    expect(await contactsOf(await aliceId())).toEqual({ [at('ann')]: 'Ann A.', [at('fay')]: 'Fay (Suppliers)' });
  });
  it('a mailbox whose contacts cannot be read (403) keeps them, and the full pass still reconciles everyone else', async () => {
    const s = h.em.state;
    const dan = graphUser('dan.dover');
    s.users.put(dan);
    expect((await h.sync()).status).toBe('ok');
    const before = await contactsOf(await aliceId());
    expect(Object.keys(before).length).toBeGreaterThan(0);
    // Dan leaves the company; an application access policy now denies Alice's mailbox to the app.
    s.users.remove(dan.id);
    s.fault({ match: new RegExp(`^GET /users/${alice.id}/contacts/delta$`), status: 403, times: 1000 });
    try {
      const full = await runSync(h.source, { store: h.store, full: true, limits: { graceSeconds: 0, deleteCapPercent: 100 } });
      expect(full).toMatchObject({ status: 'ok', mode: 'full', deleted: 1 });
      const live = await h.db.selectFrom('people').select('primary_email').where('deleted_at', 'is', null).execute();
      expect(live.map((p) => p.primary_email)).not.toContain('dan.dover@contoso.test');
      expect(await contactsOf(await aliceId())).toEqual(before);
    } finally {
      s.faults.length = 0;
    }
  });
  it("a run killed right after a new mailbox's user was stored still reads that mailbox's contacts on the next run", async () => {
    const s = h.em.state;
    const erin = graphUser('erin.east');
    s.users.put(erin);
    s.contactsOf(erin.id).put(outlookContact(at('zed'), { displayName: "Erin's Zed" }));
    // Stopped after its first batch (the users page with Erin) was committed.
    const stop = new AbortController();
    const killed = await runSync(h.source, { store: h.store, signal: stop.signal, onBatch: () => stop.abort(new Error('killed')) });
    expect(killed.status).toBe('aborted');
    expect((await h.sync()).status).toBe('ok');
    const erinId = (await h.db.selectFrom('people').select('id').where('primary_email', '=', 'erin.east@contoso.test').executeTakeFirstOrThrow()).id;
    expect(await contactsOf(erinId)).toEqual({ [at('zed')]: "Erin's Zed" });
  });
});
