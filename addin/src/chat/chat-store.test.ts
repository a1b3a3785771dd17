import { describe, expect, it } from '@jest/globals';
import type { ChatMessageDto, ConversationViewDto } from '../../../api/contract/index.js';
import type { ApiClient, Frame, RealtimeClient } from '../api/index.js';
import { ChatStore, RESEND_STORED_WITHIN_MS, type ChatStoreDeps } from './chat-store.js';
import { localOutboxStorage, memoryOutboxStorage } from './outbox-storage.js';

/**
 * The pane's chat store against an in-memory realtime socket and API (the real ones are covered by
 * the e2e and loss tests): resume, gap backfill, duplicate folding, outbox resend, unread, DND.
 */
const ME = 'me-id';
const THEM = 'them-id';
const view = (over: Partial<ConversationViewDto> = {}): ConversationViewDto => ({
  id: 'c1',
  kind: 'direct',
  topic: null,
  members: [
    { id: ME, displayName: 'Me', email: 'me@x.test' },
    { id: THEM, displayName: 'Them', email: 'them@x.test' },
  ],
  lastSeq: 0,
  lastMessageAt: null,
  createdAt: 1,
  readSeq: 0,
  unread: 0,
  lastMessage: null,
  ...over,
});
const msg = (seq: number, senderId = THEM, clientMessageId = `m${seq}`): ChatMessageDto => ({
  id: `c1:${seq}`,
  conversationId: 'c1',
  seq,
  senderId,
  clientMessageId,
  text: `text ${seq}`,
  createdAt: seq,
});

