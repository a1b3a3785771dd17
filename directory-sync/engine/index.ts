export { runSync, DEFAULT_LIMITS, type RunSyncOptions, type SyncLimits } from './run-sync.js';
export {
  applyBatch,
  resolveManagerLinks,
  resolvePendingManagers,
  KyselyBatchStore,
  SqliteBatchStore,
  type BatchOutcome,
  type BatchStore,
} from './batch-applier.js';
export { timeOrderedId } from './time-ordered-id.js';
export { StoreLease, SyncBusyError, processOwner } from './lease.js';
export { MemorySource } from './memory-source.js';
export { SourceRegistry, type SourceFactory, type SourceContext } from './source-registry.js';
export { builtinSources } from './builtin-sources.js';
export { checkEntry, normalizeDn, isValidEmail, MAX_PHOTO_BYTES } from './validate-entry.js';
export { syncMigrations } from './migrations.js';
export type { SyncReport, SyncProgress } from './report.js';
export type { SyncTables, SyncRunsTable, SyncStateTable, RunStatus } from './tables.js';
export {
  createDirectorySync,
  toRunSummary,
  limitsFrom,
  UnknownSourceError,
  DIRECTORY_CHANGED,
  type DirectorySync,
  type RunRequest,
  type RunSummary,
  type SourceStatus,
  type SyncStatus,
  type StartedRun,
} from './sync-service.js';
