import type { Middleware } from 'koa';
import { HttpError } from './errors.js';

/**
 * The one place errors become responses: `{ error: { code, message } }`, never a stack trace.
 * Unexposed errors are logged with the request id and answered with a generic 500.
 */
export function errorMiddleware(): Middleware {
  return async function errors(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new HttpError(404, 'not_found', 'No such route');
    } catch (raw) {
      const err = normalise(raw);
      if (ctx.headerSent || !ctx.writable) {
        ctx.log?.error({ err: raw }, 'error after headers were sent');
        return;
      }
      if (err.status >= 500) ctx.log?.error({ err: raw }, 'request failed');
      else ctx.log?.info({ status: err.status, code: err.code, cause: err.cause instanceof Error ? err.cause.message : undefined }, err.message);
      // Headers set by earlier middleware (security headers, request id) are kept; content headers
      // go, and no error is cached (a photo route's caching must not keep its 404 or 401).
      ctx.remove('Content-Disposition');
      ctx.remove('ETag');
      ctx.set('Cache-Control', 'no-store');
      for (const [k, v] of Object.entries(err.headers ?? {})) ctx.set(k, v);
      ctx.status = err.status;
      ctx.type = 'application/json';
      ctx.body = {
        error: {
          code: err.expose ? err.code : 'internal_error',
          message: err.expose ? err.message : 'Internal server error',
          ...(err.expose && err.details !== undefined ? { details: err.details } : {}),
        },
      };
    }
  };
}

function normalise(raw: unknown): HttpError {
  if (raw instanceof HttpError) return raw;
  // Errors thrown by koa or its libraries carry status/expose (http-errors).
  const e = raw as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; type?: unknown };
  const status = Number(e?.status ?? e?.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 600) {
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 400 ? 'bad_request' : 'error';
    return new HttpError(status, code, typeof e.message === 'string' ? e.message : 'Error', { cause: raw, expose: e.expose === true || status < 500 });
  }
  return new HttpError(500, 'internal_error', raw instanceof Error ? raw.message : String(raw), { cause: raw, expose: false });
}
