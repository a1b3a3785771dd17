import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type { GraphSettings } from './graph-settings.js';
import { GraphRequestError, describeUrl } from './graph-error.js';
import { GraphPipeline, NO_RETRY_5XX_HEADER, type PipelineEvents } from './graph-pipeline.js';
import { createHttpsTransport, type Transport } from './https-transport.js';
import { DEFAULT_RETRY_POLICY, RETRYABLE, RateBudget, parseRetryAfter, retryDelay, sleep, type RetryPolicy } from './throttle.js';
import { createMsalTokenProvider, type TokenProvider } from './token-provider.js';

export interface BatchItem {
  readonly id: string;
  readonly method: 'GET' | 'POST';
  /** Relative to the version root, e.g. "/users/{id}/photo". */
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface BatchResult {
  readonly id: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export interface BytesResult {
  readonly status: 200 | 304 | 404;
  readonly bytes?: Uint8Array;
  readonly etag?: string;
  readonly contentType?: string;
}

/** What the product needs from Microsoft Graph; everything goes through throttling and retries. */
export interface GraphApi {
  /** GET a path (relative to the version root) or an absolute @odata.nextLink/deltaLink. */
  get<T>(pathOrUrl: string, options?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<T>;
  /** GET binary content; 404 and 304 are answers, not errors. */
  getBytes(path: string, options?: { ifNoneMatch?: string; maxBytes?: number; signal?: AbortSignal }): Promise<BytesResult>;
  /** POST JSON. `idempotent: false` (default) retries only on 429, never on 503/504. */
  post<T>(path: string, body: unknown, options?: { idempotent?: boolean; headers?: Record<string, string>; signal?: AbortSignal }): Promise<T>;
  /**
   * JSON batching: any number of items, sent 20 per $batch. Items answered 429/503/504 inside a
   * batch are re-submitted alone after their Retry-After (the SDK does not do this).
   */
  batch(items: readonly BatchItem[], options?: { signal?: AbortSignal }): Promise<Map<string, BatchResult>>;
  close(): void;
}

export interface GraphApiOptions {
  readonly policy?: Partial<RetryPolicy>;
  /** Requests in flight per mailbox (Graph's Outlook limit is 4). */
  readonly perMailbox?: number;
  /** Teams presence budget (Graph: 1,500 requests per 30 s per app per tenant). */
  readonly presenceBudget?: { limit: number; windowMs: number };
  readonly events?: PipelineEvents;
  readonly transport?: Transport;
  readonly tokens?: TokenProvider;
}

/**
 * A Graph client for app-only access: the SDK's request builder over our pipeline (MSAL tokens,
 * GRAPH_CA_FILE, throttling). One per process; close() drops keep-alive sockets.
 */
export function createGraphApi(settings: GraphSettings, options: GraphApiOptions = {}): GraphApi {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const ownTransport = options.transport ? null : createHttpsTransport({ ca: settings.ca });
  const transport = options.transport ?? ownTransport!;
  const tokens = options.tokens ?? createMsalTokenProvider(settings, transport);
  const budget = new RateBudget(options.presenceBudget?.limit ?? 1500, options.presenceBudget?.windowMs ?? 30_000);
  const pipeline = new GraphPipeline(transport, tokens, policy, budget, options.perMailbox ?? 4, options.events);
  const client = Client.initWithMiddleware({
    middleware: pipeline,
    baseUrl: settings.origin,
    defaultVersion: settings.version,
    customHosts: new Set([new URL(settings.origin).hostname]),
  });

  async function send(method: 'GET' | 'POST', pathOrUrl: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const req = client.api(pathOrUrl).headers(headers).responseType(ResponseType.RAW);
    if (signal) req.option('signal', signal);
    const res = (method === 'GET' ? await req.get() : await req.post(body)) as Response;
    return res;
  }

  async function fail(res: Response, method: string, url: string): Promise<never> {
    let code = `HTTP${res.status}`;
    let message = res.statusText || 'request failed';
    try {
      const j = (await res.json()) as { error?: { code?: string; message?: string } };
      code = j.error?.code ?? code;
      message = j.error?.message ?? message;
    } catch {
      /* not JSON */
    }
    throw new GraphRequestError(res.status, code, message, method, describeUrl(url), res.headers.get('location') ?? undefined);
  }

  const api: GraphApi = {
    async get<T>(pathOrUrl: string, o: { headers?: Record<string, string>; signal?: AbortSignal } = {}) {
      const res = await send('GET', pathOrUrl, undefined, o.headers ?? {}, o.signal);
      if (!res.ok) await fail(res, 'GET', pathOrUrl);
      return (await res.json()) as T;
    },
    async getBytes(path, o = {}) {
      const res = await send('GET', path, undefined, o.ifNoneMatch ? { 'If-None-Match': o.ifNoneMatch } : {}, o.signal);
      if (res.status === 404) {
        await res.arrayBuffer();
        return { status: 404 };
      }
      if (res.status === 304) return { status: 304, etag: res.headers.get('etag') ?? o.ifNoneMatch };
      if (!res.ok) await fail(res, 'GET', path);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { status: 200, bytes, etag: res.headers.get('etag') ?? undefined, contentType: res.headers.get('content-type') ?? undefined };
    },
    async post<T>(path: string, body: unknown, o: { idempotent?: boolean; headers?: Record<string, string>; signal?: AbortSignal } = {}) {
      const headers = { ...(o.headers ?? {}), ...(o.idempotent ? {} : { [NO_RETRY_5XX_HEADER]: '1' }) };
      const res = await send('POST', path, body, headers, o.signal);
      if (!res.ok) await fail(res, 'POST', path);
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async batch(items, o = {}) {
      const results = new Map<string, BatchResult>();
      for (let i = 0; i < items.length; i += 20) {
        let pending = items.slice(i, i + 20);
        for (let attempt = 0; pending.length; attempt++) {
          const res = await api.post<{ responses: BatchResult[] }>(
            '/$batch',
            {
              requests: pending.map((it) => ({
                id: it.id,
                method: it.method,
                url: it.url,
                ...(it.body !== undefined
                  ? { body: it.body, headers: { 'Content-Type': 'application/json', ...it.headers } }
                  : it.headers
                    ? { headers: it.headers }
                    : {}),
              })),
            },
            { signal: o.signal, idempotent: pending.every((p) => p.method === 'GET') },
          );
          const retry: BatchItem[] = [];
          let wait = 0;
          for (const r of res.responses) {
            const item = pending.find((p) => p.id === r.id);
            const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
            const again = item && RETRYABLE.has(r.status) && (r.status === 429 || item.method === 'GET') && attempt < policy.maxRetries;
            const after = parseRetryAfter(headers['retry-after']);
            if (again && (after === undefined || after <= policy.maxRetryAfterMs)) {
              retry.push(item);
              wait = Math.max(wait, retryDelay(policy, attempt + 1, after));
            } else {
              results.set(r.id, { id: r.id, status: r.status, headers, body: r.body });
            }
          }
          pending = retry;
          if (pending.length) {
            options.events?.onRetry?.({ method: 'POST', url: '/$batch', status: 429, attempt: attempt + 1, delayMs: wait });
            await sleep(wait, o.signal);
          }
        }
      }
      return results;
    },
    close() {
      ownTransport?.close();
    },
  };
  return api;
}
