import { expect } from '@jest/globals';
import type { DocParticipantDto } from '../../api/contract/documents.js';
import { applyParticipantsFrame } from '../../addin/src/documents/participants-frame.js';
import type { TestServer } from '../support/test-server.js';
import type { Frame, TestSocket } from '../support/ws-client.js';

export const ALICE = 'alice.archer@contoso.test';
export const BOB = 'bob.baker@contoso.test';
export const CAROL = 'carol.cooper@contoso.test';

/** Resolves a document through the API as `as`. */
export async function resolveDoc(
  server: Pick<TestServer, 'api'>,
  as: string,
  body: { docId?: string; url?: string },
): Promise<{ docKey: string; docId: string }> {
  const res = await server.api('POST', '/v1/documents/resolve', { as, body });
  expect(res.status).toBe(200);
  return (await res.json()) as { docKey: string; docId: string };
}

export const participantsIn = (f: Frame) => f.participants as DocParticipantDto[];
export const emailsIn = (f: Frame) =>
  participantsIn(f)
    .map((p) => p.email)
    .sort();

const latestLists = new WeakMap<TestSocket, Map<string, Frame>>();

/** Folds one doc.participants frame (a whole list or only moves) into the lists a socket holds, as a pane does. */
function track(map: Map<string, Frame>, f: Frame): void {
  if (f.type !== 'doc.participants') return;
  const docKey = String(f.docKey);
  const participants = applyParticipantsFrame(map.get(docKey)?.participants as DocParticipantDto[] | undefined, f);
  if (participants) map.set(docKey, { type: 'doc.participants', docKey, participants });
}

/** The current list per document, as this socket has been told (tracked from the first call on). */
function tracker(sock: TestSocket): Map<string, Frame> {
  let latest = latestLists.get(sock);
  if (!latest) {
    const map = new Map<string, Frame>();
    latest = map;
    latestLists.set(sock, map);
    for (const f of sock.frames) track(map, f);
    sock.ws.on('message', (data) => track(map, JSON.parse(String(data)) as Frame));
  }
  return latest;
}

/**
 * Waits until the document's participant list, as this socket holds it, satisfies `match`.
 * State, not history: an older list that matched does not count once a newer one arrived.
 */
export async function nextParticipants(sock: TestSocket, docKey: string, match: (ps: DocParticipantDto[]) => boolean, timeoutMs = 5000): Promise<Frame> {
  const latest = tracker(sock);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = latest.get(docKey);
    if (f && match(participantsIn(f))) return f;
    if (Date.now() > deadline)
      throw new Error(
        `participants of ${docKey} did not match within ${timeoutMs} ms; last: ${f ? JSON.stringify(participantsIn(f).map((p) => [p.email, p.position])) : 'none'}`,
      );
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const hasExactly =
  (...emails: string[]) =>
  (ps: DocParticipantDto[]) =>
    ps
      .map((p) => p.email)
      .sort()
      .join() === [...emails].sort().join();
