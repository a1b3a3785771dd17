// The identity provider in trouble: its answers are slow, missing or refused. Requests must fail
// fast with 503 (the provider's trouble), never 401 (which sends the panes back to sign-in) or hang.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import { HttpError } from '../http/index.js';
import { OidcAuthenticator } from './authenticators.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** An issuer whose discovery document is served by `answer`; counts the requests. */
async function issuer(answer: (res: import('node:http').ServerResponse) => void): Promise<{ url: string; requests: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    answer(res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => n };
}

const authenticator = (issuerUrl: string, timeoutMs = 200) =>
  new OidcAuthenticator(
    { mode: 'oidc', issuer: issuerUrl, audience: 'api://x', algorithms: ['RS256'], jwksUrl: undefined } as unknown as ConstructorParameters<
      typeof OidcAuthenticator
    >[0],
    {} as DirectoryReader,
    undefined,
    async () => [],
    timeoutMs,
  );

// A well-formed token; its signature is never reached in these cases.
const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2ln';

async function failure(p: Promise<unknown>): Promise<HttpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe('OIDC when the identity provider is in trouble', () => {
  it('refused connections answer 503 auth_unavailable, not 401', async () => {
    const down = await issuer(() => undefined);
    const url = down.url;
    await new Promise((r) => servers.pop()!.close(r));
    const err = await failure(authenticator(url).authenticate(TOKEN));
    expect([err.status, err.code]).toEqual([503, 'auth_unavailable']);
  });

  it('a discovery that never answers fails after the timeout; concurrent requests share one discovery; the next request tries again', async () => {
    const hang = await issuer(() => undefined);
    const auth = authenticator(hang.url, 150);
    const errs = await Promise.all(Array.from({ length: 10 }, () => failure(auth.authenticate(TOKEN))));
    expect(errs.map((e) => e.status)).toEqual(Array(10).fill(503));
    expect(hang.requests()).toBe(1);
    await failure(auth.authenticate(TOKEN));
    expect(hang.requests()).toBe(2);
  });

  it('keys that cannot be fetched are the provider trouble too (503); a discovery error status as well', async () => {
    const noKeys = await issuer((res) => {
      res.setHeader('Content-Type', 'application/json');
      // The key set's address points at a port where nothing listens.
      res.end(JSON.stringify({ jwks_uri: 'http://127.0.0.1:9/keys' }));
    });
    expect((await failure(authenticator(noKeys.url).authenticate(TOKEN))).status).toBe(503);
    const broken = await issuer((res) => {
      res.statusCode = 500;
      res.end();
    });
    const err = await failure(authenticator(broken.url).authenticate(TOKEN));
    expect([err.status, err.message]).toEqual([503, "The identity provider's discovery answered 500"]);
  });
});
