import type { HostTheme, OfficeHost } from './office-host.js';
import type { OfficeStatic } from './office-js-types.js';
import { officeMailHost } from './office-mail-host.js';
import { officeWordHost } from './office-word-host.js';

/** The OfficeHost over Office.js, once Office.onReady reported a host. */
export function realOfficeHost(office: OfficeStatic, host: string): OfficeHost {
  const app = host === 'Outlook' ? 'outlook' : host === 'Word' ? 'word' : null;
  const theme = (): HostTheme => ({ isDark: office.context.officeTheme?.isDarkTheme ?? false });
  const mail = app === 'outlook' && office.context.mailbox ? officeMailHost(office) : null;
  // One OfficeThemeChanged handler for the page, shared by every listener (Outlook takes one per event type).
  const themeListeners = new Set<(theme: HostTheme) => void>();
  let themeHandlerAdded = false;
  const watchTheme = () => {
    const type = office.EventType.OfficeThemeChanged;
    if (themeHandlerAdded || !type || !office.context.mailbox) return;
    themeHandlerAdded = true;
    try {
      office.context.mailbox.addHandlerAsync(type, () => {
        for (const l of [...themeListeners]) l(theme());
      });
    } catch {
      // Older mailbox: no theme events.
    }
  };
  return {
    environment: 'office',
    app,
    mail,
    document: app === 'word' && office.context.document && window.Word ? officeWordHost(office, window.Word) : null,
    user() {
      const p = office.context.mailbox?.userProfile;
      return { email: p?.emailAddress ?? null, name: p?.displayName ?? null };
    },
    theme,
    onThemeChanged(listener) {
      // OfficeThemeChanged exists in Outlook (Mailbox 1.14); other hosts keep the theme for the pane's life.
      watchTheme();
      themeListeners.add(listener);
      return () => themeListeners.delete(listener);
    },
    async notify(message) {
      // Word has no notification surface for add-ins; the pane's own badge covers it there.
      await mail?.notify('presence-chat', message);
    },
  };
}
