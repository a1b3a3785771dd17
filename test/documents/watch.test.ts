import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { createApiClient, createRealtimeClient, devTokenProvider, type RealtimeClient } from '../../addin/src/api/index.js';
import { watchLinkedDocuments, type LinkedDocument } from '../../addin/src/documents/linked-watch.js';
import { person } from '../support/entries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';
import { ALICE, BOB, CAROL, hasExactly, nextParticipants, resolveDoc } from './support.js';

// Outlook's "being edited now" rows: the pane's own watcher (addin/src/documents/linked-watch.ts)
// and raw sockets against the real server over real WebSockets.

let server: TestServer;
const closers: (() => unknown)[] = [];
const url = () => `https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Plan-${randomUUID()}.docx`;

async function open(email: string): Promise<TestSocket> {
  const s = await TestSocket.open(server.url, await server.token(email));
  closers.push(() => s.close());
  return s;
}

/** The Outlook pane's clients in Node: its HTTP client and realtime socket, signed in as `email`. */
function pane(email: string): RealtimeClient {
  const api = createApiClient(devTokenProvider(email, server.url), server.url);
  const realtime = createRealtimeClient(api, { baseUrl: server.url, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
  closers.push(() => realtime.close());
  return realtime;
}

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  server = await startTestServer({
    env: { DOC_SESSION_TTL_SECONDS: '30' },
    seed: [person('alice.archer'), person('bob.baker'), person('carol.cooper'), person('dave.dunn')],
  });
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
afterAll(() => server.close());

describe('watching linked documents', () => {
  it("pushes joins, moves and leaves to a mail reader's pane as they happen, no polling", async () => {
    const u = url();
    const { docKey } = await resolveDoc(server, ALICE, { url: u });
    const realtime = pane(CAROL);
    const api = createApiClient(devTokenProvider(CAROL, server.url), server.url);
    let rows: readonly LinkedDocument[] = [];
    const links = [u.replace('contoso.sharepoint.com', 'CONTOSO.SharePoint.com'), url()];
    closers.push(watchLinkedDocuments(api, realtime, links, (r) => (rows = r)));
    const row = () => rows.find((r) => r.docKey === docKey);
    await until(() => row(), 'the watch answer');
    expect(rows.map((r) => r.docKey)).toEqual([docKey, null]);
    expect(row()!.participants).toEqual([]);

    const alice = await open(ALICE);
    const joinedAt = Date.now();
    alice.send({ type: 'doc.join', docKey, position: { paragraph: 3, heading: 'Intro' } });
    await until(() => (row()!.participants.length === 1 ? true : undefined), 'Alice in the row');
    expect(Date.now() - joinedAt).toBeLessThan(1000);
    expect(row()!.participants[0]).toMatchObject({ email: ALICE, position: { paragraph: 3, heading: 'Intro' } });

    alice.send({ type: 'doc.position', position: { paragraph: 12, heading: 'Costs' } });
    await until(() => (row()!.participants[0]?.position?.heading === 'Costs' ? true : undefined), "Alice's move");

    const bob = await open(BOB);
    bob.send({ type: 'doc.join', docKey });
    await until(() => (row()!.participants.length === 2 ? true : undefined), 'Bob in the row');
    bob.send({ type: 'doc.leave' });
    await alice.close();
    await until(() => (row()!.participants.length === 0 ? true : undefined), 'both gone');
  });

  it('tells only about documents named by the links the socket sent, and stops on an empty watch or a new message', async () => {
    const u = url();
    const other = url();
    const { docKey } = await resolveDoc(server, ALICE, { url: u });
    const { docKey: otherKey } = await resolveDoc(server, ALICE, { url: other });
    const reader = await open(CAROL);
    const stranger = await open('dave.dunn@contoso.test');
    reader.send({ type: 'doc.watch', urls: [u, `https://presence.test/addin/word.html?docKey=${docKey}`, 'https://example.com/x.docx'] });
    expect(await reader.next('doc.watching')).toMatchObject({
      results: [
        { url: u, docKey },
        { docKey, url: expect.stringContaining('docKey=') },
        { docKey: null, url: 'https://example.com/x.docx' },
      ],
    });
    stranger.send({ type: 'doc.watch', urls: [other] });
    await stranger.next('doc.watching');
    await nextParticipants(reader, docKey, (ps) => ps.length === 0);

    const alice = await open(ALICE);
    alice.send({ type: 'doc.join', docKey });
    await nextParticipants(reader, docKey, hasExactly(ALICE));
    // The stranger watches another document: nothing about this one, ever.
    await nextParticipants(stranger, otherKey, (ps) => ps.length === 0);
    expect(stranger.frames.filter((f) => f.docKey === docKey)).toEqual([]);

    // The reader moves on to another message: no more frames about the first document.
    reader.send({ type: 'doc.watch', urls: [] });
    await reader.next('doc.watching');
    reader.frames.length = 0;
    alice.send({ type: 'doc.position', position: { paragraph: 4, heading: 'Scope' } });
    const bob = await open(BOB);
    bob.send({ type: 'doc.join', docKey });
    await nextParticipants(alice, docKey, hasExactly(ALICE, BOB));
    await new Promise((r) => setTimeout(r, 300));
    expect(reader.frames.filter((f) => f.type === 'doc.participants')).toEqual([]);
    expect(stranger.frames.filter((f) => f.docKey === docKey)).toEqual([]);
  });

  it('a quick switch of messages ends on the last watch sent, not on the slowest lookup', async () => {
    // Message A with 50 links (slow to look up), then the switch ([]), then message B with one.
    const many = Array.from({ length: 50 }, url);
    const b = url();
    const { docKey: bKey } = await resolveDoc(server, BOB, { url: b });
    const reader = await open(ALICE);
    reader.send({ type: 'doc.watch', urls: many });
    reader.send({ type: 'doc.watch', urls: [] });
    reader.send({ type: 'doc.watch', urls: [b] });
    expect(await reader.next('doc.watching', (f) => (f.results as unknown[]).length === 1)).toMatchObject({ results: [{ url: b, docKey: bKey }] });
    const bob = await open(BOB);
    bob.send({ type: 'doc.join', docKey: bKey });
    await nextParticipants(reader, bKey, hasExactly(BOB));
  });

  it('refuses malformed watches and more than 50 links', async () => {
    const reader = await open(CAROL);
    reader.send({ type: 'doc.watch', urls: Array.from({ length: 51 }, url) });
    expect(await reader.next('error')).toMatchObject({ code: 'bad_frame', frameType: 'doc.watch' });
    reader.send({ type: 'doc.watch', urls: 'x' });
    expect(await reader.next('error')).toMatchObject({ code: 'bad_frame', frameType: 'doc.watch' });
  });
});
