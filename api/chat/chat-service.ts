import type { Logger } from '../../core/log/index.js';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import type { Principal } from '../auth/index.js';
import type { ChatMessageDto, ConversationViewDto, SendResultDto } from '../contract/index.js';
import { badRequest, forbidden, HttpError, notFound, RateLimiter, tooManyRequests } from '../http/index.js';
import type { PresenceService } from '../presence/index.js';
import type { ChatFanOut } from './chat-fan-out.js';
import type { AppendOutcome, AppendRequest, ChatStore } from './chat-store.js';
import type { PresenceRules } from './presence-rules.js';
import { GroupCommit } from '../../core/store/index.js';

export interface ChatLimits {
  readonly sendPerSecond: number;
  readonly sendBurst: number;
  /** Typing frames are relayed at most once per this interval per person and conversation. */
  readonly typingIntervalMs: number;
  /** How long a cached member list may serve the pre-send checks and typing (the commit re-checks membership; changes invalidate it through the bus). */
  readonly membersTtlMs: number;
  /** Messages one chat.sync answers before it says "incomplete, ask again". */
  readonly syncBudget: number;
  /**
   * Members of a group at most (Teams' group chats stop at 250 too): every message, read marker and
   * typing frame goes to each of them, so a group's cost grows with the square of its size.
   */
  readonly maxMembers: number;
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = Object.freeze({
  sendPerSecond: 10,
  sendBurst: 40,
  typingIntervalMs: 1500,
  membersTtlMs: 30_000,
  syncBudget: 1000,
  maxMembers: 250,
});

interface Members {
  readonly kind: 'direct' | 'group';
  readonly ids: readonly string[];
  readonly createdBy: string;
  readonly at: number;
}

const blockedError = () => new HttpError(403, 'blocked', 'This person does not accept messages from you');
const conflictError = () => new HttpError(409, 'client_message_id_conflict', 'This clientMessageId was already used for a different message');
const notMember = () => notFound('No such conversation');

/**
 * Conversations and messages: the rules (membership, blocks, DND, rate limits, idempotency) over
 * the store, with delivery to live endpoints after commit.
 */
export class ChatService {
  readonly #batcher: GroupCommit<AppendRequest, AppendOutcome>;
  readonly #sendLimiter: RateLimiter;
  readonly #typing = new Map<string, number>();
  readonly #members = new Map<string, Members>();

