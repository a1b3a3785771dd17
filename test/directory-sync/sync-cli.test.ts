// The real CLI as a child process: exit codes scripts can trust, the summary, dry runs, a broken
// LDIF line named, deletions blocked until --allow-deletes, a run refused while the lease is held.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { openStore, runMigrations, type Store } from '../../core/store/index.js';
import { directoryMigrations, type DirectoryTables } from '../../directory-sync/directory/index.js';
import { StoreLease, syncMigrations } from '../../directory-sync/index.js';
import { ldifPeople } from '../../directory-sync/engine/test-helpers.js';

const ROOT = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'sync-cli-'));
const dbFile = path.join(dir, 'cli.sqlite');
const ldif = path.join(dir, 'people.ldif');

function sync(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'directory-sync/cli.ts'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, DATABASE_URL: dbFile, LDIF_FILE: ldif, AUTH_MODE: 'dev', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
const people = ldifPeople;

let store: Store;
beforeAll(async () => {
  store = await openStore({ kind: 'sqlite', file: dbFile });
  await runMigrations(store, [...directoryMigrations, ...syncMigrations]);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
const liveCount = async () => (await (store.db as Kysely<DirectoryTables>).selectFrom('people').select('id').where('deleted_at', 'is', null).execute()).length;

describe('npm run sync (directory-sync/cli.ts)', () => {
  it('--dry-run prints the plan, changes nothing, exits 0', async () => {
    writeFileSync(ldif, people(1, 30));
    const r = await sync(['--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ldif: ok \(dry run: nothing was changed\) — full pass, 30 entries/);
    expect(r.stdout).toMatch(/added 30, updated 0/);
    expect(await liveCount()).toBe(0);
  });

  it('syncs, prints the summary and exits 0; progress goes to stderr as plain lines off a terminal', async () => {
    const r = await sync([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ldif: ok — full pass, 30 entries read in \d+\.\d s/);
    expect(r.stdout).toMatch(/added 30, updated 0, unchanged 0, disabled 0, deleted 0, missing 0, skipped 0, warnings 0/);
    expect(r.stderr).toMatch(/ldif: reconciling 30 entries/);
    expect(r.stderr).not.toContain('\u001b[');
    expect(await liveCount()).toBe(30);
    const again = await sync(['--source', 'ldif']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/incremental pass, 0 entries/);
  });

  it('a broken LDIF line: exit 1, the error names the line, nothing applied', async () => {
    const text = `${people(1, 30)}\n${people(31, 32)}\nbroken line without colon\n`;
    const brokenLine = text.split('\n').indexOf('broken line without colon') + 1;
    writeFileSync(ldif, text);
    const r = await sync([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ldif: failed/);
    expect(r.stdout).toMatch(new RegExp(`error: .*people\\.ldif: line ${brokenLine}: expected "attribute: value"`));
    expect(await liveCount()).toBe(30);
  });

  it('deletions over the cap: exit 3, nothing deleted; --allow-deletes applies them (exit 0)', async () => {
    writeFileSync(ldif, people(1, 20));
    const r = await sync([]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/ldif: deletions_blocked/);
    expect(r.stdout).toMatch(/10 deletions were held back by the cap; .*--allow-deletes/);
    expect(await liveCount()).toBe(30);
    const allowed = await sync(['--allow-deletes', '--full']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/deleted 10/);
    expect(await liveCount()).toBe(20);
  });

  it('exit 4 while another process holds the sync lease', async () => {
    const lease = new StoreLease(store, 'directory-sync', 'other-host:1:cli-test');
    await lease.acquire('other-run');
    try {
      const r = await sync(['--full']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/another sync run is in progress \(other-run/);
    } finally {
      await lease.release();
    }
  });

  it('usage and configuration errors exit 2', async () => {
    const bad = await sync(['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--nope'/);
    expect(bad.stderr).toMatch(
      /exit codes: 0 ok, 1 run failed, 2 usage\/config error, 3 deletions blocked, 4 another run in progress,\s+5 full pass incomplete/,
    );
    expect((await sync(['--source', 'graph'])).code).toBe(2);
    const env = await sync([], { SYNC_DELETE_CAP: 'lots' });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/SYNC_DELETE_CAP/);
    const help = await sync(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: npm run sync --/);
  });
});
