import { sql, type Kysely, type Transaction } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { DirectoryTables, PeopleTable, PersonPhotosTable, PersonSourcesTable } from '../directory/tables.js';
import type { SyncTables } from './tables.js';

export type Db = Kysely<DirectoryTables & SyncTables> | Transaction<DirectoryTables & SyncTables>;

export interface ExistingLink {
  external_id: string;
  person_id: string;
  content_hash: string;
  deleted_at: number | null;
  missing_since: number | null;
  disabled: number;
}

export type PersonRow = Omit<PeopleTable, 'id' | 'manager_id' | 'owner_id' | 'created_at'>;
/** A person's row as inserted. */
export type NewPerson = PersonRow & { id: string; created_at: number; owner_id?: string | null; manager_id?: string | null };

/** What a person looks like now, for merging when several sources feed one person. */
export type CurrentRow = Pick<
  PeopleTable,
  | 'id'
  | 'display_name'
  | 'given_name'
  | 'surname'
  | 'title'
  | 'department'
  | 'company'
  | 'office'
  | 'phones'
  | 'primary_email'
  | 'upn'
  | 'immutable_id'
  | 'groups'
  | 'photo_etag'
  | 'kind'
  | 'disabled'
  | 'missing_since'
  | 'deleted_at'
  | 'search_text'
  | 'manager_id'
> & {
  /** Another source than the one writing links to this person too. */
  shared: boolean;
};
const CURRENT_COLUMNS = [
  'id',
  'display_name',
  'given_name',
  'surname',
  'title',
  'department',
  'company',
  'office',
  'phones',
  'primary_email',
  'upn',
  'immutable_id',
  'groups',
  'photo_etag',
  'kind',
  'disabled',
  'missing_since',
  'deleted_at',
  'search_text',
  'manager_id',
] as const;

/**
 * The statements the batch applier needs. Two implementations: Kysely (PostgreSQL, and SQLite
 * when no raw handle is available) with multi-row statements, and raw better-sqlite3 prepared
 * statements — on SQLite a cached single-row statement costs microseconds, far less than
 * compiling and preparing a big multi-row one.
 */
export interface BatchStore {
  links(source: string, externalIds: readonly string[]): Promise<Map<string, ExistingLink>>;
  touchSeen(source: string, externalIds: readonly string[], now: number): Promise<void>;
  clearMissing(personIds: readonly string[]): Promise<void>;
  joinedByImmutableId(immutableIds: readonly string[]): Promise<Map<string, string>>;
  emailHolders(emails: readonly string[]): Promise<Map<string, string>>;
  /** Live, unowned people holding these addresses that `source` does not link yet (SMTP hybrid join). */
  smtpJoinCandidates(source: string, emails: readonly string[]): Promise<Map<string, { id: string; immutable_id: string | null }>>;
  /** Which of these addresses belong to live directory (not personal-contact) people. */
  directoryAddresses(emails: readonly string[]): Promise<Set<string>>;
  currentRows(source: string, personIds: readonly string[]): Promise<Map<string, CurrentRow>>;
  insertPeople(rows: readonly NewPerson[]): Promise<void>;
  /** Sets the columns given (only what changed: an unchanged indexed column costs no index write). */
  updatePerson(id: string, row: Partial<PersonRow>): Promise<void>;
  /** The addresses each of these people holds now. */
  emailsOf(personIds: readonly string[]): Promise<Map<string, { email: string; is_primary: number }[]>>;
  upsertLinks(rows: readonly PersonSourcesTable[]): Promise<void>;
  /** Links that the batch found missing: inserted, or upserted after all when one exists (a link to a person row that is gone). */
  insertLinks(rows: readonly PersonSourcesTable[]): Promise<void>;
  deleteEmailsOf(personIds: readonly string[]): Promise<void>;
  /** Addresses already present are left as they are (a person fed by several sources keeps them). */
  insertEmails(rows: readonly { email: string; person_id: string; is_primary: number }[]): Promise<void>;
  deletePhotosOf(personIds: readonly string[]): Promise<void>;
  upsertPhotos(rows: readonly PersonPhotosTable[]): Promise<void>;
  personIdsByDn(source: string, dns: readonly string[]): Promise<Map<string, string>>;
  personIdsByExternalId(source: string, externalIds: readonly string[]): Promise<Map<string, string>>;
  setManagers(pairs: readonly (readonly [string, string | null])[]): Promise<void>;
}

