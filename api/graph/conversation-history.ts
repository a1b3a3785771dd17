import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from '../../core/log/index.js';
import type { Store } from '../../core/store/index.js';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import type { GraphApi } from '../../directory-sync/sources/graph/index.js';
import type { ChatTables } from '../chat/tables.js';
import { isNoMailbox, type GraphMailboxes, type Mailbox } from './graph-mailboxes.js';
import type { GraphHistoryItemsTable, GraphTables } from './graph-tables.js';
import { escapeHtml } from './graph-values.js';

export const HISTORY_FOLDER = 'Conversation History';
type Db = Kysely<GraphTables & ChatTables & DirectoryTables>;
type Row = Selectable<GraphHistoryItemsTable>;

interface Msg {
  seq: number;
  sender_id: string;
  text: string;
  created_at: number;
}

export interface HistoryOptions {
  /** A burst ends after this much silence (Lync: 10 minutes). */
  readonly silenceMs: number;
  /** Conversations older than this are not looked at any more. */
  readonly horizonMs: number;
  readonly log: Logger;
  readonly now?: () => number;
  /** Failed attempts after which an item is given up (logged); default 8. */
  readonly maxFailures?: number;
  /** Wait after the first failure, doubling with each next one up to 6 hours; default 1 minute. */
  readonly retryBaseMs?: number;
}

/** Splits messages (seq order) into bursts; `silenceMs` or more without a message ends a burst. */
export function splitBursts<T extends { created_at: number }>(messages: readonly T[], silenceMs: number): T[][] {
  const out: T[][] = [];
  for (const m of messages) {
    const cur = out[out.length - 1];
    if (cur && m.created_at - cur[cur.length - 1].created_at < silenceMs) cur.push(m);
    else out.push([m]);
  }
  return out;
}

/**
 * Saves each ended conversation burst into every participant's "Conversation History" mail
 * folder (created when missing), exactly once: the burst is recorded as pending before the item
 * is created, and an item whose creation had an uncertain outcome is looked up by its
 * internetMessageId before any new attempt.
 */
export class ConversationHistoryWriter {
  readonly #db: Db;
  readonly #folders = new Map<string, string>();
  readonly #now: () => number;
  constructor(
    store: Store,
    private readonly api: GraphApi,
    private readonly mailboxes: GraphMailboxes,
    private readonly o: HistoryOptions,
  ) {
    this.#db = store.db as Db;
    this.#now = o.now ?? Date.now;
  }

