import type {
  ChatAckFrame,
  ChatConversationFrame,
  ChatMessageDto,
  ChatMessageFrame,
  ChatReadFrame,
  ChatRemovedFrame,
  ChatSyncedFrame,
  ChatTypingFrame,
  ConversationInfoDto,
  ConversationViewDto,
} from '../../../api/contract/index.js';
import type { ApiClient, Frame, RealtimeClient } from '../api/index.js';
import { memoryOutboxStorage, type OutboxStorage } from './outbox-storage.js';

/** A message of this pane not yet acknowledged by the server (resent after every reconnect). */
export interface PendingMessage {
  readonly clientMessageId: string;
  readonly conversationId: string;
  readonly text: string;
  readonly status: 'sending' | 'failed';
  readonly error?: string;
  /** When it was written (ms): one found in storage long after is not sent without asking. */
  readonly queuedAt: number;
}

export interface ConversationState {
  readonly view: ConversationViewDto;
  /** The loaded, gap-free window of history (null until the conversation is opened). */
  readonly messages: readonly ChatMessageDto[] | null;
  readonly hasOlder: boolean;
  readonly pending: readonly PendingMessage[];
  readonly typing: readonly string[];
  /** Names of members on Do Not Disturb when this pane's last message was delivered. */
  readonly dnd: readonly string[];
  /** Highest seq each other member has read (for "Seen"). */
  readonly readBy: Readonly<Record<string, number>>;
}

export interface ChatSnapshot {
  readonly conversations: readonly ConversationState[];
  readonly selectedId: string | null;
  readonly unreadTotal: number;
  readonly error: string | null;
  readonly loaded: boolean;
  /** A message to bring into view and mark (opened from a search result), until another is chosen. */
  readonly focus: { readonly conversationId: string; readonly seq: number } | null;
}

export interface ChatStoreDeps {
  readonly api: ApiClient;
  readonly realtime: RealtimeClient;
  readonly meId: string;
  /** Raises a notification (Office item notification / demo toast). */
  readonly notify: (message: string) => void;
  readonly newId?: () => string;
  /** How often an open pane resumes anyway (default 30 s). */
  readonly resyncMs?: number;
  /** At most one read marker per conversation per this interval (default 1 s; the latest goes at its end). */
  readonly readIntervalMs?: number;
  /** Keeps unsent messages across pane loads (default: memory only). */
  readonly outbox?: OutboxStorage;
  readonly now?: () => number;
}

/**
 * An unsent message found in storage is sent again by itself only this soon after it was written;
 * an older one shows as not sent, for its author to send or discard (a day-old message arriving
 * unannounced would surprise both sides).
 */
export const RESEND_STORED_WITHIN_MS = 60 * 60_000;

interface Conv {
  view: ConversationViewDto;
  messages: Map<number, ChatMessageDto> | null;
  /** Lowest loaded seq and highest contiguous seq of the loaded window. */
  floor: number;
  top: number;
  hasOlder: boolean;
  typing: Map<string, { name: string; until: number }>;
  dnd: string[];
  readBy: Record<string, number>;
}

/** The server's limit (contract MAX_MESSAGE_BYTES); checked here too so the composer can say so before sending. */
const MAX_MESSAGE_BYTES = 8 * 1024;
const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;
const SEND_WINDOW = 10;
const TYPING_SHOWN_MS = 4000;
const TYPING_SEND_EVERY_MS = 3000;
const PAGE = 50;

/**
 * One chat store per pane, over the pane's realtime socket: conversations with unread counts,
 * gap-free message windows keyed by seq (duplicates fold), an outbox of unacknowledged sends
 * resent after every reconnect (same clientMessageId, so never doubled), and resume with
 * chat.sync from the last contiguous seq on every (re)connect.
 */
