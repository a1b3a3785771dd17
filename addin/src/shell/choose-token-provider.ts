import { devTokenProvider, noSignIn, type TokenProvider } from '../api/index.js';
import type { OfficeHost } from '../office/index.js';

/** What the server tells the panes about sign-in (GET /addin/config.json, unauthenticated). */
export interface ClientConfig {
  readonly authMode: 'dev' | 'oidc';
  readonly clientId: string | null;
  readonly apiScope: string | null;
  readonly authority: string | null;
}

async function loadClientConfig(): Promise<ClientConfig | null> {
  try {
    const res = await fetch('/addin/config.json', { headers: { Accept: 'application/json' } });
    return res.ok ? ((await res.json()) as ClientConfig) : null;
  } catch {
    return null;
  }
}

/**
 * Demo host and plain-browser dev use: the loopback dev sign-in as the chosen person. Inside Office
 * with OIDC: nested app authentication (MSAL, loaded only then). Inside Office with dev auth (a local
 * sideload): dev sign-in as the Office user.
 */
export async function chooseTokenProvider(host: OfficeHost): Promise<TokenProvider> {
  const email = host.user().email;
  if (host.environment !== 'office') {
    return email ? devTokenProvider(email) : noSignIn('Nobody is signed in. Open the pane from Outlook or Word, or from the demo host at /demo/.');
  }
  const config = await loadClientConfig();
  if (config?.authMode === 'oidc') {
    if (!config.clientId || !config.apiScope) return noSignIn('Sign-in is not configured (ADDIN_CLIENT_ID / ADDIN_API_SCOPE).');
    const { naaTokenProvider } = await import('../api/naa-token-provider.js');
    return naaTokenProvider({ clientId: config.clientId, scope: config.apiScope, authority: config.authority, loginHint: email });
  }
  return email ? devTokenProvider(email) : noSignIn('Office did not tell us who you are.');
}
