import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { person } from '../support/entries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import type { DocMovedDto, DocParticipantDto } from '../../api/contract/documents.js';
import { TestSocket, type Frame } from '../support/ws-client.js';
import { ALICE, BOB, CAROL, hasExactly, nextParticipants, participantsIn, resolveDoc } from './support.js';

const TTL_SECONDS = 2;
let server: TestServer;
let sockets: TestSocket[] = [];
const url = () => `https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Budget-${randomUUID()}.docx`;

async function open(email: string): Promise<TestSocket> {
  const s = await TestSocket.open(server.url, await server.token(email));
  sockets.push(s);
  return s;
}

beforeAll(async () => {
  server = await startTestServer({
    env: { DOC_SESSION_TTL_SECONDS: String(TTL_SECONDS) },
    seed: [person('alice.archer'), person('bob.baker'), person('carol.cooper')],
  });
});
afterEach(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  sockets = [];
});
afterAll(() => server.close());

describe('sessions', () => {
  it('pushes the participants to everyone in the document, with positions, and a leave', async () => {
    const { docKey } = await resolveDoc(server, ALICE, { url: url(), docId: randomUUID() });
    const alice = await open(ALICE);
    const bob = await open(BOB);
    alice.send({ type: 'doc.join', docKey, position: { paragraph: 3, heading: 'Intro' } });
    await nextParticipants(alice, docKey, hasExactly(ALICE));
    bob.send({ type: 'doc.join', docKey });
    const seenByAlice = await nextParticipants(alice, docKey, hasExactly(ALICE, BOB), 2000);
    await nextParticipants(bob, docKey, hasExactly(ALICE, BOB), 2000);
    expect(participantsIn(seenByAlice)).toEqual([
      { personId: expect.any(String), email: ALICE, displayName: 'Alice Archer', position: { paragraph: 3, heading: 'Intro' }, since: expect.any(Number) },
      { personId: expect.any(String), email: BOB, displayName: 'Bob Baker', position: null, since: expect.any(Number) },
    ]);

    bob.send({ type: 'doc.position', position: { paragraph: 14, heading: 'Budget 2027' } });
    await nextParticipants(alice, docKey, (ps) => ps.some((p) => p.email === BOB && p.position?.heading === 'Budget 2027' && p.position.paragraph === 14));

    bob.send({ type: 'doc.leave' });
    await nextParticipants(alice, docKey, hasExactly(ALICE));
    const res = await server.api('GET', `/v1/documents/${docKey}/participants`, { as: CAROL });
    expect(((await res.json()) as { participants: unknown[] }).participants).toHaveLength(1);
  });

  it('removes a closed window at once, without waiting for the TTL', async () => {
    const { docKey } = await resolveDoc(server, ALICE, { url: url() });
    const alice = await open(ALICE);
    const bob = await open(BOB);
    alice.send({ type: 'doc.join', docKey });
    bob.send({ type: 'doc.join', docKey });
    await nextParticipants(alice, docKey, hasExactly(ALICE, BOB));
    const started = Date.now();
    bob.ws.terminate();
    await nextParticipants(alice, docKey, hasExactly(ALICE), 1500);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('shows one person with two windows once, at the most recently moved window', async () => {
    const { docKey } = await resolveDoc(server, ALICE, { url: url() });
    const bob = await open(BOB);
    const w1 = await open(ALICE);
    const w2 = await open(ALICE);
    bob.send({ type: 'doc.join', docKey });
    w1.send({ type: 'doc.join', docKey, position: { paragraph: 1, heading: 'One' } });
    await nextParticipants(bob, docKey, hasExactly(ALICE, BOB));
    w2.send({ type: 'doc.join', docKey, position: { paragraph: 2, heading: 'Two' } });
    await new Promise((r) => setTimeout(r, 300));
    w1.send({ type: 'doc.position', position: { paragraph: 40, heading: 'Forty' } });
    const f = await nextParticipants(bob, docKey, (ps) => ps.some((p) => p.position?.heading === 'Forty'));
    expect(participantsIn(f).filter((p) => p.email === ALICE)).toHaveLength(1);
    const aliceSince = participantsIn(f).find((p) => p.email === ALICE)!.since;
    // Closing one window keeps the person in; the other window's position shows.
    await w1.close();
    const after = await nextParticipants(bob, docKey, (ps) => ps.some((p) => p.email === ALICE && p.position?.heading === 'Two'));
    expect(participantsIn(after)).toHaveLength(2);
    expect(participantsIn(after).find((p) => p.email === ALICE)!.since).toBeGreaterThanOrEqual(aliceSince);
    await w2.close();
    await nextParticipants(bob, docKey, hasExactly(BOB));
  });

  it('a window that stops renewing disappears after the TTL and comes back with its next heartbeat', async () => {
    const { docKey } = await resolveDoc(server, ALICE, { url: url() });
    const alice = await open(ALICE);
    const bob = await open(BOB);
    alice.send({ type: 'doc.join', docKey });
    bob.send({ type: 'doc.join', docKey });
    await nextParticipants(alice, docKey, hasExactly(ALICE, BOB));
    // Bob's Word hangs: his socket stays open but sends nothing. Alice keeps renewing.
    const started = Date.now();
    const keepAlive = setInterval(() => alice.send({ type: 'doc.join', docKey }), 500);
    try {
      await nextParticipants(alice, docKey, hasExactly(ALICE), (TTL_SECONDS + 2) * 1000);
      const gone = Date.now() - started;
      expect(gone).toBeGreaterThanOrEqual(TTL_SECONDS * 1000 - 100);
      expect(gone).toBeLessThan((TTL_SECONDS + 1.5) * 1000);
      bob.send({ type: 'doc.join', docKey });
      await nextParticipants(alice, docKey, hasExactly(ALICE, BOB), 2000);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('throttles moves to two a second per window (bursts of two) and never loses the last one', async () => {
    const { docKey } = await resolveDoc(server, ALICE, { url: url() });
    const alice = await open(ALICE);
    const bob = await open(BOB);
    alice.send({ type: 'doc.join', docKey });
    bob.send({ type: 'doc.join', docKey });
    const bobId = participantsIn(await nextParticipants(alice, docKey, hasExactly(ALICE, BOB))).find((p) => p.email === BOB)!.personId;
    await nextParticipants(bob, docKey, hasExactly(ALICE, BOB));
    // Bob's paragraphs in a frame, whole list or moves only.
    const bobAt = (f: Frame) =>
      [...((f.participants ?? []) as DocParticipantDto[]), ...((f.moved ?? []) as DocMovedDto[])]
        .filter((p) => p.personId === bobId)
        .map((p) => p.position?.paragraph);
    alice.frames.length = 0;
    bob.frames.length = 0;
    const started = Date.now();
    for (let i = 1; i <= 20; i++) {
      bob.send({ type: 'doc.position', position: { paragraph: i, heading: `H${i}` } });
      await new Promise((r) => setTimeout(r, 50));
    }
    // Every list Alice got counts here (not only the latest), so read them off the socket directly.
    const last = await alice.next('doc.participants', (f) => bobAt(f).includes(20), 3000);
    const elapsed = Date.now() - started;
    // 20 moves over ~1 s: the server applied at most one per 500 ms after a burst of two.
    const seen = new Set<number>();
    for (const f of [...alice.frames, last]) {
      if (f.type !== 'doc.participants') continue;
      for (const p of bobAt(f)) if (p !== undefined) seen.add(p);
    }
    expect(seen.size).toBeLessThanOrEqual(Math.ceil(elapsed / 500) + 2);
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(seen.has(20)).toBe(true);
    // Bob's own moves are not echoed back to him: only his own entry changed in those lists.
    expect(bob.frames.filter((f) => f.type === 'doc.participants')).toEqual([]);
  });

  it('refuses a move before a join, and bad frames', async () => {
    const alice = await open(ALICE);
    alice.send({ type: 'doc.position', position: { paragraph: 1, heading: null } });
    expect(await alice.next('error')).toMatchObject({ code: 'not_joined' });
    alice.send({ type: 'doc.position', position: { paragraph: -1, heading: null } });
    expect(await alice.next('error')).toMatchObject({ code: 'bad_frame' });
    alice.send({ type: 'doc.join', docKey: 'short' });
    expect(await alice.next('error')).toMatchObject({ code: 'bad_frame' });
  });
});

describe('visibility', () => {
  it('nobody can list documents; unknown keys give nothing', async () => {
    expect((await server.api('GET', '/v1/documents', { as: ALICE })).status).toBe(404);
    expect((await server.api('GET', '/v1/documents/AAAAAAAAAAAAAAAAAAAAAA/participants', { as: ALICE })).status).toBe(404);
    expect((await server.api('GET', '/v1/documents/../participants', { as: ALICE })).status).toBe(404);
    expect((await server.api('GET', `/v1/documents/${'x'.repeat(300)}/participants`, { as: ALICE })).status).toBe(404);
    expect((await server.api('GET', '/v1/documents/AAAAAAAAAAAAAAAAAAAAAA/participants')).status).toBe(401);
    const alice = await open(ALICE);
    alice.send({ type: 'doc.join', docKey: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(await alice.next('error')).toMatchObject({ code: 'not_found', frameType: 'doc.join' });
  });

  it('whoever holds the URL (in any of its spellings) or the key sees the participants; other URLs give null', async () => {
    const u = url();
    const { docKey } = await resolveDoc(server, ALICE, { url: u });
    const alice = await open(ALICE);
    alice.send({ type: 'doc.join', docKey, position: { paragraph: 7, heading: 'Risks' } });
    await nextParticipants(alice, docKey, hasExactly(ALICE));
    const res = await server.api('POST', '/v1/documents/participants', {
      as: CAROL,
      body: {
        urls: [
          u + '?web=1',
          u.replace('contoso.sharepoint.com', 'CONTOSO.SharePoint.com'),
          url(),
          'https://example.com/',
          `https://presence.test/addin/word.html?docKey=${docKey}`,
        ],
      },
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { url: string; docKey: string | null; participants: { email: string; position: unknown }[] }[] };
    expect(results.map((r) => r.docKey)).toEqual([docKey, docKey, null, null, docKey]);
    expect(results[0].participants).toEqual([expect.objectContaining({ email: ALICE, position: { paragraph: 7, heading: 'Risks' } })]);
    expect(results[2].participants).toEqual([]);
    // Asking never creates a document.
    expect((await server.api('POST', '/v1/documents/participants', { as: CAROL, body: { urls: [results[2].url] } }).then((r) => r.json())) as object).toEqual({
      results: [{ url: results[2].url, docKey: null, participants: [] }],
    });
  });

  it('concurrent first opens over HTTP (each co-author with their own fresh stamp) end with one key and one stamp', async () => {
    const u = url();
    const answers = await Promise.all(
      [ALICE, BOB, CAROL, ALICE, BOB, CAROL].map((as, i) => resolveDoc(server, as, { url: i % 2 ? u : `${u}?web=1`, docId: randomUUID() })),
    );
    expect(new Set(answers.map((a) => a.docKey)).size).toBe(1);
    expect(new Set(answers.map((a) => a.docId)).size).toBe(1);
  });

  it('publishes the routes in the OpenAPI document', async () => {
    const doc = (await (await server.api('GET', '/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/documents/resolve', '/v1/documents/{docKey}/participants', '/v1/documents/participants']),
    );
  });

  it('validates the resolve body', async () => {
    for (const body of [{}, { docId: 'not-a-guid' }, { url: 'https://example.com/' }, { url: url(), extra: 1 }, { urls: [] }]) {
      const res = await server.api('POST', '/v1/documents/resolve', { as: ALICE, body });
      expect(res.status).toBe(400);
    }
    const tooMany = await server.api('POST', '/v1/documents/participants', { as: ALICE, body: { urls: Array.from({ length: 51 }, url) } });
    expect(tooMany.status).toBe(400);
  });
});