  constructor(
    readonly store: ChatStore,
    readonly directory: DirectoryReader,
    readonly presence: PresenceService,
    readonly rules: PresenceRules,
    readonly fanOut: ChatFanOut,
    readonly log: Logger,
    readonly limits: ChatLimits = DEFAULT_CHAT_LIMITS,
  ) {
    this.#batcher = new GroupCommit((batch) => store.appendBatch(batch));
    fanOut.onMembersChanged((id) => this.#members.delete(id));
    this.#sendLimiter = new RateLimiter(limits.sendPerSecond, limits.sendBurst);
  }

  /** Lets queued sends commit before the store closes (they are acknowledged then, or resent by the clients). */
  async close(): Promise<void> {
    await this.#batcher.drain();
  }

  // ------------------------------------------------------------ conversations

  async create(me: Principal, emails: readonly string[], topic: string | undefined): Promise<ConversationViewDto> {
    const others = (await this.#resolvePeople(emails)).filter((id) => id !== me.personId);
    if (others.length === 0) throw badRequest('Add at least one other person');
    for (const id of others) if (await this.rules.blocked(id, me.personId)) throw blockedError();
    const kind = others.length === 1 && topic === undefined ? 'direct' : 'group';
    const size = new Set(others).size + 1;
    if (kind === 'group' && size > this.limits.maxMembers)
      throw new HttpError(400, 'group_full', `A group has at most ${this.limits.maxMembers} members; this one would have ${size}`);
    let id = kind === 'direct' ? await this.store.findDirect(me.personId, others[0]) : undefined;
    if (!id) {
      const made = await this.store.create({ kind, topic: topic ?? null, createdBy: me.personId, memberIds: [me.personId, ...others], at: Date.now() });
      id = made.id;
      if (made.created) await this.#announce(id);
    }
    return this.view(me.personId, id);
  }

  async list(personId: string, limit: number): Promise<{ conversations: ConversationViewDto[]; unreadTotal: number }> {
    const conversations = await this.store.views(personId, { limit });
    return { conversations, unreadTotal: conversations.reduce((n, c) => n + c.unread, 0) };
  }

  async view(personId: string, id: string): Promise<ConversationViewDto> {
    const [v] = await this.store.views(personId, { limit: 1, ids: [id] });
    if (!v) throw notMember();
    return v;
  }

  /** The conversation with each member's availability as the caller may see it (DND included). */
  async details(personId: string, id: string) {
    const v = await this.view(personId, id);
    const members = await Promise.all(
      v.members.map(async (m) => {
        const p = await this.presence.presenceOf(m.id, personId).catch(() => null);
        const availability = p?.availability ?? 'PresenceUnknown';
        return { ...m, availability, doNotDisturb: availability === 'DoNotDisturb' };
      }),
    );
    return { ...v, members };
  }

  async setTopic(me: Principal, id: string, topic: string): Promise<ConversationViewDto> {
    const conv = await this.#requireMember(id, me.personId);
    if (conv.kind !== 'group') throw new HttpError(400, 'not_a_group', 'Only a group conversation has a topic');
    await this.store.setTopic(id, topic);
    await this.#announce(id);
    return this.view(me.personId, id);
  }

  async addMembers(me: Principal, id: string, emails: readonly string[]): Promise<ConversationViewDto> {
    const conv = await this.#requireMember(id, me.personId);
    if (conv.kind !== 'group') throw new HttpError(400, 'not_a_group', 'People can be added to a group conversation only; start a group instead');
    const ids = await this.#resolvePeople(emails);
    for (const p of ids) if (p !== me.personId && (await this.rules.blocked(p, me.personId))) throw blockedError();
    const fresh = await this.store.addMembers(id, ids, Date.now(), this.limits.maxMembers);
    if (!Array.isArray(fresh)) throw new HttpError(400, 'group_full', `A group has at most ${this.limits.maxMembers} members; this one has ${fresh.full}`);
    if (fresh.length) {
      this.fanOut.membersChanged(id);
      await this.#announce(id);
    }
    return this.view(me.personId, id);
  }

  async removeMember(me: Principal, id: string, target: string): Promise<void> {
    const personId = target === 'me' ? me.personId : target;
    const conv = await this.#requireMember(id, me.personId);
    if (conv.kind !== 'group') throw new HttpError(400, 'not_a_group', 'Nobody can leave or be removed from a one-to-one conversation');
    if (personId !== me.personId && conv.createdBy !== me.personId) throw forbidden('Only the creator of a group removes others; anyone may leave');
    if (!(await this.store.removeMember(id, personId))) throw notFound('Not a member of this conversation');
    this.fanOut.membersChanged(id);
    this.fanOut.toPerson(personId, { type: 'chat.removed', conversationId: id });
    await this.#announce(id);
  }

  // ------------------------------------------------------------ messages

  async history(personId: string, id: string, page: { after?: number; before?: number; limit: number }) {
    await this.#requireMember(id, personId);
    const conv = await this.store.conversation(id);
    const { messages, hasMore } = await this.store.history(id, page);
    return { messages, lastSeq: Number(conv?.last_seq ?? 0), hasMore };
  }

  /**
   * Stores a message and, after commit, pushes it to every live endpoint of every member (except
   * the sending connection, which gets the ack). Idempotent on (sender, clientMessageId).
   */
  async send(
    me: Principal,
    conversationId: string,
    clientMessageId: string,
    text: string,
    originConnectionId?: string,
    onQueued?: () => void,
  ): Promise<SendResultDto> {
    const wait = this.#sendLimiter.take(me.personId);
    if (wait > 0) throw tooManyRequests(wait);
    // As the store will keep it (UTF-8): a retry of the same text must compare equal to it.
    text = wellFormed(text);
    const conv = await this.#cachedMembers(conversationId, me.personId);
    const others = conv.ids.filter((p) => p !== me.personId);
    if (conv.kind === 'direct' && others.length === 1 && (await this.rules.blocked(others[0], me.personId))) throw blockedError();
    // No toast and no missed-message mail: for members in Do Not Disturb, and in a group (someone
    // else brought them together) for members who blocked the sender.
    // (The sender is told about Do Not Disturb only: a block stays the blocker's own business.)
    const dnd = new Set<string>();
    const quiet = new Set<string>();
    await Promise.all(
      others.map(async (p) => {
        // The block first: a blocker in Do Not Disturb must not show up in `doNotDisturb` either,
        // or the blocked sender would learn the blocker's state through the group.
        if (conv.kind === 'group' && (await this.rules.blocked(p, me.personId).catch(() => false))) quiet.add(p);
        else if (await this.rules.doNotDisturb(p).catch(() => false)) {
          dnd.add(p);
          quiet.add(p);
        }
      }),
    );
    const committed = this.#batcher.submit({ conversationId, senderId: me.personId, clientMessageId, text, at: Date.now() }, (o) => {
      if (o.kind === 'stored' || o.kind === 'duplicate') this.#push(o.message, o.memberIds, me.personId, quiet, originConnectionId);
    });
    onQueued?.();
    const outcome = await committed;
    if (outcome.kind === 'not_member') {
      this.#members.delete(conversationId);
      throw notMember();
    }
    if (outcome.kind !== 'conflict' && outcome.memberIds.length !== conv.ids.length) this.#members.delete(conversationId);
    if (outcome.kind === 'conflict') throw conflictError();
    return { message: outcome.message, duplicate: outcome.kind === 'duplicate', doNotDisturb: [...dnd] };
  }

