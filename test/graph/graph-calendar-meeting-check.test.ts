import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CalendarRefresher } from '../../api/graph/calendar-refresher.js';
import { GraphMailboxes, type Mailbox } from '../../api/graph/graph-mailboxes.js';
import type { CalendarEvent, PresenceInputs } from '../../api/presence/index.js';
import { createLogger } from '../../core/log/index.js';
import { graphUser } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

const bob = graphUser('bob.baker');
const carol = graphUser('carol.clark');
let h: GraphHarness;
let people: Mailbox[];

beforeAll(async () => {
  h = await startGraphHarness();
  for (const u of [bob, carol]) h.em.state.users.put(u);
  await h.sync();
  const ids = (await h.db.selectFrom('people').select('id').execute()).map((r) => r.id);
  people = [...(await new GraphMailboxes(h.store).of(ids)).values()];
  expect(people).toHaveLength(2);
}, 30_000);
afterAll(async () => {
  await h?.close();
});

describe('a meeting check ($batch of calendarView) that fails', () => {
  it("keeps everyone's free/busy update and leaves meeting flags as they were", async () => {
    const calendars = new Map<string, CalendarEvent[]>();
    const presence = {
      setCalendar: async (personId: string, _source: string, events: CalendarEvent[]) => void calendars.set(personId, events),
    } as unknown as PresenceInputs;
    const refresher = new CalendarRefresher(h.api, presence, new GraphMailboxes(h.store), createLogger('silent'));
    const now = Date.now();
    const slot = { start: new Date(now - 600_000).toISOString(), end: new Date(now + 1800_000).toISOString() };
    const personOf = (u: { id: string }) => people.find((p) => p.userId === u.id)!.personId;
    h.em.state.calendars.set(bob.id, [{ ...slot, showAs: 'busy', attendees: ['carol.clark@contoso.test'] }]);
    await refresher.refresh(people);
    expect(calendars.get(personOf(bob))).toEqual([expect.objectContaining({ showAs: 'busy', isMeeting: true })]);

    // Carol's calendar changes; the meeting check (Bob is busy now) fails as a whole.
    h.em.state.calendars.set(carol.id, [{ ...slot, showAs: 'oof' }]);
    h.em.state.fault({ match: /^POST \/\$batch$/, status: 500, inBatch: false });
    await refresher.refresh(people);
    expect(h.em.state.faults.every((f) => f.times === 0)).toBe(true);
    expect(calendars.get(personOf(carol))).toEqual([expect.objectContaining({ showAs: 'oof' })]);
    expect(calendars.get(personOf(bob))).toEqual([expect.objectContaining({ showAs: 'busy', isMeeting: true })]);
  });
});
