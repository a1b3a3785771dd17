import { sql, type Kysely } from 'kysely';
import type { Store } from '../../core/store/index.js';
import type { PersonCard, PersonPhoto, PersonSummary } from './person.js';
import type { DirectoryTables, PeopleTable } from './tables.js';

/** The read side of the directory that the API uses. */
export interface DirectoryReader {
  /** One entry per input address (any SMTP address, case-insensitive); null when unknown. */
  lookupEmails(emails: readonly string[]): Promise<Map<string, PersonSummary | null>>;
  search(query: string, limit: number): Promise<PersonSummary[]>;
  getSummary(id: string): Promise<PersonSummary | null>;
  /**
   * With `viewerId` (a caller's person id), a private contact (an Outlook contact, `owner_id` set)
   * is found only for its owner; without it (the server itself) anyone is.
   */
  getCard(id: string, viewerId?: string): Promise<PersonCard | null>;
  getPhoto(id: string, viewerId?: string): Promise<PersonPhoto | null>;
  /** Resolves an authenticated caller: by UPN, then by any SMTP address. Only live, enabled people. */
  findForLogin(claims: { upn?: string; email?: string; oid?: string }): Promise<PersonSummary | null>;
  /** All SMTP addresses of a person, primary first. */
  emailsOf(id: string): Promise<string[]>;
}

const LIVE = (eb: any) => eb('people.deleted_at', 'is', null); // eslint-disable-line @typescript-eslint/no-explicit-any

export function toSummary(
  row: Pick<PeopleTable, 'id' | 'kind' | 'display_name' | 'primary_email' | 'title' | 'department' | 'photo_etag' | 'disabled'>,
): PersonSummary {
  return Object.freeze({
    id: row.id,
    kind: row.kind,
    displayName: row.display_name,
    email: row.primary_email,
    title: row.title,
    department: row.department,
    hasPhoto: row.photo_etag !== null,
    disabled: row.disabled === 1,
  });
}

const SUMMARY_COLUMNS = ['id', 'kind', 'display_name', 'primary_email', 'title', 'department', 'photo_etag', 'disabled'] as const;

