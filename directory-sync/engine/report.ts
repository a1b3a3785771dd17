import type { RunStatus, SyncRunsTable } from './tables.js';

/** The counts of one run, as the report, the CLI summary and the admin status show them. */
export interface SyncCounts {
  /** Entries the source delivered. */
  entries: number;
  added: number;
  updated: number;
  unchanged: number;
  /** Entries that became disabled (or arrived disabled). */
  disabled: number;
  /** People purged (deleted_at set) by this run, after their grace period. */
  deleted: number;
  /** People marked missing by this run (first phase of a deletion). */
  missing: number;
  skipped: number;
  /**
   * Deletions held back by the cap (status deletions_blocked), counting this source's links to
   * people another source also has, which are held back with them.
   */
  blockedDeletions: number;
}

/** What one run did; stored in sync_runs and printed by the CLI. */
export interface SyncReport extends SyncCounts {
  /**
   * People gone from this source that another source still has: only this source's link to them
   * was removed (capped with the deletions). Not a sync_runs column: a warning of the run says it.
   */
  unlinked: number;
  readonly id: string;
  readonly source: string;
  mode: 'full' | 'incremental';
  readonly dryRun: boolean;
  readonly startedAt: number;
  finishedAt: number | null;
  status: RunStatus;
  warningCount: number;
  warnings: string[];
  error: string | null;
}

export const MAX_STORED_WARNINGS = 100;

/** The sync_runs row of a report: written when the run starts and again when it ends. */
export function runRow(report: SyncReport): SyncRunsTable {
  return {
    id: report.id,
    source: report.source,
    mode: report.mode,
    dry_run: report.dryRun ? 1 : 0,
    started_at: report.startedAt,
    finished_at: report.finishedAt,
    status: report.status,
    entries: report.entries,
    added: report.added,
    updated: report.updated,
    unchanged: report.unchanged,
    disabled: report.disabled,
    deleted: report.deleted,
    missing: report.missing,
    skipped: report.skipped,
    blocked_deletions: report.blockedDeletions,
    warning_count: report.warningCount,
    warnings: JSON.stringify(report.warnings),
    error: report.error,
  };
}

export interface SyncProgress {
  readonly source: string;
  readonly phase: 'reading' | 'reconciling' | 'done';
  readonly entries: number;
  readonly perSecond: number;
  readonly elapsedMs: number;
}

export function newReport(id: string, source: string, mode: 'full' | 'incremental', dryRun: boolean, startedAt: number): SyncReport {
  return {
    id,
    source,
    mode,
    dryRun,
    startedAt,
    finishedAt: null,
    status: 'running',
    entries: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    disabled: 0,
    deleted: 0,
    missing: 0,
    skipped: 0,
    blockedDeletions: 0,
    unlinked: 0,
    warningCount: 0,
    warnings: [],
    error: null,
  };
}

export function addWarnings(report: SyncReport, warnings: readonly string[]): void {
  report.warningCount += warnings.length;
  for (const w of warnings) {
    if (report.warnings.length >= MAX_STORED_WARNINGS) break;
    report.warnings.push(w.length > 500 ? `${w.slice(0, 500)}…` : w);
  }
}
