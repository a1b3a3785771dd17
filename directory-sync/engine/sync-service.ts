import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Bus } from '../../core/bus/index.js';
import type { Config } from '../../core/config/index.js';
import type { Logger } from '../../core/log/index.js';
import type { Store } from '../../core/store/index.js';
import type { DirectorySource, Watermark } from '../sources/source.js';
import { StoreLease } from './lease.js';
import type { SyncCounts, SyncReport } from './report.js';
import { runSync, type SyncLimits } from './run-sync.js';
import { builtinSources } from './builtin-sources.js';
import type { SourceRegistry } from './source-registry.js';
import type { SyncRunsTable, SyncTables } from './tables.js';

/** Channel on the bus after a run changed the directory. */
export const DIRECTORY_CHANGED = 'directory.changed';

export interface RunRequest {
  readonly full?: boolean;
  readonly allowDeletes?: boolean;
  readonly dryRun?: boolean;
}

export interface RunSummary {
  readonly id: string;
  readonly source: string;
  readonly mode: 'full' | 'incremental';
  readonly dryRun: boolean;
  readonly status: SyncRunsTable['status'];
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly counts: Readonly<SyncCounts>;
  readonly warningCount: number;
  readonly warnings: string[];
  readonly error: string | null;
}

export interface SourceStatus {
  readonly source: string;
  readonly configured: boolean;
  readonly watermark: Watermark | null;
  readonly needsFull: string | null;
  readonly lastFullAt: string | null;
  readonly people: number;
  readonly pendingDeletions: number;
  readonly lastRuns: RunSummary[];
}

export interface SyncStatus {
  readonly running: { runId: string | null; owner: string; expiresAt: string } | null;
  readonly intervalSeconds: number;
  readonly fullIntervalSeconds: number;
  readonly sources: SourceStatus[];
}

/** A started run: its id at once, its report when it ends. */
export interface StartedRun {
  readonly runId: string;
  readonly done: Promise<SyncReport>;
}

/** Directory sync inside the API process: initial load, schedule, admin-triggered runs. */
export interface DirectorySync {
  readonly name: 'sync';
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Promise<SyncStatus>;
  /** Starts a run now. Rejects with SyncBusyError when one is running, UnknownSourceError for a bad name. */
  run(source: string, request?: RunRequest): Promise<StartedRun>;
  /** Names of the configured sources (built at start). */
  sourceNames(): string[];
}

