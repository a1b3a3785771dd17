// The real CLI (`npm run sync`, here `node --import tsx directory-sync/cli.ts`) SIGKILLed in the
// middle of a full pass against a real slapd, then run again: the store ends exactly as after
// one uninterrupted run — nobody lost, nobody twice.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openStore } from '../../core/store/index.js';
import { snapshot } from '../../directory-sync/engine/test-helpers.js';
import { baseLdif, startSlapd, type Slapd } from '../support/slapd.js';
import { groupLdif, personDn, personLdif, photoBytes } from './fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PEOPLE = 8_000;
let ldap: Slapd;
let dir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  let ldif = baseLdif();
  for (let i = 0; i < PEOPLE; i++) {
    const uid = `k${String(i).padStart(5, '0')}`;
    ldif += personLdif({
      uid,
      manager: i ? personDn(`k${String(Math.floor((i - 1) / 10)).padStart(5, '0')}`) : undefined,
      aliases: [`alias.${uid}@example.com`],
      photo: i % 10 === 0 ? photoBytes(i, 1024) : undefined,
    });
  }
  ldif += groupLdif(
    'everyone-a',
    Array.from({ length: 600 }, (_, i) => personDn(`k${String(i).padStart(5, '0')}`)),
  );
  ldap = await startSlapd({ ldif });
  dir = mkdtempSync(path.join(tmpdir(), 'killed-cli-'));
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await ldap?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(dbFile: string, args: string[]): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'directory-sync/cli.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ldap.env(), DATABASE_URL: dbFile, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, out });
    }),
  );
  return { child, exit };
}

function countPeople(dbFile: string): number {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('select count(*) as n from people').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created or not migrated yet
  }
}

describe('sync CLI killed mid-run', () => {
  it('SIGKILL after some batches, run again: same store as one clean run, no loss, no duplicates', async () => {
    const killedDb = path.join(dir, 'killed.sqlite');
    const run1 = cli(killedDb, ['--full']);
    // Wait (bounded: 120 s) until some batches are committed but not all, then kill.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const seen = countPeople(killedDb);
      if (seen >= 1000) break;
      if (Date.now() > deadline) throw new Error(`no batch committed within 120 s (${seen})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    run1.child.kill('SIGKILL');
    const first = await run1.exit;
    expect(first.signal).toBe('SIGKILL');
    const atKill = countPeople(killedDb);
    expect(atKill).toBeGreaterThanOrEqual(1000);
    expect(atKill).toBeLessThan(PEOPLE);

    // The rerun is a plain `npm run sync`: the interrupted full pass makes it full again.
    const run2 = await cli(killedDb, []).exit;
    expect(run2.out).toMatch(/ldap: ok — full pass, 8000 entries/);
    expect(run2.code).toBe(0);

    const cleanDb = path.join(dir, 'clean.sqlite');
    const clean = await cli(cleanDb, ['--full']).exit;
    expect(clean.code).toBe(0);

    const killedStore = await openStore({ kind: 'sqlite', file: killedDb });
    const cleanStore = await openStore({ kind: 'sqlite', file: cleanDb });
    try {
      const a = await snapshot(killedStore);
      const b = await snapshot(cleanStore);
      expect(a).toHaveLength(PEOPLE);
      expect(a).toEqual(b);
      // No duplicates: one link per entryUUID, one owner per address.
      const raw = new Database(killedDb, { readonly: true });
      try {
        expect(raw.prepare('select external_id from person_sources group by external_id having count(*) > 1').all()).toEqual([]);
        expect(raw.prepare('select count(*) as n from person_sources').get()).toEqual({ n: PEOPLE });
        expect(raw.prepare('select count(*) as n from people where deleted_at is null and missing_since is null').get()).toEqual({ n: PEOPLE });
        expect(raw.prepare('select count(*) as n from person_emails').get()).toEqual({ n: 2 * PEOPLE });
      } finally {
        raw.close();
      }
    } finally {
      await killedStore.close();
      await cleanStore.close();
    }
  }, 300_000);
});
