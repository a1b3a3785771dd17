import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import { graphUser, outlookContact, startGraphEmulator, type GraphEmulator } from '../support/graph-emulator/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';
import { until as untilHolds } from '../support/until.js';

let em: GraphEmulator;
let server: TestServer;
const sockets: TestSocket[] = [];
const ALICE = 'alice.archer@contoso.test';
const BOB = 'bob.baker@contoso.test';
const alice = graphUser('alice.archer');
const bob = graphUser('bob.baker');
const carol = graphUser('carol.clark');

const until = (cond: () => boolean | Promise<boolean>, timeoutMs = 8000, what?: string) => untilHolds(cond, timeoutMs, what);

beforeAll(async () => {
  em = await startGraphEmulator();
  for (const u of [alice, bob, carol]) em.state.users.put(u);
  em.state.setPhoto(carol.id, Buffer.from('\x89PNG carol photo', 'latin1'), 'image/png');
  em.state.contactsOf(alice.id).put(outlookContact('zoe.zimmer@fabrikam.example', { displayName: 'Zoe Zimmer' }));
  server = await startTestServer({
    env: em.env({
      GRAPH_TEAMS_PRESENCE: 'true',
      GRAPH_MISSED_MESSAGE_MAIL: 'true',
      GRAPH_CONVERSATION_HISTORY: 'true',
      GRAPH_CONTACTS: 'true',
      CHAT_MISSED_AFTER_SECONDS: '1',
    }),
    tuning: {
      'graph.oofRefreshMs': 1000,
      'graph.calendarRefreshMs': 400,
      'graph.teamsRefreshMs': 400,
      'graph.historyMs': 300,
      'graph.historySilenceMs': 1500,
      'graph.retryBaseMs': 50,
      'graph.photoRefreshMs': 500,
      'presence.coalesceMs': 50,
      'chat.missedScanMs': 200,
    },
  });
  // The server runs the graph sync at start: wait for the directory.
  const db = server.deps.store.db as Kysely<DirectoryTables>;
  await until(
    async () => (await db.selectFrom('person_sources').select('person_id').where('source', '=', 'graph').execute()).length === 4,
    15_000,
    'the initial graph sync',
  );
}, 60_000);
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await server?.close();
  await em?.close();
});

const open = async (email: string) => {
  const s = await TestSocket.open(server.url, await server.token(email));
  sockets.push(s);
  return s;
};
const presenceOf = (s: TestSocket, email: string, match: (p: Record<string, unknown>) => boolean, timeoutMs = 5000) =>
  s
    .next('presence', (f) => f.email === email && match(f.presence as Record<string, unknown>), timeoutMs)
    .then((f) => f.presence as Record<string, unknown>)
    .catch((err: Error) => {
      throw new Error(`${err.message}; unmatched: ${JSON.stringify(s.frames.filter((f) => f.type === 'presence').map((f) => f.presence))}`);
    });

