// The loss-and-duplicate test (issue 5): 20 clients each send 300 messages into shared
// conversations with seeded random disconnects and resends of unacknowledged messages, across
// a crash and restart of the server (SQLite), then across the crash of one of two processes
// (PostgreSQL + Redis). A Jepsen-style checker compares every client's history and every
// acknowledgement with the store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { ChatMessageDto } from '../../api/contract/index.js';
import { person } from '../support/entries.js';
import { createTempDatabase, REDIS_TEST_URL, redisTestPrefix } from '../support/postgres.js';
import { cleanRedisPrefix } from '../support/redis.js';
import { clusterToken, prepareStore, spawnServer, type ServerProcess } from './support/chat-cluster.js';
import { ResilientChatClient, seeded } from './support/resilient-client.js';

const CLIENTS = 20;
const PER_CLIENT = 300;
const CONVERSATIONS = 5;
const KILL_AT = 0.4;
const email = (i: number) => `loss.user${i}@contoso.test`;
const entries = Array.from({ length: CLIENTS }, (_, i) => person(`loss.user${i}`));
// Each client is in two of the five group conversations (eight members each).
const conversationsOf = (i: number) => [i % CONVERSATIONS, (i + 2) % CONVERSATIONS];
const serverEnv = {
  CHAT_TEST_TUNING: JSON.stringify({ 'chat.sendPerSecond': 2000, 'chat.sendBurst': 2000 }),
  CHAT_TEST_GATEWAY_LIMITS: JSON.stringify({ framesPerSecond: 5000, frameBurst: 5000 }),
};

interface Counts {
  acknowledged: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  clientMismatches: number;
  unacknowledged: number;
  clientErrors: number;
}

