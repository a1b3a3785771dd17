import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChatFeature } from '../../api/chat/index.js';
import { person } from '../support/entries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket, type Frame } from '../support/ws-client.js';

const NAMES = [
  'alice.archer',
  'bob.baker',
  'carol.cooper',
  'dave.dixon',
  'erin.evans',
  'frank.fox',
  'grace.gray',
  'heidi.hill',
  'ivan.ives',
  'judy.jones',
  'mallory.moss',
  'oscar.owens',
  'peggy.park',
  'trent.tate',
  'victor.vale',
  'walter.wu',
  // Only in the blocked-member test: no other test's socket keeps them online (no mail then).
  'kim.kane',
  'lars.lund',
  // Only in the blocked-and-DND test: their Do Not Disturb must not leak into other tests.
  'olga.orr',
  'xena.xu',
  'pia.pratt',
];
const E = Object.fromEntries(NAMES.map((n) => [n.split('.')[0], `${n}@contoso.test`])) as Record<string, string>;

let server: TestServer;
const notified: { recipientEmail: string; conversationId: string; firstSeq: number; lastSeq: number; preview: string }[] = [];
const sockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startTestServer({
    seed: [...NAMES.map((n) => person(n)), person('ghost.contact', { kind: 'contact' }), person('dan.disabled', { disabled: true })],
    env: { CHAT_MISSED_AFTER_SECONDS: '1' },
    tuning: { 'chat.sendPerSecond': 1000, 'chat.sendBurst': 1000, 'chat.missedScanMs': 250 },
  });
  chat().setNotifier({ notify: async (e) => void notified.push(e) });
});
afterAll(async () => {
  for (const s of sockets) await s.close().catch(() => {});
  await server.close();
});

const chat = () => server.features.find((f) => f.name === 'chat') as ChatFeature;
const json = async <T = any>(res: Response): Promise<T> => (await res.json()) as T; // eslint-disable-line @typescript-eslint/no-explicit-any
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call<T = any>(method: string, path: string, as: string, body?: unknown, status = 200): Promise<T> {
  const res = await server.api(method, path, { as, body });
  const payload = res.status === 204 ? undefined : await res.json();
  if (res.status !== status) throw new Error(`${method} ${path} as ${as}: expected ${status}, got ${res.status} ${JSON.stringify(payload)}`);
  return payload as T;
}
const open = async (email: string) => {
  const s = await TestSocket.open(server.url, await server.token(email));
  sockets.push(s);
  return s;
};
const start = (as: string, participants: string[], topic?: string) => call('POST', '/v1/conversations', as, { participants, ...(topic ? { topic } : {}) });
const send = (as: string, id: string, clientMessageId: string, text: string, status = 201) =>
  call('POST', `/v1/conversations/${id}/messages`, as, { clientMessageId, text }, status);

