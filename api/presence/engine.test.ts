import { describe, expect, it } from '@jest/globals';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import type { Logger } from '../../core/log/index.js';
import type { ClusterEvents } from './cluster.js';
import { PresenceEngine } from './engine.js';
import { MemoryCluster } from './memory-cluster.js';
import type { PresenceStore, StoredInputs } from './presence-store.js';

const inputs = (availability: 'Busy' | 'DoNotDisturb' | null): StoredInputs => ({
  manual: availability ? { availability, note: null, expiresAt: Date.now() + 3_600_000, setAt: Date.now() } : null,
  oof: [],
  calendar: new Map(),
  external: new Map(),
});

/** The store as another process shares it: the test commits a row and holds reads back at will. */
function sharedStore() {
  const state = { row: inputs('Busy'), hold: undefined as Promise<void> | undefined };
  const store = {
    allBlocks: async () => new Map(),
    load: async () => {
      // The read sees the row as it is when it starts, and answers when the test lets it.
      const seen = state.row;
      await state.hold;
      return seen;
    },
  } as unknown as PresenceStore;
  return { state, store };
}

/** An engine over `store` and an in-memory cluster, started; `events()` are the cluster's hooks into it (another process's notices). */
async function startEngine(store: PresenceStore): Promise<{ engine: PresenceEngine; events: () => ClusterEvents }> {
  const cluster = new MemoryCluster();
  let events: ClusterEvents | undefined;
  const start = cluster.start.bind(cluster);
  cluster.start = async (e) => {
    events = e;
    await start(e);
  };
  const engine = new PresenceEngine({
    store,
    cluster,
    directory: {} as DirectoryReader,
    log: { error: () => undefined, warn: () => undefined } as unknown as Logger,
  });
  await engine.start();
  return { engine, events: () => events! };
}

describe('PresenceEngine stored inputs', () => {
  it('does not keep inputs read before another process changed them, when the notice arrives during the read', async () => {
    const { state, store } = sharedStore();
    const { engine, events } = await startEngine(store);
    try {
      let release: () => void = () => undefined;
      state.hold = new Promise<void>((r) => (release = r));
      const reading = engine.storedInputs('p1');
      // Another process commits Do not disturb and announces it while our read is under way.
      state.row = inputs('DoNotDisturb');
      events().inputsChanged('p1', 'manual');
      state.hold = undefined;
      release();
      await reading;
      // What this process keeps (and computes from from now on) is what the store holds now.
      expect((await engine.storedInputs('p1')).manual?.availability).toBe('DoNotDisturb');
    } finally {
      await engine.stop();
    }
  });
});

describe('PresenceEngine block lists', () => {
  it('does not let a reload that started before a block made here overwrite it', async () => {
    const state = { list: ['X'], hold: undefined as Promise<void> | undefined };
    const store = {
      allBlocks: async () => new Map(),
      blockedBy: async () => {
        // The read sees the rows as they are when it starts, and answers when the test lets it.
        const seen = [...state.list];
        await state.hold;
        return seen;
      },
      block: async (_owner: string, blocked: string) => void state.list.push(blocked),
      load: async () => inputs(null),
    } as unknown as PresenceStore;
    const { engine, events } = await startEngine(store);
    try {
      let release: () => void = () => undefined;
      state.hold = new Promise<void>((r) => (release = r));
      // Another process blocked X and says so: this process starts reading O's list...
      events().inputsChanged('O', 'blocks');
      // ...and O blocks Y here before that read answers.
      await engine.block('O', 'Y');
      expect(engine.hasBlocked('O', 'Y')).toBe(true);
      state.hold = undefined;
      release();
      for (let i = 0; i < 50 && !engine.hasBlocked('O', 'X'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(engine.hasBlocked('O', 'X')).toBe(true);
      expect(engine.hasBlocked('O', 'Y')).toBe(true);
    } finally {
      await engine.stop();
    }
  });
});
