import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Frame } from 'playwright-core';
import type { PersonCard, PersonSummary } from '../../addin/src/api/index.js';
import { DEMO_LDIF_FILE } from '../../core/config/index.js';
import { ensurePaneBuild, launchTestBrowser, type TestBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const SAM = 'sam.okafor@auroraworks.example';

let server: TestServer;
let browser: TestBrowser;

/** The directory's answer for an address, to compare the pane with (the demo data may change). */
async function lookup(email: string): Promise<PersonSummary> {
  const res = (await (await server.api('POST', '/v1/people/lookup', { as: SAM, body: { emails: [email] } })).json()) as {
    results: { person: PersonSummary | null }[];
  };
  const p = res.results[0]?.person;
  if (!p) throw new Error(`${email} is not in the test directory`);
  return p;
}

async function card(email: string): Promise<PersonCard> {
  return (await (await server.api('GET', `/v1/people/${(await lookup(email)).id}`, { as: SAM })).json()) as PersonCard;
}

/** The row the pane should show for a directory person. */
async function row(role: string, email: string): Promise<string> {
  const p = await lookup(email);
  return `${role} | ${p.displayName} | ${[p.title, p.department].filter(Boolean).join(' · ')}`;
}

/** Waits (bounded) until the directory sync on start has loaded the demo people. */
async function waitForDirectory(): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const res = await server.api('POST', '/v1/people/lookup', { as: SAM, body: { emails: [SAM] } });
    if (res.ok && ((await res.json()) as { results: { person: unknown }[] }).results[0]?.person) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the demo directory did not load within 30 s');
}

