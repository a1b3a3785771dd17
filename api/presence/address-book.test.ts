import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { openStore, runMigrations, type Store } from '../../core/store/index.js';
import { DirectoryWriter, StoreDirectoryReader, directoryMigrations, type DirectoryTables } from '../../directory-sync/directory/index.js';
import { person } from '../../test/support/entries.js';
import { AddressBook } from './address-book.js';

let store: Store;
let reader: StoreDirectoryReader;
/** What reached the real directory reader: the cache's misses. */
const asked: string[][] = [];

beforeAll(async () => {
  store = await openStore({ kind: 'sqlite', file: ':memory:' });
  await runMigrations(store, directoryMigrations);
  const writer = new DirectoryWriter('test');
  await (store.db as Kysely<DirectoryTables>).transaction().execute(async (trx) => {
    for (const p of [person('ada.lovelace', { aliases: ['ada@contoso.test'] }), person('alan.turing')]) await writer.upsert(trx, p);
  });
  const real = new StoreDirectoryReader(store);
  reader = Object.assign(Object.create(real) as StoreDirectoryReader, {
    lookupEmails: (emails: readonly string[]) => {
      asked.push([...emails]);
      return real.lookupEmails(emails);
    },
  });
});
afterAll(() => store.close());

describe('AddressBook', () => {
  it('resolves aliases and any case in input order, and asks the directory only once per address', async () => {
    let now = 1_000;
    const book = new AddressBook(reader, { now: () => now });
    asked.length = 0;
    const first = await book.resolveEach(['ADA@contoso.test', ' alan.turing@contoso.test ', 'nobody@contoso.test', 'ada.lovelace@contoso.test']);
    expect(first.map((p) => p?.displayName ?? null)).toEqual(['Ada Lovelace', 'Alan Turing', null, 'Ada Lovelace']);
    expect(asked).toHaveLength(1);
    const again = await book.resolveEach(['ada@CONTOSO.test', 'alan.turing@contoso.test', 'nobody@contoso.test']);
    expect(again.map((p) => p?.id ?? null)).toEqual([first[0]!.id, first[1]!.id, null]);
    expect(asked).toHaveLength(1);
    // Unknown addresses are re-checked after the short negative TTL, known ones are not.
    now += 30_000;
    await book.resolveEach(['nobody@contoso.test', 'ada@contoso.test']);
    expect(asked.at(-1)).toEqual(['nobody@contoso.test']);
  });

  it('a flood of unknown addresses does not evict the known ones', async () => {
    const book = new AddressBook(reader, { maxEntries: 100, maxNegativeEntries: 100 });
    await book.resolveEach(['ada@contoso.test', 'alan.turing@contoso.test']);
    asked.length = 0;
    for (let i = 0; i < 10; i++) await book.resolveEach(Array.from({ length: 50 }, (_, k) => `made.up.${i}.${k}@nowhere.test`));
    expect(asked).toHaveLength(10);
    await book.resolveEach(['ada@contoso.test', 'alan.turing@contoso.test']);
    expect(asked).toHaveLength(10);
  });

  it('resolve() keeps its map shape for the subscription hub', async () => {
    const book = new AddressBook(reader);
    const found = await book.resolve(['Ada@contoso.test', 'x@nowhere.test']);
    expect(found.get('Ada@contoso.test')?.displayName).toBe('Ada Lovelace');
    expect(found.get('x@nowhere.test')).toBeNull();
  });
});
