export { ApiError } from './api-error.js';
export {
  createApiClient,
  type ApiClient,
  type LookupResult,
  type MeResponse,
  type PersonCard,
  type PersonSummary,
  type RequestOptions,
} from './http-client.js';
export { createRealtimeClient, type Frame, type RealtimeClient, type RealtimeStatus } from './realtime-client.js';
export type { TokenProvider } from './token-provider.js';
export { noSignIn } from './token-provider.js';
export { devTokenProvider } from './dev-token-provider.js';
export { backoffDelay } from './backoff.js';
