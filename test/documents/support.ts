import { expect } from '@jest/globals';
import type { DocParticipantDto } from '../../api/contract/documents.js';
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

/** Waits for a doc.participants frame whose list satisfies `match`. */
export function nextParticipants(sock: TestSocket, docKey: string, match: (ps: DocParticipantDto[]) => boolean, timeoutMs = 5000): Promise<Frame> {
  return sock.next('doc.participants', (f) => f.docKey === docKey && match(participantsIn(f)), timeoutMs);
}

export const hasExactly =
  (...emails: string[]) =>
  (ps: DocParticipantDto[]) =>
    ps
      .map((p) => p.email)
      .sort()
      .join() === [...emails].sort().join();
