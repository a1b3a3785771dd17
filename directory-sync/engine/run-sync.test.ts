import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Store } from '../../core/store/index.js';
import type { DirectoryTables } from '../directory/tables.js';
import { StoreDirectoryReader } from '../directory/directory-reader.js';
import { LdifSource } from '../sources/ldif/index.js';
import { changedColumns } from './batch-applier.js';
import { SyncBusyError, StoreLease } from './lease.js';
import { MemorySource } from './memory-source.js';
import { runSync } from './run-sync.js';
import type { SyncTables } from './tables.js';
import { entry, ldifPeople, personBySource, snapshot, tempStore } from './test-helpers.js';

let store: Store & { dispose(): Promise<void> };
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.dispose());

const db = () => store.db as Kysely<DirectoryTables & SyncTables>;
const personOf = (externalId: string) => personBySource(store, externalId);

/** A small organisation: 1 boss, 50 reports of the boss. */
function org(source = new MemorySource('memory', 10)): MemorySource {
  source.set(entry('boss', { title: 'CEO' }));
  for (let i = 1; i <= 50; i++) source.set(entry(i, { manager: { dn: 'uid=boss,ou=people,dc=example,dc=test' } }));
  return source;
}

describe('runSync: upserts', () => {
  it('loads everything on the first run, resolves managers and aliases', async () => {
    const src = org();
    src.set(entry(7, { aliases: ['seven@example.test', 'SEVEN2@Example.test'], manager: { dn: 'UID=boss, OU=people,dc=example,dc=test' } }));
    const r = await runSync(src, { store });
    expect(r).toMatchObject({ status: 'ok', mode: 'full', added: 51, updated: 0, entries: 51 });
    const reader = new StoreDirectoryReader(store);
    const found = await reader.lookupEmails(['Seven2@example.TEST']);
    const seven = found.get('Seven2@example.TEST');
    expect(seven?.email).toBe('user0007@example.test');
    const card = await reader.getCard(seven!.id);
    expect(card?.managerChain.map((m) => m.email)).toEqual(['boss@example.test']);
    const runs = await db().selectFrom('sync_runs').selectAll().execute();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'ok', added: 51 });
  });

  it('an unchanged incremental pass changes nothing; a rename or move keeps the same person', async () => {
    const src = org();
    await runSync(src, { store });
    const before = await personOf('uuid-user0003');
    const again = await runSync(src, { store });
    expect(again).toMatchObject({ status: 'ok', mode: 'incremental', entries: 0, added: 0, updated: 0 });

    // Rename and OU move of the boss: reports still point at the boss through the new DN.
    src.set(entry('boss', { dn: 'uid=boss,ou=moved,dc=example,dc=test', displayName: 'The Boss', title: 'CEO' }));
    for (let i = 1; i <= 50; i++) src.set(entry(i, { manager: { dn: 'uid=boss,ou=moved,dc=example,dc=test' } }));
    src.set(
      entry(3, {
        displayName: 'Renamed Three',
        primaryEmail: 'three@example.test',
        dn: 'uid=three,ou=other,dc=example,dc=test',
        manager: { dn: 'uid=boss,ou=moved,dc=example,dc=test' },
      }),
    );
    const r = await runSync(src, { store });
    expect(r).toMatchObject({ status: 'ok', added: 0, updated: 51 });
    const after = await personOf('uuid-user0003');
    expect(after?.id).toBe(before?.id);
    expect(after?.display_name).toBe('Renamed Three');
    const boss = await personOf('uuid-boss');
    expect(after?.manager_id).toBe(boss?.id);
    expect(await new StoreDirectoryReader(store).emailsOf(after!.id)).toEqual(['three@example.test']);
  });

  it('resolves a manager that arrives in a later batch', async () => {
    const src = new MemorySource('memory', 2);
    src.set(entry(1, { manager: { dn: 'uid=zed,ou=people,dc=example,dc=test' } }), entry(2), entry(3), entry('zed'));
    await runSync(src, { store });
    const one = await personOf('uuid-user0001');
    expect(one?.manager_id).toBe((await personOf('uuid-zed'))?.id);
  });

  it('a manager resolved after a kill: the rerun links the report even with nothing new to read', async () => {
    const src = new MemorySource('memory', 1);
    src.set(entry(1));
    await runSync(src, { store });
    src.set(entry(2, { manager: { dn: 'uid=zed,ou=people,dc=example,dc=test' } }), entry('zed'));
    const ac = new AbortController();
    // Both pages commit (the report, then its manager); the run dies before its final step.
    expect((await runSync(src, { store, signal: ac.signal, onBatch: (i) => i === 1 && ac.abort() })).status).toBe('aborted');
    expect((await personOf('uuid-user0002'))?.manager_id).toBeNull();
    const rerun = await runSync(src, { store });
    expect(rerun).toMatchObject({ status: 'ok', entries: 0 });
    expect((await personOf('uuid-user0002'))?.manager_id).toBe((await personOf('uuid-zed'))?.id);
  });

  it('skips or trims bad entries with warnings and goes on', async () => {
    const src = new MemorySource('memory', 10);
    src.set(
      entry(1),
      entry(2, { primaryEmail: null, aliases: [] }),
      entry(3, { primaryEmail: 'not an address', aliases: ['ok3@example.test'] }),
      entry(4, { photo: new Uint8Array(100 * 1024 + 1) }),
      entry(5, { aliases: ['user0001@example.test', 'five@example.test'] }),
      entry(6, { primaryEmail: 'user0001@example.test' }),
      entry(7, { displayName: 'x'.repeat(1000) }),
    );
    const r = await runSync(src, { store });
    expect(r.status).toBe('ok');
    expect(r.added).toBe(5);
    expect(r.skipped).toBe(2);
    const text = r.warnings.join('\n');
    expect(text).toMatch(/uid=user0002.*no e-mail address, skipped/);
    expect(text).toMatch(/invalid address "not an address"/);
    expect(text).toMatch(/photo of 102401 bytes is over 102400, dropped/);
    expect(text).toMatch(/address user0001@example.test already belongs to another person/);
    expect(text).toMatch(/displayName longer than 256/);
    expect((await personOf('uuid-user0003'))?.primary_email).toBe('ok3@example.test');
    expect((await personOf('uuid-user0004'))?.photo_etag).toBeNull();
    expect(await new StoreDirectoryReader(store).emailsOf((await personOf('uuid-user0005'))!.id)).toEqual(['user0005@example.test', 'five@example.test']);
    expect(await personOf('uuid-user0006')).toBeUndefined();
  });

  it('an address handed from one person to another in the same pass follows it', async () => {
    const src = new MemorySource('memory', 10);
    src.set(entry(1, { aliases: ['shared@example.test'] }), entry(2));
    await runSync(src, { store });
    src.set(entry(2, { aliases: ['shared@example.test'] }), entry(1));
    const r = await runSync(src, { store });
    expect(r.warningCount).toBe(0);
    const found = await new StoreDirectoryReader(store).lookupEmails(['shared@example.test']);
    expect(found.get('shared@example.test')?.email).toBe('user0002@example.test');
  });

  it('an update writes what changed only: an unchanged photo and unchanged addresses keep their rows', async () => {
    const src = new MemorySource('memory', 10);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    src.set(entry(1, { aliases: ['one@example.test'], photo: jpeg }));
    await runSync(src, { store });
    const rows = async () => ({
      photo: await db().selectFrom('person_photos').select(['etag', 'updated_at']).executeTakeFirstOrThrow(),
      emails: (await db().selectFrom('person_emails').select(['email', 'is_primary']).orderBy('email').execute()).map(
        (e) => `${e.email}${e.is_primary ? '*' : ''}`,
      ),
    });
    const before = await rows();
    await new Promise((r) => setTimeout(r, 5));
    src.set(entry(1, { aliases: ['one@example.test'], photo: jpeg, title: 'Lead' }));
    expect(await runSync(src, { store })).toMatchObject({ updated: 1 });
    expect(await rows()).toEqual(before);
    expect((await personOf('uuid-user0001'))!.title).toBe('Lead');
    // A new photo and a new primary address are written.
    src.set(entry(1, { primaryEmail: 'one@example.test', aliases: ['user0001@example.test'], photo: new Uint8Array([0xff, 0xd8, 9]) }));
    await runSync(src, { store });
    const after = await rows();
    expect(after.photo.etag).not.toBe(before.photo.etag);
    expect(after.emails).toEqual(['one@example.test*', 'user0001@example.test']);
  });

  it('a link left without its person row is written again for the entry, over the old one', async () => {
    const src = org();
    await runSync(src, { store });
    const gone = (await personOf('uuid-user0004'))!.id;
    await db().deleteFrom('people').where('id', '=', gone).execute();
    await db().deleteFrom('person_emails').where('person_id', '=', gone).execute();
    // Among new links, this one already exists: the batch falls back to the upsert instead of failing.
    expect(await runSync(src, { store, full: true })).toMatchObject({ status: 'ok', added: 1, unchanged: 50 });
    const again = await personOf('uuid-user0004');
    expect(again).toMatchObject({ primary_email: 'user0004@example.test' });
    expect(again!.id).not.toBe(gone);
    const links = await db().selectFrom('person_sources').select('person_id').where('external_id', '=', 'uuid-user0004').execute();
    expect(links).toEqual([{ person_id: again!.id }]);
  });

  it('a new manager is written on an update; an unchanged one stays', async () => {
    const src = org();
    await runSync(src, { store });
    const boss = (await personOf('uuid-boss'))!.id;
    expect((await personOf('uuid-user0001'))!.manager_id).toBe(boss);
    src.set(entry(1, { manager: { dn: 'uid=user0002,ou=people,dc=example,dc=test' } }));
    src.set(entry(3, { manager: { dn: 'uid=boss,ou=people,dc=example,dc=test' }, title: 'Lead' }));
    expect(await runSync(src, { store })).toMatchObject({ updated: 2 });
    expect((await personOf('uuid-user0001'))!.manager_id).toBe((await personOf('uuid-user0002'))!.id);
    expect((await personOf('uuid-user0003'))!.manager_id).toBe(boss);
  });

  it('changedColumns: only the columns that differ from the stored row, and updated_at', () => {
    const row = { title: 'Lead', upn: 'a@x', disabled: 0, missing_since: null, updated_at: 5 } as unknown as Parameters<typeof changedColumns>[0];
    const current = { title: 'Engineer', upn: 'a@x', disabled: 0, missing_since: 3 } as unknown as Parameters<typeof changedColumns>[1];
    expect(changedColumns(row, current)).toEqual({ title: 'Lead', missing_since: null, updated_at: 5 });
    expect(changedColumns(row, undefined)).toBe(row);
  });

  it('counts accounts that become disabled', async () => {
    const src = org();
    await runSync(src, { store });
    src.set(entry(4, { disabled: true, manager: { dn: 'uid=boss,ou=people,dc=example,dc=test' } }));
    const r = await runSync(src, { store });
    expect(r).toMatchObject({ updated: 1, disabled: 1 });
    expect((await personOf('uuid-user0004'))?.disabled).toBe(1);
  });
});

