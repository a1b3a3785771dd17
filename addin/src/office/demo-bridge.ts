import type { DocumentPosition, HostTheme, MailItemPeople } from './office-host.js';

/**
 * What the demo host page (/demo/) exposes to the pane iframes as `window.__demoHost` (same origin).
 * The pane never touches the demo page otherwise; values cross the frame boundary as plain JSON.
 */
export interface DemoBridge {
  readonly version: 1;
  identity(): { email: string; name: string | null };
  theme(): HostTheme;
  /** Listener for any demo host change (item selection, compose recipients, theme, document selection). */
  subscribe(listener: (what: 'item' | 'theme' | 'selection') => void): () => void;
  notify(message: string): void;
  mail: {
    item(): MailItemPeople | null;
    body(): string;
  };
  document: {
    url(): string;
    title(): string;
    getSetting(key: string): string | null;
    setSetting(key: string, value: string): void;
    position(): DocumentPosition | null;
    selectParagraph(index: number): void;
  };
}

/** The demo bridge of the parent page, when this pane runs inside the demo host. */
export function findDemoBridge(): DemoBridge | null {
  try {
    if (window.parent === window) return null;
    const bridge = (window.parent as unknown as { __demoHost?: DemoBridge }).__demoHost;
    return bridge && bridge.version === 1 ? bridge : null;
  } catch {
    // Cross-origin parent (a real Office host): not the demo.
    return null;
  }
}
