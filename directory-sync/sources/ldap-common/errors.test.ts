import { describe, expect, it } from '@jest/globals';
import { InvalidCredentialsError, NoSuchObjectError } from 'ldapts';
import { LdapConnectionError, LdapCredentialsError, LdapOperationError, LdapTimeoutError, LdapTlsError, toLdapError } from './errors.js';

describe('toLdapError', () => {
  it('classifies what ldapts and node throw', () => {
    expect(toLdapError(new InvalidCredentialsError(), 'bind')).toBeInstanceOf(LdapCredentialsError);
    expect(toLdapError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'x')).toBeInstanceOf(LdapConnectionError);
    expect(toLdapError(new Error('SearchRequest: Operation timed out'), 'x')).toBeInstanceOf(LdapTimeoutError);
    expect(toLdapError(new Error('Connection timeout'), 'x')).toBeInstanceOf(LdapTimeoutError);
    expect(toLdapError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'x')).toBeInstanceOf(LdapTlsError);
    expect(toLdapError(new Error('Connection closed before message response was received.'), 'x')).toBeInstanceOf(LdapConnectionError);
    const noSuch = toLdapError(new NoSuchObjectError(), 'x');
    expect(noSuch).toBeInstanceOf(LdapOperationError);
    expect(noSuch.code).toBe(32);
    expect(noSuch.retryable).toBe(false);
  });

  it('keeps the context and the cause', () => {
    const cause = new InvalidCredentialsError();
    const e = toLdapError(cause, 'bind to ldap://h');
    expect(e.message).toMatch(/^bind to ldap:\/\/h: bind refused, invalid credentials \(LDAP result 49\)/);
    expect(e.cause).toBe(cause);
  });
});