describe('conversations', () => {
  it('maps a pair to one conversation whoever starts it, even when both start at once', async () => {
    const results = await Promise.all([
      start(E.alice, [E.bob]),
      start(E.bob, [E.alice]),
      start(E.alice, [E.bob.toUpperCase()]),
      start(E.bob, [E.alice, E.bob]),
    ]);
    const ids = new Set(results.map((r) => r.id));
    expect(ids.size).toBe(1);
    expect(results[0]).toMatchObject({ kind: 'direct', topic: null, lastSeq: 0, unread: 0 });
    expect(results[0].members.map((m: { email: string }) => m.email).sort()).toEqual([E.alice, E.bob]);
  });

  it('creates a group with a topic, and refuses unknown, contact, disabled or lonely participants', async () => {
    const g = await start(E.alice, [E.bob, E.carol], 'Launch');
    expect(g).toMatchObject({ kind: 'group', topic: 'Launch' });
    expect(g.members).toHaveLength(3);
    const bad = await call(
      'POST',
      '/v1/conversations',
      E.alice,
      { participants: ['nobody@contoso.test', 'ghost.contact@contoso.test', 'dan.disabled@contoso.test'] },
      400,
    );
    expect(bad.error).toMatchObject({
      code: 'unknown_participants',
      details: ['nobody@contoso.test', 'ghost.contact@contoso.test', 'dan.disabled@contoso.test'],
    });
    expect((await call('POST', '/v1/conversations', E.alice, { participants: [E.alice] }, 400)).error.code).toBe('bad_request');
    expect((await call('POST', '/v1/conversations', E.alice, { participants: [E.bob], extra: 1 }, 400)).error.code).toBe('bad_request');
  });

  it('changes membership: add, topic, remove by creator, leave; removed members lose access', async () => {
    const g = await start(E.dave, [E.erin], 'Ops');
    const erin = await open(E.erin);
    const added = await call('POST', `/v1/conversations/${g.id}/members`, E.dave, { emails: [E.frank, E.grace] });
    expect(added.members.map((m: { email: string }) => m.email)).toEqual(expect.arrayContaining([E.frank, E.grace]));
    const announced = await erin.next(
      'chat.conversation',
      (f) => (f.conversation as { id: string }).id === g.id && (f.conversation as { members: unknown[] }).members.length === 4,
    );
    expect(announced).toBeTruthy();
    await send(E.dave, g.id, 'm-ops-1', 'after frank joined');
    // A new member's read marker starts at join: earlier history is readable but not "unread".
    expect((await call('GET', `/v1/conversations/${g.id}/messages`, E.frank)).messages.map((m: { text: string }) => m.text)).toEqual(['after frank joined']);
    expect((await call('PUT', `/v1/conversations/${g.id}`, E.frank, { topic: 'Operations' })).topic).toBe('Operations');
    expect(
      (
        await call(
          'DELETE',
          `/v1/conversations/${g.id}/members/${added.members.find((m: { email: string }) => m.email === E.grace).id}`,
          E.frank,
          undefined,
          403,
        )
      ).error.code,
    ).toBe('forbidden');
    const graceId = added.members.find((m: { email: string }) => m.email === E.grace).id;
    await call('DELETE', `/v1/conversations/${g.id}/members/${graceId}`, E.dave, undefined, 204);
    await call('GET', `/v1/conversations/${g.id}/messages`, E.grace, undefined, 404);
    await send(E.grace, g.id, 'm-ops-grace', 'let me back in', 404);
    await call('DELETE', `/v1/conversations/${g.id}/members/me`, E.erin, undefined, 204);
    await erin.next('chat.removed', (f) => f.conversationId === g.id);
    await call('GET', `/v1/conversations/${g.id}`, E.erin, undefined, 404);
    const left = await call('GET', `/v1/conversations/${g.id}`, E.dave);
    expect(left.members.map((m: { email: string }) => m.email).sort()).toEqual([E.dave, E.frank]);
    const direct = await start(E.dave, [E.erin]);
    expect((await call('DELETE', `/v1/conversations/${direct.id}/members/me`, E.dave, undefined, 400)).error.code).toBe('not_a_group');
    expect((await call('POST', `/v1/conversations/${direct.id}/members`, E.dave, { emails: [E.frank] }, 400)).error.code).toBe('not_a_group');
  });

  it('answers 404 to a member of one conversation probing another, on every route and frame', async () => {
    const theirs = await start(E.heidi, [E.ivan]);
    await send(E.heidi, theirs.id, 'h-1', 'private');
    const mine = await start(E.judy, [E.heidi]);
    expect(mine.id).not.toBe(theirs.id);
    const id = theirs.id;
    const probes: [string, string, unknown?][] = [
      ['GET', `/v1/conversations/${id}`],
      ['GET', `/v1/conversations/${id}/messages`],
      ['GET', `/v1/conversations/${id}/messages?after=0`],
      ['POST', `/v1/conversations/${id}/messages`, { clientMessageId: 'probe-1', text: 'hi' }],
      ['POST', `/v1/conversations/${id}/read`, { seq: 1 }],
      ['PUT', `/v1/conversations/${id}`, { topic: 'x' }],
      ['POST', `/v1/conversations/${id}/members`, { emails: [E.judy] }],
      ['DELETE', `/v1/conversations/${id}/members/me`],
      ['GET', `/v1/conversations/00000000-0000-0000-0000-000000000000/messages`],
    ];
    for (const [method, path, body] of probes) {
      const res = await server.api(method, path, { as: E.judy, body });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect((await json(res)).error.code).toBe('not_found');
    }
    const judy = await open(E.judy);
    judy.send({ type: 'chat.send', conversationId: id, clientMessageId: 'probe-2', text: 'hi' });
    const ack = await judy.next('chat.ack', (f) => f.clientMessageId === 'probe-2');
    expect(ack).toMatchObject({ ok: false, error: { status: 404, code: 'not_found' } });
    judy.send({ type: 'chat.sync', conversations: [{ id, afterSeq: 0 }] });
    const synced = await judy.next('chat.synced');
    expect((synced.conversations as { id: string }[]).map((c) => c.id)).toEqual([mine.id]);
    expect(judy.frames.filter((f) => f.type === 'chat.message')).toEqual([]);
    expect((await call('GET', '/v1/conversations/search?q=private', E.judy)).results).toEqual([]);
    expect((await call('GET', '/v1/conversations/search?q=private', E.ivan)).results).toHaveLength(1);
  });
});

