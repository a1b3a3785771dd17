import { Gauge } from 'prom-client';
import { RedisBus } from '../../core/bus/index.js';
import { DIRECTORY_CHANGED } from '../../directory-sync/index.js';
import { activityFrame, presenceSubscribeFrame, presenceUnsubscribeFrame } from '../contract/presence.js';
import type { Feature, FeatureDeps } from '../feature.js';
import { AddressBook } from './address-book.js';
import { DEFAULT_TIMERS } from './aggregate.js';
import type { PresenceCluster } from './cluster.js';
import { createDemoSimulator, type DemoSimulator } from './demo-simulator.js';
import { PresenceEngine } from './engine.js';
import { MemoryCluster } from './memory-cluster.js';
import type { PresenceService } from './presence-api.js';
import { createPresenceRouter } from './presence-routes.js';
import { PresenceStore } from './presence-store.js';
import { RedisCluster } from './redis-cluster.js';
import { SubscriptionHub } from './subscription-hub.js';

export * from './presence-api.js';
export { presenceMigrations } from './presence-store.js';
export { aggregate, viewFor, unknownPresence, DEFAULT_TIMERS, type AggregateInputs, type EndpointInput } from './aggregate.js';
export { PresenceEngine } from './engine.js';

export interface PresenceFeature extends Feature {
  readonly service: PresenceService;
  readonly engine: PresenceEngine;
  readonly hub: SubscriptionHub;
}

/**
 * The fan-out window: a subscriber gets one frame per person changed within it. Each socket
 * written costs a system call (about 20 µs here) and a window's writes leave together, so the
 * slowest delivery takes about one window plus one flush's writing. 25 ms against 50 ms in
 * interleaved runs of the presence bench (10,000 sockets, 1,000 changes/s, no steal): p99 142 and
 * 276 ms against 256 and 348 ms with the changes as HTTP PUTs, 134 against 189 ms with them made
 * in-process, for 6–7 points more of a core; under steal both gave about 245 ms. 5 ms wrote so
 * often that the API saturated.
 */
export const PRESENCE_COALESCE_MS = 25;

/**
 * Live presence: the engine, its HTTP routes, the realtime frames (`presence.subscribe`,
 * `presence.unsubscribe`, `activity`) and, with REDIS_URL, presence shared by all API processes.
 * Tuning keys (tests): presence.idleMs, presence.awayMs, presence.coalesceMs, presence.nodeTtlMs,
 * presence.sweepMs, presence.simulatorMs.
 */
export function createPresenceFeature(deps: FeatureDeps): PresenceFeature {
  const { config, tuning, log: rootLog } = deps;
  const log = rootLog.child({ mod: 'presence' });
  const cluster: PresenceCluster =
    deps.bus instanceof RedisBus
      ? new RedisCluster(deps.bus, { nodeTtlMs: tuning['presence.nodeTtlMs'] ?? config.env.PRESENCE_NODE_TTL_SECONDS * 1000, log })
      : new MemoryCluster();
  const presenceStore = new PresenceStore(deps.store);
  const engine = new PresenceEngine({
    store: presenceStore,
    cluster,
    directory: deps.directory,
    log,
    timers: { idleMs: tuning['presence.idleMs'] ?? DEFAULT_TIMERS.idleMs, awayMs: tuning['presence.awayMs'] ?? DEFAULT_TIMERS.awayMs },
    sweepMs: tuning['presence.sweepMs'],
  });
  const addresses = new AddressBook(deps.directory);
  const hub = new SubscriptionHub(engine, addresses, {
    coalesceMs: tuning['presence.coalesceMs'] ?? PRESENCE_COALESCE_MS,
    backlogged: () => deps.gateway.backlogged,
  });
  const { gateway } = deps;

  gateway.onOpen((conn) => engine.openEndpoint(conn.principal.personId, conn.id, () => !conn.closed));
  gateway.onClose((conn) => {
    hub.detach(conn);
    return engine.closeEndpoint(conn.principal.personId, conn.id);
  });
  gateway.handle('presence.subscribe', presenceSubscribeFrame, (conn, f) => hub.subscribe(conn, f.emails));
  gateway.handle('presence.unsubscribe', presenceUnsubscribeFrame, (conn, f) => hub.unsubscribe(conn, f.emails));
  gateway.handle('activity', activityFrame, (conn, f) => engine.reportActivity(conn.principal.personId, conn.id, f.state));

  new Gauge({
    name: 'presence_subscriptions',
    help: 'Presence subscriptions (connection × person) on this process',
    registers: [deps.metrics],
    collect() {
      this.set(hub.subscriptionCount);
    },
  });

  let simulator: DemoSimulator | undefined;
  let unsubscribeDirectory: (() => Promise<void>) | undefined;
  if (config.demo || config.env.DEMO_SIMULATOR)
    simulator = createDemoSimulator({ engine, store: deps.store, presenceStore, log, intervalMs: tuning['presence.simulatorMs'] });

  return {
    name: 'presence',
    service: engine,
    engine,
    hub,
    router: createPresenceRouter(engine, deps.directory, addresses),
    async start() {
      // A sync run may move aliases between people: resolve addresses afresh.
      const unsubscribe = await deps.bus.subscribe(DIRECTORY_CHANGED, () => addresses.clear());
      // That notice may be lost while the bus reconnects: start afresh then too.
      const stopReconnects = deps.bus.onReconnect(() => addresses.clear());
      unsubscribeDirectory = async () => {
        stopReconnects();
        await unsubscribe();
      };
      await engine.start();
      // The demo directory may still be loading: the simulator starts once there are people.
      await simulator?.start().catch((err: unknown) => log.warn({ err }, 'demo simulator did not start'));
    },
    async stop() {
      await unsubscribeDirectory?.();
      await simulator?.stop();
      hub.close();
      await engine.stop();
    },
  };
}
