import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { PresenceFeature } from '../../api/presence/index.js';
import { DIRECTORY_CHANGED } from '../../directory-sync/index.js';
import { person } from '../support/entries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket, type Frame } from '../support/ws-client.js';
import { until } from '../support/until.js';

let server: TestServer;
let presence: PresenceFeature;
const sockets: TestSocket[] = [];
const ALICE = 'alice.archer@contoso.test';
const BOB = 'bob.baker@contoso.test';
const BOB_ALIAS = 'B.Baker@Contoso.test';
const CAROL = 'carol.cook@contoso.test';
const DAN = 'dan.drake@contoso.test';
const ERIN = 'erin.east@contoso.test';

beforeAll(async () => {
  server = await startTestServer({
    seed: [
      person('alice.archer'),
      person('bob.baker', { aliases: ['b.baker@contoso.test', 'bob@sales.contoso.test'] }),
      person('carol.cook'),
      person('dan.drake'),
      person('erin.east'),
    ],
    tuning: { 'presence.coalesceMs': 80, 'presence.sweepMs': 50 },
  });
  presence = server.features.find((f) => f.name === 'presence') as PresenceFeature;
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});
afterAll(() => server.close());

const open = async (email: string) => {
  const s = await TestSocket.open(server.url, await server.token(email));
  sockets.push(s);
  return s;
};
const query = async (as: string, emails: string[]) => {
  const res = await server.api('POST', '/v1/presence/query', { as, body: { emails } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { email: string; personId: string | null; presence: Frame }[] }).results;
};
const presenceOf = (s: TestSocket, email: string, match: (p: Record<string, unknown>) => boolean = () => true, timeoutMs = 5000) =>
  s.next('presence', (f) => f.email === email && match(f.presence as Record<string, unknown>), timeoutMs).then((f) => f.presence as Record<string, unknown>);
const availability = (a: string) => (p: Record<string, unknown>) => p.availability === a;
const idOf = async (email: string) => (await query(ALICE, [email]))[0].personId as string;

describe('POST /v1/presence/query', () => {
  it('answers 1,000 addresses with aliases and unknown ones, never an error', async () => {
    const emails = [BOB_ALIAS, 'BOB@sales.contoso.test', CAROL, ...Array.from({ length: 997 }, (_, i) => `nobody${i}@elsewhere.test`)];
    const results = await query(ALICE, emails);
    expect(results).toHaveLength(1000);
    expect(results[0]).toMatchObject({ email: BOB_ALIAS, personId: expect.any(String), presence: { availability: 'Offline', activity: 'Offline' } });
    expect(results[1].personId).toBe(results[0].personId);
    expect(results[2].presence).toMatchObject({ availability: 'Offline', note: null, outOfOffice: { active: false, message: null } });
    expect(results.slice(3).every((r) => r.personId === null && r.presence.availability === 'PresenceUnknown' && r.presence.version === 0)).toBe(true);
  });

  it('answers repeated queries from kept answers that follow presence changes and directory changes at once', async () => {
    const address = 'moving.alias@contoso.test';
    await server.seed([person('fay.first', { aliases: [address] })]);
    const fay = (await query(ALICE, [address]))[0];
    expect(fay.personId).not.toBeNull();
    expect((await query(ALICE, [address]))[0]).toEqual(fay);
    // A presence change shows on the next query (the kept answer belongs to the old view).
    await open('fay.first@contoso.test');
    await until(async () => (await query(ALICE, [address]))[0].presence.availability === 'Available');
    // The alias moves to another person; a sync announces it. The next query follows at once.
    await server.seed([person('fay.first'), person('gus.second', { aliases: [address] })]);
    await server.deps.bus.publish(DIRECTORY_CHANGED, { source: 'test' });
    await new Promise((r) => setTimeout(r, 20));
    const moved = (await query(ALICE, [address]))[0];
    expect(moved.personId).not.toBe(fay.personId);
    expect(moved.personId).toBe((await query(ALICE, ['gus.second@contoso.test']))[0].personId);
  });

  it('answers strings that are not addresses as unknown, with the rest of the call', async () => {
    const odd = ['not-an-address', '', '/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=bob', '  bob.baker@contoso.test  '];
    const results = await query(ALICE, odd);
    expect(results.map((r) => r.email)).toEqual(['not-an-address', '', odd[2], BOB]);
    expect(results.slice(0, 3).every((r) => r.personId === null && r.presence.availability === 'PresenceUnknown')).toBe(true);
    expect(results[3].personId).toEqual(expect.any(String));
  });

  it('refuses 1,001 addresses and malformed bodies with 400', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `p${i}@x.test`);
    for (const body of [{ emails: many }, { emails: [42] }, { emails: ['x'.repeat(321)] }, { emails: 'bob@contoso.test' }, { emails: [], extra: true }]) {
      expect((await server.api('POST', '/v1/presence/query', { as: ALICE, body })).status).toBe(400);
    }
  });
});

