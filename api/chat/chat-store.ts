import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect, Store } from '../../core/store/index.js';
import { escapeLike, type DirectoryTables } from '../../directory-sync/directory/index.js';
import type { ChatMemberDto, ChatMessageDto, ConversationInfoDto, ConversationViewDto } from '../contract/index.js';
import type { ChatTables, ConversationsTable, MessagesTable } from './tables.js';

type Db = Kysely<ChatTables & Pick<DirectoryTables, 'people'>>;

/** One message to append, as the send path hands it to the group commit. */
export interface AppendRequest {
  readonly conversationId: string;
  readonly senderId: string;
  readonly clientMessageId: string;
  readonly text: string;
  readonly at: number;
}

export type AppendOutcome =
  | { readonly kind: 'stored' | 'duplicate'; readonly message: ChatMessageDto; readonly memberIds: readonly string[] }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'not_member' };

export interface MemberState {
  readonly readSeq: number;
  readonly notifiedSeq: number;
}

export interface MissedCandidate {
  readonly conversationId: string;
  readonly personId: string;
  readonly fromSeq: number;
}

/** A message's id is its place: conversation and seq (no second random-keyed index to maintain). */
export const messageId = (conversationId: string, seq: number): string => `${conversationId}:${seq}`;

export const toMessage = (r: MessagesTable): ChatMessageDto => ({
  id: messageId(r.conversation_id, Number(r.seq)),
  conversationId: r.conversation_id,
  seq: Number(r.seq),
  senderId: r.sender_id,
  clientMessageId: r.client_message_id,
  text: r.text,
  createdAt: Number(r.created_at),
});

/** An ordered pair of person ids: the same key whoever starts the conversation. */
export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * The chat tables behind one interface: conversations, members with read markers, and the
 * append-only message log with its gap-free per-conversation seq.
 */
export class ChatStore {
  readonly #db: Db;
  readonly dialect: Dialect;

  constructor(store: Store) {
    this.#db = store.db as Db;
    this.dialect = store.dialect;
  }

