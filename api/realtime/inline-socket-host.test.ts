import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { InlineSocketHost } from './inline-socket-host.js';
import { prepareFrame } from './prepared-frame.js';
import type { SocketPort } from './socket-host.js';

const LIMITS = { maxFrameBytes: 1024, heartbeatTimeoutMs: 60_000, pingIntervalMs: 20_000 };

interface Seen {
  messages: (string | null)[];
  closed: number[];
  port?: SocketPort;
  /** Whether ws's own reader (its 'data' listener, socketOnData) still reads the socket. */
  wsReads?: boolean;
}

/**
 * A host behind a real HTTP server. `extraListener`: another 'data' listener on the socket before
 * the host adopts it (as a future ws or a proxy library might add), which must make the host leave
 * reading to ws instead of taking it over.
 */
async function serve(extraListener: boolean) {
  const host = new InlineSocketHost(LIMITS);
  const seen: Seen = { messages: [], closed: [] };
  const server = http.createServer();
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    if (extraListener) socket.on('data', () => undefined);
    host.adopt(req, socket, head, {
      opened: (port) => {
        seen.port = port;
        seen.wsReads = socket.listeners('data').some((f) => f.name === 'socketOnData');
      },
      message: (text) => seen.messages.push(text),
      closed: (code) => seen.closed.push(code),
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = async () => {
    await host.close();
    await new Promise((r) => server.close(r));
  };
  return { url, seen, stop };
}

const opened = (ws: WebSocket) => new Promise((r, j) => ws.once('open', r).once('error', j));
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((s) => s()));
  stops = [];
});

describe.each([
  ['reading frames itself', false],
  ['leaving reading to ws (the socket has another data listener)', true],
])('InlineSocketHost %s', (_name, extraListener) => {
  it('delivers text and binary frames, answers pings and sends prepared frames', async () => {
    const s = await serve(extraListener);
    stops.push(s.stop);
    const ws = new WebSocket(s.url);
    await opened(ws);
    await until(() => s.seen.port !== undefined);
    // The host replaced ws's data listener with its reader only when ws's was the only one.
    expect(s.seen.wsReads).toBe(extraListener);

    ws.send('héllo ✓');
    ws.send(Buffer.from([1, 2, 3]));
    await until(() => s.seen.messages.length === 2);
    expect(s.seen.messages).toEqual(['héllo ✓', null]);

    const pong = new Promise<Buffer>((r) => ws.once('pong', r));
    ws.ping('are you there');
    expect((await pong).toString()).toBe('are you there');

    const got = new Promise<string>((r) => ws.once('message', (d) => r(String(d))));
    s.seen.port!.send(prepareFrame('{"type":"hello"}'));
    expect(await got).toBe('{"type":"hello"}');
    ws.close(1000);
    await until(() => s.seen.closed.length === 1);
    expect(s.seen.closed).toEqual([1000]);
  });

  it('closes a socket that sends a frame over the size limit with 1009', async () => {
    const s = await serve(extraListener);
    stops.push(s.stop);
    const ws = new WebSocket(s.url);
    await opened(ws);
    const closed = new Promise<number>((r) => ws.once('close', r));
    ws.on('error', () => undefined);
    ws.send('x'.repeat(LIMITS.maxFrameBytes + 1));
    expect(await closed).toBe(1009);
    await until(() => s.seen.closed.length === 1);
    expect(s.seen.messages).toEqual([]);
  });
});