/** Every person row in the pane as "Role | Name | Title · Department" (or the "not in the directory" line). */
async function rows(pane: Frame): Promise<string[]> {
  return pane.$$eval('[data-testid="person-row"]', (els) =>
    els.map((e) => {
      const text = (sel: string) => (e.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
      return [
        text('[data-testid="person-role"]'),
        text('[data-testid="person-name"]'),
        text('[data-testid="person-title"]') || text('[data-testid="unknown-person"]'),
      ].join(' | ');
    }),
  );
}

async function waitForRows(pane: Frame, expected: string[]): Promise<string[]> {
  await pane.waitForFunction(
    (names: string[]) => {
      const text = [...document.querySelectorAll('[data-testid="person-row"]')].map((e) => e.textContent ?? '').join('\n');
      return names.every((n) => text.includes(n)) && !text.includes('Looking up');
    },
    expected,
    { timeout: 10_000 },
  );
  return rows(pane);
}

beforeAll(async () => {
  ensurePaneBuild();
  // The demo directory (directory-sync/demo), loaded by the LDIF source at start as `npm start` does.
  server = await startTestServer({ env: { LDIF_FILE: DEMO_LDIF_FILE } });
  await waitForDirectory();
  browser = await launchTestBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('demo host with the real Outlook pane (headless Chromium)', () => {
  it('selecting a message shows the sender and every recipient with their titles', async () => {
    const demo = await browser.openDemo(server.url, SAM);
    await demo.page.getByTestId('demo-label').waitFor();
    await demo.page.click('[data-message-id="msg-budget-2027"]');
    const pane = await demo.pane();
    const list = await waitForRows(pane, ['Alex Morgan', 'Priya Natarajan', 'Lena Fischer', 'Diego Ramos', 'Mei Chen']);
    expect(list).toEqual([
      await row('From', 'alex.morgan@auroraworks.example'),
      await row('To', 'priya.natarajan@auroraworks.example'),
      await row('To', 'lena.fischer@auroraworks.example'),
      await row('To', 'diego.ramos@auroraworks.example'),
      await row('Cc', 'mei.chen@auroraworks.example'),
    ]);
    expect(list[0]).toMatch(/^From \| Alex Morgan \| (CEO|Chief Executive Officer)/);
    expect(list[1]).toMatch(/^To \| Priya Natarajan \| VP Engineering/);
    // "Chat with everyone" offers the sender and recipients (Sam is not on this message, so all five).
    await pane.getByRole('button', { name: 'Chat with everyone on this message (5)' }).waitFor();
    // Your own header shows your directory photo (Sam has one), not just initials.
    await pane.waitForSelector('[data-testid="my-status"] img[src^="blob:"]', { timeout: 10_000 });
    const shot = await browser.screenshot(demo.page, 'demo-outlook-read');
    expect(shot).toMatch(/demo-outlook-read\.png$/);
  });

  it('resolves aliases, loads photos with the token, and shows unknown addresses as unknown', async () => {
    const demo = await browser.openDemo(server.url, 'lena.fischer@auroraworks.example', { message: 'msg-design-review' });
    const pane = await demo.pane();
    // p.natarajan@ is an alias of Priya; Sam has a photo in the directory.
    expect(await waitForRows(pane, ['Mei Chen', 'Sam Okafor', 'Priya Natarajan'])).toEqual([
      await row('From', 'mei.chen@auroraworks.example'),
      await row('To', 'sam.okafor@auroraworks.example'),
      await row('To', 'priya.natarajan@auroraworks.example'),
    ]);
    await pane.waitForSelector('[data-email="sam.okafor@auroraworks.example"] img[src^="blob:"]', { timeout: 10_000 });

    await demo.page.click('[data-message-id="msg-pricing"]');
    const list = await waitForRows(pane, ['Jordan Blake', 'Lena Fischer', 'Chris Ortega']);
    expect(list).toEqual([
      await row('From', 'jordan.blake@partner.example'),
      await row('To', 'lena.fischer@auroraworks.example'),
      'Cc | Chris Ortega | chris.ortega@freight-vendor.example · Not in the directory',
    ]);
    expect(await pane.$$('[data-testid="unknown-person"]')).toHaveLength(1);
  });

  it('opens the contact card with the manager chain, and walks up it', async () => {
    const sam = await card(SAM);
    expect(sam.managerChain.length).toBeGreaterThan(0);
    const manager = sam.managerChain[0];
    // Sam is out of office, Busy with a note (Offline instead if no pane of Sam's is open).
    await server.api('PUT', '/v1/me/out-of-office', { as: SAM, body: { active: true, message: 'Back on Monday' } });
    await server.api('PUT', '/v1/me/presence', { as: SAM, body: { availability: 'Busy', note: 'Heads down on the VPN' } });
    const demo = await browser.openDemo(server.url, 'diego.ramos@auroraworks.example', { message: 'msg-vpn' });
    const pane = await demo.pane();
    await waitForRows(pane, ['Sam Okafor', 'Diego Ramos', 'Priya Natarajan']);
    await pane.getByRole('button', { name: /From: Sam Okafor.*Open contact card/ }).click();
    const shown = pane.getByTestId('contact-card');
    await shown.waitFor();
    const text = (await shown.textContent()) ?? '';
    expect(text).toContain(sam.title!);
    // Photo or initials, department, office, phones: what the directory has.
    for (const v of [sam.department, sam.office, ...sam.phones.map((p) => p.number)].filter(Boolean)) expect(text).toContain(v);
    // Live presence with the note and the out-of-office message.
    await shown.getByTestId('presence-note').filter({ hasText: 'Heads down on the VPN' }).waitFor({ timeout: 5000 });
    expect(['Busy', 'Offline']).toContain(await shown.getByTestId('presence-label').getAttribute('data-availability'));
    expect(await shown.getByTestId('presence-oof').textContent()).toBe('Out of office: Back on Monday');
    await server.api('PUT', '/v1/me/out-of-office', { as: SAM, body: { active: false } });
    await server.api('DELETE', '/v1/me/presence', { as: SAM });
    await shown.getByTestId('presence-oof').waitFor({ state: 'detached', timeout: 5000 });
    // The whole chain, nearest manager first, as the directory has it.
    const chain = (await pane.getByTestId('manager-chain').locator('li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(chain).toEqual(sam.managerChain.map((m) => `${m.displayName}${m.title ?? ''}`));
    await browser.screenshot(demo.page, 'demo-contact-card');
    await pane
      .getByTestId('manager-chain')
      .getByRole('button', { name: new RegExp(manager.displayName) })
      .click();
    await pane.waitForFunction((name: string) => document.querySelector('[data-testid="card-name"]')?.textContent === name, manager.displayName);
    await pane.waitForFunction(
      (title: string) => document.querySelector('[data-testid="contact-card"]')?.textContent?.includes(title) ?? false,
      manager.title ?? '',
    );
    expect(await pane.getByTestId('direct-reports').textContent()).toContain('Sam Okafor');
    await pane.getByRole('button', { name: 'Back to the previous card' }).click();
    await pane.waitForFunction((title: string) => document.querySelector('[data-testid="contact-card"]')?.textContent?.includes(title) ?? false, sam.title!);
    await pane.getByRole('button', { name: 'Close contact card' }).click();
    await pane.getByTestId('contact-card').waitFor({ state: 'detached' });

    // "Chat with …" on the card opens the Chat view and the card makes way.
    await pane.getByRole('button', { name: /From: Sam Okafor.*Open contact card/ }).click();
    await pane
      .getByTestId('contact-card')
      .getByRole('button', { name: /^Chat with Sam/ })
      .click();
    await pane.getByTestId('contact-card').waitFor({ state: 'detached' });
    expect(await pane.isVisible('[data-view="chat"]')).toBe(true);
    expect(await pane.isVisible('[data-view="people"]')).toBe(false);
  });

  it('compose mode: recipients update when they change', async () => {
    const demo = await browser.openDemo(server.url, SAM);
    const pane = await demo.pane();
    await demo.page.getByTestId('new-message').click();
    await pane.getByText('No recipients yet.').waitFor();
    await demo.page.getByTestId('compose-to').fill('mei.chen@auroraworks.example; someone@nowhere.example');
    await demo.page.getByTestId('compose-to').press('Enter');
    let list = await waitForRows(pane, ['Mei Chen', 'someone@nowhere.example']);
    expect(list).toEqual([await row('From', SAM), await row('To', 'mei.chen@auroraworks.example'), 'To | someone@nowhere.example | Not in the directory']);
    await demo.page.getByTestId('compose-cc').fill('priya@auroraworks.example');
    await demo.page.getByTestId('compose-to').fill('lena.fischer@auroraworks.example');
    await demo.page.getByTestId('compose-to').press('Enter');
    list = await waitForRows(pane, ['Lena Fischer', 'Priya Natarajan']);
    // The sender of a draft is the signed-in user; priya@ is an alias.
    expect(list).toEqual([await row('From', SAM), await row('To', 'lena.fischer@auroraworks.example'), await row('Cc', 'priya.natarajan@auroraworks.example')]);
  });

  it('a pinned pane survives a null item and follows the next selection', async () => {
    const demo = await browser.openDemo(server.url, SAM, { message: 'msg-laptops' });
    const pane = await demo.pane();
    await waitForRows(pane, ['Diego Ramos']);
    await demo.page.getByTestId('select-nothing').click();
    await pane.getByTestId('no-item').waitFor();
    expect(await pane.textContent('[data-testid="no-item"]')).toContain('Select a message');
    await demo.page.click('[data-message-id="msg-renewal"]');
    const list = await waitForRows(pane, ['Lena Fischer', 'Jordan Blake', 'Priya Natarajan']);
    expect(list).toHaveLength(3);
  });

  it('is usable by keyboard: Tab reaches a person, Enter opens the card, Escape closes it', async () => {
    const demo = await browser.openDemo(server.url, SAM, { message: 'msg-roadmap' });
    const pane = await demo.pane();
    await waitForRows(pane, ['Priya Natarajan', 'Mei Chen']);
    await pane.locator('body').click({ position: { x: 5, y: 5 } });
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await demo.page.keyboard.press('Tab');
      reached = await pane.evaluate(() => (document.activeElement?.getAttribute('aria-label') ?? '').startsWith('From: Priya Natarajan'));
    }
    expect(reached).toBe(true);
    // The button's name is who it is; its description is what the row shows of their presence.
    const description = await pane.evaluate(() => {
      const id = document.activeElement?.getAttribute('aria-describedby');
      return id ? (document.getElementById(id)?.textContent ?? '') : '';
    });
    expect(description).toMatch(/Available|Busy|Away|Offline|Do not disturb|In a meeting|Be right back|Out of office|Presence unknown/);
    await demo.page.keyboard.press('Enter');
    await pane.getByTestId('contact-card').waitFor();
    expect(await pane.textContent('[data-testid="contact-card"]')).toContain((await lookup('priya.natarajan@auroraworks.example')).title!);
    await demo.page.keyboard.press('Escape');
    await pane.getByTestId('contact-card').waitFor({ state: 'detached' });
  });

  it('works at 320 px in the dark theme', async () => {
    const demo = await browser.openDemo(server.url, 'priya.natarajan@auroraworks.example', { message: 'msg-budget-2027', theme: 'dark', paneWidth: 320 });
    const pane = await demo.pane();
    await waitForRows(pane, ['Alex Morgan', 'Mei Chen']);
    expect(await pane.getAttribute('.fui-FluentProvider', 'data-theme')).toBe('dark');
    // Nothing overflows the narrow pane horizontally.
    const overflow = await pane.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await browser.screenshot(demo.page, 'demo-outlook-dark-320');
  });

  it('a pane opened outside Office and outside the demo does not hang on Office.js', async () => {
    // No network here: the CDN script fails, and the pane runs stand-alone as the ?as= person.
    const demo = await browser.openDemo(server.url, SAM);
    const started = Date.now();
    await demo.page.goto(`${server.url}/addin/outlook.html?as=${encodeURIComponent(SAM)}`);
    await demo.page.getByTestId('no-item').waitFor({ timeout: 15_000 });
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(await demo.page.getByTestId('no-item').textContent()).toContain('Select a message');
  });

  it('tells the user when live updates are interrupted, and recovers when the server is back', async () => {
    // Its own server, so stopping it does not disturb the other tests.
    let own = await startTestServer({ env: { LDIF_FILE: DEMO_LDIF_FILE } });
    try {
      const demo = await browser.openDemo(own.url, SAM, { message: 'msg-laptops' });
      const pane = await demo.pane();
      await pane.getByTestId('person-row').first().waitFor({ timeout: 30_000 });
      expect(await pane.isVisible('[data-testid="connection-banner"]')).toBe(false);
      await own.close();
      await pane.getByTestId('connection-banner').waitFor({ timeout: 15_000 });
      expect(await pane.textContent('[data-testid="connection-banner"]')).toMatch(/Reconnecting|offline/);
      // The pane keeps what it showed.
      expect(await pane.getByTestId('person-row').count()).toBeGreaterThan(0);
      // Back on the same address: the pane reconnects by itself (backoff) and the banner goes.
      own = await startTestServer({ env: { LDIF_FILE: DEMO_LDIF_FILE, PORT: String(own.port) } });
      await pane.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 45_000 });
    } finally {
      await own.close();
    }
  }, 90_000);

  it('says so when the server does not run dev auth (the demo cannot sign anyone in)', async () => {
    const oidc = await startTestServer({
      env: {
        AUTH_MODE: 'oidc',
        OIDC_ISSUER: 'https://login.microsoftonline.com/0c5f3c1e-7d2a-4b6e-9f1a-2b3c4d5e6f70/v2.0',
        OIDC_AUDIENCE: 'api://presence.example',
      },
    });
    try {
      const demo = await browser.openDemo(oidc.url, SAM);
      await demo.page.getByTestId('dev-auth-notice').waitFor();
      const pane = await demo.pane();
      await pane.getByTestId('pane-error').waitFor();
    } finally {
      await oidc.close();
    }
  });

  it('the Word host shows the demo document beside the Word pane', async () => {
    const demo = await browser.openDemo(server.url, SAM, { app: 'word' });
    const pane = await demo.pane('word');
    await pane.getByTestId('document-view').waitFor();
    expect(await pane.textContent('[data-testid="document-view"] h2')).toBe('Budget 2027.docx');
    expect(await demo.page.$$('[data-testid="paragraph"]')).toHaveLength(31);
    await browser.screenshot(demo.page, 'demo-word');
  });
});
