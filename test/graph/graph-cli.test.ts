import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { openStore } from '../../core/store/index.js';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import { graphUser, startGraphEmulator, type GraphEmulator } from '../support/graph-emulator/index.js';

const run = promisify(execFile);
let em: GraphEmulator;
let dir: string;

beforeAll(async () => {
  em = await startGraphEmulator();
  for (const n of ['alice.archer', 'bob.baker', 'carol.clark']) em.state.users.put(graphUser(n));
  dir = mkdtempSync(path.join(tmpdir(), 'graph-cli-'));
});
afterAll(async () => {
  await em.close();
  rmSync(dir, { recursive: true, force: true });
});

const sync = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'directory-sync/cli.ts', '--source', 'graph', ...args], {
    env: { ...process.env, ...em.env(), DATABASE_URL: path.join(dir, 'cli.sqlite'), AUTH_MODE: 'dev', LOG_LEVEL: 'silent', NODE_OPTIONS: '' },
    timeout: 60_000,
  }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

describe('npm run sync -- --source graph', () => {
  it('loads the Entra directory, then runs incrementally from the stored delta link', async () => {
    const first = await sync();
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/graph/);
    em.state.users.patch(graphUser('bob.baker').id, { jobTitle: 'Principal' });
    em.state.expireAccessTokens(); // a new process gets its own token anyway
    const second = await sync();
    expect(second.code).toBe(0);
    const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'cli.sqlite') });
    try {
      const db = store.db as Kysely<
        DirectoryTables & { sync_runs: { source: string; mode: string; status: string; added: number; updated: number; started_at: number } }
      >;
      const runs = await db
        .selectFrom('sync_runs')
        .select(['mode', 'status', 'added', 'updated'])
        .where('source', '=', 'graph')
        .orderBy('started_at')
        .execute();
      expect(runs).toEqual([
        { mode: 'full', status: 'ok', added: 3, updated: 0 },
        { mode: 'incremental', status: 'ok', added: 0, updated: 1 },
      ]);
      const bob = await db.selectFrom('people').select('title').where('primary_email', '=', 'bob.baker@contoso.test').executeTakeFirstOrThrow();
      expect(bob.title).toBe('Principal');
    } finally {
      await store.close();
    }
  });

  it('exits 1 and deletes nobody when Graph refuses the credentials', async () => {
    const r = await run(process.execPath, ['--import', 'tsx', 'directory-sync/cli.ts', '--source', 'graph', '--full'], {
      env: {
        ...process.env,
        ...em.env({ GRAPH_CLIENT_SECRET: 'wrong' }),
        DATABASE_URL: path.join(dir, 'cli.sqlite'),
        AUTH_MODE: 'dev',
        LOG_LEVEL: 'silent',
        NODE_OPTIONS: '',
      },
      timeout: 60_000,
    }).then(
      () => ({ code: 0 }),
      (e: { code: number }) => ({ code: e.code }),
    );
    expect(r.code).toBe(1);
    const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'cli.sqlite') });
    try {
      const live = await (store.db as Kysely<DirectoryTables>).selectFrom('people').select('id').where('deleted_at', 'is', null).execute();
      expect(live).toHaveLength(3);
    } finally {
      await store.close();
    }
  });
});
