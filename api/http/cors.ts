import type { Middleware } from 'koa';

/**
 * CORS for an explicit allowlist of origins, no credentials (tokens travel in Authorization).
 * Same-origin requests (the panes) need none of this.
 */
export function cors(allowed: readonly string[]): Middleware {
  const origins = new Set(allowed);
  return async function corsAllowlist(ctx, next) {
    const origin = ctx.get('Origin');
    if (origin && origins.has(origin)) {
      ctx.vary('Origin');
      ctx.set('Access-Control-Allow-Origin', origin);
      if (ctx.method === 'OPTIONS') {
        ctx.set('Access-Control-Allow-Methods', 'GET,POST,PUT,DELETE');
        ctx.set('Access-Control-Allow-Headers', 'Authorization,Content-Type,If-None-Match');
        ctx.set('Access-Control-Max-Age', '600');
        ctx.status = 204;
        return;
      }
    }
    await next();
  };
}
