import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { base64url } from 'jose';
import { person } from '../support/entries.js';
import { startTestIssuer, type TestIssuer } from '../support/jwks-server.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let idp: TestIssuer;
let server: TestServer;
const AUD = 'api://office-presence';

beforeAll(async () => {
  idp = await startTestIssuer();
  server = await startTestServer({
    env: { AUTH_MODE: 'oidc', OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: AUD, ADMIN_GROUP: 'Presence Admins' },
    seed: [person('alice.archer', { upn: 'alice@corp.contoso.test', groups: ['Presence Admins'] }), person('bob.baker')],
  });
});
afterAll(async () => {
  await server.close();
  await idp.close();
});

const me = (token: string) => fetch(`${server.url}/v1/me`, { headers: { Authorization: `Bearer ${token}` } });

describe('pane headers with OIDC sign-in', () => {
  it("let the panes call the authority (MSAL's fallback without nested app authentication), and Office sites load their icons", async () => {
    const pane = await fetch(`${server.url}/addin/outlook.html`);
    const connect = /connect-src ([^;]*)/.exec(pane.headers.get('content-security-policy') ?? '')?.[1] ?? '';
    expect(connect.split(' ')).toEqual(expect.arrayContaining(["'self'", new URL(idp.issuer).origin]));
    const icon = await fetch(`${server.url}/addin/icons/icon-32.png`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    // The API stays same-site.
    expect((await fetch(`${server.url}/healthz`)).headers.get('cross-origin-resource-policy')).toBe('same-site');
  });
});

describe('OIDC access tokens', () => {
  it('accepts a valid token and resolves the person by UPN, with admin from the directory group', async () => {
    const res = await me(await idp.sign({ upn: 'alice@corp.contoso.test' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ person: { displayName: 'Alice Archer' }, isAdmin: true, authMode: 'oidc' });
  });

  it('resolves by e-mail claim when there is no UPN; not an admin without the group', async () => {
    const res = await me(await idp.sign({ email: 'bob.baker@contoso.test' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ person: { displayName: 'Bob Baker' }, isAdmin: false });
  });

  const rejected: [string, () => Promise<string>][] = [
    ['expired', () => idp.sign({ email: 'bob.baker@contoso.test' }, { expiresIn: -3600 })],
    ['not yet valid', () => idp.sign({ email: 'bob.baker@contoso.test' }, { notBefore: 3600 })],
    ['wrong issuer', () => idp.sign({ email: 'bob.baker@contoso.test', iss: 'https://evil.example/' })],
    ['wrong audience', () => idp.sign({ email: 'bob.baker@contoso.test', aud: 'api://someone-else' })],
    ['unknown kid', () => idp.sign({ email: 'bob.baker@contoso.test' }, { kid: 'rotated-away' })],
    ['a person not in the directory', () => idp.sign({ email: 'mallory@contoso.test' })],
    ['an ID token (no scope, has nonce)', () => idp.sign({ email: 'bob.baker@contoso.test', scp: undefined, nonce: 'n-0S6_WzA2Mj' })],
    [
      'alg none',
      async () => {
        const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
        const now = Math.floor(Date.now() / 1000);
        const body = base64url.encode(JSON.stringify({ iss: idp.issuer, aud: AUD, exp: now + 600, email: 'bob.baker@contoso.test', scp: 'access_as_user' }));
        return `${header}.${body}.`;
      },
    ],
    [
      'HS256 signed with the public key as the secret',
      async () => {
        // The classic key-confusion attack: the "secret" is the issuer's published public key.
        const secret = new TextEncoder().encode(JSON.stringify(idp.publicJwk));
        return idp.sign({ email: 'bob.baker@contoso.test' }, { alg: 'HS256', key: secret });
      },
    ],
    ['garbage', async () => 'not-a-jwt'],
  ];

  it.each(rejected)('rejects %s with 401', async (_name, make) => {
    const res = await me(await make());
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe('unauthorized');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('keeps serving after a run of bad tokens', async () => {
    expect((await me(await idp.sign({ email: 'bob.baker@contoso.test' }))).status).toBe(200);
  });
});
