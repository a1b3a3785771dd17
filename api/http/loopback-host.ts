import type Koa from 'koa';
import { isLoopbackHost } from '../../core/config/index.js';
import { HttpError } from './errors.js';

/**
 * Dev auth answers only requests that name a loopback host. Binding to 127.0.0.1 is not enough:
 * a web page the developer opens can point its own name at 127.0.0.1 (DNS rebinding) and then
 * read this server as same-origin, `POST /dev/token` included, which signs anyone in. Browsers
 * always send the name they resolved in `Host`; a request without one is not from a browser.
 */
export function loopbackHostOnly(): Koa.Middleware {
  return async (ctx, next) => {
    const host = ctx.hostname;
    if (host && !isLoopbackHost(host)) {
      throw new HttpError(
        421,
        'misdirected_request',
        `With dev sign-in this server answers only at localhost, 127.0.0.1 or [::1], not at ${host.slice(0, 100)}`,
      );
    }
    await next();
  };
}
