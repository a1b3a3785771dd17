import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import { ensurePaneBuild, launchTestBrowser, type TestBrowser } from '../support/browser.js';
import { graphUser, startGraphEmulator, type GraphEmulator } from '../support/graph-emulator/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// The demo host's "Budget 2027" message, with its people coming from Entra (the Graph emulator).
const DOMAIN = 'auroraworks.example';
const PEOPLE = ['alex.morgan', 'priya.natarajan', 'lena.fischer', 'diego.ramos', 'mei.chen', 'sam.okafor'];
const SAM = `sam.okafor@${DOMAIN}`;
const ALEX = `alex.morgan@${DOMAIN}`;

let em: GraphEmulator;
let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  ensurePaneBuild();
  em = await startGraphEmulator();
  for (const p of PEOPLE) em.state.users.put(graphUser(p, {}, DOMAIN));
  server = await startTestServer({ env: em.env(), tuning: { 'graph.oofRefreshMs': 500, 'presence.coalesceMs': 50 } });
  const db = server.deps.store.db as Kysely<DirectoryTables>;
  for (let i = 0; i < 150; i++) {
    if ((await db.selectFrom('person_sources').select('person_id').where('source', '=', 'graph').execute()).length === PEOPLE.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchTestBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await em?.close();
});

describe('out of office from Exchange in the Outlook pane (headless Chromium)', () => {
  it('appears next to the sender once Exchange has automatic replies on, and goes away when they are off', async () => {
    const demo = await browser.openDemo(server.url, SAM, { message: 'msg-budget-2027' });
    const pane = await demo.pane();
    const alexRow = pane.locator(`[data-testid="person-row"][data-email="${ALEX}"]`).first();
    await alexRow.waitFor({ timeout: 15_000 });
    expect(await alexRow.locator('[data-testid="presence-oof"]').count()).toBe(0);

    em.state.automaticReplies.set(graphUser('alex.morgan', {}, DOMAIN).id, {
      status: 'alwaysEnabled',
      internalReplyMessage: '<p>At the board offsite, back Friday</p>',
    });
    const oof = alexRow.locator('[data-testid="presence-oof"]');
    await oof.waitFor({ timeout: 10_000 });
    expect((await oof.textContent())?.replace(/\s+/g, ' ').trim()).toBe('Out of office: At the board offsite, back Friday');
    await browser.screenshot(demo.page, 'graph-oof-in-pane');

    em.state.automaticReplies.set(graphUser('alex.morgan', {}, DOMAIN).id, { status: 'disabled' });
    await oof.waitFor({ state: 'detached', timeout: 10_000 });
    // The server only asked Exchange about people somebody watches.
    const asked = new Set(em.state.requests.filter((r) => r.path.endsWith('/automaticRepliesSetting')).map((r) => r.path.split('/')[2]));
    expect(asked.has(graphUser('alex.morgan', {}, DOMAIN).id)).toBe(true);
    expect(asked.size).toBeLessThanOrEqual(PEOPLE.length);
  });
});
