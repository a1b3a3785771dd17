// One full `ad` sync pass in a process of its own that SIGKILLs itself after batch N is committed:
// "the sync process killed mid-run". Usage: tsx sync-child.ts <sqlite file> <batch index>, with
// the LDAP_* configuration in the environment. Exits 0 only if it was never killed.
import { loadConfig } from '../../core/config/index.js';
import { openStore, runMigrations } from '../../core/store/index.js';
import { directoryMigrations } from '../../directory-sync/directory/migrations.js';
import { runSync, syncMigrations } from '../../directory-sync/engine/index.js';
import { createActiveDirectorySource } from '../../directory-sync/sources/active-directory/index.js';

const [file, killAt] = process.argv.slice(2);
const store = await openStore({ kind: 'sqlite', file: file! });
await runMigrations(store, [...directoryMigrations, ...syncMigrations]);
const source = createActiveDirectorySource(loadConfig(process.env, { dotEnvFile: false }), { pageSize: 100 });
await runSync(source, {
  store,
  full: true,
  onBatch: (i) => {
    if (i === Number(killAt)) process.kill(process.pid, 'SIGKILL');
  },
});
await source.close();
await store.close();
process.exit(0);
