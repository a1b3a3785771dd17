/**
 * Typed LDAP failures. The sync engine records a failed run for any of them and deletes nothing;
 * the kind lets the report (and the admin) tell a wrong password from an unreachable server.
 */
export type LdapErrorKind = 'connection' | 'timeout' | 'tls' | 'credentials' | 'operation' | 'config';

export class LdapError extends Error {
  constructor(
    readonly kind: LdapErrorKind,
    message: string,
    /** LDAP result code when the server sent one. */
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LdapError';
  }

  /** Worth reconnecting and trying again (the server went away, not "you are wrong"). */
  get retryable(): boolean {
    return this.kind === 'connection' || this.kind === 'timeout';
  }
}

export class LdapConnectionError extends LdapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('connection', message, undefined, options);
    this.name = 'LdapConnectionError';
  }
}

export class LdapTimeoutError extends LdapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('timeout', message, undefined, options);
    this.name = 'LdapTimeoutError';
  }
}

export class LdapTlsError extends LdapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('tls', message, undefined, options);
    this.name = 'LdapTlsError';
  }
}

export class LdapCredentialsError extends LdapError {
  constructor(message: string, code?: number, options?: { cause?: unknown }) {
    super('credentials', message, code, options);
    this.name = 'LdapCredentialsError';
  }
}

export class LdapOperationError extends LdapError {
  constructor(message: string, code?: number, options?: { cause?: unknown }) {
    super('operation', message, code, options);
    this.name = 'LdapOperationError';
  }
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);
// Result codes that mean "the bind was refused": invalidCredentials, inappropriateAuthentication,
// strongerAuthRequired, confidentialityRequired (a simple bind over plain LDAP refused).
const CREDENTIAL_RESULT_NAMES: Record<number, string> = {
  49: 'invalid credentials',
  48: 'inappropriate authentication',
  8: 'stronger authentication required',
  13: 'confidentiality required',
};
const CREDENTIAL_RESULT_CODES = new Set(Object.keys(CREDENTIAL_RESULT_NAMES).map(Number));
// busy, unavailable, unwillingToPerform during shutdown, adminLimit: the server, not us.
const SERVER_GONE_RESULT_CODES = new Set([51, 52]);

/** Maps whatever ldapts or node's socket layer threw to one of the typed errors above. */
export function toLdapError(err: unknown, context: string): LdapError {
  if (err instanceof LdapError) return err;
  const e = err as { message?: string; code?: unknown; library?: string; name?: string } | undefined;
  const message = e?.message ?? String(err);
  const sysCode = typeof e?.code === 'string' ? e.code : undefined;
  const resultCode = typeof e?.code === 'number' ? e.code : undefined;
  const what = `${context}: ${message.split('\n')[0]}`;
  if (sysCode && TLS_CODES.has(sysCode)) return new LdapTlsError(`${what} (TLS ${sysCode})`, { cause: err });
  if (e?.library === 'SSL routines' || /certificate|self[- ]signed|tls|ssl/i.test(sysCode ?? '') || /certificate|SSL routines/i.test(message))
    return new LdapTlsError(what, { cause: err });
  if (/timed? ?out/i.test(message) || sysCode === 'ETIMEDOUT') return new LdapTimeoutError(what, { cause: err });
  if (sysCode && CONNECTION_CODES.has(sysCode)) return new LdapConnectionError(`${what} (${sysCode})`, { cause: err });
  if (/Connection closed|Socket error|connection not established|socket hang up|ECONNRESET/i.test(message))
    return new LdapConnectionError(what, { cause: err });
  if (resultCode !== undefined) {
    if (CREDENTIAL_RESULT_CODES.has(resultCode))
      return new LdapCredentialsError(
        `${context}: bind refused, ${CREDENTIAL_RESULT_NAMES[resultCode]} (LDAP result ${resultCode})${/^\s*Code:/.test(message) ? '' : `: ${message.split('\n')[0]}`}`,
        resultCode,
        { cause: err },
      );
    if (SERVER_GONE_RESULT_CODES.has(resultCode)) return new LdapConnectionError(what, { cause: err });
    return new LdapOperationError(what, resultCode, { cause: err });
  }
  return new LdapOperationError(what, undefined, { cause: err });
}
