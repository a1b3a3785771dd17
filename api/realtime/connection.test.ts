import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCode } from './close-codes.js';
import { Connection } from './connection.js';
import { WsPort } from './inline-socket-host.js';
import { prepareFrame } from './prepared-frame.js';

let wss: WebSocketServer | undefined;
afterEach(() => new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve())));

/** A real socket pair over loopback: the server side wrapped in a Connection, the client side a ws client. */
async function pair(): Promise<{ conn: Connection; client: WebSocket }> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((r) => wss!.once('listening', r));
  const serverSide = new Promise<WebSocket>((resolve) => wss!.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: false });
  const ws = await serverSide;
  await new Promise((r) => (client.readyState === WebSocket.OPEN ? r(null) : client.once('open', r)));
  return { conn: new Connection(new WsPort(ws), { personId: 'p', email: 'p@contoso.test', displayName: 'P', isAdmin: false }), client };
}

describe('prepared frames', () => {
  it('arrive intact over a real socket at every length encoding, mixed with ordinary sends, in order', async () => {
    const { conn, client } = await pair();
    const texts = ['{"type":"a"}', `{"type":"b","x":"${'é'.repeat(100)}"}`, `{"type":"c","x":"${'x'.repeat(70_000)}"}`, '{"type":"d"}'];
    const got: string[] = [];
    const done = new Promise<void>((resolve) =>
      client.on('message', (data) => {
        got.push(String(data));
        if (got.length === texts.length + 1) resolve();
      }),
    );
    const shared = prepareFrame(texts[1]);
    expect(conn.sendPrepared(prepareFrame(texts[0]))).toBe(true);
    expect(conn.sendPrepared(shared)).toBe(true);
    expect(conn.sendRaw('{"type":"raw"}')).toBe(true);
    expect(conn.sendPrepared(prepareFrame(texts[2]))).toBe(true);
    expect(conn.sendPrepared(prepareFrame(texts[3]))).toBe(true);
    await done;
    expect(got).toEqual([texts[0], texts[1], '{"type":"raw"}', texts[2], texts[3]]);
    client.close();
  });

  it('is not written to a closed connection', async () => {
    const { conn, client } = await pair();
    conn.close(1000, 'bye');
    expect(conn.sendPrepared(prepareFrame('{"type":"late"}'))).toBe(false);
    client.close();
  });
});

describe('a slow consumer', () => {
  it('is told to resync (4410) once its buffer is full, without stalling the sender or other sockets', async () => {
    const slow = await pair();
    // A second socket on the same server: it must keep receiving while the first one is stuck.
    const serverSide = new Promise<WebSocket>((resolve) => wss!.once('connection', resolve));
    const healthyClient = new WebSocket(`ws://127.0.0.1:${(wss!.address() as AddressInfo).port}`, { perMessageDeflate: false });
    const healthy = new Connection(new WsPort(await serverSide), { personId: 'q', email: 'q@contoso.test', displayName: 'Q', isAdmin: false });
    await new Promise((r) => (healthyClient.readyState === WebSocket.OPEN ? r(null) : healthyClient.once('open', r)));

    // The slow client stops reading: the kernel buffers fill, then the server-side queue.
    (slow.client as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const big = `{"type":"x","pad":"${'x'.repeat(100_000)}"}`;
    const started = performance.now();
    let sent = 0;
    while (sent < 2000 && slow.conn.sendRaw(big)) sent++;
    const elapsed = performance.now() - started;
    expect(sent).toBeLessThan(2000);
    expect(slow.conn.closed).toBe(true);
    // Sending never waited for the stuck reader.
    expect(elapsed).toBeLessThan(2000);

    const got = new Promise<string>((resolve) => healthyClient.once('message', (d) => resolve(String(d))));
    expect(healthy.sendRaw('{"type":"still-here"}')).toBe(true);
    expect(await got).toBe('{"type":"still-here"}');

    const code = new Promise<number>((resolve) => slow.client.once('close', resolve));
    (slow.client as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await code).toBe(CloseCode.resync);
    healthyClient.close();
  });
});