export class ChatStore {
  readonly #convs = new Map<string, Conv>();
  readonly #outbox = new Map<string, PendingMessage>();
  /** clientMessageIds sent on the current connection and not yet answered. */
  readonly #inFlight = new Set<string>();
  /** clientMessageIds refused for now (429, 5xx) and waiting to be sent again. */
  readonly #retrying = new Set<string>();
  readonly #listeners = new Set<() => void>();
  readonly #unsubscribe: (() => void)[] = [];
  #selectedId: string | null = null;
  #focus: ChatSnapshot['focus'] = null;
  #visible = false;
  #error: string | null = null;
  #loaded = false;
  #snapshot: ChatSnapshot | null = null;
  #lastTypingSent = new Map<string, number>();
  #syncQueued = false;
  #typingTimer: ReturnType<typeof setInterval> | undefined;
  /** Read markers held back per conversation: the newest seq not sent yet, and the timer that sends it. */
  readonly #readHeld = new Map<string, { seq: number | null; timer: ReturnType<typeof setTimeout> }>();
  #resyncTimer: ReturnType<typeof setInterval> | undefined;
  readonly #newId: () => string;

  readonly #storage: OutboxStorage;
  readonly #now: () => number;

  constructor(readonly deps: ChatStoreDeps) {
    this.#newId = deps.newId ?? (() => crypto.randomUUID());
    this.#now = deps.now ?? Date.now;
    this.#storage = deps.outbox ?? memoryOutboxStorage();
    for (const p of this.#storage.load()) {
      const stale = p.status === 'sending' && this.#now() - p.queuedAt > RESEND_STORED_WITHIN_MS;
      this.#outbox.set(p.clientMessageId, stale ? { ...p, status: 'failed', error: 'Not sent: the pane closed before it went' } : p);
    }
  }

