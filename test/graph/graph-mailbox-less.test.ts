import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CalendarRefresher } from '../../api/graph/calendar-refresher.js';
import { GraphMailboxes, type Mailbox } from '../../api/graph/graph-mailboxes.js';
import { MissedMessageMailer, graphMigrations } from '../../api/graph/index.js';
import type { CalendarEvent, PresenceInputs } from '../../api/presence/index.js';
import { createLogger } from '../../core/log/index.js';
import { runMigrations } from '../../core/store/index.js';
import { graphUser } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

// Entra users without an Exchange Online mailbox: no `mail`, the UPN stands in as their address.
const guest = graphUser('guest.user', { mail: null, proxyAddresses: [] });
const upnOnly = graphUser('upn.only', { mail: null, proxyAddresses: [] });
const bob = graphUser('bob.baker');
const carol = graphUser('carol.clark');
const log = createLogger('silent');
let h: GraphHarness;
let boxes: Map<string, Mailbox>;

const byUser = (u: { id: string }) => [...boxes.values()].find((b) => b.userId === u.id)!;

beforeAll(async () => {
  h = await startGraphHarness();
  await runMigrations(h.store, graphMigrations);
  for (const u of [guest, upnOnly, bob, carol]) h.em.state.users.put(u);
  await h.sync();
  const ids = (await h.db.selectFrom('people').select('id').execute()).map((r) => r.id);
  boxes = await new GraphMailboxes(h.store).of(ids);
  expect(boxes.size).toBe(4);
}, 30_000);
afterAll(async () => {
  await h?.close();
});

const recorder = () => {
  const calendars = new Map<string, CalendarEvent[]>();
  const presence = {
    setCalendar: async (personId: string, _source: string, events: CalendarEvent[]) => void calendars.set(personId, events),
  } as unknown as PresenceInputs;
  return { calendars, presence };
};

describe('free/busy for a group whose first member has no mailbox', () => {
  it('asks through someone who has one, and remembers who has none', async () => {
    const now = Date.now();
    h.em.state.calendars.set(bob.id, [{ start: new Date(now - 600_000).toISOString(), end: new Date(now + 600_000).toISOString(), showAs: 'oof' }]);
    h.em.state.calendars.set(carol.id, [{ start: new Date(now - 600_000).toISOString(), end: new Date(now + 600_000).toISOString(), showAs: 'oof' }]);
    const { calendars, presence } = recorder();
    const mailboxes = new GraphMailboxes(h.store);
    const refresher = new CalendarRefresher(h.api, presence, mailboxes, log);
    const group = [byUser(guest), byUser(upnOnly), byUser(bob), byUser(carol)];
    const asked = () => h.em.state.requests.filter((r) => r.path.endsWith('/calendar/getSchedule'));
    const before = asked().length;
    await refresher.refresh(group);
    expect(calendars.get(byUser(bob).personId)).toEqual([expect.objectContaining({ showAs: 'oof' })]);
    expect(calendars.get(byUser(carol).personId)).toEqual([expect.objectContaining({ showAs: 'oof' })]);
    expect(mailboxes.lacksMailbox(guest.id)).toBe(true);
    // The next refresh goes straight through a mailbox.
    const first = asked().length;
    await refresher.refresh(group);
    expect(
      asked()
        .slice(first)
        .map((r) => [r.path, r.status]),
    ).toEqual([[`/users/${bob.id}/calendar/getSchedule`, 200]]);
    expect(first - before).toBe(3);
  });

  it('asks a group in which nobody has a mailbox through one that worked before', async () => {
    const { presence } = recorder();
    const mailboxes = new GraphMailboxes(h.store);
    const refresher = new CalendarRefresher(h.api, presence, mailboxes, log);
    await refresher.refresh([byUser(carol)]);
    const asked = () => h.em.state.requests.filter((r) => r.path.endsWith('/calendar/getSchedule'));
    const before = asked().length;
    await refresher.refresh([byUser(guest)]);
    expect(
      asked()
        .slice(before)
        .map((r) => [r.path, r.status]),
    ).toEqual([
      [`/users/${guest.id}/calendar/getSchedule`, 404],
      [`/users/${carol.id}/calendar/getSchedule`, 200],
    ]);
  });
});

describe('missed-message mail from a sender without a mailbox', () => {
  const event = (firstSeq: number) => ({
    recipientId: byUser(bob).personId,
    recipientEmail: 'bob.baker@contoso.test',
    senderId: byUser(guest).personId,
    senderName: 'Guest User',
    senderEmail: 'guest.user@contoso.test',
    conversationId: 'conv-1',
    firstSeq,
    lastSeq: firstSeq,
    preview: 'Hello',
  });

  it('goes out from GRAPH_MAIL_SENDER, with the sender as reply-to', async () => {
    const mailboxes = new GraphMailboxes(h.store);
    const mailer = new MissedMessageMailer(h.store, h.api, mailboxes, { serviceMailbox: 'carol.clark@contoso.test', log });
    await mailer.notify(event(1));
    expect(h.em.state.sentMail).toEqual([
      expect.objectContaining({
        from: 'carol.clark@contoso.test',
        message: expect.objectContaining({ replyTo: [{ emailAddress: { address: 'guest.user@contoso.test', name: 'Guest User' } }] }),
      }),
    ]);
    // Known now: the next one does not try the sender's missing mailbox first.
    const tries = () => h.em.state.requests.filter((r) => r.path === `/users/${guest.id}/sendMail`).length;
    const before = tries();
    await mailer.notify(event(2));
    expect(tries()).toBe(before);
    expect(h.em.state.sentMail).toHaveLength(2);
  });
});
