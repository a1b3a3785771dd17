import { createNestablePublicClientApplication, InteractionRequiredAuthError, type IPublicClientApplication } from '@azure/msal-browser';
import { SignInRequiredError, type TokenProvider } from './token-provider.js';

export interface NaaOptions {
  readonly clientId: string;
  /** The API scope, e.g. api://host/<client id>/access_as_user. */
  readonly scope: string;
  /** Authority; defaults to the common endpoint (Microsoft's public cloud). */
  readonly authority: string | null;
  readonly loginHint: string | null;
}

/** How MSAL is created (the external boundary: tests pass an in-memory stand-in). */
export type CreateMsal = (config: { auth: { clientId: string; authority: string } }) => Promise<IPublicClientApplication>;

/**
 * Nested app authentication (Microsoft's recommended sign-in for Office add-ins): MSAL acquires the
 * token through the Office host's broker, silently when it can, with a popup when the user must consent.
 *
 * Most token requests come from the background (the realtime ticket on every reconnect, retries),
 * not from the user. So: one popup at a time, shared by every caller that needs it (a second popup
 * fails with interaction_in_progress); and once a popup was cancelled or failed, background callers
 * get a SignInRequiredError instead of another popup, until the user asks to sign in (signIn) or a
 * silent attempt succeeds again.
 */
export function naaTokenProvider(options: NaaOptions, createMsal: CreateMsal = createNestablePublicClientApplication): TokenProvider {
  let pca: Promise<IPublicClientApplication> | null = null;
  const app = () => (pca ??= createMsal({ auth: { clientId: options.clientId, authority: options.authority ?? 'https://login.microsoftonline.com/common' } }));
  const request = () => ({ scopes: [options.scope], loginHint: options.loginHint ?? undefined });
  let popup: Promise<string> | null = null;
  let needed = false;
  const listeners = new Set<(needed: boolean) => void>();
  const setNeeded = (v: boolean) => {
    if (needed === v) return;
    needed = v;
    for (const l of [...listeners]) l(v);
  };

  function interactive(): Promise<string> {
    popup ??= (async () => {
      try {
        const r = await (await app()).acquireTokenPopup(request());
        setNeeded(false);
        return r.accessToken;
      } catch (err) {
        setNeeded(true);
        throw err;
      } finally {
        popup = null;
      }
    })();
    return popup;
  }

  return {
    async getToken({ forceRefresh = false } = {}) {
      const msal = await app();
      try {
        const r = await msal.acquireTokenSilent({ ...request(), forceRefresh });
        setNeeded(false);
        return r.accessToken;
      } catch (err) {
        if (!(err instanceof InteractionRequiredAuthError)) throw err;
        if (popup) return popup;
        if (needed) throw new SignInRequiredError();
        return interactive();
      }
    },
    get signInNeeded() {
      return needed;
    },
    async signIn() {
      await interactive();
    },
    onSignInNeeded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