  /** The outbox changed: written through, so a pane closed now still has it next time. */
  #outboxChanged(changed: readonly PendingMessage[], removed: readonly string[] = []): void {
    this.#storage.update(changed, removed);
  }

  // ------------------------------------------------------------ lifecycle and subscription

  start(): void {
    const rt = this.deps.realtime;
    this.#unsubscribe.push(
      rt.on<ChatMessageFrame & Frame>('chat.message', (f) => this.#onMessage(f)),
      rt.on<ChatAckFrame & Frame>('chat.ack', (f) => this.#onAck(f)),
      rt.on<ChatReadFrame & Frame>('chat.read', (f) => this.#onRead(f)),
      rt.on<ChatTypingFrame & Frame>('chat.typing', (f) => this.#onTyping(f)),
      rt.on<ChatSyncedFrame & Frame>('chat.synced', (f) => this.#onSynced(f)),
      rt.on<ChatConversationFrame & Frame>('chat.conversation', (f) => this.#mergeInfo(f.conversation)),
      rt.on<ChatRemovedFrame & Frame>('chat.removed', (f) => this.#remove(f.conversationId)),
      // Every (re)connect: resume after the last seq seen, then resend what was never acknowledged.
      rt.onOpen(() => {
        this.#sync();
        this.#inFlight.clear();
        this.#pump();
      }),
    );
    this.#typingTimer = setInterval(() => this.#expireTyping(), 1000);
    // Pushes are wake-ups, not the truth: a periodic resume also recovers a push lost between
    // processes (pub/sub is at-most-once) when no later message reveals the gap.
    this.#resyncTimer = setInterval(() => this.deps.realtime.status === 'open' && this.#sync(), this.deps.resyncMs ?? 30_000);
    void this.refresh();
  }

  stop(): void {
    for (const u of this.#unsubscribe.splice(0)) u();
    clearInterval(this.#typingTimer);
    clearInterval(this.#resyncTimer);
    for (const { timer } of this.#readHeld.values()) clearTimeout(timer);
    this.#readHeld.clear();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): ChatSnapshot => (this.#snapshot ??= this.#build());

  /** Loads the conversation list (GET /v1/conversations). */
  async refresh(): Promise<void> {
    try {
      const { conversations } = await this.deps.api.get<{ conversations: ConversationViewDto[] }>('/v1/conversations?limit=200');
      for (const v of conversations) this.#mergeView(v);
      this.#loaded = true;
      this.#error = null;
    } catch (err) {
      this.#error = err instanceof Error ? err.message : 'Could not load conversations';
    }
    this.#changed();
  }

  // ------------------------------------------------------------ user actions

  /** Opens (creating when needed) the conversation with these people and selects it. */
  async openWith(emails: readonly string[], topic?: string): Promise<string | null> {
    try {
      const view = await this.deps.api.post<ConversationViewDto>('/v1/conversations', { participants: emails, ...(topic ? { topic } : {}) });
      this.#mergeView(view);
      await this.select(view.id);
      return view.id;
    } catch (err) {
      this.#error = err instanceof Error ? err.message : 'Could not start the conversation';
      this.#changed();
      return null;
    }
  }

  async select(id: string | null): Promise<void> {
    this.#selectedId = id;
    if (this.#focus?.conversationId !== id) this.#focus = null;
    this.#error = null;
    this.#changed();
    if (!id) return;
    const c = this.#convs.get(id);
    if (c && !c.messages) await this.#loadLatest(c);
    this.#markReadIfSeen();
  }

  /** Whether the chat view is on screen (no notifications for what the user is looking at). */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    this.#markReadIfSeen();
  }

  async loadOlder(id: string): Promise<void> {
    const c = this.#convs.get(id);
    if (!c?.messages || !c.hasOlder) return;
    const page = await this.deps.api.get<{ messages: ChatMessageDto[]; hasMore: boolean }>(`/v1/conversations/${id}/messages?before=${c.floor}&limit=${PAGE}`);
    for (const m of page.messages) c.messages.set(m.seq, m);
    if (page.messages.length) c.floor = page.messages[0].seq;
    c.hasOlder = page.hasMore;
    this.#changed();
  }

  /** Queues a message; it is sent now if the socket is open, else on the next connect. Returns an error text for invalid input. */
  send(conversationId: string, text: string): string | null {
    if (text.trim() === '') return 'Type a message first';
    if (utf8Bytes(text) > MAX_MESSAGE_BYTES) return `Messages are limited to ${MAX_MESSAGE_BYTES / 1024} KB`;
    const p: PendingMessage = { clientMessageId: this.#newId(), conversationId, text, status: 'sending', queuedAt: this.#now() };
    this.#outbox.set(p.clientMessageId, p);
    this.#outboxChanged([p]);
    this.#pump();
    this.#changed();
    return null;
  }

  /** Sends a failed message again (same clientMessageId). */
  retry(clientMessageId: string): void {
    const p = this.#outbox.get(clientMessageId);
    if (!p) return;
    const again = { ...p, status: 'sending' as const, error: undefined, queuedAt: this.#now() };
    this.#outbox.set(clientMessageId, again);
    this.#outboxChanged([again]);
    this.#pump();
    this.#changed();
  }

  discard(clientMessageId: string): void {
    this.#outbox.delete(clientMessageId);
    this.#outboxChanged([], [clientMessageId]);
    this.#inFlight.delete(clientMessageId);
    this.#changed();
  }

  /** Adds people (by address) to a group conversation. Returns an error text, or null. */
  async addMembers(conversationId: string, emails: readonly string[]): Promise<string | null> {
    try {
      this.#mergeView(await this.deps.api.post<ConversationViewDto>(`/v1/conversations/${conversationId}/members`, { emails }));
      this.#changed();
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : 'Could not add them';
    }
  }

  /** Names a group conversation (everyone in it sees the new name). Returns an error text, or null. */
  async rename(conversationId: string, topic: string): Promise<string | null> {
    if (topic.trim() === '') return 'Type a name first';
    try {
      this.#mergeView(await this.deps.api.put<ConversationViewDto>(`/v1/conversations/${conversationId}`, { topic: topic.trim() }));
      this.#changed();
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : 'Could not rename the conversation';
    }
  }

  /** Messages containing `q` in this person's conversations, newest first. */
  async search(q: string): Promise<ChatMessageDto[]> {
    const { results } = await this.deps.api.get<{ results: ChatMessageDto[] }>(`/v1/conversations/search?q=${encodeURIComponent(q.trim())}&limit=20`);
    return results;
  }

  /** Opens a conversation at one message: earlier pages are loaded until it is there (at most 20 pages). */
  async openAt(conversationId: string, seq: number): Promise<void> {
    this.#focus = { conversationId, seq };
    if (!this.#convs.has(conversationId)) await this.refresh();
    await this.select(conversationId);
    const c = this.#convs.get(conversationId);
    for (let page = 0; page < 20 && c?.messages && c.floor > seq && c.hasOlder; page++) await this.loadOlder(conversationId);
    this.#changed();
  }

  /** Leaves a group conversation. */
  async leave(conversationId: string): Promise<string | null> {
    try {
      await this.deps.api.delete(`/v1/conversations/${conversationId}/members/me`);
      this.#remove(conversationId);
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : 'Could not leave the conversation';
    }
  }

  /** Tells the others this person is typing, at most every few seconds. */
  typing(conversationId: string): void {
    const now = Date.now();
    if (now - (this.#lastTypingSent.get(conversationId) ?? 0) < TYPING_SEND_EVERY_MS) return;
    this.#lastTypingSent.set(conversationId, now);
    this.deps.realtime.send({ type: 'chat.typing', conversationId });
  }

  // ------------------------------------------------------------ frames

  /**
   * Sends queued messages, at most SEND_WINDOW unacknowledged on the wire: a long outbox after a
   * reconnect must not trip the gateway's frame rate limit. Order of first sending is kept.
   */
  #pump(): void {
    // A conversation whose earlier message waits to be retried sends nothing after it meanwhile:
    // a later message would be stored first, and everyone would read them out of order.
    const held = new Set<string>();
    for (const p of this.#outbox.values()) {
      if (this.#inFlight.size >= SEND_WINDOW) return;
      if (this.#retrying.has(p.clientMessageId)) held.add(p.conversationId);
      if (held.has(p.conversationId)) continue;
      if (p.status !== 'sending' || this.#inFlight.has(p.clientMessageId)) continue;
      if (this.deps.realtime.status !== 'open') return;
      this.#inFlight.add(p.clientMessageId);
      this.#transmit(p);
    }
  }

  #transmit(p: PendingMessage): void {
    this.deps.realtime.send({ type: 'chat.send', conversationId: p.conversationId, clientMessageId: p.clientMessageId, text: p.text });
  }

  #sync(): void {
    const loaded = [...this.#convs.values()].filter((c) => c.messages);
    this.deps.realtime.send({ type: 'chat.sync', conversations: loaded.slice(0, 1000).map((c) => ({ id: c.view.id, afterSeq: c.top })) });
  }

  /** A hole in a window means a push went missing: ask the server again (once per tick). */
  #requestSync(): void {
    if (this.#syncQueued) return;
    this.#syncQueued = true;
    queueMicrotask(() => {
      this.#syncQueued = false;
      this.#sync();
    });
  }

  #onMessage(f: ChatMessageFrame): void {
    const c = this.#convs.get(f.conversationId);
    if (!c) {
      // A conversation this pane has not seen yet (someone started it): fetch it, then it is listed.
      void this.deps.api
        .get<ConversationViewDto>(`/v1/conversations/${f.conversationId}`)
        .then((v) => {
          this.#mergeView(v);
          this.#maybeNotify(f);
          this.#changed();
        })
        .catch(() => {});
      return;
    }
    const isNew = f.message.seq > c.view.lastSeq;
    this.#insert(c, f.message);
    if (isNew && f.message.senderId !== this.deps.meId && f.message.seq > c.view.readSeq) {
      c.view = { ...c.view, unread: c.view.unread + 1 };
      this.#maybeNotify(f);
    }
    c.typing.delete(f.message.senderId);
    this.#markReadIfSeen();
    this.#changed();
  }

  #maybeNotify(f: ChatMessageFrame): void {
    // notify=false: resumed history, our own message, or we are on Do Not Disturb.
    if (!f.notify || (this.#visible && this.#selectedId === f.conversationId)) return;
    const c = this.#convs.get(f.conversationId);
    const sender = c?.view.members.find((m) => m.id === f.message.senderId)?.displayName ?? 'New message';
    const preview = f.message.text.replace(/\s+/g, ' ').slice(0, 100);
    this.deps.notify(`${sender}: ${preview}`);
  }

  #insert(c: Conv, m: ChatMessageDto): void {
    if (m.seq >= c.view.lastSeq) c.view = { ...c.view, lastSeq: m.seq, lastMessage: m, lastMessageAt: m.createdAt };
    if (!c.messages) return;
    if (m.seq <= c.top) return; // already held: duplicates fold by seq
    c.messages.set(m.seq, m);
    while (c.messages.has(c.top + 1)) c.top++;
    if (c.messages.size && Math.max(...c.messages.keys()) > c.top) this.#requestSync();
  }

  #onAck(f: ChatAckFrame): void {
    const p = this.#outbox.get(f.clientMessageId);
    if (!p) return;
    this.#inFlight.delete(f.clientMessageId);
    if (f.ok) {
      this.#outbox.delete(f.clientMessageId);
      this.#outboxChanged([], [f.clientMessageId]);
      const c = this.#convs.get(f.conversationId);
      if (c) {
        this.#insert(c, f.message);
        c.dnd = f.doNotDisturb.map((id) => c.view.members.find((m) => m.id === id)?.displayName ?? 'Someone');
      }
    } else if (f.error.status === 429 || f.error.status >= 500) {
      // Transient: the message stays queued and goes again shortly (same clientMessageId).
      this.#retrying.add(p.clientMessageId);
      setTimeout(() => {
        this.#retrying.delete(p.clientMessageId);
        this.#pump();
      }, 1500);
      return;
    } else {
      // Refused for good: shown as not sent, unless its conversation is not this pane's any more
      // (a stored message for a chat left meanwhile), where nobody would ever see it.
      if (!this.#loaded || this.#convs.has(p.conversationId)) {
        const failed = { ...p, status: 'failed' as const, error: f.error.message };
        this.#outbox.set(p.clientMessageId, failed);
        this.#outboxChanged([failed]);
      } else {
        this.#outbox.delete(p.clientMessageId);
        this.#outboxChanged([], [p.clientMessageId]);
      }
    }
    this.#pump();
    this.#changed();
  }

  #onRead(f: ChatReadFrame): void {
    const c = this.#convs.get(f.conversationId);
    if (!c) return;
    if (f.personId === this.deps.meId) {
      if (f.seq > c.view.readSeq) c.view = { ...c.view, readSeq: f.seq, unread: f.seq >= c.view.lastSeq ? 0 : this.#unreadAfter(c, f.seq) };
    } else c.readBy = { ...c.readBy, [f.personId]: Math.max(c.readBy[f.personId] ?? 0, f.seq) };
    this.#changed();
  }

  /** Unread from others after `seq`, as far as the loaded window tells (the server's count wins on the next sync). */
  #unreadAfter(c: Conv, seq: number): number {
    if (!c.messages) return c.view.unread;
    let n = 0;
    for (const m of c.messages.values()) if (m.seq > seq && m.senderId !== this.deps.meId) n++;
    return Math.min(n, c.view.unread);
  }

  #onTyping(f: ChatTypingFrame): void {
    const c = this.#convs.get(f.conversationId);
    if (!c || f.personId === this.deps.meId) return;
    c.typing.set(f.personId, { name: f.displayName, until: Date.now() + TYPING_SHOWN_MS });
    this.#changed();
  }

  #expireTyping(): void {
    const now = Date.now();
    let changed = false;
    for (const c of this.#convs.values())
      for (const [id, t] of c.typing)
        if (t.until < now) {
          c.typing.delete(id);
          changed = true;
        }
    if (changed) this.#changed();
  }

  #onSynced(f: ChatSyncedFrame): void {
    const listed = new Set(f.conversations.map((v) => v.id));
    for (const v of f.conversations) this.#mergeView(v);
    // Conversations the server no longer lists for us (removed while we were away).
    if (f.conversations.length < 500) for (const id of [...this.#convs.keys()]) if (!listed.has(id)) this.#convs.delete(id);
    this.#loaded = true;
    if (!f.complete) this.#sync();
    this.#markReadIfSeen();
    this.#changed();
  }

  // ------------------------------------------------------------ state helpers

  #mergeView(v: ConversationViewDto): void {
    const c = this.#convs.get(v.id);
    if (!c) {
      this.#convs.set(v.id, { view: v, messages: null, floor: 0, top: 0, hasOlder: false, typing: new Map(), dnd: [], readBy: {} });
      return;
    }
    // The server's view is authoritative for counts; local pushes may already be newer.
    c.view = v.lastSeq >= c.view.lastSeq ? v : { ...v, lastSeq: c.view.lastSeq, lastMessage: c.view.lastMessage, lastMessageAt: c.view.lastMessageAt };
    if (c.messages && v.lastSeq > c.top) this.#requestSync();
  }

  #mergeInfo(info: ConversationInfoDto): void {
    const c = this.#convs.get(info.id);
    if (c) c.view = { ...c.view, topic: info.topic, members: info.members };
    else
      this.#convs.set(info.id, {
        view: { ...info, readSeq: 0, unread: 0, lastMessage: null },
        messages: null,
        floor: 0,
        top: 0,
        hasOlder: false,
        typing: new Map(),
        dnd: [],
        readBy: {},
      });
    this.#changed();
  }

  #remove(id: string): void {
    this.#convs.delete(id);
    const dropped = [...this.#outbox.values()].filter((p) => p.conversationId === id).map((p) => p.clientMessageId);
    for (const cid of dropped) this.#outbox.delete(cid);
    if (dropped.length) this.#outboxChanged([], dropped);
    if (this.#selectedId === id) this.#selectedId = null;
    this.#changed();
  }

  async #loadLatest(c: Conv): Promise<void> {
    try {
      const page = await this.deps.api.get<{ messages: ChatMessageDto[]; hasMore: boolean; lastSeq: number }>(
        `/v1/conversations/${c.view.id}/messages?limit=${PAGE}`,
      );
      c.messages = new Map(page.messages.map((m) => [m.seq, m]));
      c.floor = page.messages[0]?.seq ?? page.lastSeq + 1;
      c.top = page.messages.length ? page.messages[page.messages.length - 1].seq : page.lastSeq;
      c.hasOlder = page.hasMore;
      // Anything pushed meanwhile and newer than the page: the next sync fills the gap.
      if (c.view.lastSeq > c.top) this.#requestSync();
    } catch (err) {
      this.#error = err instanceof Error ? err.message : 'Could not load the conversation';
    }
    this.#changed();
  }

  #markReadIfSeen(): void {
    const id = this.#selectedId;
    if (!id || !this.#visible) return;
    const c = this.#convs.get(id);
    if (!c || !c.messages) return;
    const seq = c.top;
    if (seq <= c.view.readSeq && c.view.unread === 0) return;
    c.view = { ...c.view, readSeq: Math.max(seq, c.view.readSeq), unread: 0 };
    this.#sendRead(id, seq);
    this.#changed();
  }

  /**
   * Read markers go out at most once per interval per conversation, the newest at its end: a busy
   * group on screen marked every message read, one frame each, and the server closed the socket
   * for too many frames (each also fanned out to every member).
   */
  #sendRead(id: string, seq: number): void {
    const held = this.#readHeld.get(id);
    if (held) {
      held.seq = Math.max(seq, held.seq ?? 0);
      return;
    }
    this.#readNow(id, seq);
    const interval = this.deps.readIntervalMs ?? 1000;
    const entry: { seq: number | null; timer: ReturnType<typeof setTimeout> } = {
      seq: null,
      timer: setTimeout(() => {
        this.#readHeld.delete(id);
        if (entry.seq !== null) this.#sendRead(id, entry.seq);
      }, interval),
    };
    this.#readHeld.set(id, entry);
  }

  #readNow(id: string, seq: number): void {
    if (!this.deps.realtime.send({ type: 'chat.read', conversationId: id, seq })) {
      void this.deps.api.post(`/v1/conversations/${id}/read`, { seq }).catch(() => {});
    }
  }

  #changed(): void {
    this.#snapshot = null;
    for (const l of [...this.#listeners]) l();
  }

  #build(): ChatSnapshot {
    const conversations = [...this.#convs.values()]
      .map((c): ConversationState => ({
        view: c.view,
        messages: c.messages ? [...c.messages.values()].filter((m) => m.seq >= c.floor && m.seq <= c.top).sort((a, b) => a.seq - b.seq) : null,
        hasOlder: c.hasOlder,
        pending: [...this.#outbox.values()].filter((p) => p.conversationId === c.view.id),
        typing: [...c.typing.values()].map((t) => t.name),
        dnd: c.dnd,
        readBy: c.readBy,
      }))
      .sort((a, b) => (b.view.lastMessageAt ?? b.view.createdAt) - (a.view.lastMessageAt ?? a.view.createdAt));
    return {
      conversations,
      selectedId: this.#selectedId,
      unreadTotal: conversations.reduce((n, c) => n + c.view.unread, 0),
      error: this.#error,
      loaded: this.#loaded,
      focus: this.#focus,
    };
  }
}
