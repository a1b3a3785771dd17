import { Redis } from 'ioredis';
import { REDIS_TEST_URL } from './postgres.js';

/** Deletes every key under a test prefix. */
export async function cleanRedisPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_TEST_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
