/**
 * Directory sync: sources (ldif, ldap, ad, graph) → engine → store. The API process runs it as a
 * feature (createDirectorySync); the CLI and benchmarks call runSync directly.
 */
export {
  createDirectorySync,
  runSync,
  syncMigrations,
  builtinSources,
  SourceRegistry,
  MemorySource,
  StoreLease,
  SyncBusyError,
  UnknownSourceError,
  DEFAULT_LIMITS,
  DIRECTORY_CHANGED,
  limitsFrom,
  toRunSummary,
  type DirectorySync,
  type RunSyncOptions,
  type SyncLimits,
  type SyncReport,
  type SyncProgress,
  type SyncStatus,
  type SourceStatus,
  type RunSummary,
  type RunRequest,
  type StartedRun,
  type SourceFactory,
  type SourceContext,
} from './engine/index.js';
export type { DirectorySource, SourceBatch, ReadSummary, ReadOptions, Watermark } from './sources/source.js';
