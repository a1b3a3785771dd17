import { findDemoBridge } from './demo-bridge.js';
import { demoOfficeHost } from './demo-office-host.js';
import { loadOfficeJs } from './load-office-js.js';
import type { OfficeHost } from './office-host.js';
import { realOfficeHost } from './real-office-host.js';
import { standaloneHost } from './standalone-host.js';

const connected = new Map<'outlook' | 'word', Promise<OfficeHost>>();

/**
 * Finds out where the pane runs and returns its host: inside the demo host page (same-origin parent
 * exposing `__demoHost`), inside Office (Office.js loaded from Microsoft's CDN), or a plain browser.
 * Once per page: a host registers Office event handlers (ItemChanged, RecipientsChanged, theme),
 * and a second host from a retried start would register them again, which Outlook refuses (one
 * handler per event type), leaving the live handlers on the discarded host.
 */
export function connectHost(app: 'outlook' | 'word'): Promise<OfficeHost> {
  let host = connected.get(app);
  if (!host) {
    host = findHost(app);
    connected.set(app, host);
    host.catch(() => connected.delete(app));
  }
  return host;
}

async function findHost(app: 'outlook' | 'word'): Promise<OfficeHost> {
  const bridge = findDemoBridge();
  if (bridge) return demoOfficeHost(app, bridge);
  const office = await loadOfficeJs(new URLSearchParams(window.location.search).has('standalone') ? 0 : 8000);
  if (office) {
    const host = realOfficeHost(office.office, office.host);
    if (host.app === app) return host;
  }
  return standaloneHost(app);
}