describe('runSync: deletions', () => {
  it('two-phase: tombstones mark missing, the grace period then purges', async () => {
    const src = org();
    await runSync(src, { store, limits: { graceSeconds: 0.3 } });
    src.remove('uuid-user0001', 'uuid-user0002');
    const r1 = await runSync(src, { store, limits: { graceSeconds: 0.3 } });
    expect(r1).toMatchObject({ status: 'ok', missing: 2, deleted: 0 });
    const p = await personOf('uuid-user0001');
    expect(p?.missing_since).not.toBeNull();
    expect(p?.deleted_at).toBeNull();
    // The tombstones stay until the purge: they are what lets an incremental run purge.
    const pending = async () => (await db().selectFrom('sync_pending_deletes').select('external_id').execute()).length;
    expect(await pending()).toBe(2);
    await new Promise((r) => setTimeout(r, 350));
    const r2 = await runSync(src, { store, limits: { graceSeconds: 0.3 } });
    expect(r2).toMatchObject({ status: 'ok', mode: 'incremental', missing: 0, deleted: 2 });
    expect(await pending()).toBe(0);
    expect((await personOf('uuid-user0001'))?.deleted_at).not.toBeNull();
    expect((await new StoreDirectoryReader(store).lookupEmails(['user0001@example.test'])).get('user0001@example.test')).toBeNull();
  });

  it('an entry that comes back before the purge is live again, same person', async () => {
    const src = org();
    await runSync(src, { store, limits: { graceSeconds: 3600 } });
    const id = (await personOf('uuid-user0009'))?.id;
    src.remove('uuid-user0009');
    expect(await runSync(src, { store, limits: { graceSeconds: 3600 } })).toMatchObject({ missing: 1, deleted: 0 });
    src.set(entry(9, { manager: { dn: 'uid=boss,ou=people,dc=example,dc=test' } }));
    await runSync(src, { store, limits: { graceSeconds: 3600 } });
    const back = await personOf('uuid-user0009');
    expect(back).toMatchObject({ id, missing_since: null, deleted_at: null });
  });

  it('reconciles at the end of a complete full pass: entries not seen are deleted', async () => {
    const src = org();
    await runSync(src, { store });
    // Entries vanish without a tombstone (LDAP): only a full pass can notice.
    const gone = new MemorySource('memory', 10);
    for (const e of [src.get('uuid-boss')!, ...Array.from({ length: 48 }, (_, i) => src.get(`uuid-user${String(i + 1).padStart(4, '0')}`)!)]) gone.set(e);
    const r = await runSync(gone, { store, full: true });
    expect(r).toMatchObject({ status: 'ok', mode: 'full', missing: 2, deleted: 2 });
    expect((await personOf('uuid-user0050'))?.deleted_at).not.toBeNull();
    expect((await personOf('uuid-user0048'))?.deleted_at).toBeNull();
  });

  it('a failed or partial read deletes nobody, and the next run completes', async () => {
    const src = org();
    await runSync(src, { store });
    src.remove('uuid-user0010', 'uuid-user0011');
    src.failAfterBatches = 1;
    const failed = await runSync(src, { store, full: true });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/connection lost/);
    expect(failed).toMatchObject({ missing: 0, deleted: 0 });
    expect(await personOf('uuid-user0010')).toMatchObject({ missing_since: null, deleted_at: null });
    // The interrupted full pass is redone, and this time it reconciles.
    const next = await runSync(src, { store });
    expect(next).toMatchObject({ status: 'ok', mode: 'full', missing: 2, deleted: 2 });
  });

  it('a timed-out read deletes nobody', async () => {
    const src = org();
    await runSync(src, { store });
    const slow = {
      name: 'memory',
      async *read() {
        yield { upserts: [entry('boss')], deletes: ['uuid-user0001', 'uuid-user0002'] };
        await new Promise((r) => setTimeout(r, 500));
        return { complete: true };
      },
    };
    const r = await runSync(slow, { store, full: true, timeoutMs: 100 });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/timed out/);
    expect(await db().selectFrom('people').where('missing_since', 'is not', null).selectAll().execute()).toHaveLength(0);
  });

  it('a stored person whose entry turns bad is kept as stored, and no full pass deletes them for it', async () => {
    const src = new MemorySource('memory', 25);
    for (let i = 1; i <= 30; i++) src.set(entry(i));
    await runSync(src, { store });
    const stored = async (id: string) =>
      db()
        .selectFrom('people')
        .innerJoin('person_sources', 'person_sources.person_id', 'people.id')
        .where('person_sources.external_id', '=', id)
        .select(['people.title', 'people.primary_email', 'people.deleted_at', 'people.missing_since'])
        .executeTakeFirstOrThrow();
    const addressesOf = async (email: string) => (await db().selectFrom('person_emails').where('email', '=', email).select('email').execute()).length;
    // user0001's address becomes invalid; user0002 takes user0003's address (already held).
    src.set(entry(1, { primaryEmail: 'not an address', title: 'Broken' }));
    src.set(entry(2, { primaryEmail: 'user0003@example.test', title: 'Claims another address' }));
    const r = await runSync(src, { store, full: true });
    expect(r).toMatchObject({ status: 'ok', skipped: 2, missing: 0, deleted: 0 });
    expect(r.warnings.join(' ')).toMatch(/already belongs to another person/);
    expect(await stored('uuid-user0001')).toMatchObject({ title: 'Engineer', primary_email: 'user0001@example.test', deleted_at: null, missing_since: null });
    expect(await addressesOf('user0001@example.test')).toBe(1);
    // user0002 keeps its own address while its change waits; user0003 keeps theirs.
    expect(await stored('uuid-user0002')).toMatchObject({ title: 'Engineer', primary_email: 'user0002@example.test' });
    expect(await addressesOf('user0002@example.test')).toBe(1);
    expect(await stored('uuid-user0003')).toMatchObject({ primary_email: 'user0003@example.test' });
    // Another full pass with the same bad entries: still nobody missing or deleted.
    expect(await runSync(src, { store, full: true })).toMatchObject({ status: 'ok', missing: 0, deleted: 0 });
    expect(await stored('uuid-user0001')).toMatchObject({ deleted_at: null, missing_since: null });
    expect(await stored('uuid-user0002')).toMatchObject({ deleted_at: null, missing_since: null });
    // Fixed in the source: applied on the next pass.
    src.set(entry(1, { title: 'Fixed' }));
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok' });
    expect(await stored('uuid-user0001')).toMatchObject({ title: 'Fixed' });
  });

  it('over the cap: applies none of the deletions, reports them, and waits for allowDeletes', async () => {
    const src = new MemorySource('memory', 25);
    for (let i = 1; i <= 100; i++) src.set(entry(i));
    await runSync(src, { store });
    for (let i = 1; i <= 11; i++) src.remove(`uuid-user${String(i).padStart(4, '0')}`);
    const blocked = await runSync(src, { store });
    expect(blocked).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 11, missing: 0, deleted: 0 });
    expect(blocked.warnings.join(' ')).toMatch(/11 deletions exceed the cap of 10/);
    expect(await db().selectFrom('people').where('missing_since', 'is not', null).selectAll().execute()).toHaveLength(0);
    // Still blocked on the next ordinary run (the tombstones were kept, the watermark moved on).
    expect(await runSync(src, { store })).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 11 });
    const allowed = await runSync(src, { store, allowDeletes: true });
    expect(allowed).toMatchObject({ status: 'ok', missing: 11, deleted: 11 });
    const stored = await db().selectFrom('sync_runs').select(['status', 'blocked_deletions']).orderBy('started_at').execute();
    expect(stored.map((s) => s.status)).toEqual(['ok', 'deletions_blocked', 'deletions_blocked', 'ok']);
  });

  it("caps a full pass at 10 % of the source's size: the people read when fewer than those held", async () => {
    const src = new MemorySource('memory', 25);
    for (let i = 1; i <= 100; i++) src.set(entry(i));
    await runSync(src, { store });
    for (let i = 1; i <= 15; i++) src.remove(`uuid-user${String(i).padStart(4, '0')}`);
    const blocked = await runSync(src, { store, full: true });
    expect(blocked).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 15 });
    // 10 % of the 85 read, not of the 100 held.
    expect(blocked.warnings.join(' ')).toMatch(/15 deletions exceed the cap of 9 .*10% of the source's 85 people/);
  });

  it('does not let many new people in the same run raise the cap for those removed', async () => {
    const src = new MemorySource('memory', 25);
    for (let i = 1; i <= 100; i++) src.set(entry(i));
    await runSync(src, { store });
    for (let i = 1; i <= 12; i++) src.remove(`uuid-user${String(i).padStart(4, '0')}`);
    for (let i = 101; i <= 400; i++) src.set(entry(i));
    const blocked = await runSync(src, { store, full: true });
    // 388 read, 100 held: the cap is 10 % of the 100, so 12 removals wait for an admin.
    expect(blocked).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 12, added: 300 });
    expect(blocked.warnings.join(' ')).toMatch(/cap of 10 .*of the source's 100 people/);
    expect(await db().selectFrom('people').where('missing_since', 'is not', null).selectAll().execute()).toHaveLength(0);
  });

  it("holds back a blocked run's unlinking of people another source still has, and applies it with the deletions", async () => {
    const a = new MemorySource('a', 25);
    const b = new MemorySource('b', 25);
    for (let i = 1; i <= 100; i++) a.set(entry(i));
    // Source b has the first five too (joined by their primary address).
    for (let i = 1; i <= 5; i++) b.set(entry(i, { externalId: `b-${i}` }));
    await runSync(a, { store });
    await runSync(b, { store });
    const shared = [1, 2, 3, 4, 5].map((i) => `uuid-user${String(i).padStart(4, '0')}`);
    const sharedLinksOfA = async () =>
      (await db().selectFrom('person_sources').where('source', '=', 'a').where('external_id', 'in', shared).select('external_id').execute()).length;
    expect(await sharedLinksOfA()).toBe(5);
    // Source a loses the five shared people and fifteen of its own: over the cap of 8 (10 % of the 80 read).
    for (let i = 1; i <= 20; i++) a.remove(`uuid-user${String(i).padStart(4, '0')}`);
    const blocked = await runSync(a, { store, full: true });
    // The five links count with the fifteen deletions.
    expect(blocked).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 20, missing: 0, unlinked: 0 });
    expect(blocked.warnings.join(' ')).toMatch(
      /20 deletions \(15 people to delete, and this source's link to 5 people another source also has\) exceed the cap of 8 /,
    );
    expect(await sharedLinksOfA()).toBe(5);
    const allowed = await runSync(a, { store, allowDeletes: true });
    expect(allowed).toMatchObject({ status: 'ok', missing: 15, unlinked: 5 });
    expect(await sharedLinksOfA()).toBe(0);
    // The shared five are still there, through b.
    expect(await db().selectFrom('people').where('deleted_at', 'is', null).select('id').execute()).toHaveLength(85);
  });

  it('a full pass that reads nobody of a source whose people another source also has removes none of its links: capped like deletions', async () => {
    // Hybrid AD + Entra: everyone is in both, joined into one person each.
    const ad = new MemorySource('ad', 25);
    const entra = new MemorySource('graph', 25);
    for (let i = 1; i <= 40; i++) {
      ad.set(entry(i));
      entra.set(entry(i, { externalId: `graph-${i}` }));
    }
    await runSync(ad, { store });
    expect(await runSync(entra, { store })).toMatchObject({ status: 'ok', added: 0 });
    const links = async (source: string) => (await db().selectFrom('person_sources').where('source', '=', source).select('external_id').execute()).length;
    expect(await links('ad')).toBe(40);
    expect(await db().selectFrom('people').select('id').execute()).toHaveLength(40);
    // An AD full pass that reads a wrong or empty scope: nobody.
    const blocked = await runSync(new MemorySource('ad'), { store, full: true });
    expect(blocked).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 40, missing: 0, deleted: 0, unlinked: 0 });
    expect(blocked.warnings.join(' ')).toMatch(
      /40 deletions \(0 people to delete, and this source's link to 40 people another source also has\) exceed the cap of 0/,
    );
    expect(await links('ad')).toBe(40);
    // The next run looks again with a full pass: with the scope right, it removes nothing.
    expect(await runSync(ad, { store })).toMatchObject({ status: 'ok', mode: 'full', missing: 0, unlinked: 0 });
    expect(await links('ad')).toBe(40);
    // One person leaves AD but stays in Entra: within the cap, the link goes, and the report says so.
    ad.remove('uuid-user0001');
    const one = await runSync(ad, { store, full: true });
    expect(one).toMatchObject({ status: 'ok', missing: 0, deleted: 0, unlinked: 1 });
    expect(one.warnings.join(' ')).toMatch(/1 person gone from this source is kept through another source/);
    expect(await links('ad')).toBe(39);
    expect(await db().selectFrom('people').where('deleted_at', 'is', null).select('id').execute()).toHaveLength(40);
  });

  it('tombstones of people another source also has are capped too: kept until --allow-deletes', async () => {
    const a = new MemorySource('a', 25);
    const b = new MemorySource('b', 25);
    for (let i = 1; i <= 20; i++) {
      a.set(entry(i));
      b.set(entry(i, { externalId: `b-${i}` }));
    }
    await runSync(a, { store });
    await runSync(b, { store });
    const linksOfA = async () => (await db().selectFrom('person_sources').where('source', '=', 'a').select('external_id').execute()).length;
    for (let i = 1; i <= 5; i++) a.remove(`uuid-user${String(i).padStart(4, '0')}`);
    // Five link removals, over the cap of 2 (10 % of 20).
    expect(await runSync(a, { store })).toMatchObject({ status: 'deletions_blocked', mode: 'incremental', blockedDeletions: 5, unlinked: 0 });
    expect(await linksOfA()).toBe(20);
    expect(await runSync(a, { store })).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 5 });
    expect(await runSync(a, { store, allowDeletes: true })).toMatchObject({ status: 'ok', unlinked: 5, missing: 0 });
    expect(await linksOfA()).toBe(15);
    expect(await db().selectFrom('sync_pending_deletes').select('external_id').execute()).toHaveLength(0);
    expect(await db().selectFrom('people').where('deleted_at', 'is', null).select('id').execute()).toHaveLength(20);
  });

  it('someone a full pass did not see is purged only by a later trusted, complete full pass, never by an incremental one', async () => {
    const src = new MemorySource('memory', 25);
    for (let i = 1; i <= 30; i++) src.set(entry(i));
    const limits = { graceSeconds: 0.3 };
    await runSync(src, { store, limits });
    // An ACL hides user0030 from the sync account: the full pass marks them missing.
    src.hidden.add('uuid-user0030');
    expect(await runSync(src, { store, full: true, limits })).toMatchObject({ status: 'ok', missing: 1, deleted: 0 });
    await new Promise((r) => setTimeout(r, 350));
    // Past the grace period, incremental passes (with a change elsewhere, and without) purge nobody.
    src.set(entry(5, { title: 'Lead' }));
    expect(await runSync(src, { store, limits })).toMatchObject({ status: 'ok', mode: 'incremental', updated: 1, deleted: 0 });
    expect(await runSync(src, { store, limits })).toMatchObject({ status: 'ok', mode: 'incremental', deleted: 0 });
    expect(await personOf('uuid-user0030')).toMatchObject({ deleted_at: null, missing_since: expect.any(Number) });
    // A full pass over the cap (a wrong scope: 20 of the 29 left) confirms nothing either.
    const wrongScope = new MemorySource('memory', 25);
    for (let i = 1; i <= 20; i++) wrongScope.set(src.get(`uuid-user${String(i).padStart(4, '0')}`)!);
    expect(await runSync(wrongScope, { store, full: true, limits })).toMatchObject({ status: 'deletions_blocked', deleted: 0 });
    expect(await personOf('uuid-user0030')).toMatchObject({ deleted_at: null });
    // A complete full pass that still does not see them confirms it: purged.
    expect(await runSync(src, { store, full: true, limits })).toMatchObject({ status: 'ok', mode: 'full', missing: 0, deleted: 1 });
    expect((await personOf('uuid-user0030'))?.deleted_at).not.toBeNull();
  });

  it('someone a full pass did not see who is readable again unchanged outlives incremental passes and is back after the next full pass', async () => {
    const src = new MemorySource('memory', 25);
    for (let i = 1; i <= 30; i++) src.set(entry(i));
    const limits = { graceSeconds: 0.3 };
    await runSync(src, { store, limits });
    const id = (await personOf('uuid-user0030'))!.id;
    src.hidden.add('uuid-user0030');
    expect(await runSync(src, { store, full: true, limits })).toMatchObject({ missing: 1, deleted: 0 });
    // The ACL is fixed; the entry itself did not change, so no incremental pass reports it.
    src.hidden.delete('uuid-user0030');
    await new Promise((r) => setTimeout(r, 350));
    expect(await runSync(src, { store, limits })).toMatchObject({ status: 'ok', mode: 'incremental', entries: 0, deleted: 0 });
    expect(await runSync(src, { store, full: true, limits })).toMatchObject({ status: 'ok', mode: 'full', missing: 0, deleted: 0 });
    expect(await personOf('uuid-user0030')).toMatchObject({ id, missing_since: null, deleted_at: null });
  });

  it('the absolute cap applies too (SYNC_DELETE_CAP)', async () => {
    const src = new MemorySource('memory', 25);
    for (let i = 1; i <= 100; i++) src.set(entry(i));
    await runSync(src, { store });
    for (let i = 1; i <= 4; i++) src.remove(`uuid-user${String(i).padStart(4, '0')}`);
    expect(await runSync(src, { store, limits: { deleteCap: 3 } })).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 4 });
  });

  it('never applies later what a blocked full pass did not see: the next run looks again with a full pass', async () => {
    const src = new MemorySource('memory', 25);
    for (let i = 1; i <= 100; i++) src.set(entry(i));
    await runSync(src, { store });
    // A full pass that cannot read 20 of them (an OU it lost access to): over the cap of 10.
    const partial = new MemorySource('memory', 25);
    for (let round = 0; round < 2; round++) for (let i = 1; i <= 80; i++) partial.set(src.get(`uuid-user${String(i).padStart(4, '0')}`)!);
    expect(await runSync(partial, { store, full: true })).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 20 });
    // Access is back, nobody changed. The admin checks the source and allows deletions, as told:
    // the run is a full pass, sees all 100, and deletes nobody.
    const allowed = await runSync(src, { store, allowDeletes: true });
    expect(allowed).toMatchObject({ status: 'ok', mode: 'full', missing: 0, deleted: 0 });
    expect(await db().selectFrom('people').where('deleted_at', 'is', null).select('id').execute()).toHaveLength(100);
    // And the state is back to incremental runs.
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok', mode: 'incremental' });
  });

  it('a full pass over the cap makes the next run full, which --allow-deletes applies', async () => {
    const src = new MemorySource('memory', 25);
    for (let i = 1; i <= 40; i++) src.set(entry(i));
    await runSync(src, { store });
    const shrunk = new MemorySource('memory', 25);
    for (let i = 1; i <= 20; i++) shrunk.set(src.get(`uuid-user${String(i).padStart(4, '0')}`)!);
    expect(await runSync(shrunk, { store, full: true })).toMatchObject({ status: 'deletions_blocked', blockedDeletions: 20 });
    expect(await runSync(shrunk, { store, allowDeletes: true, full: true })).toMatchObject({ status: 'ok', deleted: 20 });
  });
});

