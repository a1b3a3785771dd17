import { describe, expect, it } from '@jest/globals';
import type { DocParticipantDto } from '../../../api/contract/documents.js';
import { applyParticipantsFrame } from './participants-frame.js';

const person = (id: string, paragraph: number | null): DocParticipantDto => ({
  personId: id,
  email: `${id}@contoso.test`,
  displayName: id,
  position: paragraph === null ? null : { paragraph, heading: `H${paragraph}` },
  since: 1,
});

describe('applyParticipantsFrame', () => {
  it('replaces the list with a whole list and moves people with a moves frame', () => {
    const whole = applyParticipantsFrame(undefined, { type: 'doc.participants', docKey: 'k', participants: [person('a', 1), person('b', null)] });
    expect(whole).toEqual([person('a', 1), person('b', null)]);
    const moved = applyParticipantsFrame(whole, {
      type: 'doc.participants',
      docKey: 'k',
      moved: [{ personId: 'b', position: { paragraph: 7, heading: 'H7' } }],
    });
    expect(moved).toEqual([person('a', 1), person('b', 7)]);
    expect(moved![0]).toBe(whole![0]);
  });

  it('ignores moves before the first whole list and of people it does not know', () => {
    const frame = { type: 'doc.participants', docKey: 'k', moved: [{ personId: 'z', position: null }] };
    expect(applyParticipantsFrame(undefined, frame)).toBeUndefined();
    const list = [person('a', 1)];
    expect(applyParticipantsFrame(list, frame)).toBe(list);
  });
});