  /** One pass: retries pending items, then records and saves newly ended bursts. Returns items saved. */
  async run(signal?: AbortSignal): Promise<number> {
    let saved = 0;
    const pending = await this.#db
      .selectFrom('graph_history_items')
      .selectAll()
      .where('state', '=', 'pending')
      .where('retry_at', '<=', this.#now())
      .orderBy('retry_at')
      .limit(200)
      .execute();
    for (const row of pending) if (await this.#save(row, signal)) saved++;

    const now = this.#now();
    const conversations = await this.#db
      .selectFrom('chat_conversations')
      .select(['id', 'last_seq', 'topic'])
      .where('last_message_at', 'is not', null)
      .where('last_message_at', '>=', now - this.o.horizonMs)
      .orderBy('last_message_at', 'desc')
      .limit(500)
      .execute();
    for (const c of conversations) {
      if (signal?.aborted) break;
      const members = await this.#db.selectFrom('chat_members').select('person_id').where('conversation_id', '=', c.id).execute();
      const boxes = await this.mailboxes.of(members.map((m) => m.person_id));
      if (boxes.size === 0) continue;
      const done = await this.#db
        .selectFrom('graph_history_items')
        .select(['person_id', (eb) => eb.fn.max('last_seq').as('upto')])
        .where('conversation_id', '=', c.id)
        .groupBy('person_id')
        .execute();
      const upto = new Map(done.map((d) => [d.person_id, Number(d.upto)]));
      const from = Math.min(...[...boxes.keys()].map((p) => upto.get(p) ?? 0));
      if (from >= c.last_seq) continue;
      const messages: Msg[] = await this.#db
        .selectFrom('chat_messages')
        .select(['seq', 'sender_id', 'text', 'created_at'])
        .where('conversation_id', '=', c.id)
        .where('seq', '>', from)
        .orderBy('seq')
        .limit(2000)
        .execute();
      for (const box of boxes.values()) {
        // Graph said this user has no mailbox: nothing of theirs can be saved (nor recorded as pending).
        if (this.mailboxes.lacksMailbox(box.userId)) continue;
        const mine = messages.filter((m) => m.seq > (upto.get(box.personId) ?? 0));
        const bursts = splitBursts(mine, this.o.silenceMs).filter((b) => now - b[b.length - 1].created_at >= this.o.silenceMs);
        for (const burst of bursts) {
          const row = await this.#record(c.id, box, burst);
          if (row && (await this.#save(row, signal, { burst, topic: c.topic, members: members.map((m) => m.person_id) }))) saved++;
        }
      }
    }
    return saved;
  }

  async #record(conversationId: string, box: Mailbox, burst: Msg[]) {
    const first = burst[0].seq;
    const last = burst[burst.length - 1].seq;
    const key = `<op-${createHash('sha256').update(`${conversationId}|${box.personId}|${first}`).digest('hex').slice(0, 40)}@office-presence.invalid>`;
    await this.#db
      .insertInto('graph_history_items')
      .values({
        conversation_id: conversationId,
        person_id: box.personId,
        first_seq: first,
        last_seq: last,
        message_key: key,
        state: 'pending',
        message_id: null,
        attempts: 0,
        updated_at: this.#now(),
      })
      .onConflict((oc) => oc.columns(['conversation_id', 'person_id', 'first_seq']).doNothing())
      .execute();
    return this.#db
      .selectFrom('graph_history_items')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('person_id', '=', box.personId)
      .where('first_seq', '=', first)
      .executeTakeFirst();
  }

  async #save(row: Row, signal?: AbortSignal, ctx?: { burst: Msg[]; topic: string | null; members: string[] }): Promise<boolean> {
    if (row.state !== 'pending') return false;
    const box = (await this.mailboxes.of([row.person_id])).get(row.person_id);
    if (!box || this.mailboxes.lacksMailbox(box.userId)) {
      await this.#failed(row, new Error(box ? 'the user has no mailbox' : 'no longer a mailbox in the directory'));
      return false;
    }
    const base = `/users/${encodeURIComponent(box.userId)}`;
    try {
      const folderId = await this.#folder(box.userId, signal);
      if (row.attempts > 0) {
        // The last attempt may have created the item even though we did not hear back.
        const found = await this.api.get<{ value: { id: string }[] }>(
          `${base}/mailFolders/${encodeURIComponent(folderId)}/messages?$filter=internetMessageId eq '${row.message_key}'&$select=id`,
          { signal },
        );
        if (found.value?.length) return this.#mark(row, found.value[0].id);
      }
      const content = ctx ?? (await this.#context(row));
      // Claimed against the attempts this process saw: of two processes on one item only one
      // creates it; the other finds it claimed and leaves it (a later retry looks it up first).
      const claimed = await this.#db
        .updateTable('graph_history_items')
        .set({ attempts: row.attempts + 1, updated_at: this.#now() })
        .where('conversation_id', '=', row.conversation_id)
        .where('person_id', '=', row.person_id)
        .where('first_seq', '=', row.first_seq)
        .where('state', '=', 'pending')
        .where('attempts', '=', row.attempts)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return false;
      row = { ...row, attempts: row.attempts + 1 };
      const created = await this.api.post<{ id: string }>(
        `${base}/mailFolders/${encodeURIComponent(folderId)}/messages`,
        await this.#message(row, box, content),
        { idempotent: false, signal },
      );
      return this.#mark(row, created.id);
    } catch (err) {
      if (isNoMailbox(err)) this.mailboxes.learnNoMailbox(box.userId);
      await this.#failed(row, err);
      return false;
    }
  }

  /**
   * Every failure counts and pushes the next try back (doubling), so an item that cannot be saved
   * (no folder access, no mailbox) neither stays first in line for ever nor is tried for ever.
   */
  async #failed(row: Row, err: unknown): Promise<void> {
    const failures = row.failures + 1;
    const givingUp = failures >= (this.o.maxFailures ?? 8);
    const now = this.#now();
    const delay = Math.min((this.o.retryBaseMs ?? 60_000) * 2 ** (failures - 1), 6 * 3600_000);
    await this.#db
      .updateTable('graph_history_items')
      .set({ failures, retry_at: now + delay, updated_at: now, state: givingUp ? 'failed' : 'pending' })
      .where('conversation_id', '=', row.conversation_id)
      .where('person_id', '=', row.person_id)
      .where('first_seq', '=', row.first_seq)
      .where('state', '=', 'pending')
      .execute();
    const where = { err, conversationId: row.conversation_id, personId: row.person_id, failures };
    if (givingUp) this.o.log.warn(where, 'graph: conversation history item could not be saved; given up');
    else this.o.log.warn({ ...where, retryInMs: delay }, 'graph: conversation history not saved yet; will retry');
  }

  async #mark(row: Row, messageId: string): Promise<boolean> {
    await this.#db
      .updateTable('graph_history_items')
      .set({ state: 'saved', message_id: messageId, updated_at: this.#now() })
      .where('conversation_id', '=', row.conversation_id)
      .where('person_id', '=', row.person_id)
      .where('first_seq', '=', row.first_seq)
      .execute();
    return true;
  }

  async #context(row: Row) {
    const burst: Msg[] = await this.#db
      .selectFrom('chat_messages')
      .select(['seq', 'sender_id', 'text', 'created_at'])
      .where('conversation_id', '=', row.conversation_id)
      .where('seq', '>=', row.first_seq)
      .where('seq', '<=', row.last_seq)
      .orderBy('seq')
      .execute();
    const conv = await this.#db.selectFrom('chat_conversations').select('topic').where('id', '=', row.conversation_id).executeTakeFirst();
    const members = await this.#db.selectFrom('chat_members').select('person_id').where('conversation_id', '=', row.conversation_id).execute();
    return { burst, topic: conv?.topic ?? null, members: members.map((m) => m.person_id) };
  }

  async #message(row: Row, box: Mailbox, ctx: { burst: Msg[]; topic: string | null; members: string[] }) {
    const ids = [...new Set([...ctx.members, ...ctx.burst.map((m) => m.sender_id)])];
    const people = ids.length ? await this.#db.selectFrom('people').select(['id', 'display_name', 'primary_email']).where('id', 'in', ids).execute() : [];
    const name = new Map(people.map((p) => [p.id, p.display_name]));
    const others = people.filter((p) => p.id !== box.personId);
    const time = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const lines = ctx.burst.map(
      (m) =>
        `<p><b>${escapeHtml(name.get(m.sender_id) ?? 'Unknown')}</b> <span style="color:#666">${time(m.created_at)} UTC</span><br>${escapeHtml(m.text)}</p>`,
    );
    const last = ctx.burst[ctx.burst.length - 1]?.created_at ?? this.#now();
    return {
      subject: ctx.topic ?? `Conversation with ${others.map((p) => p.display_name).join(', ') || 'yourself'}`,
      body: { contentType: 'HTML', content: lines.join('\n') },
      internetMessageId: row.message_key,
      from: { emailAddress: { address: others[0]?.primary_email ?? box.email, name: others[0]?.display_name ?? box.displayName } },
      toRecipients: [{ emailAddress: { address: box.email, name: box.displayName } }],
      isRead: true,
      // PR_MESSAGE_FLAGS = read, not a draft; PR_MESSAGE_DELIVERY_TIME = when the burst ended.
      singleValueExtendedProperties: [
        { id: 'Integer 0x0E07', value: '1' },
        { id: 'SystemTime 0x0E06', value: new Date(last).toISOString() },
      ],
    };
  }

  async #folder(userId: string, signal?: AbortSignal): Promise<string> {
    const cached = this.#folders.get(userId);
    if (cached) return cached;
    const base = `/users/${encodeURIComponent(userId)}/mailFolders`;
    const find = async () =>
      (await this.api.get<{ value: { id: string }[] }>(`${base}?$filter=displayName eq '${HISTORY_FOLDER}'&$select=id,displayName`, { signal })).value?.[0]?.id;
    let id = await find();
    if (!id) {
      try {
        id = (await this.api.post<{ id: string }>(base, { displayName: HISTORY_FOLDER }, { idempotent: false, signal })).id;
      } catch (err) {
        // Created meanwhile (another process, or a lost answer): it exists now.
        id = await find();
        if (!id) throw err;
      }
    }
    this.#folders.set(userId, id);
    return id;
  }
}