describe('runSync: crash safety and plans', () => {
  /** Changes applied to the source between runs, to exercise incremental passes too. */
  function script(): { src: MemorySource; steps: ((s: MemorySource) => void)[] } {
    const src = new MemorySource('memory', 7);
    src.set(entry('boss'));
    for (let i = 1; i <= 40; i++)
      src.set(
        entry(i, {
          manager: {
            dn: i % 5 === 0 ? 'uid=boss,ou=people,dc=example,dc=test' : `uid=user${String(i - (i % 5)).padStart(4, '0')},ou=people,dc=example,dc=test`,
          },
        }),
      );
    const steps = [
      (s: MemorySource) => {
        s.remove('uuid-user0003');
        s.set(entry(4, { title: 'Lead', aliases: ['four@example.test'], photo: new Uint8Array([0x89, 0x50, 1, 2, 3]) }));
        s.set(entry(41, { manager: { dn: 'uid=user0040,ou=people,dc=example,dc=test' } }));
      },
      (s: MemorySource) => {
        s.set(entry('boss', { dn: 'uid=boss,ou=moved,dc=example,dc=test' }));
        for (const i of [5, 10, 15, 20]) s.set(entry(i, { manager: { dn: 'uid=boss,ou=moved,dc=example,dc=test' } }));
        s.set(entry(6, { disabled: true }));
      },
    ];
    return { src, steps };
  }

  it('a run killed between any two batches and rerun ends with the same store as an uninterrupted run', async () => {
    const reference = await tempStore();
    try {
      const ref = script();
      await runSync(ref.src, { store: reference });
      for (const step of ref.steps) {
        step(ref.src);
        await runSync(ref.src, { store: reference });
      }
      const expected = await snapshot(reference);

      for (const killAt of [0, 2, 5]) {
        const s = await tempStore();
        try {
          const it = script();
          const runs = [() => {}, ...it.steps];
          for (const step of runs) {
            step(it.src);
            const ac = new AbortController();
            const killed = await runSync(it.src, { store: s, signal: ac.signal, onBatch: (i) => i === killAt && ac.abort() });
            expect(['ok', 'aborted']).toContain(killed.status);
            if (killed.status === 'aborted') expect(killed).toMatchObject({ missing: 0, deleted: 0 });
            const rerun = await runSync(it.src, { store: s });
            expect(rerun.status).toBe('ok');
          }
          expect(await snapshot(s)).toEqual(expected);
        } finally {
          await s.dispose();
        }
      }
    } finally {
      await reference.dispose();
    }
  });

  it('commits each batch with its own watermark and nothing after the kill', async () => {
    const src = new MemorySource('memory', 10);
    for (let i = 1; i <= 30; i++) src.set(entry(i));
    await runSync(src, { store });
    for (let i = 31; i <= 60; i++) src.set(entry(i));
    const ac = new AbortController();
    const r = await runSync(src, { store, signal: ac.signal, onBatch: (i) => i === 1 && ac.abort() });
    expect(r.status).toBe('aborted');
    const state = await db().selectFrom('sync_state').selectAll().executeTakeFirstOrThrow();
    // Two batches of ten went in (versions 31..50), with the watermark of the second one.
    expect(JSON.parse(state.watermark!)).toEqual({ version: 50 });
    expect(await personOf('uuid-user0050')).toBeDefined();
    expect(await personOf('uuid-user0051')).toBeUndefined();
  });

  it('--dry-run computes the plan and changes nothing', async () => {
    const src = org();
    await runSync(src, { store });
    src.remove('uuid-user0001');
    src.set(entry(2, { title: 'Changed' }), entry(99));
    const before = await snapshot(store);
    const stateBefore = await db().selectFrom('sync_state').selectAll().execute();
    const plan = await runSync(src, { store, dryRun: true });
    expect(plan).toMatchObject({ status: 'ok', dryRun: true, added: 1, updated: 1, missing: 1, deleted: 1 });
    expect(await snapshot(store)).toEqual(before);
    expect(await db().selectFrom('sync_state').selectAll().execute()).toEqual(stateBefore);
    const real = await runSync(src, { store });
    expect(real).toMatchObject({ added: 1, updated: 1, missing: 1, deleted: 1 });
  });

  it('a full pass the source disowns at its end (it moved to another DC) deletes nobody, ends incomplete and makes the next run full', async () => {
    const src = org();
    await runSync(src, { store });
    const disowned = {
      name: 'memory',
      async *read() {
        yield { upserts: [entry('boss')], deletes: [] };
        return { complete: false, needsFull: 'the connection moved to another domain controller' };
      },
    };
    const r = await runSync(disowned, { store, full: true });
    expect(r).toMatchObject({ status: 'incomplete', mode: 'full', missing: 0, deleted: 0 });
    expect(r.warnings.join(' ')).toMatch(/not complete: the connection moved to another domain controller/);
    expect(await db().selectFrom('sync_state').select('needs_full').executeTakeFirst()).toEqual({
      needs_full: 'the connection moved to another domain controller',
    });
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok', mode: 'full', missing: 0 });
  });

  it('a full pass the source could not finish (no reason given) ends incomplete, deletes nobody, and the next run is full', async () => {
    const src = org();
    await runSync(src, { store });
    src.remove('uuid-user0001');
    src.incompleteFull = {};
    const r = await runSync(src, { store, full: true });
    expect(r).toMatchObject({ status: 'incomplete', mode: 'full', unchanged: 50, missing: 0, deleted: 0 });
    expect(r.warnings.join(' ')).toMatch(/full pass is not complete: nothing was deleted for what it did not see; the next run is a full pass/);
    expect(await personOf('uuid-user0001')).toMatchObject({ missing_since: null, deleted_at: null });
    expect((await db().selectFrom('sync_state').select('needs_full').executeTakeFirstOrThrow()).needs_full).not.toBeNull();
    expect(await db().selectFrom('sync_runs').select('status').where('id', '=', r.id).executeTakeFirst()).toEqual({ status: 'incomplete' });
    const next = await runSync(src, { store });
    expect(next).toMatchObject({ status: 'ok', mode: 'full', missing: 1, deleted: 1 });
    // An incremental pass is not complete by nature: that is ok.
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok', mode: 'incremental' });
  });

  it('an incremental run the source redoes as a full pass that then does not complete is incomplete', async () => {
    const src = org();
    await runSync(src, { store });
    src.demandFull = 'invocationId changed';
    src.incompleteFull = { needsFull: 'the connection moved to another domain controller' };
    const r = await runSync(src, { store });
    expect(r).toMatchObject({ status: 'incomplete', mode: 'full', missing: 0 });
    expect(r.warnings.join(' ')).toMatch(/invocationId changed.*not complete: the connection moved to another domain controller/);
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok', mode: 'full' });
  });

  it('an LDIF file rewritten between its two reads: incomplete, nobody deleted; the next run reconciles', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'run-sync-ldif-'));
    try {
      const ldif = ldifPeople;
      const file = path.join(dir, 'people.ldif');
      writeFileSync(file, ldif(1, 3000));
      const source = new LdifSource(file, { pageSize: 10 });
      expect(await runSync(source, { store })).toMatchObject({ status: 'ok', added: 3000 });
      // The export drops ten people; while the run reads it, the export job rewrites it (short).
      writeFileSync(file, ldif(1, 2990));
      const r = await runSync(source, { store, full: true, onBatch: (i) => i === 0 && writeFileSync(file, ldif(1, 100)) });
      expect(r).toMatchObject({ status: 'incomplete', mode: 'full', missing: 0, deleted: 0 });
      expect(r.warnings.join(' ')).toMatch(/changed while it was read/);
      expect(await db().selectFrom('people').where('deleted_at', 'is', null).select('id').execute()).toHaveLength(3000);
      // The file settles: the next run (a full pass) reconciles.
      writeFileSync(file, ldif(1, 2990));
      expect(await runSync(source, { store })).toMatchObject({ status: 'ok', mode: 'full', missing: 10, deleted: 10 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('re-runs as a full pass when the source demands it', async () => {
    const src = org();
    await runSync(src, { store });
    src.demandFull = 'invocationId changed';
    const r = await runSync(src, { store });
    expect(r).toMatchObject({ status: 'ok', mode: 'full', unchanged: 51 });
    expect(r.warnings.join(' ')).toMatch(/invocationId changed/);
  });

  it('runs never overlap: a second run while one holds the lease is refused', async () => {
    const holder = new StoreLease(store, 'directory-sync', 'otherhost:1:abc');
    await holder.acquire('run-elsewhere');
    await expect(runSync(org(), { store })).rejects.toBeInstanceOf(SyncBusyError);
    await holder.release();
    expect((await runSync(org(), { store })).status).toBe('ok');
  });

  it('runs never overlap within one process either: one lease holder refuses a second run until the first ends', async () => {
    const lease = new StoreLease(store);
    await lease.acquire('first');
    await expect(runSync(org(), { store, lease })).rejects.toBeInstanceOf(SyncBusyError);
    await expect(lease.acquire('third')).rejects.toBeInstanceOf(SyncBusyError);
    await lease.release();
    expect((await runSync(org(), { store, lease })).status).toBe('ok');
  });

  it('stops a run whose lease another run took over (this process stalled past the expiry)', async () => {
    const src = org();
    await runSync(src, { store });
    const lease = new StoreLease(store, 'directory-sync', undefined, 1500);
    let batches = 0;
    const endless = {
      name: 'memory',
      async *read(o: { signal: AbortSignal }) {
        // A long pass: a batch every 50 ms, bounded, until the run is stopped.
        for (let i = 0; i < 200 && !o.signal.aborted; i++) {
          batches++;
          yield { upserts: [entry('boss')], deletes: ['uuid-user0001'] };
          await new Promise((r) => setTimeout(r, 50));
        }
        return { complete: true };
      },
    };
    const run = runSync(endless, { store, full: true, lease });
    await new Promise((r) => setTimeout(r, 200));
    // Another process takes the lease (as it would after this one's expiry).
    await db()
      .updateTable('sync_lease')
      .set({ owner: 'otherhost:2:xyz', run_id: 'theirs', expires_at: Date.now() + 60_000 })
      .execute();
    const report = await run;
    expect(report).toMatchObject({ status: 'failed', deleted: 0, missing: 0 });
    expect(report.error).toMatch(/lease was taken over/);
    expect(batches).toBeLessThan(200);
    // The other run's lease is left alone.
    expect(await db().selectFrom('sync_lease').select('owner').executeTakeFirst()).toEqual({ owner: 'otherhost:2:xyz' });
  });

  it('takes over a lease left by a dead process on this host', async () => {
    const { hostname } = await import('node:os');
    const dead = new StoreLease(store, 'directory-sync', `${hostname()}:999999:dead`);
    await dead.acquire('killed-run');
    expect((await runSync(org(), { store })).status).toBe('ok');
  });
});
