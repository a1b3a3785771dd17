import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MemoryBus } from '../../core/bus/index.js';
import { loadConfig } from '../../core/config/index.js';
import { createLogger } from '../../core/log/index.js';
import type { Store } from '../../core/store/index.js';
import { SyncBusyError, StoreLease } from './lease.js';
import { MemorySource } from './memory-source.js';
import { SourceRegistry } from './source-registry.js';
import { createDirectorySync, DIRECTORY_CHANGED, type DirectorySync } from './sync-service.js';
import { entry, tempStore } from './test-helpers.js';

let store: Store & { dispose(): Promise<void> };
let sync: DirectorySync | undefined;
let bus: MemoryBus;
beforeEach(async () => {
  store = await tempStore();
  bus = new MemoryBus();
});
afterEach(async () => {
  await sync?.stop();
  sync = undefined;
  await bus.close();
  await store.dispose();
});

const config = (env: Record<string, string>) => loadConfig({ AUTH_MODE: 'dev', LDIF_FILE: '', LOG_LEVEL: 'silent', ...env }, { dotEnvFile: false });
const until = async (what: () => Promise<boolean>, ms = 8000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
};

describe('createDirectorySync (the feature inside npm start)', () => {
  it('loads at start, then runs incremental passes every SYNC_INTERVAL and a full one every SYNC_FULL_INTERVAL', async () => {
    const src = new MemorySource('memory', 10);
    for (let i = 1; i <= 5; i++) src.set(entry(i));
    const changed: unknown[] = [];
    await bus.subscribe(DIRECTORY_CHANGED, (m) => changed.push(m));
    sync = createDirectorySync({
      config: config({ SYNC_INTERVAL: '1', SYNC_FULL_INTERVAL: '2' }),
      store,
      bus,
      log: createLogger('silent'),
      registry: new SourceRegistry().register('memory', () => src),
    });
    await sync.start();
    expect(sync.sourceNames()).toEqual(['memory']);
    await until(async () => (await sync!.status()).sources[0]?.lastRuns.some((r) => r.status === 'ok') ?? false);
    src.set(entry(6));
    await until(async () => (await sync!.status()).sources[0].people === 6);
    await until(async () => (await sync!.status()).sources[0].lastRuns.filter((r) => r.mode === 'full').length >= 2);
    const s = await sync.status();
    expect(s).toMatchObject({ intervalSeconds: 1, fullIntervalSeconds: 2 });
    const modes = s.sources[0].lastRuns.map((r) => r.mode);
    expect(modes).toContain('incremental');
    expect(changed.length).toBeGreaterThanOrEqual(2);
  });

  it('run() starts a run at once; a second one while the lease is held is refused', async () => {
    const src = new MemorySource('memory', 10).set(entry(1));
    sync = createDirectorySync({ config: config({}), store, bus, log: createLogger('silent'), registry: new SourceRegistry().register('memory', () => src) });
    await sync.start();
    await until(async () => (await sync!.status()).sources[0]?.lastRuns.length === 1);
    const { runId, done } = await sync.run('memory', { full: true });
    expect((await done).id).toBe(runId);
    const other = new StoreLease(store, 'directory-sync', 'other:1:x');
    await other.acquire('theirs');
    await expect(sync.run('memory')).rejects.toBeInstanceOf(SyncBusyError);
    expect((await sync.status()).running).toMatchObject({ runId: 'theirs' });
    await other.release();
    await expect(sync.run('nope')).rejects.toThrow(/no configured directory source named nope/);
  });

  it('does nothing without configured sources', async () => {
    sync = createDirectorySync({ config: config({}), store, bus, log: createLogger('silent'), registry: new SourceRegistry() });
    await sync.start();
    expect(await sync.status()).toMatchObject({ running: null, sources: [] });
  });
});
