/** Where the panes get their bearer token. Dev/demo: the loopback dev sign-in; Office + OIDC: nested app authentication. */
export interface TokenProvider {
  /** A valid access token; `forceRefresh` after the API answered 401. */
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
  /**
   * Providers that may need the user (a sign-in popup) and will not ask again on their own after
   * the user cancelled: true until the user signs in. Absent where sign-in never needs the user.
   */
  readonly signInNeeded?: boolean;
  /** Signs in interactively: call it from a user action (a button), never from the background. */
  signIn?(): Promise<void>;
  onSignInNeeded?(listener: (needed: boolean) => void): () => void;
}

/** The token is there only after the user signs in again (they cancelled the last sign-in). */
export class SignInRequiredError extends Error {
  readonly code = 'sign_in_required';
  constructor() {
    super('Sign in to continue: choose Sign in.');
    this.name = 'SignInRequiredError';
  }
}

/** A token provider that never succeeds, for panes with nobody to sign in as. */
export function noSignIn(reason: string): TokenProvider {
  return {
    getToken: () => Promise.reject(new Error(reason)),
  };
}
