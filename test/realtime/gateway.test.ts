// The realtime gateway's edges over real sockets: tickets, and the limits that turn abuse into a
// close code (never a crash, never a stall for anyone else).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import WebSocket from 'ws';
import { CloseCode } from '../../api/realtime/index.js';
import { person } from '../support/entries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

const ADA = 'ada.gateway@contoso.test';
const BOB = 'bob.gateway@contoso.test';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    seed: [person('ada.gateway'), person('bob.gateway'), person('tess.tickets')],
    gatewayLimits: { connectionsPerUser: 2, maxFrameBytes: 4096, framesPerSecond: 5, frameBurst: 10 },
  });
});
afterAll(() => server.close());

async function ticket(email: string): Promise<string> {
  const res = await server.api('POST', '/v1/realtime/ticket', { as: email });
  expect(res.status).toBe(200);
  return ((await res.json()) as { ticket: string }).ticket;
}

/** Opens a socket with a raw ticket value; resolves with the HTTP status the upgrade was refused with, or 101. */
function upgradeStatus(ticketValue: string | null): Promise<number> {
  const q = ticketValue === null ? '' : `?ticket=${encodeURIComponent(ticketValue)}`;
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/realtime${q}`);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => (ws.readyState === WebSocket.CLOSED ? undefined : reject(err)));
  });
}

/** Opens one more socket for `email`: its close code if the server closes it within 300 ms, else 'open' (then closes it). */
async function closeCodeOfExtra(email: string): Promise<number | 'open'> {
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/realtime?ticket=${encodeURIComponent(await ticket(email))}`);
  const code = await new Promise<number | 'open'>((resolve) => {
    const timer = setTimeout(() => resolve('open'), 300);
    ws.once('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code === 'open') {
    ws.close();
    await new Promise((r) => ws.once('close', r));
  }
  return code;
}

/** The server still serves: a fresh socket gets its hello and answers a ping. */
async function stillServes(): Promise<void> {
  const probe = await TestSocket.open(server.url, await server.token(BOB));
  probe.send({ type: 'ping' });
  await probe.next('pong');
  await probe.close();
}

describe('tickets', () => {
  it('need a signed-in caller', async () => {
    expect((await fetch(`${server.url}/v1/realtime/ticket`, { method: 'POST' })).status).toBe(401);
  });

  it('are rate-limited per user: a client minting in a loop gets 429 with Retry-After, others are not affected', async () => {
    const TESS = 'tess.tickets@contoso.test';
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 60 && !refused; i++) {
      const res = await server.api('POST', '/v1/realtime/ticket', { as: TESS });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The burst covers every pane of a user reconnecting at once.
    expect(statuses.filter((st) => st === 200).length).toBeGreaterThanOrEqual(40);
    expect(typeof (await ticket(BOB))).toBe('string');
  });

  it('open exactly one socket; a reused, made-up or missing ticket gets 401', async () => {
    const t = await ticket(ADA);
    expect(await upgradeStatus(t)).toBe(101);
    expect(await upgradeStatus(t)).toBe(401);
    expect(await upgradeStatus('not-a-ticket')).toBe(401);
    expect(await upgradeStatus(null)).toBe(401);
  });
});

describe('malformed upgrades', () => {
  /** Sends a raw upgrade request; resolves when the server ends the connection (true) or after 3 s (false). */
  const rawUpgrade = (path: string) =>
    new Promise<boolean>((resolve) => {
      const { port } = new URL(server.url);
      const sock = net.connect(Number(port), '127.0.0.1', () => {
        sock.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      const timer = setTimeout(() => {
        sock.destroy();
        resolve(false);
      }, 3000);
      sock.on('error', () => undefined);
      sock.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      sock.resume();
    });

  it('closes an upgrade to a path that is not a URL, or not the realtime route, and keeps serving', async () => {
    expect(await rawUpgrade('//')).toBe(true);
    expect(await rawUpgrade('/elsewhere')).toBe(true);
    await stillServes();
  });
});

describe('limits', () => {
  it('closes a frame over the size limit with 1009 and keeps serving', async () => {
    const sock = await TestSocket.open(server.url, await server.token(ADA));
    sock.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(5000) }));
    expect(await sock.closed).toBe(CloseCode.tooBig);
    await stillServes();
  });

  it('closes a socket that floods frames with 4429 and keeps serving', async () => {
    const sock = await TestSocket.open(server.url, await server.token(ADA));
    for (let i = 0; i < 50; i++) sock.send({ type: 'ping' });
    expect(await sock.closed).toBe(CloseCode.rateLimited);
    await stillServes();
  });

  it('refuses a connection beyond the per-user cap with 4409, and frees the slot when one closes', async () => {
    const token = await server.token(ADA);
    const a = await TestSocket.open(server.url, token);
    const b = await TestSocket.open(server.url, token);
    expect(await closeCodeOfExtra(ADA)).toBe(CloseCode.tooManyConnections);
    // Somebody else is not affected by Ada's cap.
    await stillServes();
    await a.close();
    // The server sees the close asynchronously; then the slot is free again.
    let code: number | 'open' = CloseCode.tooManyConnections;
    for (let i = 0; i < 50 && code !== 'open'; i++) code = await closeCodeOfExtra(ADA);
    expect(code).toBe('open');
    await b.close();
  });

  it('answers binary and malformed frames with error frames, without closing', async () => {
    const sock = await TestSocket.open(server.url, await server.token(ADA));
    sock.ws.send(Buffer.from([1, 2, 3]));
    expect(await sock.next('error')).toMatchObject({ code: 'bad_frame' });
    sock.ws.send('{"type":');
    expect(await sock.next('error')).toMatchObject({ code: 'bad_frame' });
    sock.send({ type: 'no.such.frame' });
    expect(await sock.next('error')).toMatchObject({ code: 'unknown_type' });
    sock.send({ type: 'ping' });
    await sock.next('pong');
    await sock.close();
  });
});

describe('heartbeats', () => {
  it('ping only quiet sockets, each on its own schedule, and keep a quiet live socket open', async () => {
    const quick = await startTestServer({ seed: [person('ada.gateway')], gatewayLimits: { heartbeatTimeoutMs: 1500, pingIntervalMs: 300 } });
    try {
      const quiet = await TestSocket.open(quick.url, await quick.token(ADA));
      const busy = await TestSocket.open(quick.url, await quick.token(ADA));
      const pings = { quiet: 0, busy: 0 };
      quiet.ws.on('ping', () => pings.quiet++);
      busy.ws.on('ping', () => pings.busy++);
      // The busy pane talks every 50 ms (under the frame rate limit); the quiet one only answers pings (ws does that by itself).
      const talk = setInterval(() => busy.send({ type: 'ping' }), 50);
      await new Promise((r) => setTimeout(r, 3600));
      clearInterval(talk);
      // A loaded test machine can hold the busy pane's timer past 300 ms once; a server pinging every
      // socket would have pinged it about 12 times.
      expect(pings.busy).toBeLessThanOrEqual(1);
      // About one ping per interval: not one per sweep.
      expect(pings.quiet).toBeGreaterThanOrEqual(6);
      expect(pings.quiet).toBeLessThanOrEqual(16);
      // Far past the 1.5 s timeout, both are still open.
      expect(quiet.closeCode).toBeUndefined();
      expect(busy.closeCode).toBeUndefined();
      await Promise.all([quiet.close(), busy.close()]);
    } finally {
      await quick.close();
    }
  });
});
