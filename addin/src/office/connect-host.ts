import { findDemoBridge } from './demo-bridge.js';
import { demoOfficeHost } from './demo-office-host.js';
import { loadOfficeJs } from './load-office-js.js';
import type { OfficeHost } from './office-host.js';
import { realOfficeHost } from './real-office-host.js';
import { standaloneHost } from './standalone-host.js';

/**
 * Finds out where the pane runs and returns its host: inside the demo host page (same-origin parent
 * exposing `__demoHost`), inside Office (Office.js loaded from Microsoft's CDN), or a plain browser.
 */
export async function connectHost(app: 'outlook' | 'word'): Promise<OfficeHost> {
  const bridge = findDemoBridge();
  if (bridge) return demoOfficeHost(app, bridge);
  const office = await loadOfficeJs(new URLSearchParams(window.location.search).has('standalone') ? 0 : 8000);
  if (office) {
    const host = realOfficeHost(office.office, office.host);
    if (host.app === app) return host;
  }
  return standaloneHost(app);
}
