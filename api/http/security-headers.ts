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

const PANE_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  // Office.js is loaded from Microsoft's CDN, as Microsoft requires for production add-ins.
  "script-src 'self' https://appsforoffice.microsoft.com",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data: https://res-1.cdn.office.net",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "form-action 'self'",
  `frame-ancestors ${OFFICE_FRAME_ANCESTORS.join(' ')}`,
].join('; ');

/**
 * Pane and demo pages may be framed by Office hosts only; everything else (the JSON API) by nobody.
 * `isPanePath` decides which pages are framable.
 */
export function securityHeaders(isPanePath: (path: string) => boolean): Middleware {
  return async function headers(ctx, next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Resource-Policy', 'same-site');
    if (isPanePath(ctx.path)) {
      ctx.set('Content-Security-Policy', PANE_CSP);
    } else {
      ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Cache-Control', 'no-store');
    }
    await next();
  };
}
