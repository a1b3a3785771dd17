import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { ROOT_DIR } from '../../core/config/index.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for Debian's Chromium on a machine without network or GPU. */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/** Builds the panes (addin/) unless the build is current: every pane test serves the built files. */
export function ensurePaneBuild(): void {
  const build = spawnSync(process.execPath, [path.join(ROOT_DIR, 'scripts/ensure-addin-build.mjs')], { cwd: ROOT_DIR, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`pane build failed:\n${build.stdout}\n${build.stderr}`);
}

/** Screenshots and other artefacts of browser tests (git-ignored). */
export const BROWSER_ARTIFACTS = path.join(ROOT_DIR, 'test/.tmp');

export interface DemoSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** The task pane iframe of the current app (outlook or word), once its page has loaded. */
  pane(app?: 'outlook' | 'word'): Promise<Frame>;
}

export interface TestBrowser {
  readonly browser: Browser;
  /** A new browser context (own cookies and storage: one person) with the demo host open. */
  openDemo(
    baseUrl: string,
    as: string,
    options?: { app?: 'outlook' | 'word'; message?: string | null; theme?: 'dark'; paneWidth?: number; viewport?: { width: number; height: number } },
  ): Promise<DemoSession>;
  /** Saves a full-page screenshot under test/.tmp/ and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Launches Debian's /usr/bin/chromium through playwright-core (no browser download). Playwright gives
 * every launch a fresh temporary profile (it refuses --user-data-dir in args), removed on close.
 */
export async function launchTestBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run apt-get install -y chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS], timeout: 30_000 });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async openDemo(baseUrl, as, options = {}) {
      // Reduced motion: screenshots and assertions do not catch dialogs half-way through their animation.
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1360, height: 860 }, reducedMotion: 'reduce' });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (err) => console.warn(`[browser ${as}] page error: ${err.message}`));
      const url = new URL('/demo/', baseUrl);
      url.searchParams.set('as', as);
      if (options.app) url.searchParams.set('app', options.app);
      if (options.message !== undefined) url.searchParams.set('message', options.message ?? '');
      if (options.theme) url.searchParams.set('theme', options.theme);
      if (options.paneWidth) url.searchParams.set('paneWidth', String(options.paneWidth));
      await page.goto(url.toString(), { waitUntil: 'load' });
      return {
        context,
        page,
        async pane(app = options.app ?? 'outlook') {
          const handle = await page.waitForSelector(`iframe[data-testid="${app}-pane"]`, { timeout: 15_000 });
          const frame = await handle.contentFrame();
          if (!frame) throw new Error(`${app} pane iframe has no frame`);
          await frame.waitForLoadState('load');
          return frame;
        },
      };
    },
    async screenshot(page, name) {
      mkdirSync(BROWSER_ARTIFACTS, { recursive: true });
      const file = path.join(BROWSER_ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
    },
  };
}
