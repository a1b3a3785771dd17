import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { KyselyBatchStore, SqliteBatchStore, type BatchStore, type Db, type NewPerson } from './batch-store.js';
import { tempStore } from './test-helpers.js';

/** A person with a value of its own in every column, so a value written to the wrong column shows. */
function everyColumn(id: string): NewPerson {
  return {
    id,
    kind: 'contact',
    display_name: 'display',
    given_name: 'given',
    surname: 'sur',
    title: 'title',
    department: 'dept',
    company: 'company',
    office: 'office',
    phones: '[{"type":"mobile","number":"1"}]',
    primary_email: `${id}@example.test`,
    upn: `${id}@corp.test`,
    immutable_id: `imm-${id}`,
    manager_id: 'mgr',
    owner_id: 'owner',
    groups: '["g"]',
    disabled: 1,
    missing_since: 11,
    deleted_at: 12,
    photo_etag: 'etag',
    search_text: 'search',
    created_at: 13,
    updated_at: 14,
  };
}

describe('batch stores insert every column of a new person where it belongs', () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  beforeAll(async () => {
    store = await tempStore();
  });
  afterAll(() => store.dispose());

  const stores: [string, () => BatchStore][] = [
    ['raw SQLite statements', () => new SqliteBatchStore(store.sqlite!)],
    ['Kysely', () => new KyselyBatchStore(store.db as unknown as Db)],
  ];
  it.each(stores)('%s: one row and a multi-row statement', async (name, make) => {
    // 40 people: one multi-row statement of 32 and single-row statements for the rest.
    const rows = Array.from({ length: 40 }, (_, i) => everyColumn(`${name.length}-${i}`));
    await make().insertPeople(rows);
    for (const row of [rows[0]!, rows[39]!]) {
      const stored = await sql<NewPerson>`select * from people where id = ${row.id}`.execute(store.db);
      expect(stored.rows[0]).toEqual(row);
    }
  });
});
