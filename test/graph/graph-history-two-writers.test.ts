import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { chatMigrations } from '../../api/chat/index.js';
import type { ChatTables } from '../../api/chat/tables.js';
import { GraphMailboxes } from '../../api/graph/graph-mailboxes.js';
import { ConversationHistoryWriter, graphMigrations, HISTORY_FOLDER, type GraphTables } from '../../api/graph/index.js';
import { createLogger } from '../../core/log/index.js';
import { runMigrations } from '../../core/store/index.js';
import { graphUser } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

const alice = graphUser('alice.archer');
const bob = graphUser('bob.baker');
let h: GraphHarness;

beforeAll(async () => {
  h = await startGraphHarness();
  await runMigrations(h.store, [...chatMigrations, ...graphMigrations]);
  for (const u of [alice, bob]) h.em.state.users.put(u);
  await h.sync();
}, 30_000);
afterAll(async () => {
  await h?.close();
});

describe('conversation history with two API processes', () => {
  it('saves a burst once into each mailbox when both run at the same time', async () => {
    const db = h.store.db as Kysely<ChatTables & GraphTables>;
    const personOf = async (u: { id: string }) =>
      (await h.db.selectFrom('person_sources').select('person_id').where('external_id', '=', u.id).executeTakeFirstOrThrow()).person_id;
    const [a, b] = [await personOf(alice), await personOf(bob)];
    const now = Date.now();
    const at = now - 3600_000;
    await db
      .insertInto('chat_conversations')
      .values({ id: 'conv-two', kind: 'direct', topic: null, pair_key: `${a}|${b}`, created_by: a, created_at: at, last_seq: 2, last_message_at: at + 1000 })
      .execute();
    await db
      .insertInto('chat_members')
      .values([a, b].map((person_id) => ({ conversation_id: 'conv-two', person_id, joined_at: at, read_seq: 0, notified_seq: 0 })))
      .execute();
    await db
      .insertInto('chat_messages')
      .values([
        { conversation_id: 'conv-two', seq: 1, sender_id: a, client_message_id: 'm1', text: 'Hello', created_at: at },
        { conversation_id: 'conv-two', seq: 2, sender_id: b, client_message_id: 'm2', text: 'Hi', created_at: at + 1000 },
      ])
      .execute();
    // Slow answers: both processes are in the middle of saving the same items at once.
    h.em.state.latencyMs = 40;
    const writer = () =>
      new ConversationHistoryWriter(h.store, h.api, new GraphMailboxes(h.store), { silenceMs: 600_000, horizonMs: 86_400_000, log: createLogger('silent') });
    await Promise.all([writer().run(), writer().run()]);
    await Promise.all([writer().run(), writer().run()]);
    h.em.state.latencyMs = 0;
    for (const u of [alice, bob]) {
      const folders = (h.em.state.mailFolders.get(u.id) ?? []).filter((f) => f.displayName === HISTORY_FOLDER);
      expect(folders).toHaveLength(1);
      expect(h.em.state.folderMessages.get(`${u.id}|${folders[0].id}`)).toHaveLength(1);
    }
    const rows = await db.selectFrom('graph_history_items').select(['state', 'attempts']).execute();
    expect(rows).toEqual([
      { state: 'saved', attempts: 1 },
      { state: 'saved', attempts: 1 },
    ]);
  });
});
