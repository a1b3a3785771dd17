import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { applyParticipantsFrame } from '../../addin/src/documents/participants-frame.js';
import type { DocParticipantDto } from '../contract/documents.js';
import { MemoryBus } from '../../core/bus/index.js';
import { createLogger } from '../../core/log/index.js';
import type { Connection, PreparedFrame } from '../realtime/index.js';
import { DocumentSessions } from './document-sessions.js';
import { MemorySessionStore } from './session-store.js';

const DOC = 'AAAAAAAAAAAAAAAAAAAAAA';

interface Received {
  at: number;
  frame: { type: string; docKey: string; participants?: DocParticipantDto[]; moved?: { personId: string; position: { paragraph: number } | null }[] };
  prepared: PreparedFrame;
}

/** The payload of one unmasked WebSocket text frame. */
function payload(bytes: Buffer): string {
  const len = bytes[1] & 0x7f;
  return bytes.subarray(len < 126 ? 2 : len === 126 ? 4 : 10).toString('utf8');
}

/** The part of a realtime connection the engine uses: an id, a principal and a frame sink; it keeps the list as a pane would. */
function window(personId: string) {
  const frames: Received[] = [];
  let list: readonly DocParticipantDto[] | undefined;
  const conn = {
    id: `${personId}-${Math.random().toString(36).slice(2)}`,
    principal: { personId, email: `${personId}@contoso.test`, displayName: personId, isAdmin: false },
    sendPrepared(prepared: PreparedFrame) {
      const frame = JSON.parse(payload(Buffer.from(prepared.wire, 'latin1'))) as Received['frame'];
      frames.push({ at: Date.now(), frame, prepared });
      list = applyParticipantsFrame(list, frame);
      return true;
    },
  } as unknown as Connection;
  const where = () => Object.fromEntries((list ?? []).map((p) => [p.personId, p.position?.paragraph ?? null]));
  return { conn, frames, where };
}

// The engine's windows, ticks and rates run on a fake clock: a loaded CI machine stretches real
// sleeps and would move events across window edges (it did), whereas a fake clock makes every
// timing claim below exact. Microtasks stay real so the store's promises settle as they would.
beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
});
const sleep = (ms: number) => jest.advanceTimersByTimeAsync(ms);
let engine: DocumentSessions | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  jest.useRealTimers();
});

async function start(fanoutMs: number, positionIntervalMs = 0, backlogged?: () => boolean) {
  engine = new DocumentSessions(new MemorySessionStore(), new MemoryBus(), createLogger('silent'), {
    ttlMs: 30_000,
    positionIntervalMs,
    fanoutMs,
    sweepMs: 1000,
    backlogged,
  });
  await engine.start();
  return engine;
}

describe('fan-out window', () => {
  it('sends every move of a window in one frame at its end, encoded once for everyone', async () => {
    const e = await start(300);
    const watchers = [window('w1'), window('w2')];
    const movers = ['a', 'b', 'c'].map(window);
    for (const w of [...watchers, ...movers]) await e.join(w.conn, DOC, null);
    await sleep(50);
    for (const w of watchers) w.frames.length = 0;

    const t0 = Date.now();
    e.move(movers[0].conn, { paragraph: 1, heading: null });
    for (let i = 0; i < 6; i++) {
      await sleep(20);
      e.move(movers[i % 3].conn, { paragraph: 10 + i, heading: null });
    }
    await sleep(150);
    expect(watchers[0].frames).toHaveLength(0);
    await sleep(300);
    // One frame, at the window's end, with only the moves; the two watchers got the very same bytes.
    expect(watchers[0].frames).toHaveLength(1);
    const { at, frame, prepared } = watchers[0].frames[0];
    // The window opened with the first move and closes one fan-out period later, to the tick.
    expect(at - t0).toBeGreaterThanOrEqual(300);
    expect(at - t0).toBeLessThan(330);
    expect(frame.participants).toBeUndefined();
    expect(frame.moved?.map((m) => [m.personId, m.position?.paragraph])).toEqual([
      ['a', 13],
      ['b', 14],
      ['c', 15],
    ]);
    expect(watchers[1].frames[0].prepared).toBe(prepared);
    expect(watchers[0].where()).toEqual({ w1: null, w2: null, a: 13, b: 14, c: 15 });
    // A mover is sent the others' moves, not its own.
    expect(movers[0].frames.at(-1)?.frame.moved?.map((m) => m.personId)).toEqual(['b', 'c']);
  });

  it('keeps windows open while the sockets host is backlogged, then sends the latest moves in one frame', async () => {
    let held = true;
    const e = await start(50, 0, () => held);
    const watcher = window('w');
    const mover = window('m');
    await e.join(watcher.conn, DOC, null);
    await e.join(mover.conn, DOC, null);
    await sleep(100);
    watcher.frames.length = 0;
    // Four moves, each a window apart: without the hold, four frames.
    for (let i = 1; i <= 4; i++) {
      e.move(mover.conn, { paragraph: i, heading: null });
      await sleep(80);
    }
    expect(watcher.frames).toHaveLength(0);
    held = false;
    await sleep(150);
    expect(watcher.frames).toHaveLength(1);
    expect(watcher.frames[0].frame.moved?.map((m) => [m.personId, m.position?.paragraph])).toEqual([['m', 4]]);
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
    expect(alice.frames.at(-1)?.frame.participants?.map((p) => p.personId)).toEqual(['alice', 'bob']);
    expect(alice.frames.at(-1)!.at - t0).toBeLessThan(1000);
    const aliceFrames = alice.frames.length;
    e.move(alice.conn, { paragraph: 5, heading: 'Here' });
    await sleep(3300);
    expect(alice.frames).toHaveLength(aliceFrames);
    expect(bob.where().alice).toBe(5);
    const t1 = Date.now();
    await e.leave(bob.conn);
    await sleep(200);
    expect(alice.frames.at(-1)?.frame.participants?.map((p) => p.personId)).toEqual(['alice']);
    expect(alice.frames.at(-1)!.at - t1).toBeLessThan(1000);
  });

  it('a join pushes what was waiting for the window at once, and a window joining late gets the whole list', async () => {
    const e = await start(2000);
    const alice = window('alice');
    const bob = window('bob');
    await e.join(alice.conn, DOC, null);
    await e.join(bob.conn, DOC, null);
    await sleep(50);
    e.move(bob.conn, { paragraph: 9, heading: null });
    const carol = window('carol');
    await e.join(carol.conn, DOC, null);
    await sleep(100);
    expect(alice.where()).toEqual({ alice: null, bob: 9, carol: null });
    expect(carol.frames).toHaveLength(1);
    expect(carol.where()).toEqual({ alice: null, bob: 9, carol: null });
  });
});