describe('messages', () => {
  it('is idempotent on clientMessageId: a retry returns the stored message, other content is 409', async () => {
    const c = await start(E.alice, [E.carol]);
    const first = await send(E.alice, c.id, 'idem-1', 'hello carol');
    expect(first).toMatchObject({ duplicate: false, message: { seq: 1, text: 'hello carol', clientMessageId: 'idem-1' } });
    const again = await Promise.all([send(E.alice, c.id, 'idem-1', 'hello carol', 200), send(E.alice, c.id, 'idem-1', 'hello carol', 200)]);
    for (const a of again) expect(a).toMatchObject({ duplicate: true, message: first.message });
    const other = await send(E.alice, c.id, 'idem-1', 'something else', 409);
    expect(other.error.code).toBe('client_message_id_conflict');
    const history = await call('GET', `/v1/conversations/${c.id}/messages`, E.carol);
    expect(history.messages).toEqual([first.message]);
    expect(history.lastSeq).toBe(1);
  });

  it('assigns gap-free seqs in order under concurrent senders, and pages history both ways', async () => {
    const g = await start(E.oscar, [E.peggy, E.trent], 'Ordering');
    await Promise.all(
      [E.oscar, E.peggy, E.trent].map(async (who, w) => {
        for (let i = 0; i < 20; i++) await send(who, g.id, `ord-${w}-${i}`, `${w}:${i}`);
      }),
    );
    const all = await call('GET', `/v1/conversations/${g.id}/messages?after=0&limit=200`, E.oscar);
    expect(all.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (let w = 0; w < 3; w++) {
      const mine = all.messages.filter((m: { text: string }) => m.text.startsWith(`${w}:`)).map((m: { text: string }) => Number(m.text.split(':')[1]));
      expect(mine).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
    const latest = await call('GET', `/v1/conversations/${g.id}/messages?limit=10`, E.oscar);
    expect(latest.messages.map((m: { seq: number }) => m.seq)).toEqual([51, 52, 53, 54, 55, 56, 57, 58, 59, 60]);
    expect(latest.hasMore).toBe(true);
    const before = await call('GET', `/v1/conversations/${g.id}/messages?before=51&limit=10`, E.oscar);
    expect(before.messages.map((m: { seq: number }) => m.seq)).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
    const after = await call('GET', `/v1/conversations/${g.id}/messages?after=55&limit=10`, E.oscar);
    expect(after).toMatchObject({ hasMore: false });
    expect(after.messages.map((m: { seq: number }) => m.seq)).toEqual([56, 57, 58, 59, 60]);
    expect((await call('GET', `/v1/conversations/${g.id}/messages?after=1&before=5`, E.oscar, undefined, 400)).error.code).toBe('bad_request');
  });

  it('refuses empty, oversize and malformed messages with clear 4xx', async () => {
    const c = await start(E.bob, [E.carol]);
    expect((await send(E.bob, c.id, 'bad-1', '   \n ', 400)).error.details[0]).toMatchObject({ path: 'text', message: 'must not be empty' });
    expect((await send(E.bob, c.id, 'bad-2', 'é'.repeat(4097), 400)).error.details[0].message).toContain('8192 bytes');
    await send(E.bob, c.id, 'ok-8k', 'x'.repeat(8192));
    expect((await send(E.bob, c.id, 'bad id with spaces', 'hi', 400)).error.details[0].path).toBe('clientMessageId');
    const raw = await server.api('POST', `/v1/conversations/${c.id}/messages`, {
      as: E.bob,
      body: '{"clientMessageId":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(raw.status).toBe(400);
    expect((await json(raw)).error.code).toBe('invalid_json');
    const big = await server.api('POST', `/v1/conversations/${c.id}/messages`, { as: E.bob, body: { clientMessageId: 'huge', text: 'x'.repeat(70_000) } });
    expect(big.status).toBe(413);
    const bob = await open(E.bob);
    bob.send({ type: 'chat.send', conversationId: c.id, clientMessageId: 'ws-empty', text: '' });
    expect(await bob.next('error', (f) => f.frameType === 'chat.send')).toMatchObject({ code: 'bad_frame' });
  });

  it('keeps HTML as text (the server stores exactly what was typed)', async () => {
    const c = await start(E.carol, [E.dave]);
    const evil = '<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1))';
    await send(E.carol, c.id, 'html-1', evil);
    expect((await call('GET', `/v1/conversations/${c.id}/messages`, E.dave)).messages[0].text).toBe(evil);
  });

  it('searches only your conversations, with LIKE wildcards taken literally', async () => {
    const c = await start(E.walter, [E.victor]);
    await send(E.walter, c.id, 's-1', 'we hit 50% of the target');
    await send(E.walter, c.id, 's-2', 'we hit 500 of the target');
    await send(E.walter, c.id, 's-3', 'snake_case names');
    const pct = await call('GET', `/v1/conversations/search?q=${encodeURIComponent('50%')}`, E.victor);
    expect(pct.results.map((m: { text: string }) => m.text)).toEqual(['we hit 50% of the target']);
    const under = await call('GET', `/v1/conversations/search?q=${encodeURIComponent('E_C')}`, E.victor);
    expect(under.results.map((m: { text: string }) => m.text)).toEqual(['snake_case names']);
    expect((await call('GET', '/v1/conversations/search?q=target', E.mallory)).results).toEqual([]);
  });

  it('finds accented capitals whatever the case of the query (SQLite folds A–Z only by itself)', async () => {
    const c = await start(E.walter, [E.victor]);
    await send(E.walter, c.id, 's-acc', 'Meeting with Émile in ÖSTERSUND');
    for (const q of ['Émile', 'émile', 'ÉMILE', 'östersund', 'ÖSTERSUND', 'meeting'])
      expect((await call('GET', `/v1/conversations/search?q=${encodeURIComponent(q)}`, E.victor)).results.map((m: { text: string }) => m.text)).toEqual([
        'Meeting with Émile in ÖSTERSUND',
      ]);
  });
});

describe('realtime delivery', () => {
  it("acks after commit, pushes to every endpoint of every member (sender's other panes too), not back to the sending pane", async () => {
    const c = await start(E.erin, [E.frank]);
    const [erin1, erin2, frank1, frank2] = await Promise.all([open(E.erin), open(E.erin), open(E.frank), open(E.frank)]);
    erin1.send({ type: 'chat.send', conversationId: c.id, clientMessageId: 'rt-1', text: 'ping' });
    const ack = await erin1.next('chat.ack', (f) => f.clientMessageId === 'rt-1');
    expect(ack).toMatchObject({ ok: true, duplicate: false, message: { seq: 1, text: 'ping' }, doNotDisturb: [] });
    for (const [s, notify] of [
      [erin2, false],
      [frank1, true],
      [frank2, true],
    ] as const) {
      expect(await s.next('chat.message', (f) => f.conversationId === c.id)).toMatchObject({ message: { seq: 1, clientMessageId: 'rt-1' }, notify });
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(erin1.frames.filter((f) => f.type === 'chat.message')).toEqual([]);
    // A retry over the socket acks the stored message again.
    erin1.send({ type: 'chat.send', conversationId: c.id, clientMessageId: 'rt-1', text: 'ping' });
    expect(await erin1.next('chat.ack', (f) => f.clientMessageId === 'rt-1')).toMatchObject({ ok: true, duplicate: true, message: { seq: 1 } });
    erin1.send({ type: 'chat.send', conversationId: c.id, clientMessageId: 'rt-1', text: 'pong' });
    expect(await erin1.next('chat.ack', (f) => f.clientMessageId === 'rt-1')).toMatchObject({ ok: false, error: { status: 409 } });
  });

  it("keeps the order of one socket's pipelined sends", async () => {
    const c = await start(E.grace, [E.heidi]);
    const [grace, heidi] = await Promise.all([open(E.grace), open(E.heidi)]);
    for (let i = 0; i < 50; i++) grace.send({ type: 'chat.send', conversationId: c.id, clientMessageId: `pipe-${i}`, text: `n${i}` });
    const got: Frame[] = [];
    for (let i = 0; i < 50; i++) got.push(await heidi.next('chat.message', (f) => f.conversationId === c.id));
    expect(got.map((f) => (f.message as { text: string }).text)).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
    expect(got.map((f) => (f.message as { seq: number }).seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('resumes after a disconnect: chat.sync returns exactly what came after the last seq seen', async () => {
    const c = await start(E.ivan, [E.judy]);
    let judy = await open(E.judy);
    await send(E.ivan, c.id, 'res-1', 'one');
    const seen = await judy.next('chat.message', (f) => f.conversationId === c.id);
    await judy.close();
    for (let i = 2; i <= 5; i++) await send(E.ivan, c.id, `res-${i}`, `m${i}`);
    judy = await open(E.judy);
    judy.send({ type: 'chat.sync', conversations: [{ id: c.id, afterSeq: (seen.message as { seq: number }).seq }] });
    const synced = await judy.next('chat.synced');
    const resumed = judy.frames.filter((f) => f.type === 'chat.message' && f.conversationId === c.id);
    expect(resumed.map((f) => [(f.message as { seq: number }).seq, f.notify])).toEqual([
      [2, false],
      [3, false],
      [4, false],
      [5, false],
    ]);
    expect(synced.complete).toBe(true);
    expect((synced.conversations as { id: string; unread: number }[]).find((x) => x.id === c.id)).toMatchObject({ lastSeq: 5, unread: 5 });
  });

  it('tracks read markers (high-water), unread counts and relays chat.read to all members', async () => {
    const c = await start(E.mallory, [E.oscar]);
    for (let i = 1; i <= 4; i++) await send(E.mallory, c.id, `rd-${i}`, `r${i}`);
    const list = await call('GET', '/v1/conversations', E.oscar);
    expect(list.conversations.find((x: { id: string }) => x.id === c.id)).toMatchObject({
      unread: 4,
      readSeq: 0,
      lastSeq: 4,
      lastMessage: { seq: 4, text: 'r4' },
    });
    expect(list.unreadTotal).toBeGreaterThanOrEqual(4);
    const mallory = await open(E.mallory);
    expect(await call('POST', `/v1/conversations/${c.id}/read`, E.oscar, { seq: 3 })).toEqual({ readSeq: 3, unread: 1 });
    expect(await mallory.next('chat.read', (f) => f.conversationId === c.id)).toMatchObject({ seq: 3 });
    expect(await call('POST', `/v1/conversations/${c.id}/read`, E.oscar, { seq: 1 })).toEqual({ readSeq: 3, unread: 1 });
    expect(await call('POST', `/v1/conversations/${c.id}/read`, E.oscar, { seq: 999 })).toEqual({ readSeq: 4, unread: 0 });
    const oscar = await open(E.oscar);
    oscar.send({ type: 'chat.read', conversationId: c.id, seq: 4 });
    await mallory.next('chat.read', (f) => f.conversationId === c.id && f.seq === 4);
    // A marker that does not move is relayed to nobody (a busy pane would flood every member).
    mallory.frames.length = 0;
    for (let i = 0; i < 5; i++) oscar.send({ type: 'chat.read', conversationId: c.id, seq: 4 });
    await call('POST', `/v1/conversations/${c.id}/read`, E.oscar, { seq: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(mallory.frames.filter((f) => f.type === 'chat.read')).toEqual([]);
    // The sender's own messages never count as unread for the sender.
    expect((await call('GET', '/v1/conversations', E.mallory)).conversations.find((x: { id: string }) => x.id === c.id).unread).toBe(0);
  });

  it('relays typing to the other members only, throttled', async () => {
    const c = await start(E.peggy, [E.trent]);
    const [peggy, trent] = await Promise.all([open(E.peggy), open(E.trent)]);
    for (let i = 0; i < 5; i++) peggy.send({ type: 'chat.typing', conversationId: c.id });
    expect(await trent.next('chat.typing', (f) => f.conversationId === c.id)).toMatchObject({ displayName: 'Peggy Park' });
    await new Promise((r) => setTimeout(r, 300));
    expect(trent.frames.filter((f) => f.type === 'chat.typing')).toEqual([]);
    expect(peggy.frames.filter((f) => f.type === 'chat.typing')).toEqual([]);
  });
});

describe('presence rules', () => {
  it('refuses a blocked sender with 403 blocked (HTTP and socket) and refuses starting conversations with the blocker', async () => {
    const c = await start(E.victor, [E.walter]);
    const walterId = c.members.find((m: { email: string }) => m.email === E.walter).id;
    const victorId = c.members.find((m: { email: string }) => m.email === E.victor).id;
    await call('PUT', `/v1/me/blocked/${victorId}`, E.walter);
    const refused = await send(E.victor, c.id, 'blk-1', 'hello?', 403);
    expect(refused.error.code).toBe('blocked');
    const victor = await open(E.victor);
    victor.send({ type: 'chat.send', conversationId: c.id, clientMessageId: 'blk-ws', text: 'hello?' });
    expect(await victor.next('chat.ack', (f) => f.clientMessageId === 'blk-ws')).toMatchObject({ ok: false, error: { status: 403, code: 'blocked' } });
    const stored = (await call('GET', `/v1/conversations/${c.id}/messages?limit=200`, E.walter)).messages.map(
      (m: { clientMessageId: string }) => m.clientMessageId,
    );
    expect(stored.filter((id: string) => id.startsWith('blk-'))).toEqual([]);
    expect((await start(E.victor, [E.walter, E.alice], 'sneaky').catch((e: Error) => e)).toString()).toContain('403');
    // The blocker can still write.
    await send(E.walter, c.id, 'blk-2', 'I can still talk');
    expect(walterId).toBeTruthy();
  });

  it('in a group someone else made, a blocked member reaches the blocker without a toast, a missed-message mail or typing', async () => {
    // Kim blocked Lars; Heidi puts both in a group.
    const probe = await start(E.kim, [E.lars]);
    const larsId = probe.members.find((m: { email: string }) => m.email === E.lars).id;
    await call('PUT', `/v1/me/blocked/${larsId}`, E.kim);
    const g = await start(E.heidi, [E.kim, E.lars], 'planning');
    const kim = await open(E.kim);
    const sent = await send(E.lars, g.id, 'grp-blk-1', 'hello all');
    // The sender is not told about the block.
    expect(sent.doNotDisturb).toEqual([]);
    expect(await kim.next('chat.message', (f) => f.conversationId === g.id)).toMatchObject({ notify: false, message: { text: 'hello all' } });
    const lars = await open(E.lars);
    lars.send({ type: 'chat.typing', conversationId: g.id });
    await send(E.heidi, g.id, 'grp-blk-2', 'hi');
    expect(await kim.next('chat.message', (f) => f.conversationId === g.id && (f.message as { text: string }).text === 'hi')).toMatchObject({ notify: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(kim.frames.filter((f) => f.type === 'chat.typing' && f.conversationId === g.id)).toEqual([]);
    // Offline, Kim gets no mail for Lars's messages; Heidi's are mailed on their own.
    await kim.close();
    await send(E.lars, g.id, 'grp-blk-3', 'still there?');
    const deadline = Date.now() + 8000;
    while (notified.filter((n) => n.conversationId === g.id && n.recipientEmail === E.kim).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1200));
    expect(notified.filter((n) => n.conversationId === g.id && n.recipientEmail === E.kim)).toEqual([
      expect.objectContaining({ preview: 'hi', firstSeq: 2, lastSeq: 3 }),
    ]);
  });

  it('never tells a blocked sender that the blocker is on Do Not Disturb, in a group someone else made', async () => {
    // Olga blocked Xena and is on Do Not Disturb; Pia is on Do Not Disturb too. Heidi puts them in a group.
    const probe = await start(E.olga, [E.xena]);
    const xenaId = probe.members.find((m: { email: string }) => m.email === E.xena).id;
    await call('PUT', `/v1/me/blocked/${xenaId}`, E.olga);
    // Online (a pane each): Do Not Disturb shows only while someone is signed in.
    await open(E.olga);
    await open(E.pia);
    await call('PUT', '/v1/me/presence', E.olga, { availability: 'DoNotDisturb' });
    await call('PUT', '/v1/me/presence', E.pia, { availability: 'DoNotDisturb' });
    const g = await start(E.heidi, [E.olga, E.xena, E.pia], 'dnd and blocks');
    const piaId = g.members.find((m: { email: string }) => m.email === E.pia).id;
    const sent = await send(E.xena, g.id, 'grp-blk-dnd-1', 'anyone?');
    // Pia's Do Not Disturb is reported; Olga, who blocked Xena, is not.
    expect(sent.doNotDisturb).toEqual([piaId]);
  });

  it('stores a broken emoji (a lone surrogate) as the replacement character, and its retry is the same message, not a conflict', async () => {
    const c = await start(E.heidi, [E.grace]);
    const first = await send(E.heidi, c.id, 'lone-1', 'broken emoji \ud83d');
    expect(first.message.text).toBe('broken emoji \ufffd');
    const retry = await call('POST', `/v1/conversations/${c.id}/messages`, E.heidi, { clientMessageId: 'lone-1', text: 'broken emoji \ud83d' });
    expect(retry).toMatchObject({ duplicate: true, message: { seq: first.message.seq } });
  });

  it('delivers to someone on Do Not Disturb without a notification, and tells the sender', async () => {
    const c = await start(E.heidi, [E.grace]);
    const graceId = c.members.find((m: { email: string }) => m.email === E.grace).id;
    const grace = await open(E.grace);
    await call('PUT', '/v1/me/presence', E.grace, { availability: 'DoNotDisturb' });
    await new Promise((r) => setTimeout(r, 2100)); // the DND answer is cached for 2 s at most
    const sent = await send(E.heidi, c.id, 'dnd-1', 'are you there?');
    expect(sent.doNotDisturb).toEqual([graceId]);
    expect(await grace.next('chat.message', (f) => f.conversationId === c.id)).toMatchObject({ notify: false, message: { text: 'are you there?' } });
    const details = await call('GET', `/v1/conversations/${c.id}`, E.heidi);
    expect(details.members.find((m: { id: string }) => m.id === graceId)).toMatchObject({ availability: 'DoNotDisturb', doNotDisturb: true });
  });
});

describe('rate limits and the missed-message hook', () => {
  it('caps a group at chat.maxMembers (250 by default), however many add requests it takes', async () => {
    const small = await startTestServer({ seed: NAMES.slice(0, 6).map((n) => person(n)), tuning: { 'chat.maxMembers': 4 } });
    try {
      const as = (body: unknown, path = '/v1/conversations', method = 'POST') => small.api(method, path, { as: E.alice, body });
      const g = await json(await as({ participants: [E.bob, E.carol], topic: 'small' }));
      const more = await as({ emails: [E.dave] }, `/v1/conversations/${g.id}/members`);
      expect(more.status).toBe(200);
      const over = await as({ emails: [E.erin] }, `/v1/conversations/${g.id}/members`);
      expect(over.status).toBe(400);
      expect((await json(over)).error).toMatchObject({ code: 'group_full', message: 'A group has at most 4 members; this one has 4' });
      // Nobody of a refused request is added; people already in count once.
      expect((await json(await as({ emails: [E.bob, E.dave] }, `/v1/conversations/${g.id}/members`))).members).toHaveLength(4);
      const tooBig = await as({ participants: [E.bob, E.carol, E.dave, E.erin] });
      expect(tooBig.status).toBe(400);
      expect((await json(tooBig)).error.code).toBe('group_full');
    } finally {
      await small.close();
    }
  });

  it('limits sends per user with 429 and Retry-After', async () => {
    const limited = await startTestServer({ seed: [person('alice.archer'), person('bob.baker')], tuning: { 'chat.sendPerSecond': 1, 'chat.sendBurst': 3 } });
    try {
      const c = await json(await limited.api('POST', '/v1/conversations', { as: E.alice, body: { participants: [E.bob] } }));
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push((await limited.api('POST', `/v1/conversations/${c.id}/messages`, { as: E.alice, body: { clientMessageId: `rl-${i}`, text: 'x' } })).status);
      expect(codes).toEqual([201, 201, 201, 429, 429]);
      const res = await limited.api('POST', `/v1/conversations/${c.id}/messages`, { as: E.alice, body: { clientMessageId: 'rl-x', text: 'x' } });
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await json(res)).error.code).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });

  it('notifies once per burst when a message stays unread while the recipient is offline', async () => {
    const c = await start(E.trent, [E.walter], undefined);
    await send(E.trent, c.id, 'miss-1', 'first of the burst');
    await send(E.trent, c.id, 'miss-2', 'second of the burst');
    const deadline = Date.now() + 8000;
    while (notified.filter((n) => n.conversationId === c.id).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1200));
    const mine = notified.filter((n) => n.conversationId === c.id);
    expect(mine).toEqual([expect.objectContaining({ recipientEmail: E.walter, firstSeq: 1, lastSeq: 2, preview: 'first of the burst' })]);
    // Recorded in the store: another scan (as after a restart) finds nothing to send.
    expect(await chat().scanner.scan()).toBe(0);
    // A later message is a new burst.
    await send(E.trent, c.id, 'miss-3', 'a new burst');
    const deadline2 = Date.now() + 8000;
    while (notified.filter((n) => n.conversationId === c.id).length < 2 && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 100));
    expect(notified.filter((n) => n.conversationId === c.id).map((n) => [n.firstSeq, n.lastSeq])).toEqual([
      [1, 2],
      [3, 3],
    ]);
    // Read messages never notify.
    const d = await start(E.trent, [E.victor]);
    await send(E.trent, d.id, 'miss-r', 'read quickly');
    await call('POST', `/v1/conversations/${d.id}/read`, E.victor, { seq: 1 });
    await new Promise((r) => setTimeout(r, 1800));
    expect(notified.filter((n) => n.conversationId === d.id)).toEqual([]);
  });
});
