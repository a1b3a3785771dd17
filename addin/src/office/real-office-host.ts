import type { HostTheme, OfficeHost } from './office-host.js';
import type { OfficeStatic } from './office-js-types.js';
import { officeMailHost } from './office-mail-host.js';
import { officeWordHost } from './office-word-host.js';

/** The OfficeHost over Office.js, once Office.onReady reported a host. */
export function realOfficeHost(office: OfficeStatic, host: string): OfficeHost {
  const app = host === 'Outlook' ? 'outlook' : host === 'Word' ? 'word' : null;
  const theme = (): HostTheme => ({ isDark: office.context.officeTheme?.isDarkTheme ?? false });
  const mail = app === 'outlook' && office.context.mailbox ? officeMailHost(office) : null;
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
      const type = office.EventType.OfficeThemeChanged;
      if (!type || !office.context.mailbox) return () => {};
      let live = true;
      try {
        office.context.mailbox.addHandlerAsync(type, () => live && listener(theme()));
      } catch {
        // Older mailbox: no theme events.
      }
      return () => {
        live = false;
      };
    },
    async notify(message) {
      // Word has no notification surface for add-ins; the pane's own badge covers it there.
      await mail?.notify('presence-chat', message);
    },
  };
}
