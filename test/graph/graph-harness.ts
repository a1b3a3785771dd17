import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { loadConfig } from '../../core/config/index.js';
import { openStore, runMigrations, type Store } from '../../core/store/index.js';
import { directoryMigrations, type DirectoryTables } from '../../directory-sync/directory/index.js';
import { runSync, syncMigrations, type SyncReport } from '../../directory-sync/index.js';
import {
  createGraphApi,
  graphPhotoMigrations,
  graphSettingsFrom,
  GraphSource,
  type GraphApi,
  type GraphApiOptions,
} from '../../directory-sync/sources/graph/index.js';
import { startGraphEmulator, type GraphEmulator } from '../support/graph-emulator/index.js';
import { createTempDatabase } from '../support/postgres.js';

export interface GraphHarness {
  readonly em: GraphEmulator;
  readonly store: Store;
  readonly db: Kysely<DirectoryTables>;
  readonly api: GraphApi;
  source: GraphSource;
  sync(options?: { full?: boolean }): Promise<SyncReport>;
  /** Live (not deleted) people by primary e-mail. */
  livePeople(): Promise<Map<string, { id: string; kind: string; owner_id: string | null; title: string | null; missing_since: number | null }>>;
  close(): Promise<void>;
}

/** An emulator, a temp SQLite (or PostgreSQL) store with the directory + sync schema, and the graph source. */
export async function startGraphHarness(
  options: { contacts?: boolean; api?: GraphApiOptions; pageSize?: number; postgres?: boolean } = {},
): Promise<GraphHarness> {
  const em = await startGraphEmulator();
  const dir = mkdtempSync(path.join(tmpdir(), 'graph-sync-'));
  const pg = options.postgres ? await createTempDatabase('graph') : null;
  const store = await openStore(pg ? { kind: 'postgres', url: pg.url } : { kind: 'sqlite', file: path.join(dir, 'store.sqlite') });
  await runMigrations(store, [...directoryMigrations, ...syncMigrations, ...graphPhotoMigrations]);
  const config = loadConfig({ ...em.env(), AUTH_MODE: 'dev' }, { dotEnvFile: false });
  const api = createGraphApi(graphSettingsFrom(config)!, { policy: { baseDelayMs: 50, jitterMs: 20 }, ...options.api });
  const h: GraphHarness = {
    em,
    store,
    db: store.db as Kysely<DirectoryTables>,
    api,
    source: new GraphSource({ api, personalContacts: options.contacts, pageSize: options.pageSize }),
    sync: (o = {}) => runSync(h.source, { store, full: o.full, limits: { graceSeconds: 0 } }),
    async livePeople() {
      const rows = await h.db
        .selectFrom('people')
        .select(['id', 'kind', 'owner_id', 'title', 'missing_since', 'primary_email'])
        .where('deleted_at', 'is', null)
        .execute();
      return new Map(rows.map((r) => [r.primary_email!, r]));
    },
    async close() {
      api.close();
      await store.close();
      await pg?.drop();
      await em.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