const CHUNK = 500;
export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Multi-row statements through Kysely: a bounded number of round trips per batch. */
export class KyselyBatchStore implements BatchStore {
  constructor(private readonly db: Db) {}

  async links(source: string, ids: readonly string[]) {
    const out = new Map<string, ExistingLink>();
    for (const part of chunks(ids)) {
      const rows = await this.db
        .selectFrom('person_sources')
        .innerJoin('people', 'people.id', 'person_sources.person_id')
        .select([
          'person_sources.external_id',
          'person_sources.person_id',
          'person_sources.content_hash',
          'people.deleted_at',
          'people.missing_since',
          'people.disabled',
        ])
        .where('person_sources.source', '=', source)
        .where('person_sources.external_id', 'in', part)
        .execute();
      for (const r of rows) out.set(r.external_id, r);
    }
    return out;
  }
  async touchSeen(source: string, ids: readonly string[], now: number) {
    for (const part of chunks(ids))
      await this.db.updateTable('person_sources').set({ seen_at: now }).where('source', '=', source).where('external_id', 'in', part).execute();
  }
  async clearMissing(personIds: readonly string[]) {
    for (const part of chunks(personIds)) await this.db.updateTable('people').set({ missing_since: null }).where('id', 'in', part).execute();
  }
  async joinedByImmutableId(ids: readonly string[]) {
    const out = new Map<string, string>();
    for (const part of chunks(ids)) {
      for (const r of await this.db.selectFrom('people').select(['id', 'immutable_id']).where('immutable_id', 'in', part).execute())
        if (r.immutable_id) out.set(r.immutable_id, r.id);
    }
    return out;
  }
  async emailHolders(emails: readonly string[]) {
    const out = new Map<string, string>();
    for (const part of chunks(emails)) {
      for (const r of await this.db.selectFrom('person_emails').select(['email', 'person_id']).where('email', 'in', part).execute())
        out.set(r.email, r.person_id);
    }
    return out;
  }
  async smtpJoinCandidates(source: string, emails: readonly string[]) {
    const out = new Map<string, { id: string; immutable_id: string | null }>();
    // Two steps: the addresses by their primary key first (on a first load almost none is held),
    // then the few holders. As one join, PostgreSQL without statistics on a table that is being
    // filled scans every person for each chunk.
    const holders = await this.emailHolders(emails);
    if (holders.size === 0) return out;
    for (const part of chunks([...holders.keys()])) {
      const rows = await this.db
        .selectFrom('person_emails')
        .innerJoin('people', 'people.id', 'person_emails.person_id')
        .select(['person_emails.email', 'people.id', 'people.immutable_id'])
        .where('person_emails.email', 'in', part)
        .where('people.id', 'in', [...new Set(part.map((e) => holders.get(e)!))])
        .where('people.kind', '=', 'person')
        .where('people.owner_id', 'is', null)
        .where('people.deleted_at', 'is', null)
        .where((eb) =>
          eb.not(
            eb.exists(eb.selectFrom('person_sources as s').select('s.person_id').whereRef('s.person_id', '=', 'people.id').where('s.source', '=', source)),
          ),
        )
        .execute();
      for (const r of rows) out.set(r.email, { id: r.id, immutable_id: r.immutable_id });
    }
    return out;
  }
  async directoryAddresses(emails: readonly string[]) {
    const out = new Set<string>();
    for (const part of chunks(emails)) {
      const rows = await this.db
        .selectFrom('person_emails')
        .innerJoin('people', 'people.id', 'person_emails.person_id')
        .select('person_emails.email')
        .where('person_emails.email', 'in', part)
        .where('people.owner_id', 'is', null)
        .where('people.deleted_at', 'is', null)
        .execute();
      for (const r of rows) out.add(r.email);
    }
    return out;
  }
  async currentRows(source: string, personIds: readonly string[]) {
    const out = new Map<string, CurrentRow>();
    for (const part of chunks(personIds)) {
      const rows = await this.db
        .selectFrom('people')
        .select([...CURRENT_COLUMNS.map((c) => `people.${c}` as const)])
        .select((eb) =>
          eb
            .exists(eb.selectFrom('person_sources as o').select('o.person_id').whereRef('o.person_id', '=', 'people.id').where('o.source', '<>', source))
            .as('shared'),
        )
        .where('people.id', 'in', part)
        .execute();
      for (const r of rows) out.set(r.id, { ...r, shared: Boolean(r.shared) });
    }
    return out;
  }
  async insertPeople(rows: readonly NewPerson[]) {
    for (const part of chunks(rows, 400))
      await this.db
        .insertInto('people')
        .values(part.map((r) => ({ ...r, manager_id: r.manager_id ?? null, owner_id: r.owner_id ?? null })))
        .execute();
  }
  async updatePerson(id: string, row: Partial<PersonRow>) {
    await this.db.updateTable('people').set(row).where('id', '=', id).execute();
  }
  async emailsOf(personIds: readonly string[]) {
    const out = new Map<string, { email: string; is_primary: number }[]>();
    for (const part of chunks(personIds)) {
      for (const r of await this.db.selectFrom('person_emails').select(['person_id', 'email', 'is_primary']).where('person_id', 'in', part).execute()) {
        let list = out.get(r.person_id);
        if (!list) out.set(r.person_id, (list = []));
        list.push({ email: r.email, is_primary: r.is_primary });
      }
    }
    return out;
  }
  async upsertLinks(rows: readonly PersonSourcesTable[]) {
    for (const part of chunks(rows, 300)) {
      await this.db
        .insertInto('person_sources')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['source', 'external_id']).doUpdateSet((eb) => ({
            person_id: eb.ref('excluded.person_id'),
            dn: eb.ref('excluded.dn'),
            manager_ref: eb.ref('excluded.manager_ref'),
            content_hash: eb.ref('excluded.content_hash'),
            seen_at: eb.ref('excluded.seen_at'),
          })),
        )
        .execute();
    }
  }
  async insertLinks(rows: readonly PersonSourcesTable[]) {
    await this.upsertLinks(rows);
  }
  async deleteEmailsOf(personIds: readonly string[]) {
    for (const part of chunks(personIds)) await this.db.deleteFrom('person_emails').where('person_id', 'in', part).execute();
  }
  async insertEmails(rows: readonly { email: string; person_id: string; is_primary: number }[]) {
    for (const part of chunks(rows, 1000))
      await this.db
        .insertInto('person_emails')
        .values(part)
        .onConflict((oc) => oc.column('email').doNothing())
        .execute();
  }
  async deletePhotosOf(personIds: readonly string[]) {
    for (const part of chunks(personIds)) await this.db.deleteFrom('person_photos').where('person_id', 'in', part).execute();
  }
  async upsertPhotos(rows: readonly PersonPhotosTable[]) {
    for (const part of chunks(rows, 50)) {
      await this.db
        .insertInto('person_photos')
        .values(part)
        .onConflict((oc) =>
          oc.column('person_id').doUpdateSet((eb) => ({
            bytes: eb.ref('excluded.bytes'),
            content_type: eb.ref('excluded.content_type'),
            etag: eb.ref('excluded.etag'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }
  async personIdsByDn(source: string, dns: readonly string[]) {
    const out = new Map<string, string>();
    for (const part of chunks(dns)) {
      for (const r of await this.db.selectFrom('person_sources').select(['dn', 'person_id']).where('source', '=', source).where('dn', 'in', part).execute())
        if (r.dn) out.set(r.dn, r.person_id);
    }
    return out;
  }
  async personIdsByExternalId(source: string, ids: readonly string[]) {
    const out = new Map<string, string>();
    for (const part of chunks(ids)) {
      for (const r of await this.db
        .selectFrom('person_sources')
        .select(['external_id', 'person_id'])
        .where('source', '=', source)
        .where('external_id', 'in', part)
        .execute())
        out.set(r.external_id, r.person_id);
    }
    return out;
  }
  async setManagers(pairs: readonly (readonly [string, string | null])[]) {
    // One statement per chunk (UPDATE … FROM VALUES works on SQLite ≥ 3.33 and PostgreSQL alike).
    for (const part of chunks(pairs)) {
      const values = sql.join(part.map(([id, m]) => sql`(${id}, ${m})`));
      await sql`update people set manager_id = v.column2 from (values ${values}) as v where people.id = v.column1`.execute(this.db);
    }
  }
}

type Stmt = BetterSqlite3.Statement;
/** Rows per multi-row statement: 32 × 23 people columns stays far under SQLite's parameter limit. */
const MULTI = 32;
const PEOPLE_COLUMNS = [
  'id',
  'kind',
  'display_name',
  'given_name',
  'surname',
  'title',
  'department',
  'company',
  'office',
  'phones',
  'primary_email',
  'upn',
  'immutable_id',
  'manager_id',
  'owner_id',
  'groups',
  'disabled',
  'missing_since',
  'deleted_at',
  'photo_etag',
  'search_text',
  'created_at',
  'updated_at',
] as const;
const UPDATE_COLUMNS = PEOPLE_COLUMNS.filter((c) => !['id', 'manager_id', 'owner_id', 'created_at'].includes(c)) as readonly (keyof PersonRow)[];
const LINK_COLUMNS = ['source', 'external_id', 'person_id', 'dn', 'manager_ref', 'content_hash', 'seen_at'] as const;
function putLink(r: PersonSourcesTable, into: unknown[], at: number): void {
  into[at] = r.source;
  into[at + 1] = r.external_id;
  into[at + 2] = r.person_id;
  into[at + 3] = r.dn;
  into[at + 4] = r.manager_ref;
  into[at + 5] = r.content_hash;
  into[at + 6] = r.seen_at;
}
/**
 * A new person's values in PEOPLE_COLUMNS order, one property read each: read by column name
 * (row[column]) every read is a keyed lookup V8 cannot specialize, 23 per person.
 */
function putPerson(r: NewPerson, into: unknown[], at: number): void {
  into[at] = r.id;
  into[at + 1] = r.kind;
  into[at + 2] = r.display_name;
  into[at + 3] = r.given_name ?? null;
  into[at + 4] = r.surname ?? null;
  into[at + 5] = r.title ?? null;
  into[at + 6] = r.department ?? null;
  into[at + 7] = r.company ?? null;
  into[at + 8] = r.office ?? null;
  into[at + 9] = r.phones;
  into[at + 10] = r.primary_email ?? null;
  into[at + 11] = r.upn ?? null;
  into[at + 12] = r.immutable_id ?? null;
  into[at + 13] = r.manager_id ?? null;
  into[at + 14] = r.owner_id ?? null;
  into[at + 15] = r.groups;
  into[at + 16] = r.disabled;
  into[at + 17] = r.missing_since ?? null;
  into[at + 18] = r.deleted_at ?? null;
  into[at + 19] = r.photo_etag ?? null;
  into[at + 20] = r.search_text;
  into[at + 21] = r.created_at;
  into[at + 22] = r.updated_at;
}
const asBuffer = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * Raw better-sqlite3 prepared statements, one row at a time. Runs on the same connection as
 * Kysely, so inside the caller's Kysely transaction.
 */
export class SqliteBatchStore implements BatchStore {
  static readonly #cache = new WeakMap<BetterSqlite3.Database, Map<string, Stmt>>();
  readonly #stmts: Map<string, Stmt>;

  constructor(private readonly conn: BetterSqlite3.Database) {
    let m = SqliteBatchStore.#cache.get(conn);
    if (!m) SqliteBatchStore.#cache.set(conn, (m = new Map()));
    this.#stmts = m;
  }

  #s(text: string): Stmt {
    let s = this.#stmts.get(text);
    if (!s) this.#stmts.set(text, (s = this.conn.prepare(text)));
    return s;
  }

  /**
   * Runs `head values (…), (…) tail` for many rows: MULTI rows per statement (one call into
   * SQLite instead of MULTI), the remainder one row at a time. Rows are applied in order, as
   * single-row statements would be (SQLite applies a multi-row VALUES row by row).
   */
  #insertMany<R>(head: string, width: number, tail: string, rows: readonly R[], put: (r: R, into: unknown[], at: number) => void): number {
    let changes = 0;
    const tuple = `(${new Array(width).fill('?').join(', ')})`;
    const full = Math.floor(rows.length / MULTI) * MULTI;
    if (full) {
      const q = this.#s(`${head} values ${new Array(MULTI).fill(tuple).join(', ')} ${tail}`);
      const params = new Array<unknown>(MULTI * width);
      for (let i = 0; i < full; i += MULTI) {
        for (let j = 0; j < MULTI; j++) put(rows[i + j], params, j * width);
        changes += q.run(params).changes;
      }
    }
    if (full < rows.length) {
      const q = this.#s(`${head} values ${tuple} ${tail}`);
      const params = new Array<unknown>(width);
      for (let i = full; i < rows.length; i++) {
        put(rows[i], params, 0);
        changes += q.run(params).changes;
      }
    }
    return changes;
  }

  /**
   * `insert or ignore` of rows that should not exist yet; returns how many were ignored. A
   * multi-row INSERT that may abort halfway (a plain one, or an upsert) makes SQLite copy each page
   * it touches to a statement journal first, so that the statement alone can be undone: about
   * 700 MB of copies for a first load of 100,000 people. One that cannot abort needs none.
   */
  #insertNew<R>(table: string, columns: readonly string[], rows: readonly R[], put: (r: R, into: unknown[], at: number) => void): number {
    return rows.length - this.#insertMany(`insert or ignore into ${table} (${columns.join(', ')})`, columns.length, '', rows, put);
  }

  /**
   * Runs `head in (?, …)` (head ends with the column) for `keys`, MULTI keys per statement and the
   * rest one by one, after the fixed parameters `before`; `each` gets every row.
   */
  #selectIn<R>(head: string, before: readonly unknown[], keys: readonly string[], each: (row: R) => void) {
    const full = Math.floor(keys.length / MULTI) * MULTI;
    const b = before.length;
    if (full) {
      const q = this.#s(`${head} in (${new Array(MULTI).fill('?').join(', ')})`);
      const params = [...before, ...new Array<unknown>(MULTI)];
      for (let i = 0; i < full; i += MULTI) {
        for (let j = 0; j < MULTI; j++) params[b + j] = keys[i + j];
        for (const r of q.all(params) as R[]) each(r);
      }
    }
    if (full < keys.length) {
      const q = this.#s(`${head} = ?`);
      for (let i = full; i < keys.length; i++) for (const r of q.all(...before, keys[i]) as R[]) each(r);
    }
  }

  async links(source: string, ids: readonly string[]) {
    const out = new Map<string, ExistingLink>();
    const head =
      'select ps.external_id, ps.person_id, ps.content_hash, p.deleted_at, p.missing_since, p.disabled from person_sources ps join people p on p.id = ps.person_id where ps.source = ? and ps.external_id';
    const full = Math.floor(ids.length / MULTI) * MULTI;
    if (full) {
      const q = this.#s(`${head} in (${new Array(MULTI).fill('?').join(', ')})`);
      const params = new Array<unknown>(MULTI + 1);
      params[0] = source;
      for (let i = 0; i < full; i += MULTI) {
        for (let j = 0; j < MULTI; j++) params[j + 1] = ids[i + j];
        for (const r of q.all(params) as ExistingLink[]) out.set(r.external_id, r);
      }
    }
    const q = this.#s(`${head} = ?`);
    for (let i = full; i < ids.length; i++) {
      const r = q.get(source, ids[i]) as ExistingLink | undefined;
      if (r) out.set(ids[i], r);
    }
    return out;
  }
  async touchSeen(source: string, ids: readonly string[], now: number) {
    const head = 'update person_sources set seen_at = ? where source = ? and external_id';
    const full = Math.floor(ids.length / MULTI) * MULTI;
    if (full) {
      const q = this.#s(`${head} in (${new Array(MULTI).fill('?').join(', ')})`);
      const params = new Array<unknown>(MULTI + 2);
      params[0] = now;
      params[1] = source;
      for (let i = 0; i < full; i += MULTI) {
        for (let j = 0; j < MULTI; j++) params[j + 2] = ids[i + j];
        q.run(params);
      }
    }
    const q = this.#s(`${head} = ?`);
    for (let i = full; i < ids.length; i++) q.run(now, source, ids[i]);
  }
  async clearMissing(personIds: readonly string[]) {
    const q = this.#s('update people set missing_since = null where id = ?');
    for (const id of personIds) q.run(id);
  }
  async joinedByImmutableId(ids: readonly string[]) {
    const q = this.#s('select id from people where immutable_id = ?');
    const out = new Map<string, string>();
    for (const i of ids) {
      const r = q.get(i) as { id: string } | undefined;
      if (r) out.set(i, r.id);
    }
    return out;
  }
  async emailHolders(emails: readonly string[]) {
    const out = new Map<string, string>();
    const full = Math.floor(emails.length / MULTI) * MULTI;
    if (full) {
      const q = this.#s(`select email, person_id from person_emails where email in (${new Array(MULTI).fill('?').join(', ')})`);
      const params = new Array<unknown>(MULTI);
      for (let i = 0; i < full; i += MULTI) {
        for (let j = 0; j < MULTI; j++) params[j] = emails[i + j];
        for (const r of q.all(params) as { email: string; person_id: string }[]) out.set(r.email, r.person_id);
      }
    }
    const q = this.#s('select person_id from person_emails where email = ?');
    for (let i = full; i < emails.length; i++) {
      const r = q.get(emails[i]) as { person_id: string } | undefined;
      if (r) out.set(emails[i], r.person_id);
    }
    return out;
  }
  async smtpJoinCandidates(source: string, emails: readonly string[]) {
    const out = new Map<string, { id: string; immutable_id: string | null }>();
    // MULTI addresses per statement: on a first load every new person asks, and almost none is found.
    this.#selectIn(
      "select e.email, p.id, p.immutable_id from person_emails e join people p on p.id = e.person_id where p.kind = 'person' and p.owner_id is null and p.deleted_at is null and not exists (select 1 from person_sources s where s.person_id = p.id and s.source = ?) and e.email",
      [source],
      emails,
      (r: { email: string; id: string; immutable_id: string | null }) => out.set(r.email, { id: r.id, immutable_id: r.immutable_id }),
    );
    return out;
  }
  async directoryAddresses(emails: readonly string[]) {
    const q = this.#s('select 1 from person_emails e join people p on p.id = e.person_id where e.email = ? and p.owner_id is null and p.deleted_at is null');
    const out = new Set<string>();
    for (const e of emails) if (q.get(e)) out.add(e);
    return out;
  }
  async currentRows(source: string, personIds: readonly string[]) {
    const q = this.#s(
      `select ${CURRENT_COLUMNS.join(', ')}, exists (select 1 from person_sources o where o.person_id = people.id and o.source <> ?) as shared from people where id = ?`,
    );
    const out = new Map<string, CurrentRow>();
    for (const id of personIds) {
      const r = q.get(source, id) as (Omit<CurrentRow, 'shared'> & { shared: number }) | undefined;
      if (r) out.set(id, { ...r, shared: r.shared === 1 });
    }
    return out;
  }
  async insertPeople(rows: readonly NewPerson[]) {
    const ignored = this.#insertNew('people', PEOPLE_COLUMNS, rows, putPerson);
    // Ids are new: a clash is a bug, and failing the transaction is what a plain insert did.
    if (ignored) throw new Error(`people: ${ignored} of ${rows.length} new ids already exist`);
  }
  async updatePerson(id: string, row: Partial<PersonRow>) {
    // Column names come from PersonRow's keys only (checked against the table's columns).
    const columns = UPDATE_COLUMNS.filter((c) => c in row);
    if (columns.length === 0) return;
    const q = this.#s(`update people set ${columns.map((c) => `${c} = ?`).join(', ')} where id = ?`);
    q.run([...columns.map((c) => (row as Record<string, unknown>)[c] ?? null), id]);
  }
  async emailsOf(personIds: readonly string[]) {
    const q = this.#s('select email, is_primary from person_emails where person_id = ?');
    const out = new Map<string, { email: string; is_primary: number }[]>();
    for (const id of personIds) {
      const rows = q.all(id) as { email: string; is_primary: number }[];
      if (rows.length) out.set(id, rows);
    }
    return out;
  }
  async upsertLinks(rows: readonly PersonSourcesTable[]) {
    this.#insertMany(
      `insert into person_sources (${LINK_COLUMNS.join(', ')})`,
      LINK_COLUMNS.length,
      'on conflict (source, external_id) do update set person_id = excluded.person_id, dn = excluded.dn, manager_ref = excluded.manager_ref, content_hash = excluded.content_hash, seen_at = excluded.seen_at',
      rows,
      putLink,
    );
  }
  async insertLinks(rows: readonly PersonSourcesTable[]) {
    // Writing them all again over what was inserted changes nothing: same values.
    if (this.#insertNew('person_sources', LINK_COLUMNS, rows, putLink)) await this.upsertLinks(rows);
  }
  async deleteEmailsOf(personIds: readonly string[]) {
    const q = this.#s('delete from person_emails where person_id = ?');
    for (const id of personIds) q.run(id);
  }
  async insertEmails(rows: readonly { email: string; person_id: string; is_primary: number }[]) {
    // `or ignore`, not `on conflict do nothing`: the same for an address already held (no value is
    // ever null), and it cannot abort, so SQLite keeps no statement journal (see #insertNew).
    this.#insertMany('insert or ignore into person_emails (email, person_id, is_primary)', 3, '', rows, (r, into, at) => {
      into[at] = r.email;
      into[at + 1] = r.person_id;
      into[at + 2] = r.is_primary;
    });
  }
  async deletePhotosOf(personIds: readonly string[]) {
    const q = this.#s('delete from person_photos where person_id = ?');
    for (const id of personIds) q.run(id);
  }
  async upsertPhotos(rows: readonly PersonPhotosTable[]) {
    const q = this.#s(
      'insert into person_photos (person_id, bytes, content_type, etag, updated_at) values (?, ?, ?, ?, ?) on conflict (person_id) do update set bytes = excluded.bytes, content_type = excluded.content_type, etag = excluded.etag, updated_at = excluded.updated_at',
    );
    for (const r of rows) q.run(r.person_id, asBuffer(r.bytes), r.content_type, r.etag, r.updated_at);
  }
  async personIdsByDn(source: string, dns: readonly string[]) {
    const out = new Map<string, string>();
    this.#selectIn('select dn, person_id from person_sources where source = ? and dn', [source], dns, (r: { dn: string; person_id: string }) => {
      if (!out.has(r.dn)) out.set(r.dn, r.person_id);
    });
    return out;
  }
  async personIdsByExternalId(source: string, ids: readonly string[]) {
    const q = this.#s('select person_id from person_sources where source = ? and external_id = ?');
    const out = new Map<string, string>();
    for (const id of ids) {
      const r = q.get(source, id) as { person_id: string } | undefined;
      if (r) out.set(id, r.person_id);
    }
    return out;
  }
  async setManagers(pairs: readonly (readonly [string, string | null])[]) {
    const q = this.#s('update people set manager_id = ? where id = ?');
    for (const [id, m] of pairs) q.run(m, id);
  }
}
