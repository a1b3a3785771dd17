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
 * Except the stand-in used because Office.onReady was slow to answer: that is no answer, so the
 * next call (the pane's "Try again") asks Office again and gets the Office host once it is ready.
 */
export function connectHost(app: 'outlook' | 'word'): Promise<OfficeHost> {
  let host = connected.get(app);
  if (!host) {
    const found = findHost(app);
    const mine = found.then((f) => f.host);
    host = mine;
    connected.set(app, mine);
    const forget = () => {
      if (connected.get(app) === mine) connected.delete(app);
    };
    found.then((f) => f.final || forget(), forget);
  }
  return host;
}

async function findHost(app: 'outlook' | 'word'): Promise<{ host: OfficeHost; final: boolean }> {
  const bridge = findDemoBridge();
  if (bridge) return { host: demoOfficeHost(app, bridge), final: true };
  const office = await loadOfficeJs(new URLSearchParams(window.location.search).has('standalone') ? 0 : 8000);
  if (office && office !== 'late') {
    const host = realOfficeHost(office.office, office.host);
    if (host.app === app) return { host, final: true };
  }
  return { host: standaloneHost(app), final: office !== 'late' };
}
