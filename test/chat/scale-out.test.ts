import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChatFeature } from '../../api/chat/index.js';
import { person } from '../support/entries.js';
import { createTempDatabase, REDIS_TEST_URL, redisTestPrefix } from '../support/postgres.js';
import { cleanRedisPrefix } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

/** Two API processes on one PostgreSQL database and one Redis: any process serves any member. */
const A = 'ann.abbott@contoso.test';
const B = 'ben.booth@contoso.test';
const C = 'cat.chase@contoso.test';

let temp: Awaited<ReturnType<typeof createTempDatabase>>;
let prefix: string;
let one: TestServer;
let two: TestServer;
const sockets: TestSocket[] = [];
const notified: { recipientEmail: string; conversationId: string }[] = [];

beforeAll(async () => {
  temp = await createTempDatabase('chatscale');
  prefix = redisTestPrefix('chatscale');
  const env = { DATABASE_URL: temp.url, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix, CHAT_MISSED_AFTER_SECONDS: '1' };
  const tuning = { 'chat.missedScanMs': 200 };
  one = await startTestServer({ env, tuning, seed: [person('ann.abbott'), person('ben.booth'), person('cat.chase')] });
  two = await startTestServer({ env, tuning });
  for (const s of [one, two]) (s.features.find((f) => f.name === 'chat') as ChatFeature).setNotifier({ notify: async (e) => void notified.push(e) });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) await s.close().catch(() => {});
  await one?.close();
  await two?.close();
  await temp?.drop();
  await cleanRedisPrefix(prefix);
});

const open = async (server: TestServer, email: string) => {
  const s = await TestSocket.open(server.url, await server.token(email));
  sockets.push(s);
  return s;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call<T = any>(server: TestServer, method: string, path: string, as: string, body?: unknown, status = 200): Promise<T> {
  const res = await server.api(method, path, { as, body });
  const payload = res.status === 204 ? undefined : await res.json();
  if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${JSON.stringify(payload)}`);
  return payload as T;
}

describe('chat on PostgreSQL + Redis with two processes', () => {
  it('one pair conversation whichever process each side starts it on', async () => {
    const [x, y] = await Promise.all([
      call(one, 'POST', '/v1/conversations', A, { participants: [B] }),
      call(two, 'POST', '/v1/conversations', B, { participants: [A] }),
    ]);
    expect(x.id).toBe(y.id);
  });

  it("delivers a message sent on one process to sockets on the other, in order, with the sender's other pane included", async () => {
    const c = await call(one, 'POST', '/v1/conversations', A, { participants: [B, C], topic: 'Scale' });
    const annOnOne = await open(one, A);
    const annOnTwo = await open(two, A);
    const benOnTwo = await open(two, B);
    for (let i = 0; i < 30; i++) annOnOne.send({ type: 'chat.send', conversationId: c.id, clientMessageId: `scale-${i}`, text: `m${i}` });
    const got: number[] = [];
    for (let i = 0; i < 30; i++) got.push(((await benOnTwo.next('chat.message', (f) => f.conversationId === c.id)).message as { seq: number }).seq);
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await annOnTwo.next('chat.message', (f) => f.conversationId === c.id && (f.message as { seq: number }).seq === 30)).toMatchObject({ notify: false });
    // Typing and read markers cross processes too.
    benOnTwo.send({ type: 'chat.typing', conversationId: c.id });
    expect(await annOnOne.next('chat.typing', (f) => f.conversationId === c.id)).toMatchObject({ displayName: 'Ben Booth' });
    benOnTwo.send({ type: 'chat.read', conversationId: c.id, seq: 30 });
    expect(await annOnOne.next('chat.read', (f) => f.conversationId === c.id)).toMatchObject({ seq: 30 });
  });

  it('serves history, unread counts, search, idempotency and 404s alike from either process', async () => {
    const c = await call(two, 'POST', '/v1/conversations', B, { participants: [C] });
    const first = await call(one, 'POST', `/v1/conversations/${c.id}/messages`, B, { clientMessageId: 'pg-1', text: 'budget is 50% done' }, 201);
    const retry = await call(two, 'POST', `/v1/conversations/${c.id}/messages`, B, { clientMessageId: 'pg-1', text: 'budget is 50% done' }, 200);
    expect(retry).toMatchObject({ duplicate: true, message: first.message });
    await call(two, 'POST', `/v1/conversations/${c.id}/messages`, B, { clientMessageId: 'pg-1', text: 'other' }, 409);
    await call(one, 'POST', `/v1/conversations/${c.id}/messages`, B, { clientMessageId: 'pg-2', text: 'budget is 500 done' }, 201);
    const list = await call(two, 'GET', '/v1/conversations', C);
    expect(list.conversations.find((x: { id: string }) => x.id === c.id)).toMatchObject({ unread: 2, lastSeq: 2, lastMessage: { text: 'budget is 500 done' } });
    expect((await call(one, 'GET', `/v1/conversations/search?q=${encodeURIComponent('50%')}`, C)).results.map((m: { text: string }) => m.text)).toEqual([
      'budget is 50% done',
    ]);
    expect((await call(two, 'GET', `/v1/conversations/${c.id}/messages?before=2`, C)).messages.map((m: { seq: number }) => m.seq)).toEqual([1]);
    await call(one, 'GET', `/v1/conversations/${c.id}/messages`, A, undefined, 404);
    expect(await call(two, 'POST', `/v1/conversations/${c.id}/read`, C, { seq: 1 })).toEqual({ readSeq: 1, unread: 1 });
  });

  it('notifies a missed burst once although both processes scan', async () => {
    const c = await call(one, 'POST', '/v1/conversations', C, { participants: [A] });
    await call(one, 'POST', `/v1/conversations/${c.id}/messages`, C, { clientMessageId: 'miss-pg', text: 'are you there?' }, 201);
    // Ann's sockets from the earlier test are still open: close them so she has no live endpoint.
    for (const s of sockets.splice(0)) await s.close();
    const deadline = Date.now() + 10_000;
    while (!notified.some((n) => n.conversationId === c.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    expect(notified.filter((n) => n.conversationId === c.id)).toEqual([expect.objectContaining({ recipientEmail: A })]);
  });
});