async function api<T>(url: string, token: string, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(url + p, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function serverHistory(url: string, token: string, id: string): Promise<ChatMessageDto[]> {
  const all: ChatMessageDto[] = [];
  for (let after = 0, guard = 0; guard < 1000; guard++) {
    const page = await api<{ messages: ChatMessageDto[]; hasMore: boolean }>(url, token, 'GET', `/v1/conversations/${id}/messages?after=${after}&limit=200`);
    all.push(...page.messages);
    if (!page.hasMore || page.messages.length === 0) break;
    after = page.messages[page.messages.length - 1].seq;
  }
  return all;
}

/**
 * Drives the clients until every message is acknowledged, calling `fault` once when KILL_AT of
 * them are; then checks the histories against the store.
 */
async function run(label: string, urls: () => readonly string[], fault: () => Promise<void>, seed: number): Promise<Counts> {
  const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => clusterToken(email(i))));
  const convIds: string[] = [];
  for (let k = 0; k < CONVERSATIONS; k++) {
    const members = Array.from({ length: CLIENTS }, (_, i) => i).filter((i) => conversationsOf(i).includes(k));
    const owner = members[0];
    const c = await api<{ id: string }>(urls()[0], tokens[owner], 'POST', '/v1/conversations', {
      participants: members.map(email),
      topic: `${label} room ${k}`,
    });
    convIds.push(c.id);
  }
  const random = seeded(seed);
  const clients = Array.from(
    { length: CLIENTS },
    (_, i) =>
      new ResilientChatClient(
        `client${i}`,
        urls,
        tokens[i],
        conversationsOf(i).map((k) => convIds[k]),
        {
          window: 8,
          disconnectProbability: 0.01,
          random: seeded(seed * 1000 + i),
          startIndex: i,
        },
      ),
  );
  for (const c of clients) c.start();
  for (const [i, c] of clients.entries()) {
    for (let n = 0; n < PER_CLIENT; n++)
      c.enqueue(c.conversations[(n + Math.floor(random() * 2)) % 2], `${label}-c${i}-m${n}`, `message ${n} from client ${i} <b>${label}</b>`);
  }

  const total = CLIENTS * PER_CLIENT;
  const acked = () => clients.reduce((n, c) => n + c.acked.size, 0);
  let faulted = false;
  const deadline = Date.now() + 75_000;
  while (acked() < total && Date.now() < deadline) {
    if (!faulted && acked() >= total * KILL_AT) {
      faulted = true;
      await fault();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(faulted).toBe(true);

  // Resume everyone once more: after this, each client must hold exactly the store's history.
  await Promise.all(clients.map((c) => c.syncNow(15_000)));
  const reader = urls()[0];
  const counts: Counts = {
    acknowledged: acked(),
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    clientMismatches: 0,
    unacknowledged: total - acked(),
    clientErrors: 0,
  };
  const byClientId = new Map<string, ChatMessageDto>();
  const histories = new Map<string, ChatMessageDto[]>();
  for (const [k, id] of convIds.entries()) {
    const member = Array.from({ length: CLIENTS }, (_, i) => i).find((i) => conversationsOf(i).includes(k))!;
    const h = await serverHistory(reader, tokens[member], id);
    histories.set(id, h);
    h.forEach((m, index) => {
      if (m.seq !== index + 1) counts.outOfOrder++;
      const key = `${m.senderId}|${m.clientMessageId}`;
      if (byClientId.has(key)) counts.duplicated++;
      byClientId.set(key, m);
    });
    // The same text twice is a duplicate even under another id.
    counts.duplicated += h.length - new Set(h.map((m) => m.text)).size;
  }
  const stored = new Map([...byClientId.values()].map((m) => [m.clientMessageId, m]));
  for (const c of clients) {
    counts.clientErrors += c.errors.length;
    for (const [cid, seq] of c.acked) {
      const m = stored.get(cid);
      if (!m) counts.lost++;
      else if (m.seq !== seq) counts.clientMismatches++;
    }
    for (const id of c.conversations) {
      const mine = [...c.history.get(id)!.values()].sort((a, b) => a.seq - b.seq);
      const theirs = histories.get(id)!;
      if (mine.length !== theirs.length) counts.clientMismatches += Math.abs(mine.length - theirs.length);
      for (let i = 0; i < Math.min(mine.length, theirs.length); i++) {
        if (mine[i].seq !== theirs[i].seq || mine[i].clientMessageId !== theirs[i].clientMessageId || mine[i].text !== theirs[i].text)
          counts.clientMismatches++;
      }
    }
  }
  const stats = clients.reduce((s, c) => ({ connects: s.connects + c.connects, disconnects: s.disconnects + c.disconnects, resends: s.resends + c.resends }), {
    connects: 0,
    disconnects: 0,
    resends: 0,
  });
  await Promise.all(clients.map((c) => c.stop()));
  const storedTotal = [...histories.values()].reduce((n, h) => n + h.length, 0);
  console.log(
    `${label}: ${CLIENTS} clients x ${PER_CLIENT} messages, ${stats.connects} connects, ${stats.disconnects} random disconnects, ${stats.resends} resends; ` +
      `stored ${storedTotal}, acknowledged ${counts.acknowledged}, unacknowledged ${counts.unacknowledged}\n` +
      `  lost ${counts.lost}, duplicated ${counts.duplicated}, out of order ${counts.outOfOrder}, client/server mismatches ${counts.clientMismatches}, client errors ${counts.clientErrors}`,
  );
  expect(storedTotal).toBe(total);
  return counts;
}

const zero: Counts = { acknowledged: CLIENTS * PER_CLIENT, lost: 0, duplicated: 0, outOfOrder: 0, clientMismatches: 0, unacknowledged: 0, clientErrors: 0 };

describe('nothing lost, nothing doubled', () => {
  it('SQLite: random disconnects, resends, and a crash + restart of the server', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chat-loss-'));
    const db = path.join(dir, 'loss.sqlite');
    let server: ServerProcess | undefined;
    try {
      await prepareStore(db, entries);
      server = await spawnServer({ DATABASE_URL: db, ...serverEnv });
      const port = Number(new URL(server.url).port);
      let url = server.url;
      const counts = await run(
        'sqlite',
        () => [url],
        async () => {
          await server!.kill();
          server = await spawnServer({ DATABASE_URL: db, ...serverEnv }, { port });
          url = server.url;
        },
        7,
      );
      expect(counts).toEqual(zero);
    } finally {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('PostgreSQL + Redis: two processes, one killed mid-run', async () => {
    const temp = await createTempDatabase('chatloss');
    const prefix = redisTestPrefix('chatloss');
    const servers: ServerProcess[] = [];
    try {
      await prepareStore(temp.url, entries);
      const env = { DATABASE_URL: temp.url, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix, ...serverEnv };
      servers.push(await spawnServer(env), await spawnServer(env));
      let live = servers.map((s) => s.url);
      const counts = await run(
        'postgres',
        () => live,
        async () => {
          live = [servers[0].url];
          await servers[1].kill();
        },
        11,
      );
      expect(counts).toEqual(zero);
    } finally {
      for (const s of servers) await s.stop();
      await temp.drop();
      await cleanRedisPrefix(prefix);
    }
  }, 120_000);
});
