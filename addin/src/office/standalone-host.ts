import type { OfficeHost } from './office-host.js';

/**
 * A pane opened in a plain browser (no Office, no demo host): no item, no document. The signed-in
 * identity may come from `?as=` (dev auth only). Theme follows the browser's colour scheme.
 */
export function standaloneHost(app: 'outlook' | 'word'): OfficeHost {
  const as = new URLSearchParams(window.location.search).get('as');
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');
  return {
    environment: 'standalone',
    app,
    mail: null,
    document: null,
    user: () => ({ email: as, name: null }),
    theme: () => ({ isDark: media?.matches ?? false }),
    onThemeChanged(listener) {
      const h = () => listener({ isDark: media?.matches ?? false });
      media?.addEventListener('change', h);
      return () => media?.removeEventListener('change', h);
    },
    notify: async () => {},
  };
}
