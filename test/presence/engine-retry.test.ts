// A recompute that fails (a Redis or database blip) must be retried: its trigger (a timer, a close,
// a reap) has already been consumed, so nothing else would put the person right.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Logger } from '../../core/log/index.js';
import { openStore, runMigrations, type Store } from '../../core/store/index.js';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import { PresenceEngine } from '../../api/presence/engine.js';
import { MemoryCluster } from '../../api/presence/memory-cluster.js';
import { presenceMigrations, PresenceStore } from '../../api/presence/presence-store.js';
import { createTempDatabase } from '../support/postgres.js';

/** The in-memory cluster whose next endpoint read fails once when armed. */
class FlakyCluster extends MemoryCluster {
  failNextRead = false;
  failures = 0;
  override async readEndpoints(personId: string) {
    if (this.failNextRead) {
      this.failNextRead = false;
      this.failures++;
      throw new Error('connection lost');
    }
    return super.readEndpoints(personId);
  }
}

const log = { error: () => undefined, warn: () => undefined, info: () => undefined } as unknown as Logger;
let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;

beforeAll(async () => {
  db = await createTempDatabase('presence_retry');
  store = await openStore({ kind: 'postgres', url: db.url });
  await runMigrations(store, presenceMigrations);
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

async function engineWithClock() {
  const clock = { now: 1_700_000_000_000 };
  const cluster = new FlakyCluster();
  const engine = new PresenceEngine({
    store: new PresenceStore(store),
    cluster,
    directory: {} as DirectoryReader,
    log,
    now: () => clock.now,
    sweepMs: 10,
  });
  await engine.start();
  return { clock, cluster, engine };
}

const until = async (cond: () => boolean, timeoutMs = 3000) => {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

describe('PresenceEngine after a failed recompute', () => {
  it('retries an expiry whose recompute failed, so an expired Busy does not stay Busy', async () => {
    const { clock, cluster, engine } = await engineWithClock();
    try {
      await engine.openEndpoint('p-expiry', 'e1', () => true);
      await engine.setManual('p-expiry', { availability: 'Busy', expiresAt: clock.now + 1000 });
      expect(engine.cached('p-expiry')?.availability).toBe('Busy');

      cluster.failNextRead = true;
      clock.now += 1500;
      expect(await until(() => cluster.failures === 1)).toBe(true);
      expect(engine.cached('p-expiry')?.availability).toBe('Busy');
      // The retry falls due a short backoff later.
      clock.now += 2000;
      expect(await until(() => engine.cached('p-expiry')?.availability === 'Available')).toBe(true);
    } finally {
      await engine.stop();
    }
  });

  it('retries after a pane closed during a blip, so the person does not stay online', async () => {
    const { clock, cluster, engine } = await engineWithClock();
    try {
      await engine.openEndpoint('p-close', 'e1', () => true);
      expect(engine.cached('p-close')?.availability).toBe('Available');

      cluster.failNextRead = true;
      await expect(engine.closeEndpoint('p-close', 'e1')).rejects.toThrow('connection lost');
      expect(engine.cached('p-close')?.availability).toBe('Available');
      clock.now += 2000;
      expect(await until(() => engine.cached('p-close')?.availability === 'Offline')).toBe(true);
    } finally {
      await engine.stop();
    }
  });
});