describe('presence inputs from Exchange and Teams', () => {
  it("shows out of office in a subscriber's pane within one refresh, and clears it", async () => {
    const s = await open(ALICE);
    s.ws.send(JSON.stringify({ type: 'presence.subscribe', emails: [BOB] }));
    await presenceOf(s, BOB, () => true);
    const oofReads = () => em.state.requests.filter((r) => r.path === `/users/${bob.id}/mailboxSettings/automaticRepliesSetting`).length;
    const readsBefore = oofReads();
    em.state.automaticReplies.set(bob.id, {
      status: 'alwaysEnabled',
      internalReplyMessage: '<html><body><p>On leave until Monday &amp; unreachable</p></body></html>',
    });
    const p = await presenceOf(s, BOB, (x) => (x.outOfOffice as { active: boolean }).active, 10_000);
    expect(p.outOfOffice).toEqual({ active: true, message: 'On leave until Monday & unreachable' });
    // Within one refresh: the read that saw it is at most the second one after the change (one may
    // have been in flight already), whatever the machine's load.
    expect(oofReads() - readsBefore).toBeLessThanOrEqual(2);
    // A schedule that has ended is not out of office.
    em.state.automaticReplies.set(bob.id, {
      status: 'scheduled',
      scheduledStart: new Date(Date.now() - 7200_000).toISOString(),
      scheduledEnd: new Date(Date.now() - 3600_000).toISOString(),
      internalReplyMessage: 'Back',
    });
    const q = await presenceOf(s, BOB, (x) => !(x.outOfOffice as { active: boolean }).active, 3000);
    expect(q.outOfOffice).toEqual({ active: false, message: null });
  });

  it('merges Teams as an endpoint and the calendar as Busy / InAMeeting / OutOfOffice', async () => {
    const s = await open(ALICE);
    s.ws.send(JSON.stringify({ type: 'presence.subscribe', emails: [BOB] }));
    await presenceOf(s, BOB, () => true);
    em.state.teamsPresence.set(bob.id, { availability: 'Available', activity: 'Available' });
    await presenceOf(s, BOB, (x) => x.availability === 'Available', 3000);
    // The calendar combines with the person's own panes: Bob opens one.
    const bobPane = await open(BOB);
    expect(bobPane).toBeDefined();
    const now = Date.now();
    em.state.calendars.set(bob.id, [
      {
        start: new Date(now - 600_000).toISOString(),
        end: new Date(now + 1800_000).toISOString(),
        showAs: 'busy',
        subject: 'Design review',
        attendees: [ALICE],
      },
    ]);
    const meeting = await presenceOf(s, BOB, (x) => x.activity === 'InAMeeting', 3000);
    expect(meeting.availability).toBe('Busy');
    em.state.calendars.set(bob.id, [
      { start: new Date(now - 600_000).toISOString(), end: new Date(now + 1800_000).toISOString(), showAs: 'busy', subject: 'Focus time' },
    ]);
    const busy = await presenceOf(s, BOB, (x) => x.activity === 'Busy', 3000);
    expect(busy.availability).toBe('Busy');
    em.state.calendars.set(bob.id, [
      { start: new Date(now - 600_000).toISOString(), end: new Date(now + 86_400_000).toISOString(), showAs: 'oof', subject: 'Vacation' },
    ]);
    const oof = await presenceOf(s, BOB, (x) => x.activity === 'OutOfOffice', 3000);
    expect((oof.outOfOffice as { active: boolean }).active).toBe(true);
    em.state.calendars.set(bob.id, []);
    em.state.teamsPresence.set(bob.id, { availability: 'DoNotDisturb', activity: 'Presenting' });
    await presenceOf(s, BOB, (x) => x.availability === 'DoNotDisturb' && x.activity === 'Presenting', 3000);
    // Teams going offline removes that endpoint: Bob's own pane remains, then nothing.
    em.state.teamsPresence.set(bob.id, { availability: 'Offline', activity: 'OffWork' });
    await presenceOf(s, BOB, (x) => x.availability === 'Available', 3000);
    await bobPane.close();
    await presenceOf(s, BOB, (x) => x.availability === 'Offline', 3000);
    // Presence was asked in batches through getPresencesByUserId, never more than 650 ids.
    const asked = em.state.requests.filter((r) => r.path === '/communications/getPresencesByUserId');
    expect(asked.length).toBeGreaterThan(0);
    for (const r of asked) expect((r.body as { ids: string[] }).ids.length).toBeLessThanOrEqual(650);
  });
});

describe('Teams presence that cannot be read any more', () => {
  it('expires after three missed refreshes instead of showing its last state for ever, and comes back with Graph', async () => {
    const s = await open(ALICE);
    s.send({ type: 'presence.subscribe', emails: [BOB] });
    em.state.teamsPresence.set(bob.id, { availability: 'Busy', activity: 'InACall' });
    await presenceOf(s, BOB, (x) => x.availability === 'Busy' && x.activity === 'InACall', 3000);
    // Unchanged Teams state is renewed (written again before it expires) without pushing anything.
    const framesBefore = s.frames.filter((f) => f.type === 'presence' && f.email === BOB).length;
    await new Promise((r) => setTimeout(r, 1600));
    expect(s.frames.filter((f) => f.type === 'presence' && f.email === BOB)).toHaveLength(framesBefore);
    // Graph fails every presence read from now on: after 3 x 400 ms Bob's Teams state is gone.
    const failing = { match: /getPresencesByUserId/, status: 503, times: 1_000 };
    em.state.fault(failing);
    const failedAt = Date.now();
    s.frames.length = 0;
    await presenceOf(s, BOB, (x) => x.availability === 'Offline', 5000);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(400);
    em.state.faults.find((f) => f.match === failing.match)!.times = 0;
    await presenceOf(s, BOB, (x) => x.availability === 'Busy', 5000);
    s.frames.length = 0;
    em.state.teamsPresence.delete(bob.id);
    await presenceOf(s, BOB, (x) => x.availability === 'Offline', 5000);
  });
});

describe('photos from Graph', () => {
  it('serves the Entra photo of a synced user (refreshed apart from the delta)', async () => {
    const id = (
      (await (await server.api('POST', '/v1/people/lookup', { as: ALICE, body: { emails: [`carol.clark@contoso.test`] } })).json()) as {
        results: { person: { id: string } }[];
      }
    ).results[0].person.id;
    await until(async () => (await server.api('GET', `/v1/people/${id}/photo`, { as: ALICE })).status === 200, 10_000, 'the photo');
    const res = await server.api('GET', `/v1/people/${id}/photo`, { as: ALICE });
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).toBe('\x89PNG carol photo');
  });
});

