import type { DemoBridge } from './demo-bridge.js';
import type { HostTheme, OfficeHost } from './office-host.js';

const clone = <T>(v: T): T => (v == null ? v : (JSON.parse(JSON.stringify(v)) as T));

/** The stand-in host inside the demo page: reads and drives the parent's DemoBridge. */
export function demoOfficeHost(app: 'outlook' | 'word', bridge: DemoBridge): OfficeHost {
  const on = (what: 'item' | 'theme' | 'selection', listener: () => void) =>
    bridge.subscribe((w) => {
      if (w === what) listener();
    });
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