/** Escapes LIKE wildcards so a search for "50%" means the characters, not a pattern. */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export class StoreDirectoryReader implements DirectoryReader {
  readonly #db: Kysely<DirectoryTables>;
  readonly #dialect: Store['dialect'];
  constructor(store: Store) {
    this.#db = store.db as Kysely<DirectoryTables>;
    this.#dialect = store.dialect;
  }

  async lookupEmails(emails: readonly string[]): Promise<Map<string, PersonSummary | null>> {
    const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
    const found = new Map<string, PersonSummary | null>();
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = await this.#lookup(wanted.slice(i, i + 500));
      for (const r of rows) found.set(r.matched, toSummary(r));
    }
    const out = new Map<string, PersonSummary | null>();
    for (const e of emails) out.set(e, found.get(e.trim().toLowerCase()) ?? null);
    return out;
  }

  /**
   * The addresses travel as one array parameter, so the SQL text is the same for any number of
   * them: one prepared statement serves every lookup (this runs for each unknown address a pane
   * shows), and nothing is built per call.
   */
  #lookup(addresses: readonly string[]): Promise<(Pick<PeopleTable, (typeof SUMMARY_COLUMNS)[number]> & { matched: string })[]> {
    const list = this.#dialect === 'postgres' ? sql`any(${[...addresses]}::text[])` : sql`(select value from json_each(${JSON.stringify(addresses)}))`;
    const match = this.#dialect === 'postgres' ? sql`pe.email = ${list}` : sql`pe.email in ${list}`;
    return sql<Pick<PeopleTable, (typeof SUMMARY_COLUMNS)[number]> & { matched: string }>`
      select pe.email as matched, p.id, p.kind, p.display_name, p.primary_email, p.title, p.department, p.photo_etag, p.disabled
      from person_emails pe join people p on p.id = pe.person_id
      where ${match} and p.deleted_at is null and p.owner_id is null`
      .execute(this.#db)
      .then((r) => r.rows);
  }

  async search(query: string, limit: number): Promise<PersonSummary[]> {
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5);
    if (terms.length === 0) return [];
    let q = this.#db.selectFrom('people').select(SUMMARY_COLUMNS).where(LIVE).where('owner_id', 'is', null);
    for (const t of terms) q = q.where(sql<boolean>`search_text like ${`%${escapeLike(t)}%`} escape '\\'`);
    const rows = await q.orderBy('disabled').orderBy('display_name').limit(limit).execute();
    return rows.map(toSummary);
  }

  async getSummary(id: string): Promise<PersonSummary | null> {
    const row = await this.#db.selectFrom('people').select(SUMMARY_COLUMNS).where('id', '=', id).where(LIVE).executeTakeFirst();
    return row ? toSummary(row) : null;
  }

  async getCard(id: string, viewerId?: string): Promise<PersonCard | null> {
    const row = await this.#db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', id)
      .where(LIVE)
      .$if(viewerId !== undefined, (q) => q.where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', viewerId!)])))
      .executeTakeFirst();
    if (!row) return null;
    const [emails, sources, reports] = await Promise.all([
      this.emailsOf(id),
      this.#db.selectFrom('person_sources').select('source').where('person_id', '=', id).execute(),
      this.#db.selectFrom('people').select(SUMMARY_COLUMNS).where('manager_id', '=', id).where(LIVE).orderBy('display_name').limit(100).execute(),
    ]);
    const managerChain: PersonSummary[] = [];
    const seen = new Set([id]);
    let next = row.manager_id;
    while (next && !seen.has(next) && managerChain.length < 20) {
      seen.add(next);
      const m = await this.#db
        .selectFrom('people')
        .select([...SUMMARY_COLUMNS, 'manager_id'])
        .where('id', '=', next)
        .where(LIVE)
        .executeTakeFirst();
      if (!m) break;
      managerChain.push(toSummary(m));
      next = m.manager_id;
    }
    return Object.freeze({
      ...toSummary(row),
      givenName: row.given_name,
      surname: row.surname,
      company: row.company,
      office: row.office,
      phones: JSON.parse(row.phones),
      aliases: emails.filter((e) => e !== row.primary_email),
      upn: row.upn,
      groups: JSON.parse(row.groups),
      managerChain,
      directReports: reports.map(toSummary),
      sources: [...new Set(sources.map((s) => s.source))],
    });
  }

  async getPhoto(id: string, viewerId?: string): Promise<PersonPhoto | null> {
    const row = await this.#db
      .selectFrom('person_photos')
      .innerJoin('people', 'people.id', 'person_photos.person_id')
      .select(['person_photos.bytes', 'person_photos.content_type', 'person_photos.etag'])
      .where('person_photos.person_id', '=', id)
      .where(LIVE)
      .$if(viewerId !== undefined, (q) => q.where((eb) => eb.or([eb('people.owner_id', 'is', null), eb('people.owner_id', '=', viewerId!)])))
      .executeTakeFirst();
    return row ? { bytes: row.bytes, contentType: row.content_type, etag: row.etag } : null;
  }

  async findForLogin(claims: { upn?: string; email?: string; oid?: string }): Promise<PersonSummary | null> {
    const base = () =>
      this.#db.selectFrom('people').select(SUMMARY_COLUMNS).where(LIVE).where('disabled', '=', 0).where('kind', '=', 'person').where('owner_id', 'is', null);
    if (claims.oid) {
      const row = await base()
        .where('id', 'in', this.#db.selectFrom('person_sources').select('person_id').where('source', '=', 'graph').where('external_id', '=', claims.oid))
        .executeTakeFirst();
      if (row) return toSummary(row);
    }
    if (claims.upn) {
      const row = await base().where('upn', '=', claims.upn.toLowerCase()).executeTakeFirst();
      if (row) return toSummary(row);
    }
    for (const addr of [claims.email, claims.upn]) {
      if (!addr) continue;
      const row = await base()
        .where('id', 'in', this.#db.selectFrom('person_emails').select('person_id').where('email', '=', addr.toLowerCase()))
        .executeTakeFirst();
      if (row) return toSummary(row);
    }
    return null;
  }

  async emailsOf(id: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('person_emails')
      .select(['email', 'is_primary'])
      .where('person_id', '=', id)
      .orderBy('is_primary', 'desc')
      .orderBy('email')
      .execute();
    return rows.map((r) => r.email);
  }
}