describe('Outlook contacts in the API', () => {
  it('lists your own Outlook contacts, and only yours', async () => {
    const mine = await server.api('GET', '/v1/me/contacts', { as: ALICE });
    expect(mine.status).toBe(200);
    const body = (await mine.json()) as { results: { displayName: string; email: string; kind: string }[] };
    expect(body.results).toEqual([expect.objectContaining({ displayName: 'Zoe Zimmer', email: 'zoe.zimmer@fabrikam.example', kind: 'contact' })]);
    expect(((await (await server.api('GET', '/v1/me/contacts', { as: BOB })).json()) as { results: unknown[] }).results).toEqual([]);
    // Not in the shared directory: a lookup by address finds nobody.
    const lookup = (await (await server.api('POST', '/v1/people/lookup', { as: BOB, body: { emails: ['zoe.zimmer@fabrikam.example'] } })).json()) as {
      results: { person: unknown }[];
    };
    expect(lookup.results[0].person).toBeNull();
    const doc = (await (await server.api('GET', '/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/v1/me/contacts');
  });
});

describe('IM into Exchange', () => {
  let conversationId: string;

  it("sends the missed-message mail once, from the sender's mailbox", async () => {
    const res = await server.api('POST', '/v1/conversations', { as: ALICE, body: { participants: [BOB] } });
    expect(res.status).toBeLessThan(300);
    conversationId = ((await res.json()) as { id: string }).id;
    for (const [i, text] of ['Hi Bob', 'Do you have a minute?'].entries()) {
      const r = await server.api('POST', `/v1/conversations/${conversationId}/messages`, { as: ALICE, body: { clientMessageId: `m-${i}`, text } });
      expect(r.status).toBe(201);
    }
    await until(() => em.state.sentMail.length > 0, 8000, 'the missed-message mail');
    await new Promise((r) => setTimeout(r, 1000)); // more scans: still one mail
    const mails = em.state.sentMail.filter((m) => JSON.stringify(m.message.toRecipients).includes(BOB));
    expect(mails).toHaveLength(1);
    expect(mails[0].from).toBe(ALICE);
    expect(String(mails[0].message.subject)).toMatch(/Alice Archer/);
    expect(String(mails[0].message.subject)).toBe('Missed conversation with Alice Archer');
    expect(JSON.stringify(mails[0].message.body)).toContain('Hi Bob');
  });

  it("saves the burst into each participant's Conversation History folder once, even across a lost answer", async () => {
    // Alice's item is created but the answer is lost (504): the retry must find it, not duplicate it.
    em.state.fault({ match: new RegExp(`^POST /users/${alice.id}/mailFolders/[^/]+/messages$`), status: 504, afterApplying: true, times: 1 });
    const folderOf = (u: { id: string }) => (em.state.mailFolders.get(u.id) ?? []).find((f) => f.displayName === 'Conversation History');
    const itemsOf = (u: { id: string }) => {
      const f = folderOf(u);
      return f ? (em.state.folderMessages.get(`${u.id}|${f.id}`) ?? []) : [];
    };
    await until(() => itemsOf(alice).length >= 1 && itemsOf(bob).length >= 1, 10_000, 'conversation history items');
    const db = server.deps.store.db as Kysely<{ graph_history_items: { state: string; attempts: number; person_id: string } }>;
    await until(
      async () => (await db.selectFrom('graph_history_items').select('state').execute()).every((r) => r.state === 'saved'),
      10_000,
      'items marked saved',
    );
    await new Promise((r) => setTimeout(r, 1000)); // several more passes
    expect(itemsOf(alice)).toHaveLength(1);
    expect(itemsOf(bob)).toHaveLength(1);
    expect((em.state.mailFolders.get(alice.id) ?? []).filter((f) => f.displayName === 'Conversation History')).toHaveLength(1);
    const item = itemsOf(bob)[0] as { subject: string; body: { content: string }; internetMessageId: string };
    expect(item.subject).toBe('Conversation with Alice Archer');
    expect(item.body.content).toContain('Hi Bob');
    expect(item.body.content).toContain('Do you have a minute?');
    const rows = await db.selectFrom('graph_history_items').selectAll().execute();
    expect(rows).toHaveLength(2);
    // The 504 happened: Alice's item took two attempts and was found, not created twice.
    expect(rows.some((r) => r.attempts === 1)).toBe(true);
    // A new burst after the silence is a second item.
    const r = await server.api('POST', `/v1/conversations/${conversationId}/messages`, { as: BOB, body: { clientMessageId: 'b-1', text: 'Back now' } });
    expect(r.status).toBe(201);
    await until(() => itemsOf(bob).length === 2 && itemsOf(alice).length === 2, 10_000, 'the second burst');
  });
});
