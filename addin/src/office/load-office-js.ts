import type { OfficeStatic } from './office-js-types.js';

export const OFFICE_JS_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/**
 * Loads Office.js from Microsoft's CDN (as Microsoft requires for production add-ins) and waits for
 * Office.onReady. Resolves null quickly when the script cannot load or the page is not hosted in
 * Office (onReady reports no host), so a pane in a plain browser never hangs on it.
 */
export async function loadOfficeJs(timeoutMs = 8000): Promise<{ office: OfficeStatic; host: string } | null> {
  // office.js replaces history.pushState/replaceState with null; keep them for anything that needs them.
  const { pushState, replaceState } = window.history;
  const restore = () => {
    window.history.pushState ??= pushState;
    window.history.replaceState ??= replaceState;
  };
  // office-loader.js already asked for Office.js in the page head; if it is not there, it failed.
  const requested = (window as { __officeJsRequested?: boolean }).__officeJsRequested === true;
  const office: OfficeStatic | undefined =
    window.Office ??
    (requested
      ? undefined
      : await new Promise<OfficeStatic | undefined>((resolve) => {
          const script = document.createElement('script');
          script.src = OFFICE_JS_URL;
          script.async = true;
          const timer = setTimeout(() => resolve(undefined), timeoutMs);
          script.onload = () => {
            clearTimeout(timer);
            resolve(window.Office);
          };
          script.onerror = () => {
            clearTimeout(timer);
            resolve(undefined);
          };
          document.head.appendChild(script);
        }));
  if (!office) return null;
  const info = await Promise.race([office.onReady(), new Promise<null>((r) => setTimeout(() => r(null), timeoutMs))]);
  restore();
  if (!info?.host) return null;
  return { office, host: info.host };
}
