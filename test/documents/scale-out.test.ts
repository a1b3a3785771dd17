import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { person } from '../support/entries.js';
import { createTempDatabase } from '../support/postgres.js';
import { cleanRedisPrefix } from '../support/redis.js';
import { REDIS_TEST_URL, redisTestPrefix } from '../support/postgres.js';
import { startTestServer, TEST_DEV_SECRET, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';
import { ALICE, BOB, CAROL, hasExactly, nextParticipants, resolveDoc } from './support.js';

const TTL_SECONDS = 3;
const here = path.dirname(fileURLToPath(import.meta.url));
const prefix = redisTestPrefix('docs');
let db: Awaited<ReturnType<typeof createTempDatabase>>;
let a: TestServer;
let b: TestServer;
const sockets: TestSocket[] = [];
const env = () => ({ DATABASE_URL: db.url, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix, DOC_SESSION_TTL_SECONDS: String(TTL_SECONDS) });

async function open(server: { url: string }, email: string): Promise<TestSocket> {
  const s = await TestSocket.open(server.url, await a.token(email));
  sockets.push(s);
  return s;
}

/** Starts an API process of its own (same PostgreSQL and Redis) that the test can kill. */
async function spawnServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/server-process.ts')], {
    env: {
      ...process.env,
      ...env(),
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'dev',
      DEV_AUTH_SECRET: TEST_DEV_SECRET,
      LOG_LEVEL: 'silent',
      LDIF_FILE: '',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child server did not start')), 30_000);
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n')) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => reject(new Error(`child server exited with ${code}`)));
  });
  return { url, child };
}

beforeAll(async () => {
  db = await createTempDatabase('docs_scale');
  a = await startTestServer({ env: env(), seed: [person('alice.archer'), person('bob.baker'), person('carol.cooper')] });
  b = await startTestServer({ env: env() });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await b?.close();
  await a?.close();
  await db?.drop();
  await cleanRedisPrefix(prefix);
});

describe('sessions across API processes (Redis)', () => {
  it('co-authors on two processes see each other, their moves and their leaving', async () => {
    const { docKey } = await resolveDoc(a, ALICE, { url: `https://contoso.sharepoint.com/sites/x/Shared%20Documents/${randomUUID()}.docx` });
    const alice = await open(a, ALICE);
    const bob = await open(b, BOB);
    alice.send({ type: 'doc.join', docKey });
    bob.send({ type: 'doc.join', docKey });
    await nextParticipants(alice, docKey, hasExactly(ALICE, BOB), 2000);
    await nextParticipants(bob, docKey, hasExactly(ALICE, BOB), 2000);
    bob.send({ type: 'doc.position', position: { paragraph: 9, heading: 'Costs' } });
    await nextParticipants(alice, docKey, (ps) => ps.some((p) => p.email === BOB && p.position?.heading === 'Costs'), 2000);
    // The other process answers the HTTP side too.
    const res = await a.api('GET', `/v1/documents/${docKey}/participants`, { as: CAROL });
    expect(((await res.json()) as { participants: { email: string }[] }).participants.map((p) => p.email).sort()).toEqual([ALICE, BOB]);
    // One person on both processes still appears once.
    const bob2 = await open(a, BOB);
    bob2.send({ type: 'doc.join', docKey });
    await new Promise((r) => setTimeout(r, 400));
    const both = await (await b.api('GET', `/v1/documents/${docKey}/participants`, { as: CAROL })).json();
    expect((both as { participants: unknown[] }).participants).toHaveLength(2);
    await bob2.close();
    bob.send({ type: 'doc.leave' });
    await nextParticipants(alice, docKey, hasExactly(ALICE), 2000);
  });

  it('a mail reader watching on one process sees co-authors on the other come, move and go', async () => {
    const u = `https://contoso.sharepoint.com/sites/x/Shared%20Documents/${randomUUID()}.docx`;
    const { docKey } = await resolveDoc(a, ALICE, { url: u });
    const reader = await open(b, CAROL);
    reader.send({ type: 'doc.watch', urls: [u] });
    expect(await reader.next('doc.watching')).toMatchObject({ results: [{ url: u, docKey }] });
    await nextParticipants(reader, docKey, (ps) => ps.length === 0, 2000);
    const alice = await open(a, ALICE);
    alice.send({ type: 'doc.join', docKey });
    await nextParticipants(reader, docKey, hasExactly(ALICE), 2000);
    alice.send({ type: 'doc.position', position: { paragraph: 5, heading: 'Plan' } });
    await nextParticipants(reader, docKey, (ps) => ps[0]?.position?.heading === 'Plan', 2000);
    alice.send({ type: 'doc.leave' });
    await nextParticipants(reader, docKey, (ps) => ps.length === 0, 2000);
  });

  it('a process that dies takes its sessions with it within the TTL', async () => {
    const { docKey } = await resolveDoc(a, ALICE, { url: `https://contoso.sharepoint.com/sites/x/Shared%20Documents/${randomUUID()}.docx` });
    const doomed = await spawnServer();
    try {
      const alice = await open(a, ALICE);
      const carol = await open(doomed, CAROL);
      alice.send({ type: 'doc.join', docKey });
      carol.send({ type: 'doc.join', docKey, position: { paragraph: 2, heading: 'Scope' } });
      await nextParticipants(alice, docKey, hasExactly(ALICE, CAROL), 3000);
      // Carol's Word keeps its socket (and would keep renewing) but the process holding it dies.
      const keepAlive = setInterval(() => alice.send({ type: 'doc.join', docKey }), 500);
      const started = Date.now();
      doomed.child.kill('SIGKILL');
      try {
        await nextParticipants(alice, docKey, hasExactly(ALICE), (TTL_SECONDS + 2) * 1000);
      } finally {
        clearInterval(keepAlive);
      }
      expect(Date.now() - started).toBeLessThanOrEqual((TTL_SECONDS + 1) * 1000);
      const left = await (await b.api('GET', `/v1/documents/${docKey}/participants`, { as: BOB })).json();
      expect((left as { participants: { email: string }[] }).participants.map((p) => p.email)).toEqual([ALICE]);
    } finally {
      doomed.child.kill('SIGKILL');
    }
  });
});
