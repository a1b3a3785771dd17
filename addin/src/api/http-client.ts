import type { lookupRoute, meRoute, personCard, personSummary } from '../../../api/contract/index.js';
import type { z } from 'zod';
import { ApiError, errorFromResponse } from './api-error.js';
import type { TokenProvider } from './token-provider.js';

export type PersonSummary = z.infer<typeof personSummary>;
export type PersonCard = z.infer<typeof personCard>;
export type MeResponse = z.infer<NonNullable<(typeof meRoute)['response']>>;
export type LookupResult = z.infer<NonNullable<(typeof lookupRoute)['response']>>['results'][number];

export interface RequestOptions {
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

/** Typed access to the API with the pane's bearer token. Errors are ApiError (status 0 = network). */
export interface ApiClient {
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, options?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  delete<T>(path: string, options?: RequestOptions): Promise<T>;
  /** Raw bytes (photos); null on 404. */
  blob(path: string, options?: RequestOptions): Promise<Blob | null>;
  me(): Promise<MeResponse>;
  lookup(emails: readonly string[]): Promise<LookupResult[]>;
  person(id: string): Promise<PersonCard>;
  /** The token provider, for the realtime ticket and anything else needing the token. */
  readonly tokens: TokenProvider;
}

/** Creates the HTTP client; a 401 refreshes the token once and retries. */
export function createApiClient(tokens: TokenProvider, baseUrl = ''): ApiClient {
  async function send(method: string, path: string, options: RequestOptions, accept: 'json' | 'blob'): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await tokens.getToken({ forceRefresh: attempt > 0 }).catch((err: unknown) => {
        throw new ApiError(401, 'sign_in_failed', err instanceof Error ? err.message : 'Sign-in failed');
      });
      let res: Response;
      try {
        res = await fetch(baseUrl + path, {
          method,
          signal: options.signal,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: accept === 'json' ? 'application/json' : '*/*',
            ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
        });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.');
      }
      if (res.status === 401 && attempt === 0) continue;
      return res;
    }
  }

  async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    const res = await send(method, path, options, 'json');
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  const client: ApiClient = {
    tokens,
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    put: (path, body, options) => request('PUT', path, { ...options, body }),
    delete: (path, options) => request('DELETE', path, options),
    async blob(path, options = {}) {
      const res = await send('GET', path, options, 'blob');
      if (res.status === 404) return null;
      if (!res.ok) throw await errorFromResponse(res);
      return res.blob();
    },
    me: () => request<MeResponse>('GET', '/v1/me'),
    async lookup(emails) {
      if (emails.length === 0) return [];
      const res = await request<{ results: LookupResult[] }>('POST', '/v1/people/lookup', { body: { emails } });
      return res.results;
    },
    person: (id) => request<PersonCard>('GET', `/v1/people/${encodeURIComponent(id)}`),
  };
  return client;
}
