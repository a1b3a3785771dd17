import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { openStore, runMigrations, type Store } from '../../core/store/index.js';
import { directoryMigrations } from '../directory/migrations.js';
import type { DirectoryTables } from '../directory/tables.js';
import type { DirectoryEntry } from '../model/directory-entry.js';
import { syncMigrations } from './migrations.js';

/** A migrated store on a temp SQLite file, or on the PostgreSQL URL given. */
export async function tempStore(pgUrl?: string): Promise<Store & { dispose(): Promise<void> }> {
  if (pgUrl) {
    const store = await openStore({ kind: 'postgres', url: pgUrl });
    await runMigrations(store, [...directoryMigrations, ...syncMigrations]);
    return { ...store, dispose: () => store.close() };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'sync-test-'));
  const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'db.sqlite') });
  await runMigrations(store, [...directoryMigrations, ...syncMigrations]);
  return {
    ...store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An entry of the fictional test directory, keyed by a stable id. */
export function entry(n: number | string, extra: Partial<DirectoryEntry> = {}): DirectoryEntry {
  const local = typeof n === 'number' ? `user${String(n).padStart(4, '0')}` : n;
  return {
    externalId: `uuid-${local}`,
    kind: 'person',
    dn: `uid=${local},ou=people,dc=example,dc=test`,
    primaryEmail: `${local}@example.test`,
    aliases: [],
    displayName: `User ${local}`,
    title: 'Engineer',
    department: 'Engineering',
    phones: [],
    groups: [],
    disabled: false,
    ...extra,
  };
}

/** Everything a reader could see, without generated ids or timestamps, for store comparisons. */
export async function snapshot(store: Store): Promise<unknown[]> {
  const db = store.db as Kysely<DirectoryTables>;
  const people = await db.selectFrom('people').selectAll().execute();
  const emails = await db.selectFrom('person_emails').selectAll().execute();
  const photos = await db.selectFrom('person_photos').select(['person_id', 'etag']).execute();
  const byId = new Map(people.map((p) => [p.id, p]));
  return people
    .map((p) => ({
      primary: p.primary_email,
      name: p.display_name,
      title: p.title,
      disabled: p.disabled,
      missing: p.missing_since !== null,
      deleted: p.deleted_at !== null,
      groups: p.groups,
      manager: p.manager_id ? (byId.get(p.manager_id)?.primary_email ?? '?') : null,
      emails: emails
        .filter((e) => e.person_id === p.id)
        .map((e) => `${e.email}${e.is_primary ? '*' : ''}`)
        .sort(),
      photo: photos.find((x) => x.person_id === p.id)?.etag ?? null,
    }))
    .sort((a, b) => String(a.primary).localeCompare(String(b.primary)));
}

/** The people row linked to a source's entry (undefined when there is none). */
export function personBySource(store: Store, externalId: string) {
  return (store.db as Kysely<DirectoryTables>)
    .selectFrom('person_sources')
    .innerJoin('people', 'people.id', 'person_sources.person_id')
    .selectAll('people')
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** LDIF text of people p<from>..p<to> (inetOrgPerson with entryUUID and mail), for LDIF source tests. */
export const ldifPeople = (from: number, to: number): string =>
  Array.from({ length: to - from + 1 }, (_, i) => {
    const n = from + i;
    return [
      `dn: uid=p${n},ou=people,dc=x`,
      'objectClass: inetOrgPerson',
      `entryUUID: 00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      `cn: Person ${n}`,
      `mail: p${n}@x.example`,
      '',
    ].join('\n');
  }).join('\n');
