import type { Config } from '../../../core/config/index.js';
import type { Logger } from '../../../core/log/index.js';
import { createGraphApi, type GraphApi, type GraphApiOptions } from './graph-client.js';
import { graphSettingsFrom } from './graph-settings.js';
import { GraphSource } from './graph-source.js';

export { createGraphApi, type GraphApi, type GraphApiOptions, type BatchItem, type BatchResult, type BytesResult } from './graph-client.js';
export { GraphRequestError } from './graph-error.js';
export { graphSettingsFrom, type GraphSettings } from './graph-settings.js';
export { GraphSource, type GraphSourceOptions } from './graph-source.js';
export {
  immutableIdFromGuid,
  userToEntry,
  orgContactToEntry,
  personalContactToEntry,
  personalContactId,
  orgContactId,
  smtpAddresses,
} from './graph-mapping.js';
export { createHttpsTransport, type Transport } from './https-transport.js';
export { createMsalTokenProvider, type TokenProvider } from './token-provider.js';
export { KeyedSemaphore, RateBudget, parseRetryAfter, retryDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './throttle.js';
export { refreshGraphPhotos, graphPhotoMigrations, type PhotoRefreshReport } from './photo-refresher.js';

/**
 * The `graph` source from the configuration (GRAPH_TENANT_ID & co.), or null when Graph is not
 * configured. The source owns its client; the engine's close() releases its sockets.
 */
export function createGraphSourceFromConfig(
  config: Config,
  log?: Logger,
  options: GraphApiOptions = {},
): (GraphSource & { close(): Promise<void>; api: GraphApi }) | null {
  const settings = graphSettingsFrom(config);
  if (!settings) return null;
  const api = createGraphApi(settings, {
    ...options,
    events: options.events ?? { onRetry: (e) => log?.info({ status: e.status, attempt: e.attempt, delayMs: e.delayMs }, 'graph: throttled, retrying') },
  });
  const source = new GraphSource({ api, personalContacts: config.env.GRAPH_CONTACTS, log });
  return Object.assign(source, { api, close: async () => api.close() });
}
