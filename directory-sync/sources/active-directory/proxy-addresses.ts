/** The SMTP addresses of an AD object, from proxyAddresses with `mail` as the fallback. */
export interface SmtpAddresses {
  /** Lower-cased; null when the object has no SMTP address at all. */
  readonly primary: string | null;
  /** Lower-cased, without the primary, without duplicates, in source order. */
  readonly aliases: readonly string[];
}

/**
 * Exchange's convention: `SMTP:` (upper case) marks the primary address, `smtp:` an alias; other
 * prefixes (X500:, SIP:, X400:, EUM:…) are not mail addresses and are ignored, as are values
 * without a prefix. Without an `SMTP:` value the `mail` attribute is the primary; a `mail` that
 * differs from the `SMTP:` primary (a stale attribute) is kept as an alias. Two `SMTP:` values (a
 * broken object) — the first wins, the others become aliases.
 */
export function parseProxyAddresses(proxyAddresses: readonly string[], mail: string | undefined): SmtpAddresses {
  let primary: string | null = null;
  const others: string[] = [];
  for (const raw of proxyAddresses) {
    const value = raw.trim();
    const colon = value.indexOf(':');
    if (colon < 1) continue;
    const prefix = value.slice(0, colon);
    const address = value
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (address === '' || prefix.toLowerCase() !== 'smtp') continue;
    if (prefix === 'SMTP' && primary === null) primary = address;
    else others.push(address);
  }
  const fallback = mail?.trim().toLowerCase() || null;
  if (primary === null) primary = fallback;
  else if (fallback) others.push(fallback);
  if (primary === null && others.length > 0) primary = others.shift()!;
  const aliases = [...new Set(others)].filter((a) => a !== primary);
  return { primary, aliases };
}
