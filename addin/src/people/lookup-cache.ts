import type { ApiClient, PersonSummary } from '../api/index.js';

/** Resolution of one address: a person, null (not in the directory), or an error message. */
export type Resolution =
  { readonly state: 'known'; readonly person: PersonSummary } | { readonly state: 'unknown' } | { readonly state: 'error'; readonly message: string };

const caches = new WeakMap<ApiClient, Map<string, Resolution>>();

/** Resolves addresses via `POST /v1/people/lookup`, remembering answers for the life of the pane. */
export async function resolveAddresses(api: ApiClient, emails: readonly string[]): Promise<Map<string, Resolution>> {
  let cache = caches.get(api);
  if (!cache) caches.set(api, (cache = new Map()));
  const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const missing = wanted.filter((e) => !cache.get(e) || cache.get(e)!.state === 'error');
  for (let i = 0; i < missing.length; i += 1000) {
    const chunk = missing.slice(i, i + 1000);
    try {
      const results = await api.lookup(chunk);
      for (const r of results) cache.set(r.email.toLowerCase(), r.person ? { state: 'known', person: r.person } : { state: 'unknown' });
    } catch (err) {
      const message = err instanceof Error ? err.message : 'Lookup failed';
      for (const e of chunk) cache.set(e, { state: 'error', message });
    }
  }
  return new Map(wanted.map((e) => [e, cache.get(e) ?? { state: 'unknown' }]));
}

/** Answers already known, without asking the server. */
export function cachedResolution(api: ApiClient, email: string): Resolution | undefined {
  return caches.get(api)?.get(email.trim().toLowerCase());
}
