// The engine's store behaviour on both dialects: SQLite (file) and PostgreSQL (a database of its
// own, dropped after). Same scenarios, same expectations.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import type { Store } from '../../core/store/index.js';
import { StoreDirectoryReader, type DirectoryTables } from '../../directory-sync/directory/index.js';
import { entry, personBySource, snapshot, tempStore } from '../../directory-sync/engine/test-helpers.js';
import type { SyncTables } from '../../directory-sync/engine/index.js';
import { MemorySource, runSync, StoreLease, SyncBusyError } from '../../directory-sync/index.js';
import { createTempDatabase } from '../support/postgres.js';

type TestStore = Store & { dispose(): Promise<void> };

const dialects: [string, () => Promise<{ open: () => Promise<TestStore>; drop: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const s = await tempStore();
      return { open: async () => s, drop: () => s.dispose() };
    },
  ],
  [
    'postgres',
    async () => {
      const pg = await createTempDatabase('sync');
      const opened: TestStore[] = [];
      return {
        open: async () => {
          const s = await tempStore(pg.url);
          opened.push(s);
          return s;
        },
        drop: async () => {
          for (const s of opened) await s.dispose();
          await pg.drop();
        },
      };
    },
  ],
];

const BOSS_DN = 'uid=boss,ou=people,dc=example,dc=test';
function directory(n = 60): MemorySource {
  const src = new MemorySource('memory', 8);
  src.set(entry('boss', { title: 'CEO', photo: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]) }));
  for (let i = 1; i <= n; i++) src.set(entry(i, { manager: { dn: BOSS_DN }, aliases: i % 3 === 0 ? [`alias${i}@example.test`] : [], groups: ['Staff'] }));
  return src;
}