describe('endpoints and manual state', () => {
  it('is Offline without a pane, Available with one, Offline again when it closes', async () => {
    const watcher = await open(ALICE);
    watcher.send({ type: 'presence.subscribe', emails: [BOB_ALIAS] });
    const first = await presenceOf(watcher, BOB_ALIAS);
    expect(first.availability).toBe('Offline');
    await watcher.next('presence.subscribed');
    const bob = await open(BOB);
    const online = await presenceOf(watcher, BOB_ALIAS, availability('Available'));
    expect(online.version as number).toBeGreaterThan(first.version as number);
    await bob.close();
    const offline = await presenceOf(watcher, BOB_ALIAS, availability('Offline'));
    expect(offline.version as number).toBeGreaterThan(online.version as number);
  });

  it('applies and clears a manual state with note and default expiry; Offline wins with no endpoint', async () => {
    const put = await server.api('PUT', '/v1/me/presence', { as: CAROL, body: { availability: 'DoNotDisturb', note: 'Writing the report' } });
    expect(put.status).toBe(200);
    const mine = (await put.json()) as { manual: { availability: string; expiresAt: string }; presence: Frame };
    expect(mine.manual.availability).toBe('DoNotDisturb');
    const expiry = Date.parse(mine.manual.expiresAt) - Date.now();
    expect(expiry).toBeGreaterThan(23.9 * 3600_000);
    expect(expiry).toBeLessThanOrEqual(24 * 3600_000);
    // No pane open: Offline whatever the manual state; the note still shows.
    expect((await query(ALICE, [CAROL]))[0].presence).toMatchObject({ availability: 'Offline', note: 'Writing the report' });

    const watcher = await open(ALICE);
    watcher.send({ type: 'presence.subscribe', emails: [CAROL] });
    await presenceOf(watcher, CAROL, availability('Offline'));
    await open(CAROL);
    expect(await presenceOf(watcher, CAROL, availability('DoNotDisturb'))).toMatchObject({ activity: 'DoNotDisturb', note: 'Writing the report' });
    const appear = await server.api('PUT', '/v1/me/presence', {
      as: CAROL,
      body: { availability: 'Offline', expiresAt: new Date(Date.now() + 3600_000).toISOString() },
    });
    expect(appear.status).toBe(200);
    expect(await presenceOf(watcher, CAROL, availability('Offline'))).toMatchObject({ activity: 'OffWork', note: null });
    const reset = await server.api('DELETE', '/v1/me/presence', { as: CAROL });
    expect(((await reset.json()) as { manual: unknown }).manual).toBeNull();
    expect(await presenceOf(watcher, CAROL, availability('Available'))).toMatchObject({ activity: 'Available', note: null });
  });

  it('expires a manual state on its own', async () => {
    const watcher = await open(ALICE);
    await open(DAN);
    watcher.send({ type: 'presence.subscribe', emails: [DAN] });
    await presenceOf(watcher, DAN, availability('Available'));
    const res = await server.api('PUT', '/v1/me/presence', {
      as: DAN,
      body: { availability: 'BeRightBack', expiresAt: new Date(Date.now() + 400).toISOString() },
    });
    expect(res.status).toBe(200);
    await presenceOf(watcher, DAN, availability('BeRightBack'));
    await presenceOf(watcher, DAN, availability('Available'), 3000);
  });

  it('refuses bad manual states', async () => {
    for (const body of [
      { availability: 'Sleeping' },
      { availability: 'Busy', expiresAt: '2001-01-01T00:00:00Z' },
      { availability: 'Busy', note: 'x'.repeat(281) },
      { availability: 'Busy', mood: 'great' },
    ]) {
      expect((await server.api('PUT', '/v1/me/presence', { as: DAN, body })).status).toBe(400);
    }
  });

  it('follows activity frames: most active endpoint wins', async () => {
    const watcher = await open(ALICE);
    const pane1 = await open(ERIN);
    const pane2 = await open(ERIN);
    watcher.send({ type: 'presence.subscribe', emails: [ERIN] });
    await presenceOf(watcher, ERIN, availability('Available'));
    pane1.send({ type: 'activity', state: 'away' });
    pane2.send({ type: 'activity', state: 'inactive' });
    expect(await presenceOf(watcher, ERIN, availability('AvailableIdle'))).toMatchObject({ activity: 'Inactive' });
    pane2.send({ type: 'activity', state: 'away' });
    await presenceOf(watcher, ERIN, availability('Away'));
    pane1.send({ type: 'activity', state: 'active' });
    await presenceOf(watcher, ERIN, availability('Available'));
  });

  it('shows the out-of-office flag and message over any availability', async () => {
    const watcher = await open(ALICE);
    watcher.send({ type: 'presence.subscribe', emails: [DAN] });
    await presenceOf(watcher, DAN);
    const res = await server.api('PUT', '/v1/me/out-of-office', { as: DAN, body: { active: true, message: 'Hiking until Tuesday' } });
    expect(((await res.json()) as { outOfOffice: unknown }).outOfOffice).toEqual({ active: true, message: 'Hiking until Tuesday' });
    expect(await presenceOf(watcher, DAN, (p) => (p.outOfOffice as { active: boolean }).active)).toMatchObject({
      availability: 'Offline',
      outOfOffice: { message: 'Hiking until Tuesday' },
    });
    await server.api('PUT', '/v1/me/out-of-office', { as: DAN, body: { active: false } });
    await presenceOf(watcher, DAN, (p) => !(p.outOfOffice as { active: boolean }).active);
  });

  it('takes calendar and external (Teams) inputs from other features', async () => {
    const erin = await idOf(ERIN);
    const watcher = await open(ALICE);
    watcher.send({ type: 'presence.subscribe', emails: [ERIN] });
    await presenceOf(watcher, ERIN, availability('Offline'));
    await presence.service.setExternalEndpoint(erin, 'teams', { availability: 'Busy', activity: 'InACall' });
    expect(await presenceOf(watcher, ERIN, availability('Busy'))).toMatchObject({ activity: 'InACall' });
    expect(await presence.service.hasLiveEndpoint(erin)).toBe(true);
    await presence.service.setExternalEndpoint(erin, 'teams', null);
    await presenceOf(watcher, ERIN, availability('Offline'));
    await open(ERIN);
    await presenceOf(watcher, ERIN, availability('Available'));
    await presence.service.setCalendar(erin, 'graph', [{ start: Date.now() - 1000, end: Date.now() + 60_000, showAs: 'busy', isMeeting: true }]);
    expect(await presenceOf(watcher, ERIN, availability('Busy'))).toMatchObject({ activity: 'InAMeeting' });
    await presence.service.setCalendar(erin, 'graph', []);
    await presenceOf(watcher, ERIN, availability('Available'));
  });
});

