// Graph leaves manager@delta out of a change round when only a user's properties changed; the
// source then asks for the manager in a $batch. A lookup that fails must not read as "no
// manager" (the store would clear it and record that in the content hash).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphUser } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

let h: GraphHarness;
const alice = graphUser('alice.archer');
const bob = graphUser('bob.baker', { managerId: alice.id });

beforeAll(async () => {
  h = await startGraphHarness();
  h.em.state.users.sparseManagerDelta = true;
  h.em.state.users.put(alice);
  h.em.state.users.put(bob);
});
afterAll(() => h.close());

const bobRow = () => h.db.selectFrom('people').select(['title', 'manager_id']).where('primary_email', '=', 'bob.baker@contoso.test').executeTakeFirstOrThrow();
const aliceId = async () => (await h.livePeople()).get('alice.archer@contoso.test')!.id;
const managerLookups = () => h.em.state.requests.filter((r) => r.path === `/users/${bob.id}/manager`).length;

describe('graph source: manager lookups of changed users', () => {
  it('a title change: the manager is looked up and kept', async () => {
    expect(await h.sync()).toMatchObject({ status: 'ok', mode: 'full', added: 2 });
    expect((await bobRow()).manager_id).toBe(await aliceId());
    const asked = managerLookups();
    h.em.state.users.patch(bob.id, { jobTitle: 'Staff Engineer' });
    expect(await h.sync()).toMatchObject({ status: 'ok', mode: 'incremental', updated: 1 });
    // The emulator left manager@delta out, so the source did look the manager up.
    expect(managerLookups()).toBe(asked + 1);
    expect(await bobRow()).toEqual({ title: 'Staff Engineer', manager_id: await aliceId() });
  });

  it.each([500, 403, 429])('a lookup answered %i (past the retries): Bob still reports to Alice', async (status) => {
    h.em.state.users.patch(bob.id, { jobTitle: `Principal ${status}` });
    const fault = { match: new RegExp(`^GET /users/${bob.id}/manager$`), status, retryAfter: 0, inBatch: true, times: 20 };
    h.em.state.fault(fault);
    const report = await h.sync();
    h.em.state.faults.splice(h.em.state.faults.indexOf(h.em.state.faults.find((f) => f.match === fault.match)!), 1);
    // The incremental pass gave way to a full one, whose delta rounds name every manager.
    expect(report).toMatchObject({ status: 'ok', mode: 'full', missing: 0, deleted: 0 });
    expect(report.warnings.join('\n')).toMatch(/manager of 1 changed user\(s\) could not be read/);
    expect(await bobRow()).toEqual({ title: `Principal ${status}`, manager_id: await aliceId() });
    // And no later pass is left believing otherwise: an unchanged run keeps him there.
    expect(await h.sync()).toMatchObject({ status: 'ok', mode: 'incremental' });
    expect((await bobRow()).manager_id).toBe(await aliceId());
  });
});