describe.each(dialects)('sync engine on %s', (_name, setup) => {
  let env: Awaited<ReturnType<typeof setup>>;
  let store: TestStore;
  beforeAll(async () => {
    env = await setup();
    store = await env.open();
  });
  afterAll(() => env.drop());
  const link = (externalId: string) => personBySource(store, externalId);

  it('loads, keeps people across renames, resolves managers, stores photo bytes', async () => {
    const src = directory();
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok', added: 61 });
    const before = await link('uuid-user0007');
    src.set(entry(7, { dn: 'uid=seven,ou=moved,dc=example,dc=test', displayName: 'Seven Renamed', manager: { dn: BOSS_DN } }));
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok', updated: 1, added: 0 });
    const after = await link('uuid-user0007');
    expect(after).toMatchObject({ id: before!.id, display_name: 'Seven Renamed', manager_id: (await link('uuid-boss'))!.id });
    const reader = new StoreDirectoryReader(store);
    const photo = await reader.getPhoto((await link('uuid-boss'))!.id);
    expect(photo?.contentType).toBe('image/png');
    expect([...photo!.bytes]).toEqual([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    expect((await reader.lookupEmails(['ALIAS9@example.test'])).get('ALIAS9@example.test')?.email).toBe('user0009@example.test');
  });

  it('two-phase deletion within the cap, blocked over it', async () => {
    const src = directory();
    await runSync(src, { store, full: true });
    src.remove('uuid-user0001', 'uuid-user0002');
    expect(await runSync(src, { store, limits: { graceSeconds: 3600 } })).toMatchObject({ status: 'ok', missing: 2, deleted: 0 });
    expect(await runSync(src, { store, limits: { graceSeconds: 0 } })).toMatchObject({ status: 'ok', missing: 0, deleted: 2 });
    for (let i = 10; i <= 20; i++) src.remove(`uuid-user${String(i).padStart(4, '0')}`);
    const blocked = await runSync(src, { store });
    expect(blocked).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 11, missing: 0 });
    expect((await link('uuid-user0010'))?.missing_since).toBeNull();
    expect(await runSync(src, { store, allowDeletes: true })).toMatchObject({ status: 'ok', missing: 11, deleted: 11 });
  });

  it('a run killed between batches and rerun converges to the uninterrupted result; dry runs change nothing', async () => {
    // Reference: the same source run uninterrupted into a fresh SQLite store.
    const reference = await tempStore();
    try {
      await runSync(directory(40), { store: reference });
      const src = directory(40);
      for (const t of ['people', 'person_sources', 'person_emails', 'person_photos', 'sync_state'] as const)
        await (store.db as Kysely<Record<string, object>>).deleteFrom(t).execute();
      const ac = new AbortController();
      const killed = await runSync(src, { store, signal: ac.signal, onBatch: (i) => i === 2 && ac.abort() });
      expect(killed.status).toBe('aborted');
      const before = await snapshot(store);
      const plan = await runSync(src, { store, dryRun: true });
      expect(plan).toMatchObject({ dryRun: true, status: 'ok' });
      expect(await snapshot(store)).toEqual(before);
      expect((await runSync(src, { store })).status).toBe('ok');
      expect(await snapshot(store)).toEqual(await snapshot(reference));
    } finally {
      await reference.dispose();
    }
  });

  it('runs never overlap across processes: a second connection cannot take the lease', async () => {
    const other = await env.open();
    const lease = new StoreLease(other, 'directory-sync', 'elsewhere:77:x');
    await lease.acquire('their-run');
    try {
      await expect(runSync(directory(), { store })).rejects.toBeInstanceOf(SyncBusyError);
    } finally {
      await lease.release();
    }
    expect((await runSync(directory(), { store })).status).toBe('ok');
  });

  it('a pass that reads nobody of a source whose people another source also has keeps its links (capped like deletions)', async () => {
    const a = new MemorySource('hybrid-a', 8);
    const b = new MemorySource('hybrid-b', 8);
    for (let i = 1001; i <= 1020; i++) {
      a.set(entry(i));
      b.set(entry(i, { externalId: `b-${i}` }));
    }
    expect(await runSync(a, { store })).toMatchObject({ status: 'ok', added: 20 });
    expect(await runSync(b, { store })).toMatchObject({ status: 'ok', added: 0 });
    const linksOfA = async () =>
      (await (store.db as Kysely<DirectoryTables>).selectFrom('person_sources').where('source', '=', 'hybrid-a').select('external_id').execute()).length;
    expect(await runSync(new MemorySource('hybrid-a'), { store, full: true })).toMatchObject({
      status: 'deletions_blocked',
      blockedDeletions: 20,
      missing: 0,
      unlinked: 0,
    });
    expect(await linksOfA()).toBe(20);
    // Tombstones of shared people, within the cap: only the links go, the people stay.
    a.remove('uuid-user1001', 'uuid-user1002');
    expect(await runSync(a, { store })).toMatchObject({ status: 'ok', mode: 'full', unlinked: 2, missing: 0, deleted: 0 });
    expect(await linksOfA()).toBe(18);
    expect((await link('b-1001'))?.deleted_at).toBeNull();
  });

  it('someone a full pass did not see is purged by a later complete full pass only; a tombstone by any run after the grace period', async () => {
    const src = new MemorySource('acl', 8);
    for (let i = 2001; i <= 2030; i++) src.set(entry(i));
    const limits = { graceSeconds: 0.3 };
    await runSync(src, { store, limits });
    src.hidden.add('uuid-user2030');
    expect(await runSync(src, { store, full: true, limits })).toMatchObject({ status: 'ok', missing: 1, deleted: 0 });
    src.remove('uuid-user2029');
    expect(await runSync(src, { store, limits })).toMatchObject({ status: 'ok', mode: 'incremental', missing: 1, deleted: 0 });
    await new Promise((r) => setTimeout(r, 350));
    // Both past the grace period: the incremental run purges the tombstoned one only.
    expect(await runSync(src, { store, limits })).toMatchObject({ status: 'ok', mode: 'incremental', deleted: 1 });
    expect((await link('uuid-user2029'))?.deleted_at).not.toBeNull();
    expect(await link('uuid-user2030')).toMatchObject({ deleted_at: null, missing_since: expect.anything() });
    const pending = await (store.db as Kysely<SyncTables>).selectFrom('sync_pending_deletes').where('source', '=', 'acl').select('external_id').execute();
    expect(pending).toEqual([]);
    expect(await runSync(src, { store, full: true, limits })).toMatchObject({ status: 'ok', mode: 'full', deleted: 1 });
    expect((await link('uuid-user2030'))?.deleted_at).not.toBeNull();
  });

  it('a full pass the source disowns ends incomplete and deletes nobody', async () => {
    const src = new MemorySource('disowned', 8);
    for (let i = 3001; i <= 3010; i++) src.set(entry(i));
    await runSync(src, { store });
    src.remove('uuid-user3001');
    src.incompleteFull = { needsFull: 'the connection moved to another domain controller' };
    expect(await runSync(src, { store, full: true })).toMatchObject({ status: 'incomplete', mode: 'full', missing: 0, deleted: 0 });
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok', mode: 'full', missing: 1, deleted: 1 });
  });
});