  #push(message: ChatMessageDto, memberIds: readonly string[], senderId: string, dnd: ReadonlySet<string>, exclude?: string): void {
    // The frames differ only in `notify`: serialise the message once.
    const head = `{"type":"chat.message","conversationId":${JSON.stringify(message.conversationId)},"message":${JSON.stringify(message)},"notify":`;
    for (const p of memberIds) {
      const notify = p !== senderId && !dnd.has(p);
      this.fanOut.toPersonRaw(p, `${head}${notify}}`, p === senderId ? exclude : undefined);
    }
  }

  async markRead(me: Principal, id: string, seq: number): Promise<{ readSeq: number; unread: number }> {
    const conv = await this.#requireMember(id, me.personId);
    const { readSeq, moved } = await this.store.markRead(id, me.personId, seq);
    const unread = await this.store.unreadCount(id, me.personId, readSeq);
    // A marker that did not move tells nobody anything: no frame to every member.
    if (moved) for (const p of conv.ids) this.fanOut.toPerson(p, { type: 'chat.read', conversationId: id, personId: me.personId, seq: readSeq });
    return { readSeq, unread };
  }

  /** Ephemeral: relayed to the other members, at most once per interval, never stored. */
  async typing(me: Principal, id: string): Promise<void> {
    const key = `${me.personId}|${id}`;
    const now = Date.now();
    if (now - (this.#typing.get(key) ?? 0) < this.limits.typingIntervalMs) return;
    if (this.#typing.size > 50_000) this.#typing.clear();
    this.#typing.set(key, now);
    const conv = await this.#cachedMembers(id, me.personId);
    for (const p of conv.ids)
      if (p !== me.personId && !(await this.rules.blocked(p, me.personId).catch(() => false)))
        this.fanOut.toPerson(p, { type: 'chat.typing', conversationId: id, personId: me.personId, displayName: me.displayName });
  }

  /**
   * Resume: for each conversation the client names, the messages after the seq it saw (as
   * chat.message frames with notify=false), then the caller's conversation list. Bounded: when
   * the budget runs out `complete` is false and the client asks again from where it got to.
   */
  async sync(
    personId: string,
    wanted: readonly { id: string; afterSeq: number }[],
    send: (frame: { type: string; [k: string]: unknown }) => void,
  ): Promise<void> {
    const conversations = await this.store.views(personId, { limit: 500 });
    const mine = new Map(conversations.map((c) => [c.id, c]));
    // Named conversations older than the 500 most recent are resumed too (membership checked by the query).
    const older = [...new Set(wanted.map((w) => w.id))].filter((id) => !mine.has(id));
    for (let i = 0; i < older.length; i += 500)
      for (const v of await this.store.views(personId, { limit: 500, ids: older.slice(i, i + 500) })) {
        mine.set(v.id, v);
        conversations.push(v);
      }
    let budget = this.limits.syncBudget;
    let complete = true;
    for (const w of wanted) {
      const c = mine.get(w.id);
      if (!c || c.lastSeq <= w.afterSeq) continue;
      if (budget <= 0) {
        complete = false;
        break;
      }
      const { messages, hasMore } = await this.store.history(w.id, { after: w.afterSeq, limit: Math.min(budget, 200) });
      for (const message of messages) send({ type: 'chat.message', conversationId: w.id, message, notify: false });
      budget -= messages.length;
      if (hasMore) complete = false;
    }
    send({ type: 'chat.synced', conversations, complete });
  }

  async search(personId: string, q: string, limit: number): Promise<ChatMessageDto[]> {
    return this.store.search(personId, q, limit);
  }

  // ------------------------------------------------------------ helpers

  /**
   * Membership, read from the store: 404 (as for a conversation that does not exist) unless
   * `personId` is a member. Everything that reads or changes a conversation goes through this.
   */
  async #requireMember(id: string, personId: string): Promise<Members> {
    const m = await this.store.membership(id);
    if (!m || !m.ids.includes(personId)) throw notMember();
    const entry = { kind: m.kind, ids: m.ids, createdBy: m.createdBy, at: Date.now() };
    this.#remember(id, entry);
    return entry;
  }

  /**
   * Membership from a cache, for the hot paths whose store write re-checks it anyway (send) or
   * that are ephemeral (typing). Changes anywhere invalidate it through the bus; the TTL bounds
   * what a lost invalidation could cost.
   */
  async #cachedMembers(id: string, personId: string): Promise<Members> {
    const entry = this.#members.get(id);
    if (entry && Date.now() - entry.at <= this.limits.membersTtlMs && entry.ids.includes(personId)) return entry;
    return this.#requireMember(id, personId);
  }

  #remember(id: string, entry: Members): void {
    if (this.#members.size > 50_000) this.#members.clear();
    this.#members.set(id, entry);
  }

  /** Resolves addresses to people who can chat (live, enabled people; not contacts). 400 names the others. */
  async #resolvePeople(emails: readonly string[]): Promise<string[]> {
    const found = await this.directory.lookupEmails(emails);
    const unknown = emails.filter((e) => {
      const p = found.get(e);
      return !p || p.kind !== 'person' || p.disabled;
    });
    if (unknown.length) throw new HttpError(400, 'unknown_participants', 'Some addresses are not people in the directory', { details: unknown });
    return [...new Set(emails.map((e) => found.get(e)!.id))];
  }

  /** Tells every member's endpoints what the conversation now looks like (created, renamed, members changed). */
  async #announce(id: string): Promise<void> {
    const conversation = await this.store.info(id);
    if (!conversation) return;
    for (const m of conversation.members) this.fanOut.toPerson(m.id, { type: 'chat.conversation', conversation });
  }
}

/** Lone surrogates (a broken emoji) as U+FFFD, which is what storing the text as UTF-8 makes of them. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
