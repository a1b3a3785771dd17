import type { Kysely } from 'kysely';
import type { Store } from '../../core/store/index.js';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';

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
 */
export class GraphMailboxes {
  readonly #db: Kysely<DirectoryTables>;
  constructor(store: Store) {
    this.#db = store.db as Kysely<DirectoryTables>;
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
