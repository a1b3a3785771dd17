import { ConfidentialClientApplication, type INetworkModule, type NetworkResponse } from '@azure/msal-node';
import type { GraphSettings } from './graph-settings.js';
import type { Transport } from './https-transport.js';

/** App-only access tokens for Graph. */
export interface TokenProvider {
  /** A valid token; `forceRefresh` skips the cache (after a 401). */
  getToken(forceRefresh?: boolean): Promise<string>;
}

/**
 * Client-credentials tokens through MSAL (its in-memory cache refreshes before expiry). MSAL's
 * HTTP goes through our transport so GRAPH_CA_FILE applies to the authority too, and the
 * authority host is declared known so no instance discovery call to Microsoft is made.
 */
export function createMsalTokenProvider(settings: GraphSettings, transport: Transport): TokenProvider {
  const networkClient: INetworkModule = {
    sendGetRequestAsync: (url, options) => call(transport, url, 'GET', options),
    sendPostRequestAsync: (url, options) => call(transport, url, 'POST', options),
  };
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      authority: `${settings.authority}/${settings.tenantId}`,
      knownAuthorities: [new URL(settings.authority).host],
    },
    system: { networkClient },
  });
  const scopes = [`${settings.origin}/.default`];
  let inflight: Promise<string> | null = null;
  return {
    async getToken(forceRefresh = false) {
      // Concurrent callers after a 401 share one refresh instead of stampeding the authority.
      if (forceRefresh && inflight) return inflight;
      const p = app.acquireTokenByClientCredential({ scopes, skipCache: forceRefresh }).then((r) => {
        if (!r?.accessToken) throw new Error('token endpoint returned no access token');
        return r.accessToken;
      });
      if (forceRefresh) {
        inflight = p;
        p.finally(() => (inflight = null)).catch(() => {});
      }
      return p;
    },
  };
}

async function call<T>(
  transport: Transport,
  url: string,
  method: string,
  options?: { headers?: Record<string, string>; body?: string },
): Promise<NetworkResponse<T>> {
  const res = await transport(url, { method, headers: options?.headers, body: options?.body });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { error: 'invalid_response', error_description: text.slice(0, 200) };
  }
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: body as T };
}
