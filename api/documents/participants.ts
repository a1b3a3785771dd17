import type { DocParticipantDto, DocPositionDto } from '../contract/documents.js';

/** One open window (connection) in a document. Ephemeral: lives in memory or Redis, never in the store. */
export interface DocSession {
  readonly connId: string;
  readonly docKey: string;
  readonly personId: string;
  readonly email: string;
  readonly displayName: string;
  readonly position: DocPositionDto | null;
  /** When the position last changed (the most recent window wins when one person has several). */
  readonly positionAt: number;
  readonly since: number;
  readonly expiresAt: number;
  /** The API process holding the socket (shared stores drop sessions of processes that died). */
  readonly nodeId: string;
}

/**
 * The participant list of a document from its live sessions: one entry per person (several windows
 * appear once, with the most recently moved window's position and the earliest join time), ordered
 * by who came first.
 */
export function participantsOf(sessions: Iterable<DocSession>): DocParticipantDto[] {
  const byPerson = new Map<string, { latest: DocSession; since: number }>();
  for (const s of sessions) {
    const seen = byPerson.get(s.personId);
    if (!seen) byPerson.set(s.personId, { latest: s, since: s.since });
    else {
      if (s.positionAt > seen.latest.positionAt || (s.positionAt === seen.latest.positionAt && s.connId > seen.latest.connId)) seen.latest = s;
      seen.since = Math.min(seen.since, s.since);
    }
  }
  return [...byPerson.values()]
    .map(({ latest, since }) => ({ personId: latest.personId, email: latest.email, displayName: latest.displayName, position: latest.position, since }))
    .sort((a, b) => a.since - b.since || (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0));
}
