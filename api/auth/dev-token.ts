import { SignJWT } from 'jose';
import { DEV_ISSUER } from './dev-secret.js';

/** Mints a demo token for an e-mail address (dev auth only, loopback only). */
export async function mintDevToken(email: string, secret: Uint8Array, ttlSeconds = 12 * 3600): Promise<string> {
  return new SignJWT({ email: email.toLowerCase(), scp: 'access_as_user' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_ISSUER)
    .setSubject(email.toLowerCase())
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(secret);
}
