// The memory the server reads frames into is freed by young-generation GCs, not only by full ones.
// Each TCP read is a Buffer over native (malloc'd) memory. With ws's own reader, while a full GC's
// incremental marking was under way, each read survived young GCs (ws stores views of it in its
// long-lived reader objects) and was freed only when that full GC ended. Under the documents
// benchmark's load marking runs most of the time: ~100 MB of native memory piled up between two full
// GCs, and the process kept it. This test makes the sockets' state old (young GCs after a first
// message), starts incremental marking, sends one large frame per socket, and checks that young GCs
// alone free what was read (with ws's reader all of it was kept).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { person } from '../support/entries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major'; execution: 'sync' | 'async' }) => void;

const ADA = 'ada.buffers@contoso.test';
const SOCKETS = 20;
const PAD = 30_000;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ seed: [person('ada.buffers')], gatewayLimits: { connectionsPerUser: SOCKETS } });
});
afterAll(() => server.close());

const tick = () => new Promise((r) => setTimeout(r, 20));

async function youngGcs(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    gc({ type: 'minor', execution: 'sync' });
    // Dead ArrayBuffers are freed by a sweeper after the GC.
    await tick();
  }
}

describe('read buffers', () => {
  it('are freed by young-generation GCs on sockets whose state is old', async () => {
    const token = await server.token(ADA);
    const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => TestSocket.open(server.url, token)));
    for (const s of sockets) s.send({ type: 'ping' });
    await Promise.all(sockets.map((s) => s.next('pong')));
    // Whatever each socket's reader keeps between messages is now in the old generation.
    await youngGcs(3);
    const before = process.memoryUsage().arrayBuffers;
    // A full GC's incremental marking under way, as it is most of the time under the documents load.
    gc({ type: 'major', execution: 'async' });

    for (const s of sockets) s.send({ type: 'ping', pad: 'x'.repeat(PAD) });
    await Promise.all(sockets.map((s) => s.next('pong')));
    await youngGcs(3);
    const kept = process.memoryUsage().arrayBuffers - before;

    // ws's reader kept all of it (SOCKETS x PAD bytes) until a full GC.
    expect(kept).toBeLessThan(0.2 * SOCKETS * PAD);
    await Promise.all(sockets.map((s) => s.close()));
  });
});
