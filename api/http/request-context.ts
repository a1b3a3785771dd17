import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../core/log/index.js';

declare module 'koa' {
  interface DefaultContext {
    log: Logger;
    requestId: string;
  }
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Request id (taken from the proxy when it looks safe), a child logger, and one access-log line. */
export function requestContext(logger: Logger): Middleware {
  return async function context(ctx, next) {
    const incoming = ctx.get('X-Request-Id');
    ctx.requestId = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', ctx.requestId);
    ctx.log = logger.child({ reqId: ctx.requestId });
    const started = performance.now();
    try {
      await next();
    } finally {
      ctx.log.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  };
}
