import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { TtlCache } from '../../core/cache/index.js';
import type { Config } from '../../core/config/index.js';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import { HttpError, unauthorized } from '../http/index.js';
import { DEV_ISSUER, devSecret } from './dev-secret.js';
import type { Authenticator, Principal } from './principal.js';
import { resolvePrincipal } from './resolve-principal.js';

type GroupsOf = (personId: string) => Promise<readonly string[]>;

/** Discovery and key fetches that take longer fail the request with 503 rather than hold it. */
export const IDP_TIMEOUT_MS = 10_000;
const authUnavailable = (message: string, cause?: unknown) => new HttpError(503, 'auth_unavailable', message, { expose: true, cause });

/**
 * Caches verified tokens' principals briefly (never past the token's exp), so a busy user's
 * requests cost one signature check and one directory read per minute.
 */
export class PrincipalCache {
  readonly #cache: TtlCache<string, Principal>;
  constructor(
    maxEntries = 50_000,
    readonly ttlMs = 60_000,
    readonly now: () => number = Date.now,
  ) {
    this.#cache = new TtlCache(maxEntries, now);
  }
  get(token: string): Principal | undefined {
    return this.#cache.get(token);
  }
  set(token: string, p: Principal, expSeconds: number | undefined): void {
    this.#cache.set(token, p, Math.min(this.now() + this.ttlMs, (expSeconds ?? Infinity) * 1000));
  }
}

abstract class JwtAuthenticator implements Authenticator {
  abstract readonly mode: 'dev' | 'oidc';
  readonly #cache = new PrincipalCache();
  constructor(
    protected readonly directory: DirectoryReader,
    protected readonly adminGroup: string | undefined,
    protected readonly groupsOf: GroupsOf,
  ) {}
  protected abstract verify(token: string): Promise<JWTPayload>;

  async authenticate(token: string): Promise<Principal> {
    const cached = this.#cache.get(token);
    if (cached) return cached;
    let payload: JWTPayload;
    try {
      payload = await this.verify(token);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      // The keys could not be fetched (a timeout, a refused connection): the provider's trouble,
      // not the token's. A 401 would send the panes back to sign-in for nothing.
      if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) throw authUnavailable('The identity provider cannot be reached', err);
      throw Object.assign(unauthorized('The token is not valid'), { cause: err });
    }
    const principal = await resolvePrincipal(payload, this.directory, this.adminGroup, this.groupsOf);
    this.#cache.set(token, principal, payload.exp);
    return principal;
  }
}

export class DevAuthenticator extends JwtAuthenticator {
  readonly mode = 'dev' as const;
  /** Imported once: given raw bytes, jose would import the key again for every token it checks. */
  readonly #key: Promise<CryptoKey>;
  constructor(secret: string | undefined, directory: DirectoryReader, adminGroup: string | undefined, groupsOf: GroupsOf) {
    super(directory, adminGroup, groupsOf);
    this.#key = crypto.subtle.importKey('raw', new Uint8Array(devSecret(secret)), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  }
  protected async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, await this.#key, { algorithms: ['HS256'], issuer: DEV_ISSUER, audience: DEV_ISSUER });
    return payload;
  }
}

/**
 * OIDC / Entra access tokens: signature by the issuer's JWKS (cached, refreshed on unknown kid),
 * algorithms pinned to asymmetric ones, iss/aud/exp/nbf checked, ID tokens refused.
 */
export class OidcAuthenticator extends JwtAuthenticator {
  readonly mode = 'oidc' as const;
  /** The key set, once discovery succeeded; while it runs, every request waits on the same one. */
  #jwks: Promise<JWTVerifyGetKey> | undefined;
  constructor(
    readonly options: Extract<Config['auth'], { mode: 'oidc' }>,
    directory: DirectoryReader,
    adminGroup: string | undefined,
    groupsOf: GroupsOf,
    /** How long discovery and key fetches may take (tests shorten it). */
    readonly timeoutMs = IDP_TIMEOUT_MS,
  ) {
    super(directory, adminGroup, groupsOf);
  }

  #keys(): Promise<JWTVerifyGetKey> {
    // A failed discovery is forgotten, so the next request tries again.
    this.#jwks ??= this.#discover().catch((err: unknown) => {
      this.#jwks = undefined;
      throw err;
    });
    return this.#jwks;
  }

  async #discover(): Promise<JWTVerifyGetKey> {
    let url = this.options.jwksUrl;
    if (!url) {
      let res: Response;
      try {
        res = await fetch(new URL('.well-known/openid-configuration', this.options.issuer.replace(/\/?$/, '/')), {
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        throw authUnavailable('The identity provider cannot be reached', err);
      }
      if (!res.ok) throw authUnavailable(`The identity provider's discovery answered ${res.status}`);
      url = ((await res.json().catch(() => ({}))) as { jwks_uri?: string }).jwks_uri;
      if (!url) throw authUnavailable('The identity provider publishes no jwks_uri');
    }
    return createRemoteJWKSet(new URL(url), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: this.timeoutMs });
  }

  protected async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, await this.#keys(), {
      algorithms: [...this.options.algorithms],
      issuer: this.options.issuer,
      audience: this.options.audience,
      clockTolerance: 60,
      requiredClaims: ['exp'],
    });
    // ID tokens carry no scope; Office's ID token shares the add-in's audience, so aud alone is not enough.
    if (payload.scp === undefined && payload.scope === undefined && payload.roles === undefined)
      throw unauthorized('An access token is required (this looks like an ID token)');
    if (payload.nonce !== undefined) throw unauthorized('An access token is required (this looks like an ID token)');
    return payload;
  }
}

export function createAuthenticator(config: Config, directory: DirectoryReader, groupsOf: GroupsOf): Authenticator {
  return config.auth.mode === 'dev'
    ? new DevAuthenticator(config.auth.secret, directory, config.adminGroup, groupsOf)
    : new OidcAuthenticator(config.auth, directory, config.adminGroup, groupsOf);
}
