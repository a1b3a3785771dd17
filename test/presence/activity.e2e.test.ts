import { describe, expect, it } from '@jest/globals';
import { DEMO_FIXTURE } from '../e2e/demo-people.fixture.js';
import { paneSuite } from '../support/pane-suite.js';

/**
 * The user works in the document, not in the pane: a moved Word selection is activity. The pane's
 * clock is Playwright's (the server's is not touched: it only hears the frames the pane sends).
 */
const SAM = 'sam.okafor@auroraworks.example';

const suite = paneSuite({ seed: DEMO_FIXTURE });

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('activity from the host (headless Chromium, Word demo)', () => {
  it('moving the selection in the document after 6 idle minutes sends activity active', async () => {
    const demo = await suite.browser.openDemo(suite.server.url, SAM, { app: 'word' });
    // The fake clock must be in the pane before its code reads Date.now: install it, then reload.
    await demo.context.clock.install();
    const states: string[] = [];
    demo.page.on('websocket', (ws) =>
      ws.on('framesent', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { type: string; state?: string };
        if (frame.type === 'activity') states.push(String(frame.state));
      }),
    );
    await demo.page.reload({ waitUntil: 'load' });
    const pane = await demo.pane('word');
    await pane.getByTestId('coauthor-list').waitFor({ timeout: 15_000 });
    await until(() => states.includes('active'), 'the first active frame', 10_000);

    // Six minutes without touching anything: inactive.
    await demo.page.clock.fastForward('06:00');
    await until(() => states.at(-1) === 'inactive', 'inactive after 6 idle minutes', 10_000);

    // A click in the document (the demo page, outside the pane's frame) moves the selection.
    await demo.page.click('[data-testid="paragraph"][data-index="5"]');
    await demo.page.locator('[data-testid="paragraph"][data-index="5"][aria-current="true"]').waitFor({ timeout: 3000 });
    await until(() => states.at(-1) === 'active', 'active after the selection moved', 5000);
    expect(states.at(-1)).toBe('active');
  });
});
