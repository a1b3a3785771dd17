import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Frame } from 'playwright-core';
import { ROOT_DIR } from '../../core/config/index.js';
import { launchTestBrowser, type TestBrowser } from '../support/browser.js';
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
  const build = spawnSync(process.execPath, [path.join(ROOT_DIR, 'scripts/ensure-addin-build.mjs')], { cwd: ROOT_DIR, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`pane build failed:\n${build.stdout}\n${build.stderr}`);
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
    await pane.getByTestId('my-status').focus();
    await sam.page.keyboard.press('Enter');
    await pane.getByTestId('status-picker').waitFor({ timeout: 5000 });
    await pane.getByTestId('status-Busy').focus();
    await sam.page.keyboard.press('Space');
    // Tab through to Save and press it: Busy with the default expiry (1 day).
    await pane.getByTestId('status-save').focus();
    await sam.page.keyboard.press('Enter');
    await pane.locator('[data-testid="my-status-text"][data-availability="Busy"]').waitFor({ timeout: 3000 });
    const mine = (await (await server.api('GET', '/v1/me/presence', { as: SAM })).json()) as { manual: { availability: string; expiresAt: string } };
    expect(mine.manual.availability).toBe('Busy');
    expect(Date.parse(mine.manual.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    await browser.screenshot(sam.page, 'presence-outlook-dark');
    await server.api('DELETE', '/v1/me/presence', { as: SAM });
  });
});
