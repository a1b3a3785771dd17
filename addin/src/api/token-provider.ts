/** Where the panes get their bearer token. Dev/demo: the loopback dev sign-in; Office + OIDC: nested app authentication. */
export interface TokenProvider {
  /** A valid access token; `forceRefresh` after the API answered 401. */
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
}

/** A token provider that never succeeds, for panes with nobody to sign in as. */
export function noSignIn(reason: string): TokenProvider {
  return {
    getToken: () => Promise.reject(new Error(reason)),
  };
}
