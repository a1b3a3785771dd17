import type { DocMovedDto, DocParticipantDto } from '../../../api/contract/documents.js';
import type { Frame } from '../api/index.js';

/**
 * Applies a `doc.participants` frame to the list held for its document: a whole list replaces it;
 * `moved` changes the positions of people already in it (people it does not know wait for the next
 * whole list, which every socket gets first). Returns the same array when nothing changed, and
 * undefined while no whole list has arrived yet.
 */
export function applyParticipantsFrame(current: readonly DocParticipantDto[] | undefined, frame: Frame): readonly DocParticipantDto[] | undefined {
  if (Array.isArray(frame.participants)) return frame.participants as DocParticipantDto[];
  if (!current || !Array.isArray(frame.moved)) return current;
  const moved = new Map((frame.moved as DocMovedDto[]).map((m) => [m.personId, m.position]));
  let changed = false;
  const next = current.map((p) => {
    if (!moved.has(p.personId)) return p;
    changed = true;
    return { ...p, position: moved.get(p.personId) ?? null };
  });
  return changed ? next : current;
}