describe('subscriptions', () => {
  it('answers an alias with the address as subscribed, and unknown addresses with PresenceUnknown', async () => {
    const watcher = await open(ALICE);
    watcher.send({ type: 'presence.subscribe', emails: ['bob@SALES.contoso.test', 'ghost@nowhere.test'] });
    expect((await presenceOf(watcher, 'bob@SALES.contoso.test')).availability).toBe('Offline');
    expect(await presenceOf(watcher, 'ghost@nowhere.test')).toMatchObject({ availability: 'PresenceUnknown', version: 0 });
    expect(await watcher.next('presence.subscribed')).toMatchObject({ total: 2 });
  });

  it('pushes only to subscribers, and stops after unsubscribe', async () => {
    const subscribed = await open(ALICE);
    const other = await open(CAROL);
    subscribed.send({ type: 'presence.subscribe', emails: [DAN] });
    other.send({ type: 'presence.subscribe', emails: [BOB] });
    await presenceOf(subscribed, DAN);
    await presenceOf(other, BOB);
    await server.api('PUT', '/v1/me/presence', { as: DAN, body: { availability: 'Busy', note: 'one' } });
    await presenceOf(subscribed, DAN, (p) => p.note === 'one');
    subscribed.send({ type: 'presence.unsubscribe', emails: [DAN.toUpperCase()] });
    expect(await subscribed.next('presence.unsubscribed')).toMatchObject({ total: 0 });
    await server.api('PUT', '/v1/me/presence', { as: DAN, body: { availability: 'Busy', note: 'two' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(subscribed.frames.filter((f) => f.type === 'presence')).toHaveLength(0);
    expect(other.frames.filter((f) => f.type === 'presence')).toHaveLength(0);
    await server.api('DELETE', '/v1/me/presence', { as: DAN });
  });

  it('honours the order of subscribe and unsubscribe frames sent together, while the address still resolves', async () => {
    const QUINN = 'quinn.quick@contoso.test';
    const RITA = 'rita.rowe@contoso.test';
    await server.seed([person('quinn.quick'), person('rita.rowe')]);
    const watcher = await open(ALICE);
    /** The frames leave in one write, so the server reads them together (nothing resolved yet). */
    const together = (...frames: Frame[]) => {
      const socket = (watcher.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      socket.cork();
      for (const f of frames) watcher.send(f);
      socket.uncork();
    };
    together({ type: 'presence.subscribe', emails: [QUINN] }, { type: 'presence.unsubscribe', emails: [QUINN] });
    expect(await watcher.next('presence.unsubscribed')).toMatchObject({ total: 0 });
    expect(await watcher.next('presence.subscribed')).toMatchObject({ total: 0 });
    // Subscribed again by a later frame of the same write: that one wins.
    together({ type: 'presence.subscribe', emails: [RITA] }, { type: 'presence.unsubscribe', emails: [RITA] }, { type: 'presence.subscribe', emails: [RITA] });
    await presenceOf(watcher, RITA, availability('Offline'));
    await watcher.next('presence.subscribed', (f) => f.total === 1);
    const quinn = await open(QUINN);
    const rita = await open(RITA);
    await presenceOf(watcher, RITA, availability('Available'));
    await new Promise((r) => setTimeout(r, 300));
    expect(watcher.frames.filter((f) => f.type === 'presence' && f.email === QUINN)).toEqual([]);
    expect(presence.hub.subscribedPeople()).not.toContain(await idOf(QUINN));
    await quinn.close();
    await rita.close();
  });

  it('pushes a change once per address a socket subscribed to the person by, and stops per address', async () => {
    const watcher = await open(ALICE);
    const other = 'bob@SALES.contoso.test';
    watcher.send({ type: 'presence.subscribe', emails: [BOB_ALIAS, other] });
    await presenceOf(watcher, BOB_ALIAS);
    await presenceOf(watcher, other);
    await watcher.next('presence.subscribed');
    const bob = await open(BOB);
    expect(await presenceOf(watcher, BOB_ALIAS, availability('Available'))).toMatchObject({ availability: 'Available' });
    expect(await presenceOf(watcher, other, availability('Available'))).toMatchObject({ availability: 'Available' });
    watcher.send({ type: 'presence.unsubscribe', emails: [BOB_ALIAS.toLowerCase()] });
    expect(await watcher.next('presence.unsubscribed')).toMatchObject({ total: 1 });
    await server.api('PUT', '/v1/me/presence', { as: BOB, body: { availability: 'Busy', note: 'aliases' } });
    expect(await presenceOf(watcher, other, (p) => p.note === 'aliases')).toMatchObject({ availability: 'Busy' });
    await new Promise((r) => setTimeout(r, 300));
    expect(watcher.frames.filter((f) => f.type === 'presence' && f.email === BOB_ALIAS)).toHaveLength(0);
    await server.api('DELETE', '/v1/me/presence', { as: BOB });
    await bob.close();
  });

  it('coalesces bursts per subscriber, keeps the latest, and versions only grow', async () => {
    const dan = await idOf(DAN);
    const watcher = await open(ALICE);
    watcher.send({ type: 'presence.subscribe', emails: [DAN] });
    await presenceOf(watcher, DAN);
    await watcher.next('presence.subscribed');
    await Promise.all(Array.from({ length: 20 }, (_, i) => presence.engine.setOutOfOffice(dan, { active: true, message: `burst ${i}`, source: 'test' })));
    const last = await presenceOf(watcher, DAN, (p) => (p.outOfOffice as { message: string }).message === 'burst 19');
    await new Promise((r) => setTimeout(r, 300));
    const seen = watcher.frames.filter((f) => f.type === 'presence');
    // 20 changes within a few ms reach this subscriber as a handful of frames, not 20.
    expect(seen.length).toBeLessThan(5);
    const versions = [...seen.map((f) => (f.presence as { version: number }).version)];
    expect(versions.every((v) => v < (last.version as number))).toBe(true);
    await presence.engine.setOutOfOffice(dan, { active: false, message: null, source: 'test' });
  });

  it('caps subscriptions at 2,000 per connection', async () => {
    const watcher = await open(ALICE);
    watcher.send({ type: 'presence.subscribe', emails: Array.from({ length: 2000 }, (_, i) => `x${i}@nowhere.test`) });
    expect(await watcher.next('presence.subscribed', () => true, 15_000)).toMatchObject({ total: 2000 });
    watcher.send({ type: 'presence.subscribe', emails: ['one.more@nowhere.test'] });
    expect(await watcher.next('error')).toMatchObject({ code: 'subscription_limit', frameType: 'presence.subscribe' });
    // Re-asking for an address already subscribed is not a new subscription.
    watcher.frames.length = 0;
    watcher.send({ type: 'presence.subscribe', emails: ['x1@nowhere.test'] });
    expect(await watcher.next('presence.subscribed')).toMatchObject({ total: 2000 });
  });

  it('answers bad frames with error frames and keeps the socket usable', async () => {
    const s = await open(ALICE);
    const bad: unknown[] = [
      { type: 'presence.subscribe', emails: ['not an address'] },
      { type: 'presence.subscribe', emails: [] },
      { type: 'presence.subscribe', emails: [BOB], extra: 1 },
      { type: 'presence.subscribe', emails: Array.from({ length: 2001 }, (_, i) => `y${i}@x.test`) },
      { type: 'activity', state: 'asleep' },
      { type: 'presence.unsubscribe' },
    ];
    for (const f of bad) {
      s.ws.send(JSON.stringify(f));
      expect(await s.next('error')).toMatchObject({ code: 'bad_frame' });
    }
    s.send({ type: 'presence.subscribe', emails: [BOB] });
    await presenceOf(s, BOB);
    expect(s.closeCode).toBeUndefined();
  });
});

describe('privacy', () => {
  it('shows blocked viewers PresenceUnknown (live and on query) until unblocked', async () => {
    const alice = await idOf(ALICE);
    const watcher = await open(ALICE);
    await open(BOB);
    await server.api('PUT', '/v1/me/presence', { as: BOB, body: { availability: 'Busy', note: 'secret project' } });
    watcher.send({ type: 'presence.subscribe', emails: [BOB] });
    await presenceOf(watcher, BOB, (p) => p.note === 'secret project');

    const blocked = await server.api('PUT', `/v1/me/blocked/${alice}`, { as: BOB });
    expect(blocked.status).toBe(200);
    expect(((await blocked.json()) as { people: { email: string }[] }).people.map((p) => p.email)).toEqual([ALICE]);
    expect(await presenceOf(watcher, BOB, availability('PresenceUnknown'))).toMatchObject({ note: null, activity: 'PresenceUnknown' });
    expect((await query(ALICE, [BOB]))[0].presence).toMatchObject({ availability: 'PresenceUnknown', note: null });
    expect((await query(CAROL, [BOB]))[0].presence).toMatchObject({ availability: 'Busy', note: 'secret project' });
    expect(await presence.service.isBlocked(await idOf(BOB), alice)).toBe(true);
    // Changes while blocked stay hidden.
    await server.api('PUT', '/v1/me/presence', { as: BOB, body: { availability: 'Away', note: 'still secret' } });
    await presenceOf(watcher, BOB, availability('PresenceUnknown'));
    expect(watcher.frames.some((f) => f.type === 'presence' && JSON.stringify(f).includes('still secret'))).toBe(false);

    const list = await server.api('GET', '/v1/me/blocked', { as: BOB });
    expect(((await list.json()) as { people: unknown[] }).people).toHaveLength(1);
    await server.api('DELETE', `/v1/me/blocked/${alice}`, { as: BOB });
    await presenceOf(watcher, BOB, (p) => p.note === 'still secret');
    await server.api('DELETE', '/v1/me/presence', { as: BOB });
  });

  it('shows external viewers availability only', async () => {
    const bob = await idOf(BOB);
    await open(BOB);
    await server.api('PUT', '/v1/me/presence', { as: BOB, body: { availability: 'Busy', note: 'internal note' } });
    await until(async () => (await presence.service.presenceOf(bob, null)).availability === 'Busy');
    expect(await presence.service.presenceOf(bob, null)).toMatchObject({ availability: 'Busy', activity: 'Busy', note: null, lastActive: null });
    await server.seed([person('xavier.external', { kind: 'contact' })]);
    const contact = (await query(ALICE, ['xavier.external@contoso.test']))[0].personId as string;
    expect(await presence.service.presenceOf(bob, contact)).toMatchObject({ availability: 'Busy', note: null, outOfOffice: { active: false } });
    expect(await presence.service.presenceOf(bob, await idOf(ALICE))).toMatchObject({ availability: 'Busy', note: 'internal note' });
    await server.api('DELETE', '/v1/me/presence', { as: BOB });
  });

  it('refuses to block unknown people or oneself', async () => {
    expect((await server.api('PUT', '/v1/me/blocked/no-such-person', { as: BOB })).status).toBe(404);
    expect((await server.api('PUT', `/v1/me/blocked/${await idOf(BOB)}`, { as: BOB })).status).toBe(400);
    // A contact (external, or someone's private Outlook contact) is nobody to block, and its summary is not shown.
    await server.seed([person('yolanda.external', { kind: 'contact' })]);
    const contact = await idOf('yolanda.external@contoso.test');
    const refused = await server.api('PUT', `/v1/me/blocked/${contact}`, { as: BOB });
    expect(refused.status).toBe(404);
    expect(await refused.text()).not.toContain('yolanda');
  });
});

describe('idle timers on a live server', () => {
  it('goes Inactive then Away with no input, and back with input', async () => {
    const quick = await startTestServer({
      seed: [person('alice.archer'), person('bob.baker')],
      tuning: { 'presence.idleMs': 300, 'presence.awayMs': 300, 'presence.sweepMs': 25, 'presence.coalesceMs': 20 },
    });
    const s1 = await TestSocket.open(quick.url, await quick.token(ALICE));
    const s2 = await TestSocket.open(quick.url, await quick.token(BOB));
    try {
      s1.send({ type: 'presence.subscribe', emails: [BOB] });
      await presenceOf(s1, BOB, availability('Available'));
      await presenceOf(s1, BOB, availability('AvailableIdle'), 3000);
      await presenceOf(s1, BOB, availability('Away'), 3000);
      s2.send({ type: 'activity', state: 'active' });
      await presenceOf(s1, BOB, availability('Available'), 3000);
    } finally {
      await s1.close();
      await s2.close();
      await quick.close();
    }
  });
});

describe('demo activity simulator (DEMO_SIMULATOR=true)', () => {
  it('changes demo people over time, and steps aside for someone who signs in', async () => {
    const demo = await startTestServer({
      seed: [person('alice.archer'), person('bob.baker'), person('carol.cook')],
      env: { DEMO_SIMULATOR: 'true' },
      tuning: { 'presence.simulatorMs': 50, 'presence.coalesceMs': 20 },
    });
    const watcher = await TestSocket.open(demo.url, await demo.token(ALICE));
    try {
      watcher.send({ type: 'presence.subscribe', emails: [BOB, CAROL] });
      await watcher.next('presence.subscribed');
      // Simulated people are live (an external endpoint) and keep changing.
      const seen = new Set<string>();
      const until = Date.now() + 5000;
      while (seen.size < 3 && Date.now() < until) {
        const p = await presenceOf(watcher, BOB, () => true, 5000);
        seen.add(`${p.availability}/${p.activity}`);
      }
      expect(seen.size).toBeGreaterThanOrEqual(3);
      // Bob signs in: his simulated state goes away, his real pane decides (Available) and stays.
      const bob = await TestSocket.open(demo.url, await demo.token(BOB));
      try {
        await until2s(async () => (await queryOn(demo, BOB)).availability === 'Available');
        await new Promise((r) => setTimeout(r, 500));
        expect((await queryOn(demo, BOB)).availability).toBe('Available');
      } finally {
        await bob.close();
      }
    } finally {
      await watcher.close();
      await demo.close();
    }
  });
});

async function queryOn(s: TestServer, email: string): Promise<Record<string, unknown>> {
  const res = await s.api('POST', '/v1/presence/query', { as: ALICE, body: { emails: [email] } });
  return ((await res.json()) as { results: { presence: Record<string, unknown> }[] }).results[0].presence;
}

async function until2s(cond: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 2000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('not within 2 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('silent endpoints', () => {
  it('expire when a pane stops answering heartbeats (timeout shortened here; 60 s by default)', async () => {
    const quick = await startTestServer({
      seed: [person('alice.archer'), person('bob.baker')],
      gatewayLimits: { heartbeatTimeoutMs: 600, pingIntervalMs: 100 },
      tuning: { 'presence.coalesceMs': 20 },
    });
    const watcher = await TestSocket.open(quick.url, await quick.token(ALICE));
    const bob = await TestSocket.open(quick.url, await quick.token(BOB));
    try {
      watcher.send({ type: 'presence.subscribe', emails: [BOB] });
      await presenceOf(watcher, BOB, availability('Available'));
      // The watcher keeps answering pings; Bob's pane freezes: it no longer reads (so never pongs).
      const raw = (bob.ws as unknown as { _socket: { pause(): void } })._socket;
      raw.pause();
      const frozenAt = Date.now();
      await presenceOf(watcher, BOB, availability('Offline'), 5000);
      expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(500);
    } finally {
      bob.ws.terminate();
      await watcher.close();
      await quick.close();
    }
  });
});

describe('blocks across a restart', () => {
  it('a block made before a restart still hides presence right after it (live and on query)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'op-blocks-'));
    const env = { DATABASE_URL: path.join(dir, 'presence.sqlite') };
    try {
      const first = await startTestServer({ env, seed: [person('alice.archer'), person('bob.baker')] });
      const aliceId = ((await (await first.api('POST', '/v1/presence/query', { as: BOB, body: { emails: [ALICE] } })).json()) as QueryAnswer).results[0]
        .personId!;
      expect((await first.api('PUT', `/v1/me/blocked/${aliceId}`, { as: BOB })).status).toBe(200);
      await first.close();

      const second = await startTestServer({ env });
      try {
        const answer = (await (await second.api('POST', '/v1/presence/query', { as: ALICE, body: { emails: [BOB] } })).json()) as QueryAnswer;
        expect(answer.results[0].presence).toMatchObject({ availability: 'PresenceUnknown', note: null });
        const watcher = await TestSocket.open(second.url, await second.token(ALICE));
        watcher.send({ type: 'presence.subscribe', emails: [BOB] });
        expect((await watcher.next('presence')).presence).toMatchObject({ availability: 'PresenceUnknown' });
        await watcher.close();
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface QueryAnswer {
  results: { email: string; personId: string | null; presence: { availability: string; note: string | null } }[];
}
