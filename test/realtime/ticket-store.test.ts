import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Principal } from '../../api/auth/index.js';
import { MemoryTicketStore, RedisTicketStore, TICKET_TTL_MS } from '../../api/realtime/index.js';
import { REDIS_TEST_URL } from '../support/postgres.js';
import { cleanRedisPrefix } from '../support/redis.js';

const ada = { personId: 'p-ada', email: 'ada@contoso.test', displayName: 'Ada', isAdmin: false } as unknown as Principal;
const prefix = `test:${randomUUID()}:`;
const redis = new Redis(REDIS_TEST_URL);
afterAll(async () => {
  await cleanRedisPrefix(prefix);
  redis.disconnect();
});

describe('ticket stores', () => {
  it('memory: redeems once, and not after 30 s', async () => {
    let now = 1_000_000;
    const store = new MemoryTicketStore(() => now);
    const once = await store.issue(ada);
    expect(await store.redeem(once)).toEqual(ada);
    expect(await store.redeem(once)).toBeNull();
    const late = await store.issue(ada);
    now += TICKET_TTL_MS + 1;
    expect(await store.redeem(late)).toBeNull();
    expect(await store.redeem('made-up')).toBeNull();
  });

  it('redis: a ticket from one process is redeemed once by another, and expires in Redis after 30 s', async () => {
    const issuer = new RedisTicketStore(redis, prefix);
    const other = new RedisTicketStore(new Redis(REDIS_TEST_URL), prefix);
    try {
      const t = await issuer.issue(ada);
      const ttl = await redis.pttl(`${prefix}ticket:${t}`);
      expect(ttl).toBeGreaterThan(TICKET_TTL_MS - 2000);
      expect(ttl).toBeLessThanOrEqual(TICKET_TTL_MS);
      expect(await other.redeem(t)).toEqual(ada);
      expect(await issuer.redeem(t)).toBeNull();
      expect(await other.redeem('made-up')).toBeNull();
    } finally {
      other.redis.disconnect();
    }
  });
});
