// The Redis presence cluster against the Redis server on this machine (its own key prefix).
import { afterEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Logger } from '../../core/log/index.js';
import { RedisBus } from '../../core/bus/redis-bus.js';
import { RedisCluster } from '../../api/presence/redis-cluster.js';
import { REDIS_TEST_URL, redisTestPrefix } from '../support/postgres.js';
import { cleanRedisPrefix } from '../support/redis.js';

const log = { warn: () => undefined, info: () => undefined, error: () => undefined } as unknown as Logger;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A process's cluster on its own key prefix (not started), and a plain client to play another process; torn down after the test. */
function clusterOnPrefix(name: string) {
  const prefix = redisTestPrefix(name);
  const bus = new RedisBus(REDIS_TEST_URL, prefix);
  const cluster = new RedisCluster(bus, { nodeTtlMs: 600, log });
  const r = new Redis(REDIS_TEST_URL);
  cleanup.push(async () => {
    await cluster.stop();
    await bus.close();
    r.disconnect();
    await cleanRedisPrefix(prefix);
  });
  const lost: string[][] = [];
  const start = () =>
    cluster.start({ changed: () => undefined, inputsChanged: () => undefined, endpointsLost: (pids) => lost.push([...pids]), resync: () => undefined });
  return { prefix, bus, cluster, r, lost, start };
}

/** clusterOnPrefix, started, with one endpoint (p1/e1) put. */
async function clusterWithEndpoint(name: string) {
  const c = clusterOnPrefix(name);
  await c.start();
  await c.cluster.putEndpoint('p1', { id: 'e1', state: 'active', stateAt: 1, lastActiveAt: 1 });
  return c;
}

describe('RedisCluster', () => {
  it('rewrites an endpoint whose removal failed during a Redis blip, so no ghost keeps the person online', async () => {
    const prefix = redisTestPrefix('cluster');
    const bus = new RedisBus(REDIS_TEST_URL, prefix);
    const cluster = new RedisCluster(bus, { nodeTtlMs: 600, log });
    const lost: string[][] = [];
    await cluster.start({ changed: () => undefined, inputsChanged: () => undefined, endpointsLost: (p) => lost.push([...p]), resync: () => undefined });
    cleanup.push(async () => {
      await cluster.stop();
      await bus.close();
      await cleanRedisPrefix(prefix);
    });
    const reader = new Redis(REDIS_TEST_URL);
    cleanup.push(async () => void reader.disconnect());
    const fieldsOf = async (pid: string) => Object.keys(await reader.hgetall(`${prefix}presence:ep:${pid}`));

    await cluster.putEndpoint('p1', { id: 'e1', state: 'active', stateAt: Date.now(), lastActiveAt: Date.now() });
    expect(await fieldsOf('p1')).toEqual([`${cluster.nodeId}|e1`]);
    // Redis goes away for this process just as the pane closes: the removal fails.
    bus.redis.disconnect();
    await expect(cluster.removeEndpoint('p1', 'e1')).rejects.toThrow();
    expect(await fieldsOf('p1')).toEqual([`${cluster.nodeId}|e1`]);
    await bus.redis.connect();
    // The next heartbeats (every 200 ms here) put Redis right and have the person recomputed.
    for (let i = 0; i < 50 && (await fieldsOf('p1')).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await fieldsOf('p1')).toEqual([]);
    expect(lost).toContainEqual(['p1']);
  });
  it("reaps a dead process's endpoints and leaves a live one's alone", async () => {
    const { prefix, r, lost, start } = clusterOnPrefix('reap');
    const p = `${prefix}presence:`;
    // Two other processes: "dead" has no liveness key any more, "alive" has one.
    for (const node of ['dead', 'alive']) {
      await r.sadd(`${p}nodes`, node);
      await r.sadd(`${p}nodeeps:${node}`, `person-of-${node}`);
      await r.hset(`${p}ep:person-of-${node}`, `${node}|e1`, JSON.stringify({ id: 'e1', state: 'active', stateAt: 1, lastActiveAt: 1 }));
    }
    await r.set(`${p}node:alive`, String(Date.now()), 'PX', 60_000);
    await start();
    for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((res) => setTimeout(res, 100));
    expect(lost).toEqual([['person-of-dead']]);
    expect(await r.hkeys(`${p}ep:person-of-dead`)).toEqual([]);
    expect(await r.sismember(`${p}nodes`, 'dead')).toBe(0);
    expect(await r.exists(`${p}nodeeps:dead`)).toBe(0);
    expect(await r.hkeys(`${p}ep:person-of-alive`)).toEqual(['alive|e1']);
    expect(await r.sismember(`${p}nodes`, 'alive')).toBe(1);
  });
  it('puts its endpoints back when it finds it was taken for dead (its liveness key expired and it was reaped)', async () => {
    const { prefix, cluster, r, lost } = await clusterWithEndpoint('back');
    const p = `${prefix}presence:`;
    // What another process's reaper does after this one stalled past its TTL.
    await r.multi().del(`${p}node:${cluster.nodeId}`).hdel(`${p}ep:p1`, `${cluster.nodeId}|e1`).del(`${p}nodeeps:${cluster.nodeId}`).exec();
    for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((res) => setTimeout(res, 100));
    expect(lost).toEqual([['p1']]);
    expect(await r.hkeys(`${p}ep:p1`)).toEqual([`${cluster.nodeId}|e1`]);
    expect(await r.smembers(`${p}nodeeps:${cluster.nodeId}`)).toEqual(['p1']);
  });
  it('keeps putting its endpoints back after a reap when the first rewrite fails', async () => {
    const { prefix, bus, cluster, r, lost } = await clusterWithEndpoint('backretry');
    // The next transaction on this process's connection (the rewrite after the reap) fails once.
    let failed = 0;
    const multi = bus.redis.multi.bind(bus.redis);
    bus.redis.multi = ((...args: Parameters<typeof multi>) => {
      const m = multi(...args);
      if (failed === 0) {
        failed++;
        m.exec = () => Promise.reject(new Error('connection lost'));
      }
      return m;
    }) as typeof bus.redis.multi;
    const p = `${prefix}presence:`;
    await r.multi().del(`${p}node:${cluster.nodeId}`).hdel(`${p}ep:p1`, `${cluster.nodeId}|e1`).del(`${p}nodeeps:${cluster.nodeId}`).exec();
    for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((res) => setTimeout(res, 100));
    expect(failed).toBe(1);
    expect(lost).toEqual([['p1']]);
    expect(await r.hkeys(`${p}ep:p1`)).toEqual([`${cluster.nodeId}|e1`]);
    expect(await r.smembers(`${p}nodeeps:${cluster.nodeId}`)).toEqual(['p1']);
  });
});
