/**
 * Domain errors that the one error middleware turns into safe responses.
 * `expose` follows koa: only exposed messages reach the client; the rest become a generic 500.
 */
export class HttpError extends Error {
  readonly expose: boolean;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { cause?: unknown; expose?: boolean; headers?: Record<string, string>; details?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers;
    this.details = options.details;
  }
  readonly headers: Record<string, string> | undefined;
  readonly details: unknown;
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, { details });
export const unauthorized = (message = 'Authentication required') =>
  new HttpError(401, 'unauthorized', message, { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
export const forbidden = (message = 'Not allowed') => new HttpError(403, 'forbidden', message);
export const notFound = (message = 'Not found') => new HttpError(404, 'not_found', message);
export const conflict = (message: string) => new HttpError(409, 'conflict', message);
export const payloadTooLarge = (limit: number) => new HttpError(413, 'payload_too_large', `Request body is over ${limit} bytes`);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new HttpError(429, 'rate_limited', 'Too many requests, slow down', { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
export const unsupportedMediaType = () => new HttpError(415, 'unsupported_media_type', 'Send JSON with Content-Type: application/json');
