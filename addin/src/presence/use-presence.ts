import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { useRealtime } from '../services/index.js';
import { presenceStoreFor } from './presence-store.js';
import type { PresenceDto } from './presence-types.js';

/**
 * Live presence of the given addresses (keys lower-cased); undefined while not known yet.
 * All components of a pane share one subscription store over the pane's realtime socket.
 */
export function usePresence(emails: readonly string[]): Map<string, PresenceDto | undefined> {
  const store = presenceStoreFor(useRealtime());
  const key = [...new Set(emails.filter(Boolean).map((e) => e.trim().toLowerCase()))].sort().join('\n');
  const keys = useMemo(() => (key ? key.split('\n') : []), [key]);

  useEffect(() => store.acquire(keys), [store, keys]);

  // The snapshot changes identity only when one of our addresses changes.
  const cache = useRef<{ map: Map<string, PresenceDto | undefined>; versions: string } | null>(null);
  const getSnapshot = () => {
    const values = keys.map((k) => store.get(k));
    const versions = `${key}|${values.map((v) => (v ? `${v.version}:${v.availability}:${v.note ?? ''}:${v.outOfOffice.active}` : '-')).join(',')}`;
    if (!cache.current || cache.current.versions !== versions) cache.current = { map: new Map(keys.map((k, i) => [k, values[i]])), versions };
    return cache.current.map;
  };
  const subscribe = useCallback((onChange: () => void) => store.listen(keys, onChange), [store, keys]);
  return useSyncExternalStore(subscribe, getSnapshot);
}
