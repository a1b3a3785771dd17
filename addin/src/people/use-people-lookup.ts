import { useEffect, useState } from 'react';
import { useApi } from '../services/index.js';
import { cachedResolution, resolveAddresses, type Resolution } from './lookup-cache.js';

/**
 * Resolves mail addresses (primary or alias) to directory people. The map is keyed by lower-cased
 * address; a missing key means "still resolving".
 */
export function usePeopleLookup(emails: readonly string[]): Map<string, Resolution> {
  const api = useApi();
  const key = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))].sort().join('\n');
  const [result, setResult] = useState<Map<string, Resolution>>(() => fromCache(key));
  function fromCache(k: string) {
    const m = new Map<string, Resolution>();
    for (const e of k ? k.split('\n') : []) {
      const r = cachedResolution(api, e);
      if (r) m.set(e, r);
    }
    return m;
  }
  useEffect(() => {
    setResult(fromCache(key));
    if (!key) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Failed lookups (network, server) are retried a few times with growing pauses.
    const attempt = (n: number) =>
      void resolveAddresses(api, key.split('\n')).then((m) => {
        if (!live) return;
        setResult(m);
        if (n < 5 && [...m.values()].some((r) => r.state === 'error')) timer = setTimeout(() => attempt(n + 1), 2000 * 2 ** n);
      });
    attempt(0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, key]);
  return result;
}