class FakeRealtime implements RealtimeClient {
  status: RealtimeClient['status'] = 'connecting';
  sent: Frame[] = [];
  #on = new Map<string, Set<(f: Frame) => void>>();
  #open = new Set<() => void>();
  send(frame: Frame) {
    if (this.status !== 'open') return false;
    this.sent.push(frame);
    return true;
  }
  on<T extends Frame>(type: string, l: (f: T) => void) {
    let s = this.#on.get(type);
    if (!s) this.#on.set(type, (s = new Set()));
    s.add(l as (f: Frame) => void);
    return () => s.delete(l as (f: Frame) => void);
  }
  onOpen(l: () => void) {
    this.#open.add(l);
    if (this.status === 'open') l();
    return () => this.#open.delete(l);
  }
  onReconnect() {
    return () => {};
  }
  onStatus() {
    return () => {};
  }
  reconnect() {}
  close() {}
  open() {
    this.status = 'open';
    for (const l of this.#open) l();
  }
  drop() {
    this.status = 'connecting';
  }
  emit(frame: Frame) {
    for (const l of this.#on.get(frame.type) ?? []) l(frame);
  }
  take(type: string) {
    const out = this.sent.filter((f) => f.type === type);
    this.sent = this.sent.filter((f) => f.type !== type);
    return out;
  }
}

function setup(
  initial: ConversationViewDto[] = [view()],
  history: ChatMessageDto[] = [],
  resyncMs = 60_000,
  readIntervalMs?: number,
  more: Partial<ChatStoreDeps> = {},
) {
  const rt = new FakeRealtime();
  const notes: string[] = [];
  const api = {
    get: async (path: string) => {
      if (path.startsWith('/v1/conversations?')) return { conversations: initial };
      if (path.includes('/messages')) return { messages: history, hasMore: false, lastSeq: history.at(-1)?.seq ?? 0 };
      throw new Error(`unexpected GET ${path}`);
    },
    post: async () => ({}),
  } as unknown as ApiClient;
  let n = 0;
  const store = new ChatStore({ api, realtime: rt, meId: ME, notify: (m) => notes.push(m), newId: () => `cid-${++n}`, resyncMs, readIntervalMs, ...more });
  store.start();
  return { rt, store, notes, conv: () => store.getSnapshot().conversations.find((c) => c.view.id === 'c1')! };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('pane chat store', () => {
  it('counts unread, notifies unless the chat is on screen or notify=false (DND), and folds duplicates', async () => {
    const { rt, store, notes, conv } = setup([view()], [msg(1), msg(2)]);
    await tick();
    rt.open();
    rt.emit({ type: 'chat.message', conversationId: 'c1', message: msg(1), notify: true });
    rt.emit({ type: 'chat.message', conversationId: 'c1', message: msg(1), notify: true });
    rt.emit({ type: 'chat.message', conversationId: 'c1', message: msg(2), notify: false });
    expect(conv().view).toMatchObject({ unread: 2, lastSeq: 2 });
    expect(store.getSnapshot().unreadTotal).toBe(2);
    expect(notes).toEqual(['Them: text 1']);
    // Opening the conversation on screen reads it (chat.read with the newest seq) and clears the count.
    store.setVisible(true);
    await store.select('c1');
    await tick();
    expect(conv().view.unread).toBe(0);
    expect(rt.take('chat.read').at(-1)).toEqual({ type: 'chat.read', conversationId: 'c1', seq: 2 });
    store.stop();
  });

  it('marks a busy conversation on screen read at most once per interval, the newest seq last', async () => {
    const { rt, store, conv } = setup([view()], [], 60_000, 100);
    await tick();
    rt.open();
    store.setVisible(true);
    await store.select('c1');
    rt.take('chat.read');
    // 40 messages arrive while the conversation is on screen: each is read at once on screen...
    for (let seq = 1; seq <= 40; seq++) rt.emit({ type: 'chat.message', conversationId: 'c1', message: msg(seq), notify: true });
    expect(conv().view).toMatchObject({ unread: 0, readSeq: 40 });
    // ...but only the first marker goes now, and the newest when the interval ends.
    expect(rt.take('chat.read')).toEqual([{ type: 'chat.read', conversationId: 'c1', seq: 1 }]);
    await new Promise((r) => setTimeout(r, 150));
    expect(rt.take('chat.read')).toEqual([{ type: 'chat.read', conversationId: 'c1', seq: 40 }]);
    await new Promise((r) => setTimeout(r, 150));
    expect(rt.take('chat.read')).toEqual([]);
    store.stop();
  });

  it('backfills a gap with chat.sync from the last contiguous seq, and resumes from it after a reconnect', async () => {
    const { rt, store, conv } = setup([view({ lastSeq: 2 })], [msg(1), msg(2)]);
    await tick();
    rt.open();
    await store.select('c1');
    rt.take('chat.sync');
    rt.emit({ type: 'chat.message', conversationId: 'c1', message: msg(4), notify: true });
    await tick();
    expect(rt.take('chat.sync')).toEqual([{ type: 'chat.sync', conversations: [{ id: 'c1', afterSeq: 2 }] }]);
    expect(conv().messages!.map((m) => m.seq)).toEqual([1, 2]);
    rt.emit({ type: 'chat.message', conversationId: 'c1', message: msg(3), notify: false });
    expect(conv().messages!.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    rt.drop();
    rt.open();
    expect(rt.take('chat.sync')).toEqual([{ type: 'chat.sync', conversations: [{ id: 'c1', afterSeq: 4 }] }]);
    store.stop();
  });

  it('resumes periodically while open, since a lost wake-up leaves no gap to notice', async () => {
    const { rt, store } = setup([view({ lastSeq: 1 })], [msg(1)], 30);
    await tick();
    rt.open();
    await store.select('c1');
    rt.take('chat.sync');
    await new Promise((r) => setTimeout(r, 100));
    expect(rt.take('chat.sync')[0]).toEqual({ type: 'chat.sync', conversations: [{ id: 'c1', afterSeq: 1 }] });
    store.stop();
  });

  it('keeps unacknowledged sends and resends them with the same clientMessageId after a reconnect', async () => {
    const { rt, store, conv } = setup([view()], []);
    await tick();
    rt.open();
    await store.select('c1');
    expect(store.send('c1', '   ')).toBe('Type a message first');
    expect(store.send('c1', 'x'.repeat(8193))).toContain('8 KB');
    expect(store.send('c1', 'hello')).toBeNull();
    expect(rt.take('chat.send')).toEqual([{ type: 'chat.send', conversationId: 'c1', clientMessageId: 'cid-1', text: 'hello' }]);
    rt.drop();
    expect(store.send('c1', 'while offline')).toBeNull();
    expect(conv().pending.map((p) => p.status)).toEqual(['sending', 'sending']);
    rt.open();
    expect(rt.take('chat.send').map((f) => f.clientMessageId)).toEqual(['cid-1', 'cid-2']);
    rt.emit({
      type: 'chat.ack',
      ok: true,
      clientMessageId: 'cid-1',
      conversationId: 'c1',
      message: msg(1, ME, 'cid-1'),
      duplicate: true,
      doNotDisturb: [THEM],
    });
    expect(conv().pending.map((p) => p.clientMessageId)).toEqual(['cid-2']);
    expect(conv().messages!.map((m) => m.seq)).toEqual([1]);
    expect(conv().dnd).toEqual(['Them']);
    rt.emit({
      type: 'chat.ack',
      ok: false,
      clientMessageId: 'cid-2',
      conversationId: 'c1',
      error: { status: 403, code: 'blocked', message: 'This person does not accept messages from you' },
    });
    expect(conv().pending).toEqual([expect.objectContaining({ status: 'failed', error: 'This person does not accept messages from you' })]);
    store.stop();
  });

  it('keeps unsent messages across pane loads: the next pane sends them with the same clientMessageId, an old one waits for its author', async () => {
    const outbox = memoryOutboxStorage();
    let now = 1_000_000;
    const first = setup([view()], [], 60_000, undefined, { outbox, now: () => now });
    await tick();
    expect(first.store.send('c1', 'typed while offline')).toBeNull();
    first.store.stop(); // the pane closed before the socket opened
    expect(outbox.saved).toEqual([expect.objectContaining({ clientMessageId: 'cid-1', text: 'typed while offline', status: 'sending' })]);

    const second = setup([view()], [], 60_000, undefined, { outbox, now: () => now, newId: () => 'never' });
    await tick();
    second.rt.open();
    expect(second.rt.take('chat.send')).toEqual([{ type: 'chat.send', conversationId: 'c1', clientMessageId: 'cid-1', text: 'typed while offline' }]);
    second.rt.emit({
      type: 'chat.ack',
      ok: true,
      clientMessageId: 'cid-1',
      conversationId: 'c1',
      message: msg(1, ME, 'cid-1'),
      duplicate: false,
      doNotDisturb: [],
    });
    expect(outbox.saved).toEqual([]);
    second.store.stop();

    // Found an hour and more later: shown as not sent, and sent only when its author says so.
    outbox.update([{ clientMessageId: 'old-1', conversationId: 'c1', text: 'from yesterday', status: 'sending', queuedAt: now }], []);
    now += RESEND_STORED_WITHIN_MS + 1;
    const third = setup([view()], [], 60_000, undefined, { outbox, now: () => now });
    await tick();
    third.rt.open();
    expect(third.rt.take('chat.send')).toEqual([]);
    expect(third.conv().pending).toEqual([expect.objectContaining({ clientMessageId: 'old-1', status: 'failed' })]);
    third.store.retry('old-1');
    expect(third.rt.take('chat.send').map((f) => f.clientMessageId)).toEqual(['old-1']);
    third.store.discard('old-1');
    expect(outbox.saved).toEqual([]);
    third.store.stop();

    // Two panes of one person (Outlook and Word) share the place: one's ack leaves the other's unsent message.
    const word = setup([view()], [], 60_000, undefined, { outbox, now: () => now, newId: () => 'from-word' });
    const outlook = setup([view()], [], 60_000, undefined, { outbox, now: () => now, newId: () => 'from-outlook' });
    await tick();
    word.store.send('c1', 'typed in Word');
    outlook.rt.open();
    outlook.store.send('c1', 'typed in Outlook');
    outlook.rt.emit({
      type: 'chat.ack',
      ok: true,
      clientMessageId: 'from-outlook',
      conversationId: 'c1',
      message: msg(2, ME, 'from-outlook'),
      duplicate: false,
      doNotDisturb: [],
    });
    expect(outbox.saved.map((p) => p.clientMessageId)).toEqual(['from-word']);
    word.store.stop();
    outlook.store.stop();
  });

  it('reads only well-formed stored messages, and survives storage that is full or refused', () => {
    const items = new Map<string, string>();
    let full = false;
    const storage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => {
        if (full) throw new Error('QuotaExceededError');
        items.set(k, v);
      },
      removeItem: (k: string) => void items.delete(k),
    } as unknown as Storage;
    const mine = localOutboxStorage('p1', storage);
    const good = { clientMessageId: 'a', conversationId: 'c1', text: 'hi', status: 'sending' as const, queuedAt: 5 };
    mine.update([good], []);
    expect(localOutboxStorage('p1', storage).load()).toEqual([good]);
    expect(localOutboxStorage('p2', storage).load()).toEqual([]);
    items.set('op.chat.outbox.p1', JSON.stringify([good, { clientMessageId: 1 }, null, 'x']));
    expect(mine.load()).toEqual([good]);
    items.set('op.chat.outbox.p1', '{not json');
    expect(mine.load()).toEqual([]);
    full = true;
    expect(() => mine.update([good], [])).not.toThrow();
    expect(localOutboxStorage('p1', undefined).load()).toEqual([]);
  });

  it('holds later messages of a conversation while an earlier one waits to be retried (429), so they keep their order', async () => {
    const { rt, store } = setup([view()], []);
    await tick();
    rt.open();
    await store.select('c1');
    store.send('c1', 'first');
    expect(rt.take('chat.send').map((f) => f.text)).toEqual(['first']);
    rt.emit({
      type: 'chat.ack',
      ok: false,
      clientMessageId: 'cid-1',
      conversationId: 'c1',
      error: { status: 429, code: 'rate_limited', message: 'slow down' },
    });
    store.send('c1', 'second');
    expect(rt.take('chat.send')).toEqual([]);
    await new Promise((r) => setTimeout(r, 1600));
    expect(rt.take('chat.send').map((f) => f.text)).toEqual(['first', 'second']);
    store.stop();
  });
});
