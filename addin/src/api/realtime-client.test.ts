import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ApiClient } from './http-client.js';
import { BACK_OFF_MIN_MS, CONNECT_TIMEOUT_MS, STABLE_AFTER_MS, createRealtimeClient, type RealtimeClient } from './realtime-client.js';

/** A WebSocket whose server side the test plays: open it, send frames, close it with a code. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly sent: unknown[] = [];
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  closedByClient = false;
  close() {
    this.closedByClient = true;
    this.readyState = FakeSocket.CLOSED;
  }
  serverOpen() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  serverSend(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverClose(code: number) {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code });
  }
}

/** Ticket requests the test answers one by one, in any order. */
const tickets: { resolve: (t: { ticket: string }) => void }[] = [];
const api = {
  post: () => new Promise((resolve) => tickets.push({ resolve: resolve as (t: { ticket: string }) => void })),
} as unknown as ApiClient;

let client: RealtimeClient | undefined;
const start = () =>
  (client = createRealtimeClient(api, { baseUrl: 'http://pane.test/', WebSocketImpl: FakeSocket as unknown as typeof WebSocket, random: () => 0 }));
/** Answers the oldest pending ticket request and lets the client create its socket. */
const grantTicket = async () => {
  tickets.shift()!.resolve({ ticket: `t${FakeSocket.all.length}` });
  await jest.advanceTimersByTimeAsync(0);
};

beforeEach(() => {
  jest.useFakeTimers();
  FakeSocket.all = [];
  tickets.length = 0;
});
afterEach(() => {
  client?.close();
  jest.useRealTimers();
});

describe('realtime client', () => {
  it('waits at least 15 s before coming back to a server that closed with "too many connections" or "rate limited"', async () => {
    start();
    for (const code of [4409, 4429]) {
      await grantTicket();
      const socket = FakeSocket.all.at(-1)!;
      socket.serverOpen();
      socket.serverClose(code);
      await jest.advanceTimersByTimeAsync(BACK_OFF_MIN_MS - 1);
      expect(tickets).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(tickets).toHaveLength(1);
    }
  });

  it('keeps backing off while connections open and drop at once, and starts over after a stable one', async () => {
    start();
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      await grantTicket();
      const socket = FakeSocket.all.at(-1)!;
      socket.serverOpen();
      if (i === 3) await jest.advanceTimersByTimeAsync(STABLE_AFTER_MS);
      socket.serverClose(1006);
      const t0 = Date.now();
      for (let guard = 0; tickets.length === 0 && guard < 1000; guard++) await jest.advanceTimersByTimeAsync(50);
      gaps.push(Date.now() - t0);
    }
    // Jitter pinned to its low end: half of 500, 1,000, 2,000 ms; then back to the first step.
    expect(gaps).toEqual([250, 500, 1000, 250]);
  });

  it('ends with one socket when a reconnect starts while a ticket is on its way, and hears only the current socket', async () => {
    start();
    client!.reconnect();
    expect(tickets).toHaveLength(2);
    // The newer request is answered first; the older answer comes late and must not open a second socket.
    tickets.pop()!.resolve({ ticket: 'new' });
    await jest.advanceTimersByTimeAsync(0);
    tickets.pop()!.resolve({ ticket: 'old' });
    await jest.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all.map((s) => s.url)).toEqual(['ws://pane.test/v1/realtime?ticket=new']);

    const first = FakeSocket.all[0]!;
    first.serverOpen();
    const heard: unknown[] = [];
    client!.on('presence', (f) => heard.push(f.email));
    client!.reconnect();
    first.serverSend({ type: 'presence', email: 'late@contoso.test' });
    await grantTicket();
    const second = FakeSocket.all[1]!;
    second.serverOpen();
    second.serverSend({ type: 'presence', email: 'now@contoso.test' });
    expect(heard).toEqual(['now@contoso.test']);
  });

  describe('a path that dies without a close', () => {
    const HEARTBEAT_MS = 20_000;

    it('drops a socket that hears nothing back for its pings and connects again', async () => {
      start();
      const statuses: string[] = [];
      client!.onStatus((s) => statuses.push(s));
      await grantTicket();
      const first = FakeSocket.all[0]!;
      first.serverOpen();
      expect(client!.status).toBe('open');
      // The server never answers: no pong, no frame, and no close event either.
      await jest.advanceTimersByTimeAsync(3 * HEARTBEAT_MS);
      expect(first.sent).toEqual([{ type: 'ping' }, { type: 'ping' }]);
      expect(first.closedByClient).toBe(true);
      expect(client!.status).toBe('connecting');
      expect(statuses).toEqual(['open', 'connecting']);
      for (let guard = 0; tickets.length === 0 && guard < 100; guard++) await jest.advanceTimersByTimeAsync(100);
      await grantTicket();
      expect(FakeSocket.all).toHaveLength(2);
      FakeSocket.all[1]!.serverOpen();
      expect(client!.status).toBe('open');
    });

    it('keeps a socket whose pings are answered (pong or any frame) however long it is quiet', async () => {
      start();
      await grantTicket();
      const socket = FakeSocket.all[0]!;
      socket.serverOpen();
      for (let i = 0; i < 30; i++) {
        await jest.advanceTimersByTimeAsync(HEARTBEAT_MS);
        socket.serverSend(i % 2 ? { type: 'pong', at: Date.now() } : { type: 'presence', email: 'a@contoso.test' });
      }
      expect(FakeSocket.all).toHaveLength(1);
      expect(socket.closedByClient).toBe(false);
      expect(client!.status).toBe('open');
    });

    it('gives up on a ticket request that never answers, and on a socket stuck opening', async () => {
      start();
      expect(tickets).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS);
      // The hung request is abandoned; a new one follows after the backoff delay.
      for (let guard = 0; tickets.length === 1 && guard < 100; guard++) await jest.advanceTimersByTimeAsync(100);
      expect(tickets).toHaveLength(2);
      tickets.shift();
      await grantTicket();
      const stuck = FakeSocket.all[0]!;
      expect(client!.status).toBe('connecting');
      // Never opens, never closes.
      await jest.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS);
      expect(stuck.closedByClient).toBe(true);
      for (let guard = 0; tickets.length === 0 && guard < 100; guard++) await jest.advanceTimersByTimeAsync(100);
      await grantTicket();
      expect(FakeSocket.all).toHaveLength(2);
      FakeSocket.all[1]!.serverOpen();
      expect(client!.status).toBe('open');
      // The abandoned socket opening late changes nothing.
      stuck.serverOpen();
      expect(FakeSocket.all).toHaveLength(2);
      expect(client!.status).toBe('open');
    });
  });
});
