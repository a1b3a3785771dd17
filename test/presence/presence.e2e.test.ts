import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Frame } from 'playwright-core';
import { ensurePaneBuild, launchTestBrowser, type TestBrowser } from '../support/browser.js';
import { person } from '../support/entries.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Two people in two browser contexts on the demo host: Priya changes her status in her pane,
 * Sam (reading Priya's mail, sent from one of her aliases) sees it in his Outlook pane within 2 s.
 */
const SAM = 'sam.okafor@auroraworks.example';
const PRIYA = 'priya.natarajan@auroraworks.example';
const PRIYA_ALIAS = 'priya@auroraworks.example';

const demoPerson = (local: string, displayName: string, title: string, aliases: string[] = []) => {
  const email = `${local}@auroraworks.example`;
  return person(local, {
    externalId: `demo-${local}`,
    primaryEmail: email,
    upn: email,
    displayName,
    title,
    aliases,
    dn: `cn=${displayName},ou=people,dc=auroraworks,dc=example`,
  });
};

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  ensurePaneBuild();
  server = await startTestServer({
    seed: [
      demoPerson('sam.okafor', 'Sam Okafor', 'Software Engineer'),
      demoPerson('priya.natarajan', 'Priya Natarajan', 'VP Engineering', [PRIYA_ALIAS, 'p.natarajan@auroraworks.example']),
      demoPerson('mei.chen', 'Mei Chen', 'Product Designer'),
      demoPerson('alex.morgan', 'Alex Morgan', 'Chief Executive Officer'),
    ],
  });
  browser = await launchTestBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const labelOf = (pane: Frame, email: string) => pane.locator(`[data-testid="person-row"][data-email="${email}"] [data-testid="presence-label"]`);

describe('live presence in the demo host (headless Chromium)', () => {
  it("one person changes status; the other's Outlook pane shows it within 2 s", async () => {
    const sam = await browser.openDemo(server.url, SAM, { app: 'outlook', message: 'msg-roadmap' });
    const samPane = await sam.pane('outlook');
    // Priya has no pane open yet: Offline (resolved through her alias).
    await labelOf(samPane, PRIYA_ALIAS).and(samPane.locator('[data-availability="Offline"]')).waitFor({ timeout: 15_000 });
    // Mei and Alex are in the directory but offline; Sam sees himself Available.
    await samPane
      .locator(`[data-testid="person-row"][data-email="${SAM}"] [data-testid="presence-label"][data-availability="Available"]`)
      .waitFor({ timeout: 5000 });

    const priya = await browser.openDemo(server.url, PRIYA, { app: 'outlook', message: 'msg-roadmap' });
    const priyaPane = await priya.pane('outlook');
    await labelOf(samPane, PRIYA_ALIAS).and(samPane.locator('[data-availability="Available"]')).waitFor({ timeout: 5000 });

    // Priya picks Do not disturb with a note in her header's status picker.
    await priyaPane.getByTestId('my-status').click();
    await priyaPane.getByTestId('status-picker').waitFor({ timeout: 5000 });
    await priyaPane.getByTestId('status-DoNotDisturb').check();
    await priyaPane.getByTestId('status-note').fill('Roadmap slides, back at 3');
    const savedAt = Date.now();
    await priyaPane.getByTestId('status-save').click();

    const samSees = labelOf(samPane, PRIYA_ALIAS).and(samPane.locator('[data-availability="DoNotDisturb"]'));
    await samSees.waitFor({ timeout: 2000 });
    expect(Date.now() - savedAt).toBeLessThan(2000);
    expect(await samSees.textContent()).toContain('Do not disturb');
    expect(await samSees.textContent()).toContain('Roadmap slides, back at 3');
    await samPane
      .locator(`[data-testid="person-row"][data-email="${PRIYA_ALIAS}"] [data-testid="presence-avatar"][data-availability="DoNotDisturb"]`)
      .waitFor({ timeout: 2000 });
    // Her own header follows too.
    await priyaPane.locator('[data-testid="my-status-text"][data-availability="DoNotDisturb"]').waitFor({ timeout: 2000 });
    await browser.screenshot(sam.page, 'presence-outlook-dnd');

    // Out of office shows as a marker and message; reset to automatic brings her back to Available.
    await priyaPane.getByTestId('my-status').click();
    await priyaPane.getByTestId('status-oof').check();
    await priyaPane.getByTestId('status-oof-message').fill('At the offsite until Friday');
    await priyaPane.getByTestId('status-reset').click();
    const back = labelOf(samPane, PRIYA_ALIAS).and(samPane.locator('[data-availability="Available"]'));
    await back.waitFor({ timeout: 2000 });
    await samPane
      .locator(`[data-testid="person-row"][data-email="${PRIYA_ALIAS}"] [data-testid="presence-oof"]`)
      .filter({ hasText: 'At the offsite until Friday' })
      .waitFor({ timeout: 2000 });

    // Priya closes her pane (the browser context): she goes Offline for Sam.
    await priya.context.close();
    await labelOf(samPane, PRIYA_ALIAS).and(samPane.locator('[data-availability="Offline"]')).waitFor({ timeout: 5000 });
  });

  it('keeps badges readable in the dark theme and the status picker reachable by keyboard', async () => {
    const sam = await browser.openDemo(server.url, SAM, { app: 'outlook', message: 'msg-roadmap', theme: 'dark' });
    const pane = await sam.pane('outlook');
    await pane.getByTestId('my-status').waitFor({ timeout: 15_000 });
    await labelOf(pane, PRIYA_ALIAS).waitFor({ timeout: 5000 });
    // Readable: each presence label's text against the background it sits on, WCAG AA (4.5:1).
    const contrasts = await pane.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: string) => {
        const [r, g, b] = rgb(c).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const background = (el: Element | null): string => {
        for (; el; el = el.parentElement) {
          const c = getComputedStyle(el).backgroundColor;
          if (c && !/rgba\(.*,\s*0\)$/.test(c) && c !== 'transparent') return c;
        }
        return 'rgb(255, 255, 255)';
      };
      return [...document.querySelectorAll('[data-testid="presence-label"], [data-testid="my-status-text"]')].map((el) => {
        const [a, b] = [lum(getComputedStyle(el).color), lum(background(el))];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      });
    });
    expect(contrasts.length).toBeGreaterThan(2);
    expect(Math.min(...contrasts)).toBeGreaterThanOrEqual(4.5);

    // Keyboard only: Tab from the top of the pane to your status, open the picker (focus lands on
    // the selected choice once it has loaded), arrow to Busy, Tab to Save, press Enter.
    const focused = () => pane.evaluate(() => document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? null);
    const pressUntil = async (key: string, testId: string) => {
      for (let i = 0; i < 40; i++) {
        if ((await focused()) === testId) return;
        await sam.page.keyboard.press(key);
      }
      throw new Error(`${testId} not reached with ${key} (focus on ${await focused()})`);
    };
    await sam.page.getByTestId('outlook-pane').focus();
    await pressUntil('Tab', 'my-status');
    await sam.page.keyboard.press('Enter');
    await pane.getByTestId('status-picker').waitFor({ timeout: 5000 });
    for (let i = 0; i < 50 && (await focused()) !== 'status-automatic'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await focused()).toBe('status-automatic');
    await pressUntil('ArrowDown', 'status-Busy');
    await pressUntil('Tab', 'status-save');
    await sam.page.keyboard.press('Enter');
    await pane.locator('[data-testid="my-status-text"][data-availability="Busy"]').waitFor({ timeout: 3000 });
    const mine = (await (await server.api('GET', '/v1/me/presence', { as: SAM })).json()) as { manual: { availability: string; expiresAt: string } };
    expect(mine.manual.availability).toBe('Busy');
    expect(Date.parse(mine.manual.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    await browser.screenshot(sam.page, 'presence-outlook-dark');
    await server.api('DELETE', '/v1/me/presence', { as: SAM });
  });

  it('keeps the status picker closed when your status cannot be loaded, so it cannot switch off your out-of-office', async () => {
    await server.api('PUT', '/v1/me/out-of-office', { as: SAM, body: { active: true, message: 'On leave' } });
    const sam = await browser.openDemo(server.url, SAM, { app: 'word' });
    try {
      const pane = await sam.pane('word');
      await pane.getByTestId('my-status').waitFor({ timeout: 15_000 });
      // Every read of your status fails until "Try again" (the header may read it too meanwhile).
      let failing = true;
      let failed = 0;
      await sam.context.route('**/v1/me/presence', (route) =>
        route.request().method() === 'GET' && failing ? (failed++, route.fulfill({ status: 503, body: '' })) : route.fallback(),
      );
      await pane.getByTestId('my-status').click();
      await pane.getByTestId('status-retry').waitFor({ timeout: 5000 });
      expect(failed).toBeGreaterThan(0);
      expect(await pane.getByTestId('status-save').count()).toBe(0);
      expect(await pane.getByTestId('status-reset').count()).toBe(0);
      failing = false;
      await pane.getByTestId('status-retry').click();
      await pane.getByTestId('status-save').waitFor({ timeout: 5000 });
      expect(await pane.getByTestId('status-oof').isChecked()).toBe(true);
    } finally {
      await sam.context.close();
      await server.api('PUT', '/v1/me/out-of-office', { as: SAM, body: { active: false, message: null } });
    }
  });

  it('keeps the reset time of your status when you reopen the picker to switch on out-of-office', async () => {
    const expiresAt = new Date(Date.now() + 30 * 60_000).toISOString();
    await server.api('PUT', '/v1/me/presence', { as: SAM, body: { availability: 'BeRightBack', note: 'Coffee', expiresAt } });
    const sam = await browser.openDemo(server.url, SAM, { app: 'word' });
    try {
      const pane = await sam.pane('word');
      await pane.getByTestId('my-status').click();
      await pane.getByTestId('status-picker').waitFor({ timeout: 15_000 });
      expect(await pane.getByTestId('status-expiry').textContent()).toContain('Keep');
      await pane.getByTestId('status-oof').check();
      await pane.getByTestId('status-oof-message').fill('Back on Monday');
      await pane.getByTestId('status-save').click();
      await pane.getByTestId('status-picker').waitFor({ state: 'detached', timeout: 5000 });
      const mine = (await (await server.api('GET', '/v1/me/presence', { as: SAM })).json()) as {
        manual: { availability: string; note: string; expiresAt: string };
        outOfOffice: { active: boolean; message: string };
      };
      expect(mine.outOfOffice).toMatchObject({ active: true, message: 'Back on Monday' });
      expect(mine.manual).toMatchObject({ availability: 'BeRightBack', note: 'Coffee' });
      expect(Math.abs(Date.parse(mine.manual.expiresAt) - Date.parse(expiresAt))).toBeLessThan(1000);

      // A new status with "Keep" keeps the same reset time too.
      await pane.getByTestId('my-status').click();
      await pane.getByTestId('status-Busy').check();
      await pane.getByTestId('status-save').click();
      await pane.getByTestId('status-picker').waitFor({ state: 'detached', timeout: 5000 });
      const after = (await (await server.api('GET', '/v1/me/presence', { as: SAM })).json()) as { manual: { availability: string; expiresAt: string } };
      expect(after.manual.availability).toBe('Busy');
      expect(Math.abs(Date.parse(after.manual.expiresAt) - Date.parse(expiresAt))).toBeLessThan(1000);
    } finally {
      await sam.context.close();
      await server.api('DELETE', '/v1/me/presence', { as: SAM });
      await server.api('PUT', '/v1/me/out-of-office', { as: SAM, body: { active: false, message: null } });
    }
  });

  it("shows your own status in the Word pane's header, live", async () => {
    const sam = await browser.openDemo(server.url, SAM, { app: 'word' });
    const pane = await sam.pane('word');
    const mine = pane.getByTestId('my-status-text');
    await mine.and(pane.locator('[data-availability="Available"]')).waitFor({ timeout: 15_000 });
    await server.api('PUT', '/v1/me/presence', { as: SAM, body: { availability: 'DoNotDisturb' } });
    await mine.and(pane.locator('[data-availability="DoNotDisturb"]')).waitFor({ timeout: 3000 });
    await server.api('DELETE', '/v1/me/presence', { as: SAM });
    await mine.and(pane.locator('[data-availability="Available"]')).waitFor({ timeout: 3000 });
    await sam.context.close();
  });

  it('labels the demo activity simulator in the demo host when it runs, and only then', async () => {
    const off = await browser.openDemo(server.url, SAM);
    await off.page.getByTestId('demo-label').waitFor();
    await (await off.pane()).getByTestId('my-status').waitFor({ timeout: 15_000 });
    expect(await off.page.getByTestId('demo-simulator-label').count()).toBe(0);
    await off.context.close();

    const simulated = await startTestServer({ seed: [demoPerson('sam.okafor', 'Sam Okafor', 'Software Engineer')], env: { DEMO_SIMULATOR: 'true' } });
    try {
      const on = await browser.openDemo(simulated.url, SAM);
      const label = on.page.getByTestId('demo-simulator-label');
      await label.waitFor({ timeout: 10_000 });
      expect(await label.textContent()).toMatch(/Simulated statuses \(demo only\)/);
      await label.focus();
      await on.page
        .getByRole('tooltip')
        .filter({ hasText: /some demo people change status on their own/ })
        .waitFor({ timeout: 3000 });
      await on.context.close();
    } finally {
      await simulated.close();
    }
  });
});