describe('position rate', () => {
  it('applies a pane moving at the allowed rate with jitter at once, and coalesces a faster one to its latest move', async () => {
    const e = await start(5, 300);
    const mover = window('mover');
    const watcher = window('watcher');
    await e.join(mover.conn, DOC, null);
    await e.join(watcher.conn, DOC, null);
    await sleep(50);
    // On average one move per 300 ms, but arriving early and late: none of them may wait for a slot.
    const lags: number[] = [];
    let paragraph = 0;
    for (const gap of [0, 160, 440, 160, 440, 160, 440]) {
      await sleep(gap);
      const sentAt = Date.now();
      e.move(mover.conn, { paragraph: ++paragraph, heading: null });
      while (watcher.where().mover !== paragraph && Date.now() - sentAt < 1000) await sleep(2);
      lags.push(Date.now() - sentAt);
    }
    expect(Math.max(...lags)).toBeLessThan(80);

    // Far faster than allowed: after the burst, the rest coalesce into one move a slot later, the latest.
    await sleep(500);
    const before = watcher.frames.length;
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) e.move(mover.conn, { paragraph: 100 + i, heading: null });
    await sleep(150);
    expect(watcher.where().mover).toBe(101);
    await sleep(300);
    expect(watcher.where().mover).toBe(109);
    const seen = watcher.frames
      .slice(before)
      .flatMap((f) => f.frame.moved ?? [])
      .map((m) => m.position?.paragraph);
    expect(seen).toEqual([101, 109]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('watchers', () => {
  it('get the whole list at once, then the same moves and leaves as the co-authors, until they unwatch', async () => {
    const e = await start(50);
    const alice = window('alice');
    await e.join(alice.conn, DOC, { paragraph: 2, heading: null });
    const outlook = window('reader');
    e.watch(outlook.conn, [DOC]);
    await sleep(30);
    expect(outlook.frames).toHaveLength(1);
    expect(outlook.where()).toEqual({ alice: 2 });
    const bob = window('bob');
    await e.join(bob.conn, DOC, null);
    e.move(alice.conn, { paragraph: 3, heading: null });
    await sleep(150);
    expect(outlook.where()).toEqual({ alice: 3, bob: null });
    await e.leave(alice.conn);
    await sleep(30);
    expect(outlook.where()).toEqual({ bob: null });
    e.unwatch(outlook.conn);
    const before = outlook.frames.length;
    e.move(bob.conn, { paragraph: 8, heading: null });
    await sleep(150);
    expect(outlook.frames).toHaveLength(before);
    expect(alice.frames.length).toBeGreaterThan(0);
  });

  it('of a document nobody has open are told when someone opens it', async () => {
    const e = await start(50);
    const outlook = window('reader');
    e.watch(outlook.conn, [DOC]);
    await sleep(30);
    expect(outlook.frames.map((f) => f.frame.participants)).toEqual([[]]);
    const alice = window('alice');
    await e.join(alice.conn, DOC, null);
    await sleep(30);
    expect(outlook.where()).toEqual({ alice: null });
    expect(e.localDocuments.has(DOC)).toBe(true);
    e.unwatch(outlook.conn);
    await e.leave(alice.conn);
    expect(e.localDocuments.has(DOC)).toBe(false);
  });

  it('a window that closes while it switches documents is not joined to the new one (no ghost, no leak)', async () => {
    const e = await start(50);
    const bob = window('bob');
    await e.join(bob.conn, DOC, null);
    const OTHER = 'BBBBBBBBBBBBBBBBBBBBBB';
    // The switch first leaves DOC (it waits on the store); the socket closes meanwhile, and its
    // close handler, finding nothing joined any more, leaves nothing.
    const switching = e.join(bob.conn, OTHER, null);
    (bob.conn as { closed?: boolean }).closed = true;
    await e.leave(bob.conn);
    await switching;
    expect(e.localSessions).toBe(0);
    expect(e.localDocuments.has(OTHER)).toBe(false);
    // A closed window does not join at all.
    await e.join(bob.conn, DOC, null);
    expect(e.localSessions).toBe(0);
  });
});
