import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { refreshGraphPhotos } from '../../directory-sync/sources/graph/index.js';
import { graphUser } from '../support/graph-emulator/index.js';
import { startGraphHarness, type GraphHarness } from './graph-harness.js';

let h: GraphHarness;
const users = Array.from({ length: 30 }, (_, i) => graphUser(`user.${String(i).padStart(2, '0')}`));

beforeAll(async () => {
  h = await startGraphHarness();
  for (const u of users) h.em.state.users.put(u);
  h.em.state.pageSize = 7;
});
afterAll(() => h.close());

/** Gap between a throttled answer and the next request to the same route. */
function gapsAfterThrottle(path: RegExp, inBatch: boolean): number[] {
  const reqs = h.em.state.requests.filter((r) => path.test(r.path) && r.inBatch === inBatch);
  const gaps: number[] = [];
  reqs.forEach((r, i) => {
    if (r.status === 429 && reqs[i + 1]) gaps.push(reqs[i + 1].at - r.at);
  });
  return gaps;
}

describe('throttling storms', () => {
  it('completes a sync through repeated 429s, waiting Retry-After each time', async () => {
    h.em.state.fault({ match: /^GET \/users\/delta$/, status: 429, retryAfter: 1, times: 3 });
    h.em.state.fault({ match: /^GET \/contacts\/delta$/, status: 503, retryAfter: 1, times: 1 });
    const t0 = Date.now();
    const report = await h.sync();
    expect(report.status).toBe('ok');
    expect(report.added).toBe(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4000);
    const gaps = gapsAfterThrottle(/^\/users\/delta$/, false);
    expect(gaps.length).toBe(3);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(1000);
  });

  it('re-submits only the throttled items of a $batch, after their Retry-After', async () => {
    for (const u of users.slice(0, 25)) h.em.state.setPhoto(u.id, Buffer.from(`\xff\xd8\xff photo of ${u.id}`, 'latin1'));
    // Two items of the first batch are throttled inside a 200 batch response.
    h.em.state.fault({ match: new RegExp(`^GET /users/${users[3].id}/photo$`), status: 429, retryAfter: 1, inBatch: true });
    h.em.state.fault({ match: new RegExp(`^GET /users/${users[5].id}/photo$`), status: 429, retryAfter: 2, inBatch: true });
    const before = h.em.state.requests.length;
    const report = await refreshGraphPhotos(h.store, h.api);
    expect(report).toMatchObject({ checked: 30, updated: 25, failed: 0 });
    const inBatch = h.em.state.requests.slice(before).filter((r) => r.inBatch && /\/photo$/.test(r.path));
    const count = (id: string) => inBatch.filter((r) => r.path === `/users/${id}/photo`).length;
    expect(count(users[3].id)).toBe(2);
    expect(count(users[5].id)).toBe(2);
    expect(count(users[4].id)).toBe(1);
    expect(inBatch.length).toBe(32);
    const retried = inBatch.filter((r) => r.path === `/users/${users[5].id}/photo`);
    expect(retried[1].at - retried[0].at).toBeGreaterThanOrEqual(2000);
    const photos = await h.db.selectFrom('person_photos').select('person_id').execute();
    expect(photos.length).toBe(25);
  });

  it('retries reads whose connection was reset, never a write', async () => {
    h.em.state.fault({ match: /^GET \/users\/delta$/, status: 0, times: 2, inBatch: false });
    const report = await h.sync();
    expect(report.status).toBe('ok');
    expect(h.em.state.faults.filter((f) => f.status === 0 && f.times > 0)).toHaveLength(0);
    h.em.state.fault({ match: /^POST \/users\/[^/]+\/sendMail$/, status: 0, times: 1, inBatch: false });
    await expect(h.api.post(`/users/${users[0].id}/sendMail`, { message: { subject: 'x', toRecipients: [] } })).rejects.toThrow();
    expect(h.em.state.sentMail).toHaveLength(0);
    expect(h.em.state.requests.filter((r) => r.path.endsWith('/sendMail'))).toHaveLength(1);
  });

  it('gives up after the bounded number of retries and fails the run without deleting', async () => {
    const live = (await h.livePeople()).size;
    h.em.state.fault({ match: /^GET \/users\/delta$/, status: 503, times: 100 });
    const report = await h.sync({ full: true });
    h.em.state.faults.length = 0;
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/503/);
    expect((await h.livePeople()).size).toBe(live);
  });
});

