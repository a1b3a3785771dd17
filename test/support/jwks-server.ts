import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

/** A local identity provider: OIDC metadata + JWKS on loopback, and a signer for test tokens. */
export interface TestIssuer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly publicJwk: JWK;
  /** Signs an access token with the published key unless told otherwise. */
  sign(payload: JWTPayload, options?: { kid?: string; alg?: string; key?: CryptoKey | Uint8Array; expiresIn?: number; notBefore?: number }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  let base = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/keys` }));
    else if (req.url === '/keys') res.end(JSON.stringify({ keys: [publicJwk] }));
    else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer: base,
    jwksUrl: `${base}/keys`,
    publicJwk,
    async sign(payload, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      let jwt = new SignJWT({ scp: 'access_as_user', ...payload })
        .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'test-key-1', typ: 'JWT' })
        .setIssuedAt(now - 5)
        .setExpirationTime(now + (options.expiresIn ?? 3600));
      if (options.notBefore !== undefined) jwt = jwt.setNotBefore(now + options.notBefore);
      if (payload.iss === undefined) jwt = jwt.setIssuer(base);
      if (payload.aud === undefined) jwt = jwt.setAudience('api://office-presence');
      return jwt.sign(options.key ?? privateKey);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
