import { describe, expect, it } from '@jest/globals';
import type { Connection } from '../realtime/index.js';
import type { AddressBook } from './address-book.js';
import type { PresenceEngine } from './engine.js';
import { SubscriptionHub, SubscriptionLimitError } from './subscription-hub.js';

/** Just what subscribe() touches: an engine with no one online, a directory whose answers the test releases. */
function setup(max: number) {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const engine = { onView: () => () => undefined, currentMany: async () => new Map() } as unknown as PresenceEngine;
  const addresses = {
    resolve: async (emails: readonly string[]) => {
      await gate;
      return new Map(emails.map((e) => [e, null]));
    },
  } as unknown as AddressBook;
  const sent: { type: string; total?: number }[] = [];
  const conn = {
    closed: false,
    state: new Map(),
    principal: { personId: 'me' },
    batch: (fn: () => void) => fn(),
    sendRaw: () => true,
    send: (f: { type: string; total?: number }) => (sent.push(f), true),
  } as unknown as Connection;
  return { hub: new SubscriptionHub(engine, addresses, { coalesceMs: 10, maxPerConnection: max }), conn, sent, release };
}

describe('SubscriptionHub', () => {
  it('counts subscriptions still resolving against the cap: frames that arrive together cannot pass it', async () => {
    const { hub, conn, sent, release } = setup(10);
    const batch = (n: number) => Array.from({ length: 4 }, (_, i) => `f${n}-${i}@nowhere.test`);
    // Three frames of four new addresses before the directory answered any: only two fit under 10.
    const calls = [0, 1, 2].map((n) => hub.subscribe(conn, batch(n)));
    release();
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(SubscriptionLimitError);
    expect(Math.max(...sent.filter((f) => f.type === 'presence.subscribed').map((f) => f.total!))).toBe(8);
    hub.close();
  });
});
