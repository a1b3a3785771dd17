import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import { graphUser, startGraphEmulator, type GraphEmulator } from '../support/graph-emulator/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

let em: GraphEmulator;
let server: TestServer;
const alice = graphUser('alice.archer');
const carol = graphUser('carol.clark');

beforeAll(async () => {
  em = await startGraphEmulator();
  em.state.users.put(alice);
  em.state.users.put(carol);
  // The regular refreshes are far away: only the new-watcher check can bring Carol's state in time.
  server = await startTestServer({
    env: em.env(),
    tuning: { 'graph.oofRefreshMs': 600_000, 'graph.calendarRefreshMs': 600_000, 'graph.newWatchersMs': 300, 'presence.coalesceMs': 50 },
  });
  const db = server.deps.store.db as Kysely<DirectoryTables>;
  for (let i = 0; i < 150; i++) {
    if ((await db.selectFrom('person_sources').select('person_id').where('source', '=', 'graph').execute()).length === 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);
afterAll(async () => {
  await server?.close();
  await em?.close();
});

describe('someone starts watching a person', () => {
  it('gets their Exchange out of office within seconds, not at the next full refresh', async () => {
    em.state.automaticReplies.set(carol.id, { status: 'alwaysEnabled', internalReplyMessage: 'Parental leave' });
    const s = await TestSocket.open(server.url, await server.token('alice.archer@contoso.test'));
    try {
      s.send({ type: 'presence.subscribe', emails: ['carol.clark@contoso.test'] });
      const f = await s.next('presence', (x) => (x.presence as { outOfOffice: { active: boolean } }).outOfOffice.active, 5000);
      expect((f.presence as { outOfOffice: unknown }).outOfOffice).toEqual({ active: true, message: 'Parental leave' });
      // Only the watched person was asked about.
      const asked = em.state.requests.filter((r) => r.path.endsWith('/automaticRepliesSetting')).map((r) => r.path.split('/')[2]);
      expect(new Set(asked)).toEqual(new Set([carol.id]));
    } finally {
      await s.close();
    }
  });
});
