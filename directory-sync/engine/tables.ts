/** Tables owned by the sync engine. Timestamps are epoch milliseconds. */
export interface SyncStateTable {
  source: string;
  /** JSON of the source's Watermark, committed with the data it covers. */
  watermark: string | null;
  /** Set when the next pass must be full (interrupted full pass, source demanded it). */
  needs_full: string | null;
  /** Some manager references of this source could not be resolved yet. */
  managers_dirty: number;
  last_full_at: number | null;
  last_run_id: string | null;
  updated_at: number;
}

/**
 * `incomplete`: a full pass the source could not finish (DC changed, file rewritten while read,
 * mailboxes not all read); its upserts are applied, nothing it did not see is deleted, and the next
 * run is a full pass again.
 */
export type RunStatus = 'running' | 'ok' | 'failed' | 'aborted' | 'deletions_blocked' | 'incomplete';

export interface SyncRunsTable {
  id: string;
  source: string;
  mode: 'full' | 'incremental';
  dry_run: number;
  started_at: number;
  finished_at: number | null;
  status: RunStatus;
  entries: number;
  added: number;
  updated: number;
  unchanged: number;
  disabled: number;
  deleted: number;
  missing: number;
  skipped: number;
  /** Deletions the cap held back (status deletions_blocked). */
  blocked_deletions: number;
  warning_count: number;
  /** JSON string[] (the first warnings only; warning_count has the total). */
  warnings: string;
  error: string | null;
}

/** One row per lease name; a run holds it (with renewals) for its whole duration. */
export interface SyncLeaseTable {
  name: string;
  owner: string;
  run_id: string | null;
  expires_at: number;
}

/** Deletions reported by a source (tombstones, @removed) or held back by the cap, not applied yet. */
export interface SyncPendingDeletesTable {
  source: string;
  external_id: string;
  reported_at: number;
}

export interface SyncTables {
  sync_state: SyncStateTable;
  sync_runs: SyncRunsTable;
  sync_lease: SyncLeaseTable;
  sync_pending_deletes: SyncPendingDeletesTable;
}
