import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import {
  ApiError,
  createApiClient,
  createRealtimeClient,
  devTokenProvider,
  type Frame,
  type RealtimeClient,
  type TokenProvider,
} from '../../addin/src/api/index.js';
import { CloseCode } from '../../api/realtime/index.js';
import { person } from '../support/entries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// The panes' HTTP and realtime clients (addin/src/api) against the real server, run in Node with `ws`.

let server: TestServer;
const ALICE = 'alice.archer@contoso.test';

beforeAll(async () => {
  server = await startTestServer({ seed: [person('alice.archer', { aliases: ['alice@contoso.test'] }), person('bob.baker')] });
});
afterAll(async () => {
  await server?.close();
});

function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('pane HTTP client', () => {
  it('signs in through the dev token route and reads /v1/me and lookups (aliases, unknown)', async () => {
    const api = createApiClient(devTokenProvider(ALICE, server.url), server.url);
    const me = await api.me();
    expect(me.person.email).toBe(ALICE);
    const results = await api.lookup(['ALICE@contoso.test', 'nobody@nowhere.test']);
    expect(results.map((r) => r.person?.displayName ?? null)).toEqual(['Alice Archer', null]);
  });

  it('maps API errors to ApiError with the server code and message', async () => {
    const api = createApiClient(devTokenProvider(ALICE, server.url), server.url);
    const tooMany = Array.from({ length: 1001 }, (_, i) => `p${i}@contoso.test`);
    const err = await api.post('/v1/people/lookup', { emails: tooMany }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    // Same code and message as the server's { error: { code, message } } body.
    const raw = (await (await server.api('POST', '/v1/people/lookup', { as: ALICE, body: { emails: tooMany } })).json()) as {
      error: { code: string; message: string };
    };
    expect(err).toMatchObject({ code: raw.error.code, message: raw.error.message });
    const missing = await api.person('no-such-id').catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('refreshes the token once after a 401 and retries', async () => {
    let calls = 0;
    const tokens: TokenProvider = {
      async getToken({ forceRefresh = false } = {}) {
        calls++;
        return forceRefresh ? server.token(ALICE) : 'expired-or-garbage';
      },
    };
    const api = createApiClient(tokens, server.url);
    expect((await api.me()).person.email).toBe(ALICE);
    expect(calls).toBe(2);
  });

  it('reports an unreachable server as a network error (status 0)', async () => {
    const api = createApiClient({ getToken: async () => 'x' }, 'http://127.0.0.1:9');
    await expect(api.me()).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});

describe('pane realtime client', () => {
  let client: RealtimeClient | undefined;
  afterAll(() => client?.close());

  it('connects with a ticket, heartbeats, and reconnects after the server drops it, firing onReconnect', async () => {
    const api = createApiClient(devTokenProvider(ALICE, server.url), server.url);
    const me = await api.me();
    client = createRealtimeClient(api, { baseUrl: server.url, heartbeatMs: 100, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
    const hellos: Frame[] = [];
    const pongs: Frame[] = [];
    let opens = 0;
    let reconnects = 0;
    client.on('hello', (f) => hellos.push(f));
    client.on('pong', (f) => pongs.push(f));
    client.onOpen(() => opens++);
    client.onReconnect(() => reconnects++);

    await until(() => client!.status === 'open' && hellos.length === 1);
    expect(hellos[0]).toMatchObject({ type: 'hello', personId: me.person.id });
    expect(opens).toBe(1);
    expect(reconnects).toBe(0);
    await until(() => pongs.length >= 2);

    // The server tells the pane to resync: the client reconnects by itself.
    for (const conn of server.deps.gateway.connectionsOf(me.person.id)) conn.close(CloseCode.resync, 'resync');
    await until(() => reconnects === 1 && client!.status === 'open' && hellos.length === 2, 10_000);
    expect(opens).toBe(2);
    expect(hellos[1].connectionId).not.toBe(hellos[0].connectionId);

    // A late onOpen listener runs at once when already open.
    let late = 0;
    client.onOpen(() => late++);
    expect(late).toBe(1);

    client.close();
    expect(client.status).toBe('closed');
    await until(() => server.deps.gateway.connectionsOf(me.person.id).size === 0);
    expect(client.send({ type: 'ping' })).toBe(false);
  });
});
