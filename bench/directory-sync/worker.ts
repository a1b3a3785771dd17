// One measured step of the directory-sync benchmark, in a process of its own so its peak RSS is
// its own. Prints one JSON line: { ms, entries, maxRssKb, report? }. The clock runs around the
// work only (not the module loading).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../../core/config/index.js';
import { openStore, runMigrations } from '../../core/store/index.js';
import { directoryMigrations } from '../../directory-sync/directory/index.js';
import { runSync, syncMigrations } from '../../directory-sync/engine/index.js';
import { DEFAULT_PAGE_SIZE } from '../../directory-sync/sources/ldap-common/index.js';
import { createLdapSource, parseAttributeMap, personAttributes, READER_RESOURCE_LIMITS } from '../../directory-sync/sources/ldap/index.js';
import { insertRows, loadRows } from './sqlite-floor.js';

type Job =
  | { kind: 'bare'; env: Record<string, string> }
  | { kind: 'sync'; env: Record<string, string>; full: boolean }
  | { kind: 'sqlite-floor'; env: Record<string, string>; from: string };

const job = JSON.parse(process.argv[2]!) as Job;
const config = loadConfig(job.env, { dotEnvFile: false });
let cpu0 = process.cpuUsage();
/** CPU time of the whole process (all threads) since the clock started: less sensitive to a busy machine than wall time. */
const cpuMs = () => {
  const c = process.cpuUsage(cpu0);
  return (c.user + c.system) / 1000;
};
const out = (o: object) => process.stdout.write(`${JSON.stringify({ ...o, cpuMs: cpuMs(), maxRssKb: process.resourceUsage().maxRSS })}\n`);

if (job.kind === 'bare') {
  // The floor for the sync: the same search (filter, attributes, binary photo, page size) with
  // ldapts alone, counting entries and nothing else, in a thread with the reader thread's heap.
  const map = parseAttributeMap(config.env.LDAP_ATTRIBUTE_MAP);
  const env = config.env;
  const reader = new Worker(new URL('./bare-read.mjs', import.meta.url), {
    workerData: {
      url: env.LDAP_URL,
      bindDn: env.LDAP_BIND_DN,
      bindPassword: env.LDAP_BIND_PASSWORD,
      baseDn: env.LDAP_BASE_DN,
      filter: map.personFilter,
      attributes: personAttributes(map),
      binary: map.photo,
      pageSize: DEFAULT_PAGE_SIZE,
    },
    resourceLimits: READER_RESOURCE_LIMITS,
  });
  await once(reader, 'message'); // loaded: the clock runs around the read only
  cpu0 = process.cpuUsage();
  const t0 = performance.now();
  reader.postMessage('go');
  const [entries] = (await once(reader, 'message')) as [number];
  const ms = performance.now() - t0;
  const cpu = cpuMs();
  await reader.terminate();
  out({ ms, entries, cpuMs: cpu });
} else if (job.kind === 'sqlite-floor') {
  const store = await openStore(config.database);
  await runMigrations(store, [...directoryMigrations, ...syncMigrations]);
  const data = loadRows(job.from);
  cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const entries = insertRows(store.sqlite!, data);
  const ms = performance.now() - t0;
  const cpu = cpuMs();
  await store.close();
  out({ ms, entries, cpuMs: cpu });
} else {
  // As `npm run sync` does: the source first (its reader thread starts loading), then the store.
  // The clock starts once that thread has loaded, as the floor's starts once its thread has.
  const created = performance.now();
  const source = createLdapSource(config)!;
  const store = await openStore(config.database);
  await runMigrations(store, [...directoryMigrations, ...syncMigrations]);
  await source.readerLoaded();
  const readerLoadMs = job.full ? performance.now() - created : undefined;
  cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await runSync(source, { store, full: job.full });
  const ms = performance.now() - t0;
  const cpu = cpuMs();
  await source.close();
  await store.close();
  out({
    ms,
    entries: report.entries,
    cpuMs: cpu,
    readerLoadMs,
    report: {
      status: report.status,
      mode: report.mode,
      added: report.added,
      updated: report.updated,
      unchanged: report.unchanged,
      missing: report.missing,
      warnings: report.warningCount,
      error: report.error,
    },
  });
}
