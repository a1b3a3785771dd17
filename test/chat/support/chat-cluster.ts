import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { mintDevToken } from '../../../api/auth/index.js';
import { allMigrations } from '../../../api/features.js';
import { loadConfig } from '../../../core/config/index.js';
import { openStore, runMigrations } from '../../../core/store/index.js';
import { DirectoryWriter, type DirectoryEntry, type DirectoryTables } from '../../../directory-sync/directory/index.js';
import { settleWithin } from '../../support/settle-within.js';

export const CLUSTER_DEV_SECRET = 'chat-cluster-dev-secret';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');

/** Migrates the store and writes the directory entries, before any server process starts. */
export async function prepareStore(databaseUrl: string, entries: readonly DirectoryEntry[]): Promise<void> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, AUTH_MODE: 'dev', LDIF_FILE: '' }, { dotEnvFile: false });
  const store = await openStore(config.database);
  try {
    await runMigrations(store, allMigrations);
    const writer = new DirectoryWriter('test');
    const db = store.db as Kysely<DirectoryTables>;
    for (let i = 0; i < entries.length; i += 200) {
      await db.transaction().execute(async (trx) => {
        for (const e of entries.slice(i, i + 200)) await writer.upsert(trx, e);
      });
    }
  } finally {
    await store.close();
  }
}

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop. */
  stop(): Promise<void>;
}

/** Spawns `node --import tsx server-process.ts` on a random port; resolves once it listens. */
export async function spawnServer(env: Record<string, string>, options: { port?: number } = {}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [...(process.env.CHAT_TEST_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', path.join(HERE, 'server-process.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        PORT: String(options.port ?? 0),
        HOST: '127.0.0.1',
        AUTH_MODE: 'dev',
        DEV_AUTH_SECRET: CLUSTER_DEV_SECRET,
        LDIF_FILE: '',
        LOG_LEVEL: process.env.CHAT_TEST_LOG_LEVEL ?? 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server process did not start within 30 s')), 30_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('{"url"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited with ${code} before listening`));
    });
  });
  return {
    url,
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await settleWithin(exited, 5000);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

const secret = new TextEncoder().encode(CLUSTER_DEV_SECRET);
export const clusterToken = (email: string): Promise<string> => mintDevToken(email, secret);
