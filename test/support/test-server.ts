import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { mintDevToken } from '../../api/auth/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../../api/server.js';
import { loadConfig } from '../../core/config/index.js';
import { DirectoryWriter, type DirectoryEntry, type DirectoryTables } from '../../directory-sync/directory/index.js';

export const TEST_DEV_SECRET = 'test-dev-secret-not-for-production';

export interface TestServer extends RunningServer {
  /** A dev token for a person in the directory. */
  token(email: string): Promise<string>;
  /** Writes directory entries (source "test") straight into the store. */
  seed(entries: readonly DirectoryEntry[], source?: string): Promise<void>;
  /** fetch against the server with a bearer token for `as`. */
  api(method: string, path: string, options?: { as?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
}

/**
 * Starts the real server on a random loopback port over a fresh SQLite file (or the DATABASE_URL
 * given in env), with dev auth and silent logs. Close it in afterAll.
 */
export async function startTestServer(options: { env?: Record<string, string>; seed?: readonly DirectoryEntry[] } & ServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'op-test-'));
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'dev',
      DEV_AUTH_SECRET: TEST_DEV_SECRET,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_URL: path.join(dir, 'test.sqlite'),
      // Any directory source stops the demo directory from loading.
      LDIF_FILE: '',
      ...options.env,
    },
    { dotEnvFile: false },
  );
  const server = await startServer(config, options);
  const secret = new TextEncoder().encode(TEST_DEV_SECRET);
  const seed = async (entries: readonly DirectoryEntry[], source = 'test') => {
    const db = server.deps.store.db as Kysely<DirectoryTables>;
    const writer = new DirectoryWriter(source);
    await db.transaction().execute(async (trx) => {
      for (const e of entries) await writer.upsert(trx, e);
      await writer.resolveManagers(trx);
    });
  };
  if (options.seed) await seed(options.seed);
  const token = (email: string) => mintDevToken(email, secret);
  return {
    ...server,
    token,
    seed,
    async api(method, p, { as, body, headers } = {}) {
      return fetch(server.url + p, {
        method,
        headers: {
          ...(as ? { Authorization: `Bearer ${await token(as)}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
