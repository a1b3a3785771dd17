import { afterEach, describe, expect, it } from '@jest/globals';
import { MemoryBus } from '../../core/bus/index.js';
import { createLogger } from '../../core/log/index.js';
import type { Connection } from '../realtime/index.js';
import { DocumentSessions } from './document-sessions.js';
import { MemorySessionStore } from './session-store.js';

const DOC = 'AAAAAAAAAAAAAAAAAAAAAA';

/** The part of a realtime connection the engine uses: an id, a principal and a frame sink. */
function window(personId: string) {
  const frames: { at: number; participants: { personId: string; position: { paragraph: number } | null }[] }[] = [];
  const conn = {
    id: `${personId}-${Math.random().toString(36).slice(2)}`,
    principal: { personId, email: `${personId}@contoso.test`, displayName: personId, isAdmin: false },
    sendRaw(json: string) {
      frames.push({ at: Date.now(), ...(JSON.parse(json) as { participants: [] }) });
      return true;
    },
  } as unknown as Connection;
  return { conn, frames };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let engine: DocumentSessions | undefined;
afterEach(async () => engine?.stop());

async function start(fanoutMs: number) {
  engine = new DocumentSessions(new MemorySessionStore(), new MemoryBus(), createLogger('silent'), {
    ttlMs: 30_000,
    positionIntervalMs: 0,
    fanoutMs,
    sweepMs: 1000,
  });
  await engine.start();
  return engine;
}

describe('fan-out window', () => {
  it('sends the first change after a quiet window at once and coalesces the rest to the window end', async () => {
    const e = await start(1000);
    const watcher = window('watcher');
    const movers = ['a', 'b', 'c'].map(window);
    await e.join(watcher.conn, DOC, null);
    for (const m of movers) await e.join(m.conn, DOC, null);
    await sleep(1100);
    watcher.frames.length = 0;

    const t0 = Date.now();
    e.move(movers[0].conn, { paragraph: 1, heading: null });
    await sleep(100);
    expect(watcher.frames).toHaveLength(1);
    expect(watcher.frames[0].at - t0).toBeLessThan(500);
    for (let i = 0; i < 6; i++) {
      e.move(movers[i % 3].conn, { paragraph: 10 + i, heading: null });
      await sleep(20);
    }
    await sleep(1100);
    // One push at the leading edge, one for everything that followed within the window.
    expect(watcher.frames).toHaveLength(2);
    expect(watcher.frames[1].at - t0).toBeGreaterThanOrEqual(990);
    const last = watcher.frames[1].participants;
    expect(Object.fromEntries(last.map((p) => [p.personId, p.position?.paragraph ?? null]))).toEqual({ watcher: null, a: 13, b: 14, c: 15 });
  });

  it('does not echo a window its own move, and sends joins and leaves at once', async () => {
    const e = await start(3000);
    const alice = window('alice');
    const bob = window('bob');
    await e.join(alice.conn, DOC, null);
    await sleep(20);
    const t0 = Date.now();
    await e.join(bob.conn, DOC, null);
    await sleep(200);
    expect(alice.frames.at(-1)?.participants.map((p) => p.personId)).toEqual(['alice', 'bob']);
    expect(alice.frames.at(-1)!.at - t0).toBeLessThan(1000);
    const aliceFrames = alice.frames.length;
    e.move(alice.conn, { paragraph: 5, heading: 'Here' });
    await sleep(3300);
    expect(alice.frames).toHaveLength(aliceFrames);
    expect(bob.frames.at(-1)?.participants.find((p) => p.personId === 'alice')?.position?.paragraph).toBe(5);
    const t1 = Date.now();
    await e.leave(bob.conn);
    await sleep(200);
    expect(alice.frames.at(-1)?.participants.map((p) => p.personId)).toEqual(['alice']);
    expect(alice.frames.at(-1)!.at - t1).toBeLessThan(1000);
  });
});
