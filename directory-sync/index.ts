// SCAFFOLD: replaced by the sync engine (issue 3). Today it only loads LDIF_FILE at start.
import type { Bus } from '../core/bus/index.js';
import type { Config } from '../core/config/index.js';
import type { Logger } from '../core/log/index.js';
import type { Migration, Store } from '../core/store/index.js';

export const syncMigrations: readonly Migration[] = [];

export interface DirectorySync {
  readonly name: 'sync';
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createDirectorySync(_deps: { config: Config; store: Store; bus: Bus; log: Logger }): DirectorySync {
  return { name: 'sync', start: async () => {}, stop: async () => {} };
}
