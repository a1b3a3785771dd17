import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { chatMigrations } from '../../api/chat/index.js';
import { GraphMailboxes } from '../../api/graph/graph-mailboxes.js';
import { ConversationHistoryWriter, graphMigrations, HISTORY_FOLDER, type GraphTables } from '../../api/graph/index.js';
import { createLogger } from '../../core/log/index.js';
import { runMigrations } from '../../core/store/index.js';
import { graphUser } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

const guest = graphUser('guest.user', { mail: null, proxyAddresses: [] });
const bob = graphUser('bob.baker');

const pendingRow = (conversationId: string, personId: string, updatedAt: number) => ({
  conversation_id: conversationId,
  person_id: personId,
  first_seq: 1,
  last_seq: 1,
  message_key: `<op-${conversationId}-${personId}@office-presence.invalid>`,
  state: 'pending' as const,
  message_id: null,
  attempts: 0,
  updated_at: updatedAt,
});

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('conversation history items that cannot be saved (%s)', (_name, postgres) => {
  let h: GraphHarness;
  let db: Kysely<GraphTables>;
  const personOf = async (u: { id: string }) =>
    (await h.db.selectFrom('person_sources').select('person_id').where('source', '=', 'graph').where('external_id', '=', u.id).executeTakeFirstOrThrow())
      .person_id;

  beforeAll(async () => {
    h = await startGraphHarness({ postgres });
    await runMigrations(h.store, [...chatMigrations, ...graphMigrations]);
    for (const u of [guest, bob]) h.em.state.users.put(u);
    await h.sync();
    db = h.store.db as Kysely<GraphTables>;
  }, 30_000);
  afterAll(async () => {
    await h?.close();
  });

  it('neither block an item behind them nor are retried for ever', async () => {
    const guestId = await personOf(guest);
    const bobId = await personOf(bob);
    // 250 items for a user without a mailbox, all older than one item that can be saved.
    for (let i = 0; i < 250; i += 50)
      await db
        .insertInto('graph_history_items')
        .values(Array.from({ length: 50 }, (_, n) => pendingRow(`c-${String(i + n).padStart(3, '0')}`, guestId, 1000 + i + n)))
        .execute();
    await db
      .insertInto('graph_history_items')
      .values(pendingRow('c-bob', bobId, 5000))
      .execute();
    let now = 10_000_000;
    const writer = new ConversationHistoryWriter(h.store, h.api, new GraphMailboxes(h.store), {
      silenceMs: 600_000,
      horizonMs: 3600_000,
      log: createLogger('silent'),
      now: () => now,
      maxFailures: 3,
      retryBaseMs: 60_000,
    });
    const bobState = async () =>
      (await db.selectFrom('graph_history_items').select('state').where('conversation_id', '=', 'c-bob').executeTakeFirstOrThrow()).state;
    for (let pass = 0; pass < 3 && (await bobState()) !== 'saved'; pass++) await writer.run();
    expect(await bobState()).toBe('saved');
    const folder = (h.em.state.mailFolders.get(bob.id) ?? []).find((f) => f.displayName === HISTORY_FOLDER)!;
    expect(h.em.state.folderMessages.get(`${bob.id}|${folder.id}`)).toHaveLength(1);

    // The others back off (nothing is asked again before their time) and are given up after the cap.
    const guestCalls = () => h.em.state.requests.filter((r) => r.path.startsWith(`/users/${guest.id}/`)).length;
    const calls = guestCalls();
    expect(calls).toBeLessThanOrEqual(2);
    await writer.run();
    expect(guestCalls()).toBe(calls);
    for (let pass = 0; pass < 10; pass++) {
      now += 3600_000;
      await writer.run();
    }
    const states = await db.selectFrom('graph_history_items').select(['state', 'failures']).where('person_id', '=', guestId).execute();
    expect(states).toHaveLength(250);
    expect(states.every((r) => r.state === 'failed' && r.failures === 3)).toBe(true);
  });
});
