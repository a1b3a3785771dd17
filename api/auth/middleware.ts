import type { Middleware } from 'koa';
import { forbidden, unauthorized } from '../http/index.js';
import type { Authenticator, Principal } from './principal.js';

declare module 'koa' {
  interface DefaultState {
    principal: Principal;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** Requires a valid bearer token; puts the caller on ctx.state.principal. */
export function requireAuth(auth: Authenticator): Middleware {
  return async function authenticate(ctx, next) {
    const token = bearerToken(ctx.get('Authorization'));
    if (!token) throw unauthorized();
    ctx.state.principal = await auth.authenticate(token);
    await next();
  };
}

export function requireAdmin(): Middleware {
  return async function admin(ctx, next) {
    if (!ctx.state.principal?.isAdmin) throw forbidden('Administrators only');
    await next();
  };
}
