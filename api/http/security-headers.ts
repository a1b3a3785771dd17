import type { Middleware } from 'koa';

/** Origins of the Office hosts that frame task panes (Outlook on the web, new Outlook, Office on the web). */
export const OFFICE_FRAME_ANCESTORS = Object.freeze([
  "'self'",
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook.cloud.microsoft',
  'https://outlook.live.com',
  'https://*.officeapps.live.com',
  'https://*.officeonline.com',
  'https://*.sharepoint.com',
  'https://*.office.com',
  'https://*.cloud.microsoft',
]);

/** A Host header fit to name in a policy: a host name or IP literal, and a port. */
const SAFE_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The panes' CSP; `connect` adds origins they may call (the sign-in authority). The realtime socket
 * goes to the host that served the pane, named exactly: `'self'` covers ws:/wss: only in CSP 3
 * browsers (not the EdgeHTML webview of older Outlook for Windows), and bare `ws: wss:` would let
 * an injected script open a socket to any host.
 */
const paneCsp = (connect: readonly string[], host: string) =>
  [
    "default-src 'self'",
    "base-uri 'self'",
    // Office.js is loaded from Microsoft's CDN, as Microsoft requires for production add-ins.
    "script-src 'self' https://appsforoffice.microsoft.com",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data: https://res-1.cdn.office.net",
    ['connect-src', "'self'", ...(SAFE_HOST.test(host) ? [`ws://${host}`, `wss://${host}`] : []), ...connect].join(' '),
    "object-src 'none'",
    "form-action 'self'",
    `frame-ancestors ${OFFICE_FRAME_ANCESTORS.join(' ')}`,
  ].join('; ');

/**
 * Pane and demo pages may be framed by Office hosts only; everything else (the JSON API) by nobody.
 * `isPanePath` decides which pages are framable. `connectOrigins`: origins the panes call besides
 * this server: the OIDC authority, which MSAL calls itself on hosts without nested app
 * authentication (its fallback), and which the CSP would otherwise block.
 */
export function securityHeaders(isPanePath: (path: string) => boolean, connectOrigins: readonly string[] = []): Middleware {
  // The few names a server answers at (localhost, its public name) each get their policy once.
  const policies = new Map<string, string>();
  const csp = (host: string) => {
    let policy = policies.get(host);
    if (policy === undefined) {
      policy = paneCsp(connectOrigins, host);
      if (policies.size < 100) policies.set(host, policy);
    }
    return policy;
  };
  return async function headers(ctx, next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (isPanePath(ctx.path)) {
      // Public static files that Office web clients load from their own sites (the manifests'
      // icons in Outlook on the web's ribbon): `same-site` would have the browser block them.
      ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
      // Host as the browser sent it: the name (and port) the pane will open its socket to.
      ctx.set('Content-Security-Policy', csp(ctx.get('Host')));
    } else {
      ctx.set('Cross-Origin-Resource-Policy', 'same-site');
      ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Cache-Control', 'no-store');
    }
    await next();
  };
}
