import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import { badRequest, HttpError, payloadTooLarge, unsupportedMediaType } from './errors.js';
import { zodDetails } from './validate.js';

export const DEFAULT_BODY_LIMIT = 256 * 1024;

/** Reads and validates a JSON body. Unknown fields are refused by strict schemas at the edge. */
export async function readJson<S extends z.ZodType>(ctx: Context, schema: S, limit = DEFAULT_BODY_LIMIT): Promise<z.infer<S>> {
  const length = Number(ctx.get('content-length') || 0);
  if (length > limit) throw payloadTooLarge(limit);
  if (length > 0 && !ctx.is('application/json')) throw unsupportedMediaType();
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit, encoding: 'utf8' });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') throw payloadTooLarge(limit);
    throw new HttpError(400, 'bad_request', 'Could not read the request body', { cause: err });
  }
  let value: unknown = {};
  if (text.trim() !== '') {
    if (!ctx.is('application/json')) throw unsupportedMediaType();
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, 'invalid_json', 'The body is not valid JSON', { cause: err });
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest('The body does not match the expected shape', zodDetails(parsed.error));
  return parsed.data;
}
