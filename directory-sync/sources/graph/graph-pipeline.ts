import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { Transport } from './https-transport.js';
import { KeyedSemaphore, RateBudget, RETRYABLE, parseRetryAfter, retryDelay, sleep, type RetryPolicy } from './throttle.js';
import type { TokenProvider } from './token-provider.js';

/** Marks a non-idempotent POST: retried on 429 (never processed) but not on 503/504 (maybe processed). */
export const NO_RETRY_5XX_HEADER = 'x-op-no-retry-5xx';

export interface PipelineEvents {
  onRetry?(info: { method: string; url: string; status: number; attempt: number; delayMs: number }): void;
}

/**
 * The terminal middleware of the Graph client: bearer token (refreshed once on 401), at most
 * `perMailbox` requests in flight per mailbox, the Teams presence budget, and retries of
 * 429/503/504 honouring Retry-After with bounded attempts and jitter.
 */
export class GraphPipeline implements Middleware {
  readonly #mailboxes: KeyedSemaphore;
  constructor(
    private readonly transport: Transport,
    private readonly tokens: TokenProvider,
    private readonly policy: RetryPolicy,
    private readonly presenceBudget: RateBudget,
    perMailbox: number,
    private readonly events: PipelineEvents = {},
  ) {
    this.#mailboxes = new KeyedSemaphore(perMailbox);
  }

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const opts = context.options ?? {};
    const method = (opts.method ?? 'GET').toUpperCase();
    const headers = toRecord(opts.headers);
    const noRetry5xx = NO_RETRY_5XX_HEADER in headers;
    delete headers[NO_RETRY_5XX_HEADER];
    const body = opts.body as string | Uint8Array | undefined;
    const signal = opts.signal ?? undefined;
    const mailbox = mailboxOf(url);
    const isPresence = /\/communications\/getPresencesByUserId$/.test(new URL(url).pathname);
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      if (isPresence) await this.presenceBudget.take();
      const release = mailbox ? await this.#mailboxes.acquire(mailbox) : () => {};
      let res: Response;
      try {
        const token = await this.tokens.getToken();
        res = await this.transport(url, { method, headers: { ...headers, Authorization: `Bearer ${token}` }, body, signal });
      } catch (err) {
        // A connection reset (e.g. a keep-alive socket the server closed) never reached Graph's
        // logic for a read: retry it like a 503. A write may have happened: let the caller decide.
        const idempotent = method === 'GET' || !noRetry5xx;
        if (!idempotent || !isNetworkError(err) || signal?.aborted || attempt >= this.policy.maxRetries) throw err;
        const delayMs = retryDelay(this.policy, attempt + 1, undefined);
        this.events.onRetry?.({ method, url, status: 0, attempt: attempt + 1, delayMs });
        await sleep(delayMs, signal);
        continue;
      } finally {
        release();
      }
      if (res.status === 401 && !refreshed) {
        // A revoked or expired token: get a fresh one once, then let a second 401 through.
        refreshed = true;
        await res.arrayBuffer();
        await this.tokens.getToken(true);
        attempt--;
        continue;
      }
      const retryable = RETRYABLE.has(res.status) && (res.status === 429 || !noRetry5xx);
      if (!retryable || attempt >= this.policy.maxRetries) {
        context.response = res;
        return;
      }
      const after = parseRetryAfter(res.headers.get('retry-after'));
      if (after !== undefined && after > this.policy.maxRetryAfterMs) {
        context.response = res;
        return;
      }
      const delayMs = retryDelay(this.policy, attempt + 1, after);
      await res.arrayBuffer();
      this.events.onRetry?.({ method, url, status: res.status, attempt: attempt + 1, delayMs });
      await sleep(delayMs, signal);
    }
  }
}

const NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Errors of the connection, not of Graph: worth another attempt for a read. */
export function isNetworkError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return !!e && ((e.code !== undefined && NETWORK_CODES.has(e.code)) || /socket hang up|timed out/i.test(e.message ?? ''));
}

/** The mailbox a request touches (/users/{id}/…), for the per-mailbox concurrency limit. */
export function mailboxOf(url: string): string | undefined {
  const m = /\/users\/([^/?]+)\//.exec(new URL(url).pathname);
  return m && m[1] !== 'delta' ? decodeURIComponent(m[1]).toLowerCase() : undefined;
}

function toRecord(h: unknown): Record<string, string> {
  if (!h) return {};
  if (h instanceof Headers) return Object.fromEntries(h.entries());
  if (Array.isArray(h)) return Object.fromEntries(h as [string, string][]);
  return { ...(h as Record<string, string>) };
}
