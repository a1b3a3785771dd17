// SCAFFOLD: presence — no presence source yet: every address maps to undefined ("not known").
import { useMemo } from 'react';
import type { PresenceDto } from './presence-types.js';

/** Live presence of the given addresses (lower-cased keys); undefined while not known. */
export function usePresence(emails: readonly string[]): Map<string, PresenceDto | undefined> {
  const key = emails.map((e) => e.toLowerCase()).join('\n');
  return useMemo(() => new Map(key ? key.split('\n').map((e) => [e, undefined] as const) : []), [key]);
}
