import type { z } from 'zod';
import { badRequest } from './errors.js';

export function zodDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Validates query strings and route params with the same rules as bodies. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what = 'query'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(`Invalid ${what}`, zodDetails(parsed.error));
  return parsed.data;
}
