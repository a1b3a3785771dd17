import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Frame } from 'playwright-core';
import { ensurePaneBuild, launchTestBrowser, type DemoSession, type TestBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { DEMO_FIXTURE } from '../e2e/demo-people.fixture.js';

const SAM = 'sam.okafor@auroraworks.example';
const PRIYA = 'priya.natarajan@auroraworks.example';
const ALEX = 'alex.morgan@auroraworks.example';
/** The product's default: the panes heartbeat every 15 s, so a shorter TTL would expire people who sit still. */
const TTL_SECONDS = 30;
/** Index of a paragraph under the "Risks" heading of the demo document. */
const RISKS_PARAGRAPH = 26;

let server: TestServer;
let browser: TestBrowser;

const coauthor = (pane: Frame, email: string) => pane.locator(`[data-testid="coauthor"][data-email="${email}"]`);

async function openWord(as: string): Promise<{ demo: DemoSession; pane: Frame }> {
  const demo = await browser.openDemo(server.url, as, { app: 'word' });
  const pane = await demo.pane('word');
  await pane.getByTestId('coauthor-list').waitFor({ timeout: 15_000 });
  return { demo, pane };
}

beforeAll(async () => {
  ensurePaneBuild();
  server = await startTestServer({ seed: DEMO_FIXTURE, env: { DOC_SESSION_TTL_SECONDS: String(TTL_SECONDS) } });
  browser = await launchTestBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('co-authoring indicators in the demo host (headless Chromium)', () => {
  it('two people in one document see each other, where they are, go there, and the mail linking it shows them', async () => {
    const sam = await openWord(SAM);
    const priya = await openWord(PRIYA);
    // Each sees the other within 2 s of both panes having joined.
    await Promise.all([coauthor(sam.pane, PRIYA).waitFor({ timeout: 2000 }), coauthor(priya.pane, SAM).waitFor({ timeout: 2000 })]);
    expect(await coauthor(sam.pane, PRIYA).textContent()).toContain('Priya Natarajan');
    // Different browser profiles stamped different ids; the URL made them one document, and both panes were told one id.
    const stamps = await Promise.all(
      [sam, priya].map((p) =>
        p.demo.page.evaluate(() =>
          Object.entries(localStorage)
            .filter(([k]) => k.endsWith(':officePresence.docId'))
            .map(([, v]) => v),
        ),
      ),
    );
    expect(stamps[0]).toHaveLength(1);
    expect(stamps[1]).toEqual(stamps[0]);

    // Priya moves to the Risks section: Sam sees the new heading.
    await priya.demo.page.click(`[data-testid="paragraph"][data-index="${RISKS_PARAGRAPH}"]`);
    await sam.pane
      .locator(`[data-testid="coauthor"][data-email="${PRIYA}"] [data-testid="coauthor-where"]`)
      .filter({ hasText: "in 'Risks'" })
      .waitFor({ timeout: 3000 });
    await priya.pane
      .getByTestId('my-position')
      .filter({ hasText: `in 'Risks', paragraph ${RISKS_PARAGRAPH + 1}` })
      .waitFor({ timeout: 3000 });

    // "Go there" moves Sam's selection to Priya's paragraph.
    await coauthor(sam.pane, PRIYA)
      .getByRole('button', { name: /Go to where Priya/ })
      .click();
    await sam.demo.page.locator(`[data-testid="paragraph"][data-index="${RISKS_PARAGRAPH}"][aria-current="true"]`).waitFor({ timeout: 3000 });
    await coauthor(priya.pane, SAM).getByTestId('coauthor-where').filter({ hasText: "in 'Risks'" }).waitFor({ timeout: 3000 });

    // Alex reads the mail that links the document in Outlook: a "being edited now" row with both of them.
    const alex = await browser.openDemo(server.url, ALEX, { app: 'outlook', message: 'msg-budget-2027' });
    const outlook = await alex.pane('outlook');
    const row = outlook.getByTestId('linked-document');
    await row.waitFor({ timeout: 10_000 }).catch(async (err: unknown) => {
      await browser.screenshot(alex.page, 'documents-outlook-linked-missing');
      throw new Error(`no linked-document row; pane says: ${(await outlook.locator('body').textContent())?.slice(0, 600)}`, { cause: err });
    });
    expect(await row.textContent()).toContain('Budget 2027.docx · being edited now');
    await row.locator(`[data-testid="linked-editor"][data-email="${PRIYA}"]`).waitFor({ timeout: 5000 });
    await row.locator(`[data-testid="linked-editor"][data-email="${SAM}"]`).waitFor({ timeout: 5000 });
    await browser.screenshot(alex.page, 'documents-outlook-linked');
    await browser.screenshot(sam.demo.page, 'documents-word-coauthors');

    // Any person opens their contact card: a co-author in Word, an editor in the mail's row.
    await coauthor(sam.pane, PRIYA)
      .getByRole('button', { name: /Priya Natarajan\. Open contact card/ })
      .click();
    await sam.pane.getByTestId('contact-card').filter({ hasText: 'Priya Natarajan' }).waitFor({ timeout: 5000 });
    await sam.demo.page.keyboard.press('Escape');
    await sam.pane.getByTestId('contact-card').waitFor({ state: 'detached' });
    await row.locator(`[data-testid="linked-editor"][data-email="${SAM}"]`).getByTestId('person-card-button').click();
    await outlook.getByTestId('contact-card').filter({ hasText: 'Sam Okafor' }).waitFor({ timeout: 5000 });
    await alex.page.keyboard.press('Escape');

    // The row is live: Priya moves back to the top and the mail shows it well within a second or two (no 5 s poll).
    const movedAt = Date.now();
    await priya.demo.page.click(`[data-testid="paragraph"][data-index="1"]`);
    await row
      .locator(`[data-testid="linked-editor"][data-email="${PRIYA}"] [data-testid="linked-editor-where"]`)
      .filter({ hasText: /paragraph 2$/ })
      .waitFor({ timeout: 2000 });
    expect(Date.now() - movedAt).toBeLessThan(2000);

    // Priya closes Word: she disappears from Sam's list within the TTL, and from the mail's row.
    const closedAt = Date.now();
    await priya.demo.context.close();
    // Closing Word closes its socket: she goes at once (a hung Word would go after the TTL, see sessions.test.ts).
    await coauthor(sam.pane, PRIYA).waitFor({ state: 'detached', timeout: TTL_SECONDS * 1000 });
    expect(Date.now() - closedAt).toBeLessThan(TTL_SECONDS * 1000);
    await row.locator(`[data-testid="linked-editor"][data-email="${PRIYA}"]`).waitFor({ state: 'detached', timeout: 3000 });
    await sam.pane.getByTestId('no-coauthors').waitFor({ timeout: 2000 });
  }, 120_000);
});
