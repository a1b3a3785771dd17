import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Frame, RealtimeClient, RealtimeStatus } from '../api/index.js';
import { PresenceStore } from './presence-store.js';
import type { PresenceDto } from './presence-types.js';

/** An in-memory realtime client: records what the store sends, lets the test deliver frames and reconnects. */
class MemoryRealtime implements RealtimeClient {
  status: RealtimeStatus = 'open';
  readonly sent: Frame[] = [];
  readonly #listeners = new Map<string, Set<(f: Frame) => void>>();
  readonly #open = new Set<() => void>();
  send(frame: Frame): boolean {
    if (this.status !== 'open') return false;
    this.sent.push(frame);
    return true;
  }
  on<T extends Frame = Frame>(type: string, listener: (frame: T) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as (f: Frame) => void);
    return () => set.delete(listener as (f: Frame) => void);
  }
  onOpen(listener: () => void): () => void {
    this.#open.add(listener);
    if (this.status === 'open') listener();
    return () => this.#open.delete(listener);
  }
  onReconnect(): () => void {
    return () => {};
  }
  onStatus(): () => void {
    return () => {};
  }
  reconnect(): void {
    this.status = 'open';
    for (const l of this.#open) l();
  }
  close(): void {
    this.status = 'closed';
  }
  deliver(frame: Frame): void {
    for (const l of this.#listeners.get(frame.type) ?? []) l(frame);
  }
}

const presence = (availability: PresenceDto['availability'], version: number, note: string | null = null): PresenceDto => ({
  availability,
  activity: availability === 'Available' ? 'Available' : 'Busy',
  note,
  outOfOffice: { active: false, message: null },
  lastActive: null,
  version,
});
const flush = () => new Promise<void>((r) => queueMicrotask(r));

let rt: MemoryRealtime;
let store: PresenceStore;
beforeEach(() => {
  rt = new MemoryRealtime();
  store = new PresenceStore(rt);
});
afterEach(() => {
  store.close();
  jest.useRealTimers();
});

describe('PresenceStore (pane side)', () => {
  it('batches subscriptions of many components into one frame, once per address', async () => {
    const a = store.acquire(['Priya@Auroraworks.example', 'sam@auroraworks.example']);
    const b = store.acquire(['priya@auroraworks.example']);
    await flush();
    expect(rt.sent).toEqual([{ type: 'presence.subscribe', emails: ['Priya@Auroraworks.example', 'sam@auroraworks.example'] }]);
    a();
    b();
  });

  it('shows an address no one can hold as unknown at once, without subscribing to it', async () => {
    const legacyDn = '/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=sam';
    const release = store.acquire([legacyDn, 'bob smith', 'sam@auroraworks.example']);
    await flush();
    expect(rt.sent).toEqual([{ type: 'presence.subscribe', emails: ['sam@auroraworks.example'] }]);
    expect(store.get(legacyDn)).toMatchObject({ availability: 'PresenceUnknown', note: null, version: 0 });
    expect(store.get('bob smith')?.availability).toBe('PresenceUnknown');
    expect(store.get('sam@auroraworks.example')).toBeUndefined();
    jest.useFakeTimers();
    release();
    jest.advanceTimersByTime(5000);
    expect(rt.sent.at(-1)).toEqual({ type: 'presence.unsubscribe', emails: ['sam@auroraworks.example'] });
  });

  it('keeps the newest version and tells only the listeners of that address', async () => {
    store.acquire(['priya@auroraworks.example', 'sam@auroraworks.example']);
    const heard: string[] = [];
    store.listen(['priya@auroraworks.example'], () => heard.push('priya'));
    rt.deliver({ type: 'presence', email: 'Priya@auroraworks.example', presence: presence('Busy', 20) });
    rt.deliver({ type: 'presence', email: 'priya@auroraworks.example', presence: presence('Available', 10) });
    rt.deliver({ type: 'presence', email: 'sam@auroraworks.example', presence: presence('Available', 5) });
    expect(store.get('PRIYA@auroraworks.example')).toMatchObject({ availability: 'Busy', version: 20 });
    expect(heard).toEqual(['priya']);
    // The same version again (a block re-sends it filtered) is accepted.
    rt.deliver({ type: 'presence', email: 'priya@auroraworks.example', presence: presence('PresenceUnknown', 20) });
    expect(store.get('priya@auroraworks.example')?.availability).toBe('PresenceUnknown');
  });

  it('re-subscribes everything it still watches after a reconnect, and nothing when the socket is down', async () => {
    const release = store.acquire(['priya@auroraworks.example']);
    store.acquire(['sam@auroraworks.example']);
    await flush();
    rt.sent.length = 0;
    rt.status = 'connecting';
    store.acquire(['mei@auroraworks.example']);
    await flush();
    expect(rt.sent).toEqual([]);
    release();
    rt.reconnect();
    expect(rt.sent).toEqual([{ type: 'presence.subscribe', emails: ['sam@auroraworks.example', 'mei@auroraworks.example'] }]);
  });

  it('unsubscribes a little after the last component lets go, unless one comes back', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask'] });
    const release = store.acquire(['priya@auroraworks.example', 'sam@auroraworks.example']);
    await flush();
    rt.sent.length = 0;
    release();
    const again = store.acquire(['sam@auroraworks.example']);
    await flush();
    jest.advanceTimersByTime(2500);
    expect(rt.sent).toEqual([{ type: 'presence.unsubscribe', emails: ['priya@auroraworks.example'] }]);
    again();
  });
});