describe('photos', () => {
  it('downloads only changed photos (ETag), drops removed ones and skips oversized ones', async () => {
    const before = h.em.state.requests.length;
    let report = await refreshGraphPhotos(h.store, h.api);
    expect(report).toMatchObject({ checked: 30, updated: 0, unchanged: 25 });
    expect(h.em.state.requests.slice(before).some((r) => r.path.endsWith('/$value'))).toBe(false);
    h.em.state.setPhoto(users[0].id, Buffer.from('\x89PNG new picture', 'latin1'));
    h.em.state.setPhoto(users[1].id, null);
    h.em.state.setPhoto(users[2].id, Buffer.alloc(150 * 1024, 1));
    report = await refreshGraphPhotos(h.store, h.api);
    expect(report).toMatchObject({ updated: 1, removed: 1, tooLarge: 1 });
    const p0 = await h.db
      .selectFrom('person_photos')
      .innerJoin('person_sources', 'person_sources.person_id', 'person_photos.person_id')
      .select(['person_photos.content_type'])
      .where('person_sources.external_id', '=', users[0].id)
      .executeTakeFirstOrThrow();
    expect(p0.content_type).toBe('image/png');
    const p1 = await h.db
      .selectFrom('person_photos')
      .innerJoin('person_sources', 'person_sources.person_id', 'person_photos.person_id')
      .select('person_photos.person_id')
      .where('person_sources.external_id', '=', users[1].id)
      .executeTakeFirst();
    expect(p1).toBeUndefined();
    // The oversized photo is not downloaded again while its ETag stays the same.
    const mark = h.em.state.requests.length;
    report = await refreshGraphPhotos(h.store, h.api);
    expect(report.tooLarge).toBe(0);
    expect(h.em.state.requests.slice(mark).filter((r) => r.path.endsWith('/$value')).length).toBe(0);
  });
});

describe('client limits and tokens', () => {
  it('keeps at most 4 requests in flight per mailbox', async () => {
    h.em.state.latencyMs = 60;
    try {
      await Promise.all(Array.from({ length: 12 }, () => h.api.get(`/users/${users[7].id}/mailboxSettings/automaticRepliesSetting`)));
    } finally {
      h.em.state.latencyMs = 0;
    }
    expect(h.em.state.maxConcurrentPerMailbox.get(users[7].id)).toBe(4);
  });

  it('refreshes the access token after it is revoked, once', async () => {
    const issued = h.em.state.tokensIssued;
    await h.api.get(`/users/${users[8].id}`);
    expect(h.em.state.tokensIssued).toBe(issued); // cached
    h.em.state.expireAccessTokens();
    await Promise.all([h.api.get(`/users/${users[8].id}`), h.api.get(`/users/${users[9].id}`)]);
    expect(h.em.state.tokensIssued).toBe(issued + 1);
  });

  it('refreshes a token that reached its expiry before using it', async () => {
    h.em.state.tokenLifetimeSeconds = 1;
    h.em.state.expireAccessTokens();
    await h.api.get(`/users/${users[8].id}`);
    const issued = h.em.state.tokensIssued;
    await new Promise((r) => setTimeout(r, 1100));
    await h.api.get(`/users/${users[8].id}`);
    expect(h.em.state.tokensIssued).toBeGreaterThan(issued);
    h.em.state.tokenLifetimeSeconds = 3600;
  });
});

describe('Teams presence limits', () => {
  it('asks at most 650 ids per request and keeps within the presence budget', async () => {
    const { TeamsPresenceRefresher } = await import('../../api/graph/teams-presence.js');
    const { createGraphApi, graphSettingsFrom } = await import('../../directory-sync/sources/graph/index.js');
    const { loadConfig } = await import('../../core/config/index.js');
    // A small budget (2 requests per 600 ms) so the wait is measurable.
    const api = createGraphApi(graphSettingsFrom(loadConfig({ ...h.em.env(), AUTH_MODE: 'dev' }, { dotEnvFile: false }))!, {
      presenceBudget: { limit: 2, windowMs: 600 },
    });
    try {
      const people = Array.from({ length: 1400 }, (_, i) => ({ personId: `p${i}`, userId: `u${i}`, email: `u${i}@contoso.test`, displayName: `U ${i}` }));
      for (let i = 0; i < 1400; i += 7) h.em.state.teamsPresence.set(`u${i}`, { availability: 'Busy', activity: 'InACall' });
      const set: { personId: string; state: unknown }[] = [];
      const refresher = new TeamsPresenceRefresher(
        api,
        {
          setOutOfOffice: async () => {},
          setCalendar: async () => {},
          setExternalEndpoint: async (personId, _source, state) => {
            set.push({ personId, state });
          },
        },
        undefined,
      );
      const before = h.em.state.requests.length;
      const t0 = Date.now();
      await refresher.refresh(people);
      const elapsed = Date.now() - t0;
      const asked = h.em.state.requests.slice(before).filter((r) => r.path === '/communications/getPresencesByUserId');
      expect(asked.map((r) => (r.body as { ids: string[] }).ids.length)).toEqual([650, 650, 100]);
      // The third request could only start once the window had moved past the first one.
      expect(elapsed).toBeGreaterThanOrEqual(600);
      expect(set.filter((s) => s.state !== null)).toHaveLength(200);
      expect(set.find((s) => s.personId === 'p7')?.state).toEqual({ availability: 'Busy', activity: 'InACall' });
    } finally {
      api.close();
    }
  });
});
