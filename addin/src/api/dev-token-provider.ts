import type { TokenProvider } from './token-provider.js';

/**
 * Demo/dev sign-in: `POST /dev/token {email}` (served only with AUTH_MODE=dev on loopback).
 * The token is cached until the API rejects it.
 */
export function devTokenProvider(email: string, baseUrl = ''): TokenProvider {
  let pending: Promise<string> | null = null;
  const mint = async () => {
    const res = await fetch(`${baseUrl}/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      throw new Error(body?.error?.message ?? `Demo sign-in failed (${res.status})`);
    }
    return ((await res.json()) as { token: string }).token;
  };
  return {
    getToken({ forceRefresh = false } = {}) {
      if (forceRefresh || !pending) {
        pending = mint();
        // A failed sign-in is retried on the next call rather than cached.
        pending.catch(() => (pending = null));
      }
      return pending;
    },
  };
}
