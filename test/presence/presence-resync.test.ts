import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { person } from '../support/entries.js';
import { createTempDatabase, REDIS_TEST_URL, redisTestPrefix } from '../support/postgres.js';
import { cleanRedisPrefix } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket, type Frame } from '../support/ws-client.js';

/**
 * Two API servers on one PostgreSQL database and one Redis prefix. Redis pub/sub keeps nothing for
 * a subscriber that is away: a change published while B's subscriber connection is down never
 * reaches B. B must notice its reconnect and re-read the shared state instead of showing the old
 * presence until the next change.
 */
const ADA = 'ada.resync@contoso.test';
const BOB = 'bob.resync@contoso.test';
const prefix = redisTestPrefix('resync');
let db: Awaited<ReturnType<typeof createTempDatabase>>;
let a: TestServer;
let b: TestServer;
const redis = new Redis(REDIS_TEST_URL);

beforeAll(async () => {
  db = await createTempDatabase('resync');
  const env = { DATABASE_URL: db.url, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix };
  a = await startTestServer({ env, seed: [person('ada.resync'), person('bob.resync')] });
  b = await startTestServer({ env });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await db?.drop();
  await cleanRedisPrefix(prefix);
  redis.disconnect();
});

const availability = (want: string) => (f: Frame) => (f.presence as { availability: string }).availability === want;

describe('presence after lost bus messages', () => {
  it("a change published while B's subscriber was disconnected reaches B's subscribers once it is back", async () => {
    const ada = await TestSocket.open(a.url, await a.token(ADA));
    const bob = await TestSocket.open(b.url, await b.token(BOB));
    bob.send({ type: 'presence.subscribe', emails: [ADA] });
    await bob.next('presence', availability('Available'));

    // Cut B's subscriber connection, then change Ada's status through A while B cannot hear it.
    const name = `${prefix}bus-sub-${b.deps.bus.nodeId}`;
    const line = ((await redis.client('LIST')) as string).split('\n').find((l) => l.includes(` name=${name} `));
    expect(line).toBeDefined();
    await redis.client('KILL', 'ID', /\bid=(\d+)/.exec(line!)![1]!);
    const put = await a.api('PUT', '/v1/me/presence', { as: ADA, body: { availability: 'DoNotDisturb', note: 'heads down' } });
    expect(put.status).toBe(200);

    const seen = await bob.next('presence', availability('DoNotDisturb'), 10_000);
    expect(seen.presence).toMatchObject({ note: 'heads down' });
    await Promise.all([ada.close(), bob.close()]);
  });
});
