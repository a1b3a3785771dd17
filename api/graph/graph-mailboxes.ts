import type { Kysely } from 'kysely';
import type { Store } from '../../core/store/index.js';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import { GraphRequestError } from '../../directory-sync/sources/graph/index.js';

/** Graph's answer for an Entra user without an Exchange Online mailbox (UPN-only users, guests). */
export const isNoMailbox = (err: unknown): boolean => err instanceof GraphRequestError && err.status === 404 && err.code === 'MailboxNotEnabledForRESTAPI';

/** A directory person who is also an Entra user: where their mailbox is. */
export interface Mailbox {
  readonly personId: string;
  /** Graph user id (the graph source's external id). */
  readonly userId: string;
  readonly email: string;
  readonly displayName: string;
}

/**
 * Maps people to their Graph users through the graph source's links (users keep the bare Graph
 * id; organisational and Outlook contacts are prefixed and have no mailbox).
 *
 * An Entra user may still have no mailbox (the directory gives them their UPN as address): Graph
 * says so only when asked (404 MailboxNotEnabledForRESTAPI), so that answer is remembered here and
 * requests that must go through some mailbox go through another one. The memory fades after
 * `noMailboxTtlMs`, since a licence may give them one later.
 */
export class GraphMailboxes {
  readonly #db: Kysely<DirectoryTables>;
  readonly #noMailbox = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  constructor(store: Store, options: { noMailboxTtlMs?: number; now?: () => number } = {}) {
    this.#db = store.db as Kysely<DirectoryTables>;
    this.#ttlMs = options.noMailboxTtlMs ?? 6 * 3600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Graph answered that this user has no mailbox (404 MailboxNotEnabledForRESTAPI). */
  learnNoMailbox(userId: string): void {
    // Bounded: the oldest entries go first when a huge tenant of guests passes through.
    if (this.#noMailbox.size >= 100_000) this.#noMailbox.delete(this.#noMailbox.keys().next().value!);
    this.#noMailbox.delete(userId);
    this.#noMailbox.set(userId, this.#now() + this.#ttlMs);
  }

  /** Whether Graph recently said this user has no mailbox. */
  lacksMailbox(userId: string): boolean {
    const until = this.#noMailbox.get(userId);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#noMailbox.delete(userId);
    return false;
  }

  #base() {
    return this.#db
      .selectFrom('person_sources')
      .innerJoin('people', 'people.id', 'person_sources.person_id')
      .select([
        'person_sources.person_id as personId',
        'person_sources.external_id as userId',
        'people.primary_email as email',
        'people.display_name as displayName',
      ])
      .where('person_sources.source', '=', 'graph')
      .where('person_sources.external_id', 'not like', 'orgcontact:%')
      .where('person_sources.external_id', 'not like', 'pc:%')
      .where('people.deleted_at', 'is', null)
      .where('people.kind', '=', 'person');
  }

  async of(personIds: readonly string[]): Promise<Map<string, Mailbox>> {
    const out = new Map<string, Mailbox>();
    for (let i = 0; i < personIds.length; i += 500) {
      const rows = await this.#base()
        .where('person_sources.person_id', 'in', personIds.slice(i, i + 500))
        .execute();
      for (const r of rows) if (r.email) out.set(r.personId, { ...r, email: r.email });
    }
    return out;
  }

  /** A page of every mailbox, in person id order (for refreshes that cover everyone, bounded). */
  async page(after: string, limit: number): Promise<Mailbox[]> {
    const rows = await this.#base().where('person_sources.person_id', '>', after).orderBy('person_sources.person_id').limit(limit).execute();
    return rows.filter((r) => r.email).map((r) => ({ ...r, email: r.email! }));
  }
}
