/**
 * npm run sync -- [--full] [--source NAME] [--dry-run] [--allow-deletes]
 *
 * Runs one sync pass of each configured directory source (or only NAME) into the store, with
 * progress on stderr and a summary on stdout. Exit codes (stable, for scripts):
 *   0  every run succeeded
 *   1  a run failed (source unreachable, broken LDIF line, timeout…): nothing was deleted
 *   2  usage or configuration error (bad option, invalid env, no such source)
 *   3  deletions blocked by the cap: re-run with --allow-deletes after checking the source
 *   4  another sync run holds the lease (in this or another process); try again later
 *   5  a full pass could not be completed (the DC changed during it, the LDIF file was rewritten
 *      while read, Graph mailboxes not all read): what it read is applied, nothing it did not see
 *      was deleted, and the next run is a full pass again
 * With several sources, the code is the first of 1, 4, 3, 5 that applies to any of them.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../core/config/index.js';
import { openStore, runMigrations, type Store } from '../core/store/index.js';
import { directoryMigrations } from './directory/index.js';
import { builtinSources, limitsFrom, runSync, syncMigrations, SyncBusyError, type SourceRegistry, type SyncProgress, type SyncReport } from './index.js';
import type { DirectorySource } from './sources/source.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, deletionsBlocked: 3, busy: 4, incomplete: 5 } as const;

const USAGE = `usage: npm run sync -- [--full] [--source NAME] [--dry-run] [--allow-deletes]

  --full           read everything and reconcile deletions (default: changes since the last run)
  --source NAME    only this source (ldif, ldap, ad, graph); default: every configured source
  --dry-run        print the plan, change nothing
  --allow-deletes  apply deletions even above the cap (SYNC_DELETE_CAP / SYNC_DELETE_CAP_PERCENT)

exit codes: 0 ok, 1 run failed, 2 usage/config error, 3 deletions blocked, 4 another run in progress,
  5 full pass incomplete (nothing it did not see was deleted; the next run is full again)
`;

export interface CliIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly isTty: boolean;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Progress: a redrawn bar on a terminal, a plain line every few seconds otherwise. */
function progressPrinter(io: CliIo): (p: SyncProgress) => void {
  let lastPlain = 0;
  let lastDraw = 0;
  let tick = 0;
  return (p) => {
    const now = Date.now();
    if (io.isTty) {
      if (p.phase === 'done') {
        io.err('\r\x1b[2K');
        return;
      }
      if (now - lastDraw < 80 && p.phase === 'reading') return;
      lastDraw = now;
      // The total is unknown while reading: a bouncing block shows life, numbers show progress.
      const width = 20;
      const pos = tick++ % (2 * width - 2);
      const at = pos < width ? pos : 2 * width - 2 - pos;
      const bar = Array.from({ length: width }, (_, i) => (i === at ? '█' : '░')).join('');
      io.err(
        `\r\x1b[2K${p.source} ${bar} ${p.phase.padEnd(11)} ${p.entries.toLocaleString('en')} entries  ${p.perSecond.toLocaleString('en')}/s  ${seconds(p.elapsedMs)}`,
      );
    } else if (p.phase !== 'done' && (now - lastPlain >= 2000 || p.phase === 'reconciling')) {
      lastPlain = now;
      io.err(`${p.source}: ${p.phase} ${p.entries} entries (${p.perSecond}/s, ${seconds(p.elapsedMs)})\n`);
    }
  };
}

export function formatSummary(r: SyncReport): string {
  const lines = [
    `${r.source}: ${r.status}${r.dryRun ? ' (dry run: nothing was changed)' : ''} — ${r.mode} pass, ${r.entries} entries read in ${seconds((r.finishedAt ?? Date.now()) - r.startedAt)}`,
    `  added ${r.added}, updated ${r.updated}, unchanged ${r.unchanged}, disabled ${r.disabled}, deleted ${r.deleted}, missing ${r.missing}, skipped ${r.skipped}, warnings ${r.warningCount}`,
  ];
  if (r.status === 'deletions_blocked')
    lines.push(`  ${r.blockedDeletions} deletions were held back by the cap; check the source, then: npm run sync -- --source ${r.source} --allow-deletes`);
  if (r.status === 'incomplete')
    lines.push('  the full pass could not be completed: what it read is applied, nothing it did not see was deleted; the next run is a full pass');
  if (r.unlinked > 0)
    lines.push(
      `  ${r.unlinked === 1 ? '1 person gone from this source is' : `${r.unlinked} people gone from this source are`} kept through another source (only this source's link was removed)`,
    );
  if (r.error) lines.push(`  error: ${r.error}`);
  for (const w of r.warnings.slice(0, 20)) lines.push(`  warning: ${w}`);
  if (r.warningCount > 20) lines.push(`  … ${r.warningCount - 20} more warnings (GET /v1/admin/sync shows the first ${r.warnings.length})`);
  return lines.join('\n');
}

/** The CLI without process globals, so it can be tested; returns the exit code. */
export async function main(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CliIo,
  registry: SourceRegistry = builtinSources(),
): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        full: { type: 'boolean' },
        source: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'allow-deletes': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    io.err(`sync: ${(err as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (args.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    io.err(`sync: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    return EXIT.usage;
  }
  let sources: DirectorySource[];
  try {
    sources = await registry.create({ config, log: silentLog });
  } catch (err) {
    io.err(`sync: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  if (sources.length === 0) {
    io.err('sync: no directory source is configured (set LDIF_FILE, LDAP_URL or GRAPH_TENANT_ID)\n');
    return EXIT.usage;
  }
  if (args.source) {
    const one = sources.find((s) => s.name === args.source);
    if (!one) {
      io.err(`sync: no configured source named ${JSON.stringify(args.source)}; configured: ${sources.map((s) => s.name).join(', ')}\n`);
      return EXIT.usage;
    }
    sources = [one];
  }

  let store: Store | undefined;
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let failed = false;
  let busy = false;
  let blocked = false;
  let incomplete = false;
  try {
    store = await openStore(config.database);
    await runMigrations(store, [...directoryMigrations, ...syncMigrations]);
    for (const source of sources) {
      if (abort.signal.aborted) break;
      let report: SyncReport;
      try {
        report = await runSync(source, {
          store,
          full: args.full,
          dryRun: args['dry-run'],
          allowDeletes: args['allow-deletes'],
          limits: limitsFrom(config),
          signal: abort.signal,
          onProgress: progressPrinter(io),
        });
      } catch (err) {
        if (err instanceof SyncBusyError) {
          io.err(`sync: ${err.message}; try again later\n`);
          busy = true;
          continue;
        }
        throw err;
      }
      io.out(`${formatSummary(report)}\n`);
      if (report.status === 'failed' || report.status === 'aborted') failed = true;
      if (report.status === 'deletions_blocked') blocked = true;
      if (report.status === 'incomplete') incomplete = true;
    }
  } catch (err) {
    io.err(`sync: ${(err as Error).message}\n`);
    failed = true;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const s of sources) await s.close?.().catch(() => undefined);
    await store?.close();
  }
  return failed ? EXIT.failed : busy ? EXIT.busy : blocked ? EXIT.deletionsBlocked : incomplete ? EXIT.incomplete : EXIT.ok;
}

/** Sources log through pino in the server; the CLI prints its own lines instead. */
const silentLog = (await import('../core/log/index.js')).createLogger('silent', { pretty: false });

if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2), process.env, {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTty: !!process.stderr.isTTY,
  });
  process.exitCode = code;
}
