import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphOrgContact, graphUser } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

let h: GraphHarness;
const names = ['alice.archer', 'bob.baker', 'carol.clark', 'dan.dixon', 'erin.evans'];

beforeAll(async () => {
  h = await startGraphHarness();
  h.em.state.pageSize = 2; // several pages per round
  const alice = graphUser('alice.archer', {
    jobTitle: 'Head of Sales',
    proxyAddresses: ['SMTP:alice.archer@contoso.test', 'smtp:a.archer@contoso.test', 'X500:/o=x'],
  });
  h.em.state.users.put(alice);
  for (const n of names.slice(1)) h.em.state.users.put(graphUser(n, { managerId: alice.id }));
  h.em.state.users.patch(graphUser('erin.evans').id, { accountEnabled: false });
  h.em.state.orgContacts.put(graphOrgContact('pat.partner@fabrikam.example'));
});
afterAll(() => h.close());

describe('graph source: users and organisational contacts by delta', () => {
  it('reads everything on the first run, following nextLinks to the deltaLink', async () => {
    const report = await h.sync();
    expect(report).toMatchObject({ status: 'ok', mode: 'full', added: 6, deleted: 0 });
    const people = await h.livePeople();
    expect([...people.keys()].sort()).toEqual([...names.map((n) => `${n}@contoso.test`), 'pat.partner@fabrikam.example'].sort());
    expect(people.get('pat.partner@fabrikam.example')?.kind).toBe('contact');
    const alice = people.get('alice.archer@contoso.test')!;
    const bob = await h.db.selectFrom('people').selectAll().where('primary_email', '=', 'bob.baker@contoso.test').executeTakeFirstOrThrow();
    expect(bob.manager_id).toBe(alice.id);
    const erin = await h.db.selectFrom('people').select('disabled').where('primary_email', '=', 'erin.evans@contoso.test').executeTakeFirstOrThrow();
    expect(erin.disabled).toBe(1);
    const aliases = await h.db.selectFrom('person_emails').select('email').where('person_id', '=', alice.id).execute();
    expect(aliases.map((a) => a.email).sort()).toEqual(['a.archer@contoso.test', 'alice.archer@contoso.test']);
    const state = (await h.db
      .selectFrom('sync_state' as never)
      .selectAll()
      .where('source' as never, '=', 'graph' as never)
      .executeTakeFirstOrThrow()) as { watermark: string };
    const wm = JSON.parse(state.watermark) as Record<string, string>;
    expect(wm.users).toMatch(/\/users\/delta\?\$deltatoken=/);
    expect(wm.contacts).toMatch(/\/contacts\/delta\?\$deltatoken=/);
  });

  it('then reads only the changes: updates, additions and @removed deletions', async () => {
    const before = h.em.state.requests.length;
    h.em.state.users.patch(graphUser('bob.baker').id, { jobTitle: 'Staff Engineer' });
    h.em.state.users.put(graphUser('fay.fisher'));
    h.em.state.users.remove(graphUser('dan.dixon').id, 'deleted');
    const report = await h.sync();
    expect(report).toMatchObject({ status: 'ok', mode: 'incremental', added: 1, updated: 1, deleted: 1 });
    const people = await h.livePeople();
    expect(people.get('bob.baker@contoso.test')?.title).toBe('Staff Engineer');
    expect(people.has('fay.fisher@contoso.test')).toBe(true);
    expect(people.has('dan.dixon@contoso.test')).toBe(false);
    // Only the delta rounds were asked for: one users page (3 changes in pages of 2: two) and one contacts page.
    const asked = h.em.state.requests.slice(before).filter((r) => r.path.endsWith('/delta'));
    expect(asked.length).toBeLessThanOrEqual(3);
  });

  it('deletes a soft-deleted user and brings it back, as the same person, when restored', async () => {
    const carol = graphUser('carol.clark');
    const idBefore = (await h.livePeople()).get('carol.clark@contoso.test')!.id;
    const removed = h.em.state.users.remove(carol.id, 'changed')!;
    expect((await h.sync()).deleted).toBe(1);
    expect((await h.livePeople()).has('carol.clark@contoso.test')).toBe(false);
    h.em.state.users.put(removed as typeof carol);
    const report = await h.sync();
    expect(report.status).toBe('ok');
    expect((await h.livePeople()).get('carol.clark@contoso.test')?.id).toBe(idBefore);
  });

  it('answers 410 Gone with a full resync that loses nobody on the way', async () => {
    const before = await h.livePeople();
    h.em.state.expireDeltaTokens();
    h.em.state.users.patch(graphUser('alice.archer').id, { department: 'Sales' });
    h.em.state.users.remove(graphUser('fay.fisher').id);
    const seen: number[] = [];
    const report = await h.sync();
    expect(report.status).toBe('ok');
    expect(report.mode).toBe('full');
    expect(report.warnings.join('\n')).toMatch(/full pass/);
    const after = await h.livePeople();
    // Everyone but the one really deleted is still there, never marked missing.
    for (const [email, p] of before) {
      if (email === 'fay.fisher@contoso.test') continue;
      expect(after.get(email)?.id).toBe(p.id);
      expect(after.get(email)?.missing_since).toBeNull();
      seen.push(1);
    }
    expect(seen.length).toBe(before.size - 1);
    expect(after.has('fay.fisher@contoso.test')).toBe(false);
    // And the next run is incremental again, from the new delta link.
    expect((await h.sync()).mode).toBe('incremental');
  });

  it('a failed read deletes nobody and the next run resumes', async () => {
    const before = (await h.livePeople()).size;
    h.em.state.fault({ match: /^GET \/users\/delta$/, status: 500, times: 1 });
    h.em.state.users.remove(graphUser('erin.evans').id);
    const failed = await h.sync({ full: true });
    expect(failed.status).toBe('failed');
    expect((await h.livePeople()).size).toBe(before);
    const next = await h.sync();
    expect(next.status).toBe('ok');
    expect((await h.livePeople()).has('erin.evans@contoso.test')).toBe(false);
  });
});
