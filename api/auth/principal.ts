/** Who is calling, resolved from a verified token against the directory. Immutable. */
export interface Principal {
  readonly personId: string;
  readonly email: string;
  readonly displayName: string;
  readonly isAdmin: boolean;
}

/** Turns a bearer token into a principal or throws an HttpError 401. */
export interface Authenticator {
  readonly mode: 'dev' | 'oidc';
  authenticate(token: string): Promise<Principal>;
}
