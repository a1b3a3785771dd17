// The socket process (REALTIME_SOCKETS=process): the realtime sockets live in a child
// of the API process. What must hold across that boundary, over real sockets: order, backpressure,
// the child dying, and shutdown.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CloseCode, ProcessSocketHost } from '../../api/realtime/index.js';
import { person } from '../support/entries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

const PROCESS = { REALTIME_SOCKETS: 'process' };
const ADA = 'ada.sockets@contoso.test';
const BOB = 'bob.sockets@contoso.test';
let server: TestServer;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !check();) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

const host = () => server.deps.gateway.host as ProcessSocketHost;
const personId = async (email: string) => ((await (await server.api('GET', '/v1/me', { as: email })).json()) as { person: { id: string } }).person.id;

beforeAll(async () => {
  server = await startTestServer({ seed: [person('ada.sockets'), person('bob.sockets')], env: PROCESS });
});
afterAll(() => server.close());

describe('the socket process', () => {
  it('is where the sockets live with REALTIME_SOCKETS=process', () => {
    expect(server.deps.gateway.host).toBeInstanceOf(ProcessSocketHost);
    expect(host().pid).toBeGreaterThan(0);
    expect(host().pid).not.toBe(process.pid);
  });

  it('delivers a burst of frames to one socket complete and in order', async () => {
    const sock = await TestSocket.open(server.url, await server.token(ADA));
    const [conn] = server.deps.gateway.connectionsOf(await personId(ADA));
    for (let i = 0; i < 500; i++) conn.send({ type: 'n', i, pad: 'é'.repeat(i % 7) });
    const got: number[] = [];
    for (let i = 0; i < 500; i++) got.push((await sock.next('n')).i as number);
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => i));
    await sock.close();
  });

  it('tells a reader that stopped reading to resync (4410), while another socket keeps receiving', async () => {
    const slow = await TestSocket.open(server.url, await server.token(ADA));
    const healthy = await TestSocket.open(server.url, await server.token(BOB));
    const [slowConn] = server.deps.gateway.connectionsOf(await personId(ADA));
    const [healthyConn] = server.deps.gateway.connectionsOf(await personId(BOB));
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const big = `{"type":"x","pad":"${'x'.repeat(100_000)}"}`;
    // Bounded: 40 MB is far beyond the kernel buffers and the 1 MB queue limit.
    for (let round = 0; round < 40 && !slowConn.closed; round++) {
      for (let k = 0; k < 10; k++) slowConn.sendRaw(big);
      healthyConn.send({ type: 'tick', round });
      expect((await healthy.next('tick')).round).toBe(round);
    }
    expect(slowConn.closed).toBe(true);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slow.closed).toBe(CloseCode.resync);
    await healthy.close();
  });

  it('when it dies, its sockets close, their close hooks run, and a new one serves', async () => {
    const sock = await TestSocket.open(server.url, await server.token(ADA));
    const ada = await personId(ADA);
    expect(server.deps.gateway.connectionsOf(ada).size).toBe(1);
    const before = host().pid!;
    process.kill(before, 'SIGKILL');
    expect(await sock.closed).toBe(1006);
    await until(() => server.deps.gateway.connectionsOf(ada).size === 0);
    expect(server.deps.gateway.connectionCount).toBe(0);
    await until(() => host().pid !== before);
    let again: TestSocket | undefined;
    for (let i = 0; i < 100 && !again; i++) again = await TestSocket.open(server.url, await server.token(ADA)).catch(() => sleep(100).then(() => undefined));
    expect(again).toBeDefined();
    again!.send({ type: 'ping' });
    await again!.next('pong');
    await again!.close();
  });

  it('while it lags, presence windows stay open and coalesce; then the latest state goes out once', async () => {
    // Any unacknowledged write counts as a backlog here (the product allows 25,000).
    const server = await startTestServer({ seed: [person('ada.sockets'), person('bob.sockets')], env: PROCESS, tuning: { 'realtime.backlogWrites': 0 } });
    const host = () => server.deps.gateway.host as ProcessSocketHost;
    const watcher = await TestSocket.open(server.url, await server.token(ADA));
    // Bob needs a live endpoint to show anything but Offline.
    const bob = await TestSocket.open(server.url, await server.token(BOB));
    watcher.send({ type: 'presence.subscribe', emails: [BOB] });
    await watcher.next('presence.subscribed');
    watcher.frames.length = 0;
    const pid = host().pid!;
    // A stopped socket process writes nothing and acknowledges nothing: it is backlogged at once.
    process.kill(pid, 'SIGSTOP');
    try {
      await server.api('PUT', '/v1/me/presence', { as: BOB, body: { availability: 'Busy', note: 'first' } });
      await sleep(150);
      expect(server.deps.gateway.backlogged).toBe(true);
      // Each change a window apart: without the hold, each would be a frame of its own.
      for (const note of ['second', 'third', 'fourth']) {
        expect((await server.api('PUT', '/v1/me/presence', { as: BOB, body: { availability: 'DoNotDisturb', note } })).status).toBe(200);
        await sleep(150);
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const last = await watcher.next('presence', (f) => (f.presence as { note: string }).note === 'fourth');
    expect(last.presence).toMatchObject({ availability: 'DoNotDisturb', note: 'fourth' });
    await until(() => !server.deps.gateway.backlogged);
    await sleep(300);
    // Four changes, two frames: the first (flushed before the host knew it lagged) and the latest.
    const frames = watcher.frames.filter((f) => f.type === 'presence');
    expect(frames.length).toBeLessThanOrEqual(1);
    await Promise.all([watcher.close(), bob.close()]);
    await server.close();
  });

  it('closes every socket with 1001 when the server shuts down, and exits', async () => {
    const own = await startTestServer({ seed: [person('ada.sockets')], env: PROCESS });
    const sock = await TestSocket.open(own.url, await own.token(ADA));
    const pid = (own.deps.gateway.host as ProcessSocketHost).pid!;
    await own.close();
    expect(await sock.closed).toBe(CloseCode.goingAway);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('REALTIME_SOCKETS=inline (the default)', () => {
  it('keeps the sockets in the API process and serves the same', async () => {
    const inline = await startTestServer({ seed: [person('ada.sockets')] });
    try {
      expect(inline.deps.gateway.host).not.toBeInstanceOf(ProcessSocketHost);
      const sock = await TestSocket.open(inline.url, await inline.token(ADA));
      sock.send({ type: 'ping' });
      await sock.next('pong');
      await sock.close();
    } finally {
      await inline.close();
    }
  });
});
