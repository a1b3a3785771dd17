import type { Migration } from '../core/store/index.js';
import { directoryMigrations } from '../directory-sync/directory/index.js';
import { createDirectorySync, syncMigrations } from '../directory-sync/index.js';
import { createAdminFeature } from './admin/index.js';
import { chatMigrations, createChatFeature } from './chat/index.js';
import { createDocumentsFeature, documentsMigrations } from './documents/index.js';
import type { Feature, FeatureDeps } from './feature.js';
import { createGraphIntegration, graphMigrations } from './graph/index.js';
import { createPeopleFeature } from './people/index.js';
import { createPresenceFeature, presenceMigrations } from './presence/index.js';

/** Every module's schema, in dependency order. */
export const allMigrations: readonly Migration[] = [
  ...directoryMigrations,
  ...syncMigrations,
  ...presenceMigrations,
  ...chatMigrations,
  ...documentsMigrations,
  ...graphMigrations,
];

/** The features of the API process, wired to each other. Order matters for start/stop. */
export function createFeatures(deps: FeatureDeps): Feature[] {
  const sync = createDirectorySync({ config: deps.config, store: deps.store, bus: deps.bus, log: deps.log.child({ mod: 'sync' }) });
  const people = createPeopleFeature({ directory: deps.directory, authMode: deps.auth.mode });
  const presence = createPresenceFeature(deps);
  const chat = createChatFeature(deps, presence.service);
  const documents = createDocumentsFeature(deps);
  const admin = createAdminFeature(deps, sync);
  const graph = createGraphIntegration(deps, { presence: presence.service, chat, watched: () => presence.hub.subscribedPeople() });
  return [sync, people, presence, chat, documents, admin, graph];
}
