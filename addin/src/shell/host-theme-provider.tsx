import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { useEffect, useState, type ReactNode } from 'react';
import type { OfficeHost } from '../office/index.js';

/** Fluent light or dark theme following the Office theme (officeTheme.isDarkTheme, OfficeThemeChanged). */
export function HostThemeProvider({ host, children }: { host: OfficeHost | null; children: ReactNode }) {
  const [dark, setDark] = useState(() => host?.theme().isDark ?? false);
  useEffect(() => {
    if (!host) return;
    setDark(host.theme().isDark);
    return host.onThemeChanged((t) => setDark(t.isDark));
  }, [host]);
  useEffect(() => {
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  }, [dark]);
  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme} style={{ minHeight: '100vh' }} data-theme={dark ? 'dark' : 'light'}>
      {children}
    </FluentProvider>
  );
}
