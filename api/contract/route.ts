import { z } from 'zod';

/** One HTTP route of the wire contract. The OpenAPI document is generated from these. */
export interface RouteContract {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI path form: /v1/people/{id} */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly response?: z.ZodType;
  readonly auth?: 'user' | 'admin' | 'none';
}

const routes: RouteContract[] = [];

export function defineRoute<const R extends RouteContract>(route: R): R {
  routes.push(route);
  return route;
}

export const allRoutes = (): readonly RouteContract[] => routes;

export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** An SMTP address as the contract accepts it: trimmed, bounded, one @. */
export const email = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^@\s]+@[^@\s]+$/, 'must be an e-mail address');

/**
 * An address to look up, as Office gives it: any string, not only a well-formed address. Lookups
 * are stateless, and one odd recipient (an Exchange legacy DN, a name Outlook has not resolved)
 * answers "nobody" like any address nobody holds instead of failing the others of the batch.
 */
export const lookupAddress = z.string().trim().max(320, 'at most 320 characters');
