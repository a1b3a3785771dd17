import type { OfficeStatic } from './office-js-types.js';

export const OFFICE_JS_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/**
 * What loading found: Office and its host; null when there is no Office here (the script cannot
 * load, or onReady reports no host); 'late' when onReady has not answered within the timeout, which
 * a slow Office host does: that is not an answer, so ask again later (onReady answers at once then).
 */
export type OfficeJsResult = { office: OfficeStatic; host: string } | null | 'late';

/**
 * Loads Office.js from Microsoft's CDN (as Microsoft requires for production add-ins) and waits for
 * Office.onReady, at most `timeoutMs`, so a pane in a plain browser never hangs on it.
 */
export async function loadOfficeJs(timeoutMs = 8000): Promise<OfficeJsResult> {
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
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
  const info = await Promise.race([office.onReady(), late]);
  clearTimeout(timer);
  restore();
  if (info === 'late') return 'late';
  if (!info?.host) return null;
  return { office, host: info.host };
}
