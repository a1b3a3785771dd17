import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { allMigrations } from '../../api/features.js';
import type { Config } from '../../core/config/index.js';
import { openStore, runMigrations, type Store } from '../../core/store/index.js';
import { DirectoryWriter, StoreDirectoryReader, type DirectoryTables } from '../../directory-sync/directory/index.js';
import { person } from '../support/entries.js';
import { createTempDatabase } from '../support/postgres.js';

// The same store behaviour must hold on both dialects: the embedded default and the scale mode.
const dialects: [string, () => Promise<{ database: Config['database']; cleanup(): Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'op-store-'));
      return { database: { kind: 'sqlite', file: path.join(dir, 's.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'postgres',
    async () => {
      const db = await createTempDatabase('store');
      return { database: { kind: 'postgres', url: db.url }, cleanup: () => db.drop() };
    },
  ],
];

describe.each(dialects)('store on %s', (_name, make) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const made = await make();
    cleanup = made.cleanup;
    store = await openStore(made.database);
    await runMigrations(store, allMigrations);
  });
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  it('applies migrations once and records them', async () => {
    expect(await runMigrations(store, allMigrations)).toEqual([]);
    const rows = await store.db.selectFrom('schema_migrations').select('name').execute();
    expect(rows.map((r: { name: string }) => r.name)).toEqual(allMigrations.map((m) => m.name));
  });

  it('refuses duplicate migration names', async () => {
    await expect(runMigrations(store, [allMigrations[0], allMigrations[0]])).rejects.toThrow(/duplicate migration/);
  });

  it('rolls back a failing migration', async () => {
    const failing = {
      name: 'test.999-fails',
      up: async (db: Kysely<never>) => {
        await db.schema.createTable('half_done').addColumn('x', 'integer').execute();
        throw new Error('boom');
      },
    };
    await expect(runMigrations(store, [...allMigrations, failing])).rejects.toThrow('boom');
    const rows = await store.db.selectFrom('schema_migrations').select('name').where('name', '=', 'test.999-fails').execute();
    expect(rows).toHaveLength(0);
  });

  it('round-trips people, aliases (case-insensitive), photos and managers', async () => {
    const db = store.db as Kysely<DirectoryTables>;
    const writer = new DirectoryWriter('test');
    const photo = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await db.transaction().execute(async (trx) => {
      await writer.upsert(trx, person('carol.chen', { aliases: ['cc@contoso.test'], photo }));
      await writer.upsert(trx, person('dan.diaz', { manager: { dn: 'cn=Carol Chen,ou=people,dc=contoso,dc=test' } }));
      await writer.resolveManagers(trx);
    });
    const reader = new StoreDirectoryReader(store);
    const found = await reader.lookupEmails(['CC@Contoso.Test', 'dan.diaz@contoso.test', 'x@y.z']);
    expect([...found.values()].map((p) => p?.displayName ?? null)).toEqual(['Carol Chen', 'Dan Diaz', null]);
    const carol = found.get('CC@Contoso.Test')!;
    const got = await reader.getPhoto(carol.id);
    expect(Buffer.from(got!.bytes)).toEqual(Buffer.from(photo));
    expect(got!.contentType).toBe('image/png');
    const dan = await reader.getCard(found.get('dan.diaz@contoso.test')!.id);
    expect(dan!.managerChain.map((m) => m.displayName)).toEqual(['Carol Chen']);
  });

  it('keeps the same person across a rename (keyed by external id)', async () => {
    const db = store.db as Kysely<DirectoryTables>;
    const writer = new DirectoryWriter('test');
    const before = await new StoreDirectoryReader(store).lookupEmails(['carol.chen@contoso.test']);
    const r = await writer.upsert(
      db,
      person('carol.chen', { displayName: 'Carol Chen-Ng', dn: 'cn=Carol Chen-Ng,ou=moved,dc=contoso,dc=test', aliases: ['cc@contoso.test'] }),
    );
    expect(r.outcome).toBe('updated');
    expect(r.personId).toBe(before.get('carol.chen@contoso.test')!.id);
  });
});

describe('PostgreSQL closing idle connections', () => {
  it('does not crash the process: the pool reports it and the next query reconnects', async () => {
    const temp = await createTempDatabase('store_kill');
    const reported: Error[] = [];
    const store = await openStore({ kind: 'postgres', url: temp.url }, { onConnectionError: (err) => reported.push(err) });
    try {
      await runMigrations(store, allMigrations);
      // Same as a server restart for this database: every backend connected to it is terminated.
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: temp.url.replace(/\/[^/]+$/, '/postgres') });
      await admin.connect();
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [temp.name]);
      await admin.end();
      await new Promise((r) => setTimeout(r, 200));
      expect(reported.length).toBeGreaterThan(0);
      const rows = await store.db.selectFrom('schema_migrations').select('name').execute();
      expect(rows.length).toBe(allMigrations.length);
    } finally {
      await store.close();
      await temp.drop();
    }
  });
});

describe('PostgreSQL replicas starting together on a new database', () => {
  it('migrate it once, none failing: the migrations table is created under the lock', async () => {
    // Several rounds: the race on CREATE TABLE IF NOT EXISTS lost about half of its tries.
    for (let round = 0; round < 5; round++) {
      const temp = await createTempDatabase('store_race');
      const stores = await Promise.all([1, 2, 3, 4].map(() => openStore({ kind: 'postgres', url: temp.url })));
      try {
        const applied = await Promise.all(stores.map((s) => runMigrations(s, allMigrations)));
        // One process applied everything, the others found it done.
        expect(applied.map((a) => a.length).sort((x, y) => x - y)).toEqual([0, 0, 0, allMigrations.length]);
      } finally {
        for (const s of stores) await s.close();
        await temp.drop();
      }
    }
  });
});
