// One measured step of the directory-sync benchmark, in a process of its own so its peak RSS is
// its own. Prints one JSON line: { ms, entries, maxRssKb, report? }. The clock runs around the
// work only (not the module loading).
import { Client } from 'ldapts';
import { loadConfig } from '../../core/config/index.js';
import { openStore, runMigrations } from '../../core/store/index.js';
import { directoryMigrations } from '../../directory-sync/directory/index.js';
import { runSync, syncMigrations } from '../../directory-sync/engine/index.js';
import { createLdapSource, parseAttributeMap, personAttributes } from '../../directory-sync/sources/ldap/index.js';

type Job = { kind: 'bare'; env: Record<string, string> } | { kind: 'sync'; env: Record<string, string>; full: boolean };

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
  // ldapts alone, counting entries and nothing else.
  const map = parseAttributeMap(config.env.LDAP_ATTRIBUTE_MAP);
  const client = new Client({ url: config.env.LDAP_URL! });
  cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await client.bind(config.env.LDAP_BIND_DN!, config.env.LDAP_BIND_PASSWORD!);
  let entries = 0;
  for await (const page of client.searchPaginated(config.env.LDAP_BASE_DN!, {
    filter: map.personFilter,
    attributes: personAttributes(map),
    explicitBufferAttributes: map.photo,
    paged: { pageSize: 1000 },
  })) {
    entries += page.searchEntries.length;
  }
  const ms = performance.now() - t0;
  const cpu = cpuMs();
  await client.unbind();
  out({ ms, entries, cpuMs: cpu });
} else {
  const store = await openStore(config.database);
  await runMigrations(store, [...directoryMigrations, ...syncMigrations]);
  const source = createLdapSource(config)!;
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
