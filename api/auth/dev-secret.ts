import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../core/config/index.js';

export const DEV_ISSUER = 'office-presence-dev';
export const DEV_SECRET_FILE = path.join(ROOT_DIR, 'data/dev-auth-secret');

/**
 * The HMAC key for demo tokens: DEV_AUTH_SECRET if set, else a random key kept in ./data so that
 * `npm run dev-token` and the server agree without configuration.
 */
export function devSecret(configured: string | undefined): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  if (!existsSync(DEV_SECRET_FILE)) {
    mkdirSync(path.dirname(DEV_SECRET_FILE), { recursive: true });
    try {
      writeFileSync(DEV_SECRET_FILE, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
    } catch {
      // Another process created it first; read theirs.
    }
  }
  return new TextEncoder().encode(readFileSync(DEV_SECRET_FILE, 'utf8').trim());
}
