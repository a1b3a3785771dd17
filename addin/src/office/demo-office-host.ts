import type { DemoBridge } from './demo-bridge.js';
import type { HostTheme, OfficeHost } from './office-host.js';

const clone = <T>(v: T): T => (v == null ? v : (JSON.parse(JSON.stringify(v)) as T));

/** The stand-in host inside the demo page: reads and drives the parent's DemoBridge. */
export function demoOfficeHost(app: 'outlook' | 'word', bridge: DemoBridge): OfficeHost {
  // The demo page outlives this frame (it reloads on an app or identity switch) and React's
  // cleanups do not run then: the frame takes its listeners off the page when it goes.
  const offs = new Set<() => void>();
  if (typeof window !== 'undefined') window.addEventListener('pagehide', () => offs.forEach((off) => off()), { once: true });
  const on = (what: 'item' | 'theme' | 'selection', listener: () => void) => {
    const off = bridge.subscribe((w) => {
      if (w === what) listener();
    });
    offs.add(off);
    return () => {
      offs.delete(off);
      off();
    };
  };
  return {
    environment: 'demo',
    app,
    user: () => clone(bridge.identity()),
    theme: () => clone(bridge.theme()),
    onThemeChanged: (listener: (t: HostTheme) => void) => on('theme', () => listener(clone(bridge.theme()))),
    notify: async (message) => bridge.notify(message),
    mail:
      app === 'outlook'
        ? {
            readItem: async () => clone(bridge.mail.item()),
            readBody: async () => bridge.mail.body(),
            onItemChanged: (listener) => on('item', listener),
            notify: async (_key, message) => bridge.notify(message),
          }
        : null,
    document:
      app === 'word'
        ? {
            getSetting: (key) => bridge.document.getSetting(key),
            setSetting: async (key, value) => bridge.document.setSetting(key, value),
            refreshSettings: async () => {},
            url: () => bridge.document.url(),
            title: () => bridge.document.title(),
            getPosition: async () => clone(bridge.document.position()),
            selectParagraph: async (index) => bridge.document.selectParagraph(index),
            onSelectionChanged: (listener) => on('selection', listener),
          }
        : null,
  };
}
