import { describe, expect, it } from '@jest/globals';
import { participantsOf, type DocSession } from './participants.js';

const session = (connId: string, personId: string, extra: Partial<DocSession> = {}): DocSession => ({
  connId,
  docKey: 'AAAAAAAAAAAAAAAAAAAAAA',
  personId,
  email: `${personId}@contoso.test`,
  displayName: personId.toUpperCase(),
  position: null,
  positionAt: 0,
  since: 0,
  expiresAt: Number.MAX_SAFE_INTEGER,
  nodeId: 'n1',
  ...extra,
});

describe('participantsOf', () => {
  it('shows one person with several windows once: latest move, earliest join', () => {
    const list = participantsOf([
      session('c1', 'alice', { since: 100, positionAt: 300, position: { paragraph: 3, heading: 'Old' } }),
      session('c2', 'alice', { since: 200, positionAt: 400, position: { paragraph: 9, heading: 'New' } }),
      session('c3', 'bob', { since: 150, positionAt: 150 }),
    ]);
    expect(list).toEqual([
      { personId: 'alice', email: 'alice@contoso.test', displayName: 'ALICE', position: { paragraph: 9, heading: 'New' }, since: 100 },
      { personId: 'bob', email: 'bob@contoso.test', displayName: 'BOB', position: null, since: 150 },
    ]);
  });

  it('orders by who came first, then by id, and is stable for equal moves', () => {
    const a = participantsOf([session('c2', 'zed', { since: 5 }), session('c1', 'amy', { since: 5 }), session('c0', 'bo', { since: 1 })]);
    expect(a.map((p) => p.personId)).toEqual(['bo', 'amy', 'zed']);
    const tie = [
      session('c1', 'x', { positionAt: 7, position: { paragraph: 1, heading: null } }),
      session('c2', 'x', { positionAt: 7, position: { paragraph: 2, heading: null } }),
    ];
    expect(participantsOf(tie)[0].position?.paragraph).toBe(participantsOf([...tie].reverse())[0].position?.paragraph);
  });

  it('is empty for no sessions', () => {
    expect(participantsOf([])).toEqual([]);
  });
});
