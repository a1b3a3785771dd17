import { afterAll, beforeAll } from '@jest/globals';
import { ensurePaneBuild, launchTestBrowser, type TestBrowser } from './browser.js';
import { startTestServer, type TestServer } from './test-server.js';

/**
 * A pane test suite's setup: the panes built, an API server (with `options`) and a browser for the
 * whole file, closed after it. Read `server` and `browser` inside tests, once beforeAll has run.
 */
export function paneSuite(options: Parameters<typeof startTestServer>[0]): { readonly server: TestServer; readonly browser: TestBrowser } {
  const suite = {} as { server: TestServer; browser: TestBrowser };
  beforeAll(async () => {
    ensurePaneBuild();
    suite.server = await startTestServer(options);
    suite.browser = await launchTestBrowser();
  }, 180_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
