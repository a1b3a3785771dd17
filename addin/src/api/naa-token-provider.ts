import { createNestablePublicClientApplication, InteractionRequiredAuthError, type IPublicClientApplication } from '@azure/msal-browser';
import type { TokenProvider } from './token-provider.js';

export interface NaaOptions {
  readonly clientId: string;
  /** The API scope, e.g. api://host/<client id>/access_as_user. */
  readonly scope: string;
  /** Authority; defaults to the common endpoint (Microsoft's public cloud). */
  readonly authority: string | null;
  readonly loginHint: string | null;
}

/**
 * Nested app authentication (Microsoft's recommended sign-in for Office add-ins): MSAL acquires the
 * token through the Office host's broker, silently when it can, with a popup when the user must consent.
 */
export function naaTokenProvider(options: NaaOptions): TokenProvider {
  let pca: Promise<IPublicClientApplication> | null = null;
  const app = () =>
    (pca ??= createNestablePublicClientApplication({
      auth: { clientId: options.clientId, authority: options.authority ?? 'https://login.microsoftonline.com/common' },
    }));
  const request = () => ({ scopes: [options.scope], loginHint: options.loginHint ?? undefined });
  return {
    async getToken({ forceRefresh = false } = {}) {
      const msal = await app();
      try {
        const r = await msal.acquireTokenSilent({ ...request(), forceRefresh });
        return r.accessToken;
      } catch (err) {
        if (!(err instanceof InteractionRequiredAuthError)) throw err;
        const r = await msal.acquireTokenPopup(request());
        return r.accessToken;
      }
    },
  };
}