  /**
   * Appends a batch in ONE transaction (group commit). Messages take the next seqs from their
   * conversation's counter row in the same transaction as their insert, so seqs are gap-free and
   * the caller acknowledges only after commit. Membership is checked inside the transaction. A retry (same sender + clientMessageId) returns the
   * stored row; the unique constraint makes that hold across processes too.
   */
  async appendBatch(requests: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    // Set-based, so a batch costs a few statements plus one counter update per conversation.
    return this.#db.transaction().execute(async (trx) => {
      const senders = [...new Set(requests.map((r) => r.senderId))];
      const clientIds = [...new Set(requests.map((r) => r.clientMessageId))];
      const existing = new Map<string, MessagesTable>();
      for (const row of await trx
        .selectFrom('chat_messages')
        .selectAll()
        .where('sender_id', 'in', senders)
        .where('client_message_id', 'in', clientIds)
        .execute())
        existing.set(`${row.sender_id}\u0000${row.client_message_id}`, row);
      const conversationIds = [...new Set(requests.map((r) => r.conversationId))].sort();
      const members = new Map<string, string[]>(conversationIds.map((id) => [id, []]));
      for (const m of await trx.selectFrom('chat_members').select(['conversation_id', 'person_id']).where('conversation_id', 'in', conversationIds).execute())
        members.get(m.conversation_id)!.push(m.person_id);

      // Decide each request in arrival order; new messages are numbered per conversation below.
      const out: (AppendOutcome | { kind: 'new' | 'same'; row: MessagesTable })[] = [];
      const fresh = new Map<string, MessagesTable[]>();
      for (const r of requests) {
        const key = `${r.senderId}\u0000${r.clientMessageId}`;
        const prior = existing.get(key);
        const memberIds = members.get(r.conversationId)!;
        if (prior) {
          if (prior.conversation_id !== r.conversationId || prior.text !== r.text) out.push({ kind: 'conflict' });
          // `same` may be a message of this very batch whose seq is assigned below.
          else out.push({ kind: 'same', row: prior });
          continue;
        }
        if (!memberIds.includes(r.senderId)) {
          out.push({ kind: 'not_member' });
          continue;
        }
        const row: MessagesTable = {
          conversation_id: r.conversationId,
          seq: 0,
          sender_id: r.senderId,
          client_message_id: r.clientMessageId,
          text: r.text,
          created_at: r.at,
        };
        existing.set(key, row);
        let list = fresh.get(r.conversationId);
        if (!list) fresh.set(r.conversationId, (list = []));
        list.push(row);
        out.push({ kind: 'new', row });
      }
      const rows: MessagesTable[] = [];
      const bumped = await this.#bumpCounters(
        trx,
        conversationIds.filter((id) => fresh.has(id)).map((id) => ({ id, n: fresh.get(id)!.length, at: fresh.get(id)!.at(-1)!.created_at })),
      );
      for (const [id, list] of fresh) {
        let seq = bumped.get(id)! - list.length;
        for (const row of list) row.seq = ++seq;
        rows.push(...list);
      }
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('chat_messages')
          .values(rows.slice(i, i + 500))
          .execute();
      return out.map((o) =>
        o.kind === 'new' || o.kind === 'same'
          ? { kind: o.kind === 'new' ? ('stored' as const) : ('duplicate' as const), message: toMessage(o.row), memberIds: members.get(o.row.conversation_id)! }
          : (o as AppendOutcome),
      );
    });
  }

  /**
   * Adds n to each conversation's counter and returns the new last_seq per conversation. The row
   * locks (PostgreSQL) are taken in id order, so two processes never deadlock; on PostgreSQL it is
   * two statements whatever the batch size (a round trip per conversation would not scale).
   */
  async #bumpCounters(
    trx: Transaction<ChatTables & Pick<DirectoryTables, 'people'>>,
    bumps: readonly { id: string; n: number; at: number }[],
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (bumps.length === 0) return out;
    if (this.dialect === 'postgres') {
      const ids = bumps.map((b) => b.id);
      await sql`select id from chat_conversations where id = any(${ids}::varchar[]) order by id for update`.execute(trx);
      const values = sql.join(bumps.map((b) => sql`(${b.id}::varchar, ${b.n}::bigint, ${b.at}::bigint)`));
      const res = await sql<{ id: string; last_seq: number }>`
        update chat_conversations as c set last_seq = c.last_seq + v.n, last_message_at = v.at
        from (values ${values}) as v(id, n, at) where c.id = v.id returning c.id, c.last_seq`.execute(trx);
      for (const r of res.rows) out.set(r.id, Number(r.last_seq));
    } else {
      // SQLite: one writer at a time, statements are in-process calls; ids are sorted anyway.
      for (const b of bumps) {
        const r = await trx
          .updateTable('chat_conversations')
          .set((eb) => ({ last_seq: eb('last_seq', '+', b.n), last_message_at: b.at }))
          .where('id', '=', b.id)
          .returning('last_seq')
          .executeTakeFirstOrThrow();
        out.set(b.id, Number(r.last_seq));
      }
    }
    if (out.size !== bumps.length) throw new Error('a conversation vanished during a send');
    return out;
  }

  async #memberIds(db: Db | Transaction<ChatTables & Pick<DirectoryTables, 'people'>>, conversationId: string): Promise<string[]> {
    const rows = await db.selectFrom('chat_members').select('person_id').where('conversation_id', '=', conversationId).execute();
    return rows.map((r) => r.person_id);
  }

  /** The conversation's kind, creator and members in one query; undefined when it does not exist. */
  async membership(conversationId: string): Promise<{ kind: 'direct' | 'group'; createdBy: string; ids: string[] } | undefined> {
    const rows = await this.#db
      .selectFrom('chat_conversations as c')
      .leftJoin('chat_members as m', 'm.conversation_id', 'c.id')
      .select(['c.kind', 'c.created_by', 'm.person_id'])
      .where('c.id', '=', conversationId)
      .execute();
    if (rows.length === 0) return undefined;
    return { kind: rows[0].kind, createdBy: rows[0].created_by, ids: rows.flatMap((r) => (r.person_id ? [r.person_id] : [])) };
  }

  memberIds(conversationId: string): Promise<string[]> {
    return this.#memberIds(this.#db, conversationId);
  }

  async conversation(id: string): Promise<ConversationsTable | undefined> {
    return this.#db.selectFrom('chat_conversations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async memberState(conversationId: string, personId: string): Promise<MemberState | undefined> {
    const r = await this.#db
      .selectFrom('chat_members')
      .select(['read_seq', 'notified_seq'])
      .where('conversation_id', '=', conversationId)
      .where('person_id', '=', personId)
      .executeTakeFirst();
    return r ? { readSeq: Number(r.read_seq), notifiedSeq: Number(r.notified_seq) } : undefined;
  }

  async findDirect(a: string, b: string): Promise<string | undefined> {
    const r = await this.#db.selectFrom('chat_conversations').select('id').where('pair_key', '=', pairKey(a, b)).executeTakeFirst();
    return r?.id;
  }

  /**
   * Creates a conversation with its members. For a pair, a concurrent creator may win the
   * unique pair_key: then the existing conversation is returned and `created` is false.
   */
  async create(input: {
    kind: 'direct' | 'group';
    topic: string | null;
    createdBy: string;
    memberIds: readonly string[];
    at: number;
  }): Promise<{ id: string; created: boolean }> {
    const key = input.kind === 'direct' ? pairKey(input.memberIds[0], input.memberIds[1]) : null;
    const id = randomUUID();
    const created = await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('chat_conversations')
        .values({
          id,
          kind: input.kind,
          topic: input.topic,
          pair_key: key,
          created_by: input.createdBy,
          created_at: input.at,
          last_seq: 0,
          last_message_at: null,
        })
        .onConflict((oc) => oc.column('pair_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false;
      await trx
        .insertInto('chat_members')
        .values(input.memberIds.map((p) => ({ conversation_id: id, person_id: p, joined_at: input.at, read_seq: 0, notified_seq: 0 })))
        .execute();
      return true;
    });
    if (created) return { id, created: true };
    const existing = key ? await this.#db.selectFrom('chat_conversations').select('id').where('pair_key', '=', key).executeTakeFirst() : undefined;
    if (!existing) throw new Error('conversation vanished after a pair conflict');
    return { id: existing.id, created: false };
  }

  /**
   * Adds members; their read marker starts at the current seq, so old history is not "unread".
   * Returns who was new, or `{ full }` (and nobody added) when that would make more than `max` members.
   */
  async addMembers(conversationId: string, personIds: readonly string[], at: number, max = Infinity): Promise<string[] | { full: number }> {
    return this.#db.transaction().execute(async (trx) => {
      const conv = await trx.selectFrom('chat_conversations').select('last_seq').where('id', '=', conversationId).executeTakeFirstOrThrow();
      const have = new Set(await this.#memberIds(trx, conversationId));
      const fresh = [...new Set(personIds)].filter((p) => !have.has(p));
      if (have.size + fresh.length > max) return { full: have.size };
      if (fresh.length)
        await trx
          .insertInto('chat_members')
          .values(
            fresh.map((p) => ({
              conversation_id: conversationId,
              person_id: p,
              joined_at: at,
              read_seq: Number(conv.last_seq),
              notified_seq: Number(conv.last_seq),
            })),
          )
          .execute();
      return fresh;
    });
  }

  async removeMember(conversationId: string, personId: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('chat_members').where('conversation_id', '=', conversationId).where('person_id', '=', personId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async setTopic(conversationId: string, topic: string): Promise<void> {
    await this.#db.updateTable('chat_conversations').set({ topic }).where('id', '=', conversationId).execute();
  }

  /** High-water: the marker only moves forward, and never past the newest message. `moved`: it did move. */
  async markRead(conversationId: string, personId: string, seq: number): Promise<{ readSeq: number; moved: boolean }> {
    const conv = await this.#db.selectFrom('chat_conversations').select('last_seq').where('id', '=', conversationId).executeTakeFirst();
    const target = Math.min(seq, Number(conv?.last_seq ?? 0));
    const r = await this.#db
      .updateTable('chat_members')
      .set({ read_seq: target })
      .where('conversation_id', '=', conversationId)
      .where('person_id', '=', personId)
      .where('read_seq', '<', target)
      .executeTakeFirst();
    return { readSeq: Number((await this.memberState(conversationId, personId))?.readSeq ?? 0), moved: Number(r.numUpdatedRows) > 0 };
  }

  async unreadCount(conversationId: string, personId: string, readSeq: number): Promise<number> {
    const r = await this.#db
      .selectFrom('chat_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', readSeq)
      .where('sender_id', '<>', personId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** The person's conversations (or the given ones), newest activity first, with read state and the last message. */
  async views(personId: string, options: { limit: number; ids?: readonly string[] }): Promise<ConversationViewDto[]> {
    if (options.ids && options.ids.length === 0) return [];
    let q = this.#db
      .selectFrom('chat_members as m')
      .innerJoin('chat_conversations as c', 'c.id', 'm.conversation_id')
      .leftJoin('chat_messages as last', (j) => j.onRef('last.conversation_id', '=', 'c.id').onRef('last.seq', '=', 'c.last_seq'))
      .select([
        'c.id',
        'c.kind',
        'c.topic',
        'c.created_at',
        'c.last_seq',
        'c.last_message_at',
        'm.read_seq',
        'last.seq as msg_seq',
        'last.sender_id as msg_sender',
        'last.client_message_id as msg_cid',
        'last.text as msg_text',
        'last.created_at as msg_at',
      ])
      .select((eb) =>
        eb
          .selectFrom('chat_messages as u')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('u.conversation_id', '=', 'c.id')
          .whereRef('u.seq', '>', 'm.read_seq')
          .whereRef('u.sender_id', '<>', 'm.person_id')
          .as('unread'),
      )
      .where('m.person_id', '=', personId);
    if (options.ids) q = q.where('c.id', 'in', [...options.ids]);
    const rows = await q
      .orderBy(sql`coalesce(c.last_message_at, c.created_at)`, 'desc')
      .orderBy('c.id')
      .limit(options.limit)
      .execute();
    const members = await this.membersWithNames(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      topic: r.topic,
      members: members.get(r.id) ?? [],
      lastSeq: Number(r.last_seq),
      lastMessageAt: r.last_message_at === null ? null : Number(r.last_message_at),
      createdAt: Number(r.created_at),
      readSeq: Number(r.read_seq),
      unread: Number(r.unread ?? 0),
      lastMessage:
        r.msg_seq === null
          ? null
          : {
              id: messageId(r.id, Number(r.last_seq)),
              conversationId: r.id,
              seq: Number(r.last_seq),
              senderId: r.msg_sender!,
              clientMessageId: r.msg_cid!,
              text: r.msg_text!,
              createdAt: Number(r.msg_at),
            },
    }));
  }

  async info(conversationId: string): Promise<ConversationInfoDto | undefined> {
    const c = await this.conversation(conversationId);
    if (!c) return undefined;
    const members = await this.membersWithNames([conversationId]);
    return {
      id: c.id,
      kind: c.kind,
      topic: c.topic,
      members: members.get(c.id) ?? [],
      lastSeq: Number(c.last_seq),
      lastMessageAt: c.last_message_at === null ? null : Number(c.last_message_at),
      createdAt: Number(c.created_at),
    };
  }

  /** Members with their directory names (a read of the directory's people table). */
  async membersWithNames(conversationIds: readonly string[]): Promise<Map<string, ChatMemberDto[]>> {
    const out = new Map<string, ChatMemberDto[]>();
    if (conversationIds.length === 0) return out;
    for (let i = 0; i < conversationIds.length; i += 500) {
      const rows = await this.#db
        .selectFrom('chat_members as m')
        .leftJoin('people as p', 'p.id', 'm.person_id')
        .select(['m.conversation_id', 'm.person_id', 'p.display_name', 'p.primary_email'])
        .where('m.conversation_id', 'in', conversationIds.slice(i, i + 500))
        .orderBy('m.joined_at')
        .orderBy('m.person_id')
        .execute();
      for (const r of rows) {
        let list = out.get(r.conversation_id);
        if (!list) out.set(r.conversation_id, (list = []));
        list.push({ id: r.person_id, displayName: r.display_name ?? 'Unknown person', email: r.primary_email ?? null });
      }
    }
    return out;
  }

  /** Messages in seq order: after a seq (forward), before a seq (the page just before it), or the latest. */
  async history(conversationId: string, page: { after?: number; before?: number; limit: number }): Promise<{ messages: ChatMessageDto[]; hasMore: boolean }> {
    let q = this.#db.selectFrom('chat_messages').selectAll().where('conversation_id', '=', conversationId);
    const forward = page.after !== undefined;
    if (forward) q = q.where('seq', '>', page.after!);
    if (page.before !== undefined) q = q.where('seq', '<', page.before);
    const rows = await q
      .orderBy('seq', forward ? 'asc' : 'desc')
      .limit(page.limit + 1)
      .execute();
    const hasMore = rows.length > page.limit;
    const slice = rows.slice(0, page.limit).map(toMessage);
    return { messages: forward ? slice : slice.reverse(), hasMore };
  }

  async search(personId: string, q: string, limit: number): Promise<ChatMessageDto[]> {
    const pattern = `%${escapeLike(q.toLowerCase())}%`;
    const rows = await this.#db
      .selectFrom('chat_messages as x')
      .innerJoin('chat_members as m', (j) => j.onRef('m.conversation_id', '=', 'x.conversation_id').on('m.person_id', '=', personId))
      .selectAll('x')
      // Folded as the query was (JavaScript): PostgreSQL's lower() does; SQLite's folds A–Z only, hence the store's unicode_lower.
      .where(sql<boolean>`${sql.raw(this.dialect === 'sqlite' ? 'unicode_lower' : 'lower')}(x.text) like ${pattern} escape '\\'`)
      .orderBy('x.created_at', 'desc')
      .orderBy('x.seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /** Members with messages from others past both their read marker and their last notification, older than `cutoff`. */
  async missedCandidates(cutoff: number, limit: number, after?: { conversationId: string; personId: string }): Promise<MissedCandidate[]> {
    let q = this.#db
      .selectFrom('chat_members as m')
      .innerJoin('chat_conversations as c', 'c.id', 'm.conversation_id')
      .select(['m.conversation_id', 'm.person_id', 'm.read_seq', 'm.notified_seq'])
      .whereRef('c.last_seq', '>', 'm.read_seq')
      .whereRef('c.last_seq', '>', 'm.notified_seq')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('chat_messages as x')
            .select('x.seq')
            .whereRef('x.conversation_id', '=', 'm.conversation_id')
            .whereRef('x.seq', '>', 'm.read_seq')
            .whereRef('x.seq', '>', 'm.notified_seq')
            .whereRef('x.sender_id', '<>', 'm.person_id')
            .where('x.created_at', '<=', cutoff),
        ),
      );
    // Keyset paging: a scan resumes after the last candidate of the previous one, so members who stay
    // online (and are skipped) never hide the ones further on.
    if (after)
      q = q.where((eb) =>
        eb.or([
          eb('m.conversation_id', '>', after.conversationId),
          eb.and([eb('m.conversation_id', '=', after.conversationId), eb('m.person_id', '>', after.personId)]),
        ]),
      );
    const rows = await q.orderBy('m.conversation_id').orderBy('m.person_id').limit(limit).execute();
    return rows.map((r) => ({ conversationId: r.conversation_id, personId: r.person_id, fromSeq: Math.max(Number(r.read_seq), Number(r.notified_seq)) }));
  }

  /** Unread messages from others after `fromSeq` (the burst a notification is about). */
  async unreadFromOthers(conversationId: string, personId: string, fromSeq: number, limit: number): Promise<ChatMessageDto[]> {
    const rows = await this.#db
      .selectFrom('chat_messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', fromSeq)
      .where('sender_id', '<>', personId)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /**
   * Records that a burst up to `throughSeq` was notified. Conditional, so of two processes (or a
   * restarted one) only one claims it; recorded BEFORE the notifier runs: at most once.
   */
  async claimNotification(conversationId: string, personId: string, fromSeq: number, throughSeq: number): Promise<boolean> {
    const r = await this.#db
      .updateTable('chat_members')
      .set({ notified_seq: throughSeq })
      .where('conversation_id', '=', conversationId)
      .where('person_id', '=', personId)
      .where('notified_seq', '<=', fromSeq)
      .where('read_seq', '<', throughSeq)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
