import type { ApiClient } from '../api/index.js';

const caches = new WeakMap<ApiClient, Map<string, Promise<string | null>>>();

/**
 * Fetches a person's photo once per pane (with the bearer token, so it cannot be a plain <img src>)
 * and returns a blob: URL; null when there is none or it failed.
 */
export function loadPhoto(api: ApiClient, personId: string): Promise<string | null> {
  let cache = caches.get(api);
  if (!cache) caches.set(api, (cache = new Map()));
  let entry = cache.get(personId);
  if (!entry) {
    entry = api
      .blob(`/v1/people/${encodeURIComponent(personId)}/photo`)
      .then((blob) => (blob && blob.size > 0 ? URL.createObjectURL(blob) : null))
      .catch(() => {
        // Not cached: a later render may retry after a transient failure.
        cache!.delete(personId);
        return null;
      });
    cache.set(personId, entry);
  }
  return entry;
}
