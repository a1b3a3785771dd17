import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import { graphUser, startGraphEmulator, type GraphEmulator } from '../support/graph-emulator/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';
import { until } from '../support/until.js';

let em: GraphEmulator;
let server: TestServer;
const alice = graphUser('alice.archer');
const bob = graphUser('bob.baker');
const carol = graphUser('carol.clark');

beforeAll(async () => {
  em = await startGraphEmulator();
  for (const u of [alice, bob, carol]) em.state.users.put(u);
  // One person per refresh: more watched people than the refresh takes.
  server = await startTestServer({
    env: em.env(),
    tuning: { 'graph.maxWatched': 1, 'graph.oofRefreshMs': 200, 'graph.calendarRefreshMs': 600_000, 'graph.newWatchersMs': 100, 'presence.coalesceMs': 50 },
  });
  const db = server.deps.store.db as Kysely<DirectoryTables>;
  await until(async () => (await db.selectFrom('person_sources').select('person_id').where('source', '=', 'graph').execute()).length === 3, 15_000, 'the sync');
}, 60_000);
afterAll(async () => {
  await server?.close();
  await em?.close();
});

describe('more watched people than one refresh takes', () => {
  it('refreshes each of them in turn: a later subscriber whose out of office turns on later still gets it', async () => {
    const s = await TestSocket.open(server.url, await server.token('alice.archer@contoso.test'));
    try {
      s.send({ type: 'presence.subscribe', emails: ['bob.baker@contoso.test'] });
      await s.next('presence', (f) => f.email === 'bob.baker@contoso.test', 5000);
      s.send({ type: 'presence.subscribe', emails: ['carol.clark@contoso.test'] });
      await s.next('presence', (f) => f.email === 'carol.clark@contoso.test', 5000);
      const reads = (u: { id: string }) => em.state.requests.filter((r) => r.path === `/users/${u.id}/mailboxSettings/automaticRepliesSetting`).length;
      // Carol was asked about once as a new watcher; only the regular refresh can see a later change.
      await until(() => reads(carol) >= 1, 5000, "Carol's first read");
      await new Promise((r) => setTimeout(r, 300));
      em.state.automaticReplies.set(carol.id, { status: 'alwaysEnabled', internalReplyMessage: 'Away this week' });
      const f = await s.next(
        'presence',
        (x) => x.email === 'carol.clark@contoso.test' && (x.presence as { outOfOffice: { active: boolean } }).outOfOffice.active,
        5000,
      );
      expect((f.presence as { outOfOffice: unknown }).outOfOffice).toEqual({ active: true, message: 'Away this week' });
      // Bob keeps being refreshed too.
      const bobBefore = reads(bob);
      await until(() => reads(bob) > bobBefore, 3000, "Bob's next refresh");
    } finally {
      await s.close();
    }
  });
});
