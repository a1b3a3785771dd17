export type { Authenticator, Principal } from './principal.js';
export { createAuthenticator, DevAuthenticator, OidcAuthenticator } from './authenticators.js';
export { requireAuth, requireAdmin, bearerToken } from './middleware.js';
export { mintDevToken } from './dev-token.js';
export { devSecret, DEV_ISSUER } from './dev-secret.js';
