import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { mintDevToken } from '../../api/auth/index.js';
import { allMigrations } from '../../api/features.js';
import { ROOT_DIR } from '../../core/config/index.js';
import { openStore, runMigrations } from '../../core/store/index.js';
import { DirectoryWriter, type DirectoryTables } from '../../directory-sync/directory/index.js';
import { person } from '../support/entries.js';
import { createTempDatabase, REDIS_TEST_URL, redisTestPrefix } from '../support/postgres.js';
import { cleanRedisPrefix } from '../support/redis.js';
import { TEST_DEV_SECRET } from '../support/test-server.js';
import { TestSocket, type Frame } from '../support/ws-client.js';

/**
 * Two real API processes (`tsx api/main.ts`) on one PostgreSQL database and one Redis prefix.
 * Proves that presence flows between them and that a process killed with SIGKILL takes its
 * endpoints' people to Offline (liveness TTL shortened to 3 s here; 30 s by default).
 */
const ALICE = 'alice.archer@contoso.test';
const BOB = 'bob.baker@contoso.test';
const CAROL = 'carol.cook@contoso.test';
const NODE_TTL_SECONDS = 3;

let db: Awaited<ReturnType<typeof createTempDatabase>>;
const prefix = redisTestPrefix('presence');
const children: ChildProcess[] = [];
const sockets: TestSocket[] = [];

interface ApiProcess {
  child: ChildProcess;
  url: string;
}

function startApi(name: string): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: ROOT_DIR,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'dev',
      DEV_AUTH_SECRET: TEST_DEV_SECRET,
      DATABASE_URL: db.url,
      REDIS_URL: REDIS_TEST_URL,
      REDIS_KEY_PREFIX: prefix,
      LDIF_FILE: '',
      LOG_LEVEL: 'info',
      PRESENCE_NODE_TTL_SECONDS: String(NODE_TTL_SECONDS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${out}`));
    });
  });
}

const secret = new TextEncoder().encode(TEST_DEV_SECRET);
const token = (email: string) => mintDevToken(email, secret);
const api = async (base: string, method: string, path: string, as: string, body?: unknown) =>
  fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${await token(as)}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
const open = async (base: string, email: string) => {
  const s = await TestSocket.open(base, await token(email));
  sockets.push(s);
  return s;
};
const presenceOf = (s: TestSocket, email: string, match: (p: Record<string, unknown>) => boolean, timeoutMs = 5000) =>
  s
    .next('presence', (f: Frame) => f.email === email && match(f.presence as Record<string, unknown>), timeoutMs)
    .then((f) => f.presence as Record<string, unknown>);

let a: ApiProcess;
let b: ApiProcess;

beforeAll(async () => {
  db = await createTempDatabase('presence');
  const store = await openStore({ kind: 'postgres', url: db.url });
  await runMigrations(store, allMigrations);
  const writer = new DirectoryWriter('test');
  await (store.db as Kysely<DirectoryTables>).transaction().execute(async (trx) => {
    for (const e of [person('alice.archer'), person('bob.baker', { aliases: ['b.baker@contoso.test'] }), person('carol.cook')]) await writer.upsert(trx, e);
  });
  await store.close();
  [a, b] = await Promise.all([startApi('A'), startApi('B')]);
});

afterAll(async () => {
  for (const s of sockets) s.ws.terminate();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  await db?.drop();
  await cleanRedisPrefix(prefix);
});

describe('presence across two API processes (PostgreSQL + Redis)', () => {
  it('delivers a change made through A to a subscriber on B, blocks included', async () => {
    const watcher = await open(b.url, ALICE);
    watcher.send({ type: 'presence.subscribe', emails: ['B.Baker@contoso.test'] });
    expect(await presenceOf(watcher, 'B.Baker@contoso.test', () => true)).toMatchObject({ availability: 'Offline' });

    await open(a.url, BOB);
    await presenceOf(watcher, 'B.Baker@contoso.test', (p) => p.availability === 'Available');
    expect((await api(a.url, 'PUT', '/v1/me/presence', BOB, { availability: 'Busy', note: 'via A' })).status).toBe(200);
    const busy = await presenceOf(watcher, 'B.Baker@contoso.test', (p) => p.availability === 'Busy');
    expect(busy.note).toBe('via A');

    // B answers queries from the shared state too.
    const q = (await (await api(b.url, 'POST', '/v1/presence/query', CAROL, { emails: [BOB] })).json()) as { results: { presence: Frame }[] };
    expect(q.results[0].presence).toMatchObject({ availability: 'Busy', note: 'via A', version: busy.version });

    // A block set through A hides Bob from Alice on B at once.
    const aliceId = ((await (await api(b.url, 'GET', '/v1/me', ALICE)).json()) as { person: { id: string } }).person.id;
    expect((await api(a.url, 'PUT', `/v1/me/blocked/${aliceId}`, BOB)).status).toBe(200);
    await presenceOf(watcher, 'B.Baker@contoso.test', (p) => p.availability === 'PresenceUnknown');
    const hidden = (await (await api(b.url, 'POST', '/v1/presence/query', ALICE, { emails: [BOB] })).json()) as { results: { presence: Frame }[] };
    expect(hidden.results[0].presence).toMatchObject({ availability: 'PresenceUnknown', note: null });
    expect((await api(a.url, 'DELETE', `/v1/me/blocked/${aliceId}`, BOB)).status).toBe(200);
    await presenceOf(watcher, 'B.Baker@contoso.test', (p) => p.availability === 'Busy');
  });

  it('takes the endpoints of a killed process to Offline within the liveness TTL', async () => {
    const watcher = await open(b.url, ALICE);
    watcher.send({ type: 'presence.subscribe', emails: [CAROL] });
    await presenceOf(watcher, CAROL, (p) => p.availability === 'Offline');
    await open(a.url, CAROL);
    const online = await presenceOf(watcher, CAROL, (p) => p.availability === 'Available');
    watcher.frames.length = 0;

    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    // The bound the issue sets is 60 s; with a 3 s TTL the reaper (every TTL/3) must act within ~TTL + TTL/3.
    await presenceOf(watcher, CAROL, (p) => p.availability === 'Offline' && (p.version as number) > (online.version as number), 20_000);
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan((NODE_TTL_SECONDS + 3) * 1000);
    // Bob's pane was on A as well.
    const q = (await (await api(b.url, 'POST', '/v1/presence/query', ALICE, { emails: [BOB, CAROL] })).json()) as { results: { presence: Frame }[] };
    expect(q.results.map((r) => r.presence.availability)).toEqual(['Offline', 'Offline']);
  });
});
