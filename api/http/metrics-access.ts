import { createHash, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import { isLoopbackHost } from '../../core/config/index.js';
import { HttpError, unauthorized } from './errors.js';

/**
 * Whether a scrape without a token may be answered: only from this machine, and not through a
 * reverse proxy on it (which would make every outside request look local).
 */
export function isLocalScrape(remoteAddress: string | undefined, headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  // A peer address is an IP (IPv4 ones may come IPv4-mapped), never a name: the Host rule applies.
  return (
    !!remoteAddress &&
    isLoopbackHost(remoteAddress.replace(/^::ffff:(?=\d)/, '')) &&
    headers['x-forwarded-for'] === undefined &&
    headers.forwarded === undefined
  );
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Guards `/metrics`: route names, request counts, connection and directory sizes are not for
 * anyone who can reach the API. With METRICS_TOKEN, a scraper sends it as a bearer token; without
 * it, only local scrapes are answered.
 */
export function metricsAccess(token: string | undefined): Koa.Middleware {
  const want = token === undefined ? undefined : digest(token);
  return async (ctx, next) => {
    if (want) {
      const m = /^Bearer (.+)$/.exec(ctx.get('Authorization'));
      // Digests of equal length: the comparison takes the same time whatever was sent.
      if (!m || !timingSafeEqual(digest(m[1]!), want)) throw unauthorized('Send METRICS_TOKEN as a bearer token to read /metrics');
    } else if (!isLocalScrape(ctx.socket.remoteAddress, ctx.headers)) {
      throw new HttpError(403, 'forbidden', '/metrics answers this machine only; set METRICS_TOKEN to scrape it from elsewhere');
    }
    await next();
  };
}