export class UnknownSourceError extends Error {
  constructor(readonly source: string) {
    super(`no configured directory source named ${source}`);
    this.name = 'UnknownSourceError';
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A watermark for people to read: long values (delta links, cookies) shortened. */
export function summarizeWatermark(w: Watermark): Watermark {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(w)) out[k] = typeof v === 'string' && v.length > 100 ? `${v.slice(0, 60)}… (${v.length} chars)` : v;
  return out;
}

export function toRunSummary(r: SyncRunsTable): RunSummary {
  let warnings: string[] = [];
  try {
    warnings = JSON.parse(r.warnings) as string[];
  } catch {
    /* stored by us; never expected */
  }
  return {
    id: r.id,
    source: r.source,
    mode: r.mode,
    dryRun: r.dry_run === 1,
    status: r.status,
    startedAt: new Date(r.started_at).toISOString(),
    finishedAt: iso(r.finished_at),
    counts: {
      entries: r.entries,
      added: r.added,
      updated: r.updated,
      unchanged: r.unchanged,
      disabled: r.disabled,
      deleted: r.deleted,
      missing: r.missing,
      skipped: r.skipped,
      blockedDeletions: r.blocked_deletions,
    },
    warningCount: r.warning_count,
    warnings,
    error: r.error,
  };
}

export const limitsFrom = (config: Config): SyncLimits => ({
  deleteCap: config.env.SYNC_DELETE_CAP,
  deleteCapPercent: config.env.SYNC_DELETE_CAP_PERCENT,
  graceSeconds: config.env.SYNC_DELETE_GRACE_SECONDS,
});

/**
 * Creates the sync feature: builds the configured sources, loads local ones (LDIF) before the
 * server serves, runs network sources in the background, then incremental passes every
 * SYNC_INTERVAL seconds with a full reconciliation every SYNC_FULL_INTERVAL. Runs never overlap,
 * across processes too (a lease row in the store).
 */
export function createDirectorySync(deps: { config: Config; store: Store; bus: Bus; log: Logger; registry?: SourceRegistry }): DirectorySync {
  const { config, store, bus, log } = deps;
  const registry = deps.registry ?? builtinSources();
  const db = store.db as Kysely<SyncTables & { person_sources: { source: string; person_id: string }; people: { id: string; deleted_at: number | null } }>;
  const lease = new StoreLease(store);
  const limits = limitsFrom(config);
  let sources: DirectorySource[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  const abort = new AbortController();

  const find = (name: string) => {
    const s = sources.find((x) => x.name === name);
    if (!s) throw new UnknownSourceError(name);
    return s;
  };

  async function startRun(source: DirectorySource, request: RunRequest): Promise<StartedRun> {
    const runId = randomUUID();
    await lease.acquire(runId);
    const done = runSync(source, {
      store,
      full: request.full,
      dryRun: request.dryRun,
      allowDeletes: request.allowDeletes,
      limits,
      log,
      lease,
      leaseHeld: true,
      runId,
      signal: abort.signal,
    }).then(async (report) => {
      const level = report.status === 'ok' ? 'info' : 'warn';
      log[level](
        {
          runId,
          source: source.name,
          status: report.status,
          mode: report.mode,
          added: report.added,
          updated: report.updated,
          deleted: report.deleted,
          missing: report.missing,
          warnings: report.warningCount,
          error: report.error ?? undefined,
        },
        'directory sync run finished',
      );
      if (!report.dryRun && report.added + report.updated + report.deleted + report.missing > 0) {
        await bus.publish(DIRECTORY_CHANGED, { source: source.name, runId }).catch(() => undefined);
      }
      return report;
    });
    const tracked = done.catch(() => undefined);
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return { runId, done };
  }

  /** One scheduled round over every source; a busy lease just means another process is on it. */
  async function round(initial: boolean): Promise<void> {
    for (const source of sources) {
      if (stopped) return;
      try {
        const state = await db.selectFrom('sync_state').select(['last_full_at']).where('source', '=', source.name).executeTakeFirst();
        const fullDue = !initial && config.env.SYNC_FULL_INTERVAL > 0 && (state?.last_full_at ?? 0) + config.env.SYNC_FULL_INTERVAL * 1000 <= Date.now();
        const { done } = await startRun(source, { full: fullDue });
        await done;
      } catch (err) {
        if ((err as Error).name === 'SyncBusyError') log.info({ source: source.name }, 'sync skipped: another run is in progress');
        else log.error({ err, source: source.name }, 'sync round failed');
      }
    }
  }

  const schedule = () => {
    const every = config.env.SYNC_INTERVAL;
    if (!every || stopped) return;
    timer = setTimeout(() => {
      const p = round(false).finally(schedule);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }, every * 1000);
    timer.unref();
  };

  return {
    name: 'sync',
    sourceNames: () => sources.map((s) => s.name),
    async start() {
      sources = await registry.create({ config, log });
      if (sources.length === 0) return;
      log.info({ sources: sources.map((s) => s.name), interval: config.env.SYNC_INTERVAL }, 'directory sync sources configured');
      // A local file loads before we serve (the demo directory must be there); network sources
      // load in the background so a slow or unreachable directory never blocks start-up.
      const local = sources.filter((s) => s.name === 'ldif');
      const remote = sources.filter((s) => s.name !== 'ldif');
      for (const s of local) {
        try {
          const { done } = await startRun(s, {});
          const r = await done;
          if (r.status === 'failed') log.error({ source: s.name, error: r.error }, 'initial directory load failed');
        } catch (err) {
          log.warn({ err, source: s.name }, 'initial directory load skipped');
        }
      }
      if (remote.length) {
        const initial = (async () => {
          for (const s of remote) {
            if (stopped) return;
            try {
              await (
                await startRun(s, {})
              ).done;
            } catch (err) {
              log.warn({ err, source: s.name }, 'initial directory sync skipped');
            }
          }
        })();
        inFlight.add(initial);
        void initial.finally(() => inFlight.delete(initial));
      }
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort(new Error('server stopping'));
      await Promise.allSettled([...inFlight]);
      for (const s of sources) await s.close?.().catch(() => undefined);
    },
    async run(name, request = {}) {
      return startRun(find(name), request);
    },
    async status() {
      const holder = await lease.holder();
      const stateRows = await db.selectFrom('sync_state').selectAll().execute();
      const names = [...new Set([...sources.map((s) => s.name), ...stateRows.map((r) => r.source)])];
      const out: SourceStatus[] = [];
      for (const name of names) {
        const st = stateRows.find((r) => r.source === name);
        const runs = await db.selectFrom('sync_runs').selectAll().where('source', '=', name).orderBy('started_at', 'desc').limit(10).execute();
        const people = await db
          .selectFrom('person_sources')
          .innerJoin('people', 'people.id', 'person_sources.person_id')
          .where('person_sources.source', '=', name)
          .where('people.deleted_at', 'is', null)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        const pending = await db
          .selectFrom('sync_pending_deletes')
          .where('source', '=', name)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        let watermark: Watermark | null;
        try {
          watermark = st?.watermark ? summarizeWatermark(JSON.parse(st.watermark) as Watermark) : null;
        } catch {
          watermark = null;
        }
        out.push({
          source: name,
          configured: sources.some((s) => s.name === name),
          watermark,
          needsFull: st?.needs_full ?? null,
          lastFullAt: iso(st?.last_full_at ?? null),
          people: Number(people.n),
          pendingDeletions: Number(pending.n),
          lastRuns: runs.map(toRunSummary),
        });
      }
      return {
        running: holder ? { runId: holder.runId, owner: holder.owner, expiresAt: new Date(holder.expiresAt).toISOString() } : null,
        intervalSeconds: config.env.SYNC_INTERVAL,
        fullIntervalSeconds: config.env.SYNC_FULL_INTERVAL,
        sources: out,
      };
    },
  };
}
