import { afterEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { MAX_BUFFERED_BYTES } from './close-codes.js';
import { InlineSocketHost, type WsPort } from './inline-socket-host.js';
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

  it('sends the frames of a cork() in one write at the last uncork(), in order, and before a close', async () => {
    const s = await serve(extraListener);
    stops.push(s.stop);
    const ws = new WebSocket(s.url);
    const got: string[] = [];
    ws.on('message', (d) => got.push(String(d)));
    const closed = new Promise<number>((r) => ws.once('close', r));
    await opened(ws);
    await until(() => s.seen.port !== undefined);
    const port = s.seen.port!;
    const raw = (port as WsPort).ws as unknown as { _socket: { write: (...a: unknown[]) => boolean } };
    const write = raw._socket.write.bind(raw._socket);
    let writes = 0;
    raw._socket.write = (...a: unknown[]) => {
      writes++;
      return write(...a);
    };

    port.cork();
    port.send(prepareFrame('{"n":1}'));
    port.cork();
    port.send(prepareFrame('{"n":2,"text":"✓"}'));
    port.uncork();
    port.send(prepareFrame('{"n":3}'));
    expect(writes).toBe(0);
    port.uncork();
    expect(writes).toBe(1);
    await until(() => got.length === 3);
    expect(got).toEqual(['{"n":1}', '{"n":2,"text":"✓"}', '{"n":3}']);

    port.cork();
    port.send(prepareFrame('{"n":4}'));
    port.close(4000, 'bye');
    expect(await closed).toBe(4000);
    expect(got.at(-1)).toBe('{"n":4}');
  });

  it('closes a socket that floods pings without reading the pongs, without buffering past the limit', async () => {
    const s = await serve(extraListener);
    stops.push(s.stop);
    const { port: tcpPort, hostname } = new URL(s.url);
    const sock = net.connect(Number(tcpPort), hostname);
    stops.push(async () => void sock.destroy());
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      `GET / HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let received = Buffer.alloc(0);
    const onData = (d: Buffer) => (received = Buffer.concat([received, d]));
    sock.on('data', onData);
    await until(() => received.includes('\r\n\r\n'));
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 101/);
    received = received.subarray(received.indexOf('\r\n\r\n') + 4);
    await until(() => s.seen.port !== undefined);

    // Masked pings with the largest payload a control frame may have, ~10 MB of them, never read.
    sock.pause();
    const ping = Buffer.alloc(2 + 4 + 125);
    ping[0] = 0x89;
    ping[1] = 0x80 | 125;
    randomBytes(4).copy(ping, 2);
    const many = Buffer.concat(Array.from({ length: 1000 }, () => ping));
    // A server that stops reading stops the flood too (then it has buffered what it has).
    const drained = () => new Promise((r) => (sock.once('drain', () => r(true)), setTimeout(() => r(false), 2000)));
    for (let i = 0; i < 80; i++) if (!sock.write(many) && !(await drained())) break;
    await new Promise((r) => setTimeout(r, 200));
    expect((s.seen.port as WsPort).ws.bufferedAmount).toBeLessThanOrEqual(MAX_BUFFERED_BYTES);

    // Reading now: pongs, then the close frame with its code.
    sock.resume();
    const closeCode = (): number | undefined => {
      for (let at = 0; at + 2 <= received.length;) {
        const length = received[at + 1] & 0x7f;
        if (length > 125 || at + 2 + length > received.length) return undefined;
        if ((received[at] & 0x0f) === 0x08) return received.readUInt16BE(at + 2);
        at += 2 + length;
      }
      return undefined;
    };
    await until(() => closeCode() !== undefined);
    expect([4429, 4410]).toContain(closeCode());
  });

  it('closes a socket that pings faster than the frame limit allows, even while it reads every pong', async () => {
    const s = await serve(extraListener);
    stops.push(s.stop);
    const ws = new WebSocket(s.url);
    await opened(ws);
    ws.on('error', () => undefined);
    let pongs = 0;
    ws.on('pong', () => pongs++);
    const closed = new Promise<number>((r) => ws.once('close', r));
    // A few pings per write (never many pending at once), 2,000 in all: no browser sends any.
    for (let i = 0; i < 200 && ws.readyState === ws.OPEN; i++) {
      for (let j = 0; j < 10; j++) ws.ping();
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open'), 2000))])).toBe(4429);
    expect(pongs).toBeLessThan(200);
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
