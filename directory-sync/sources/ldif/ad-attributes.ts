/**
 * The AD attribute conventions an ldifde export carries. Kept here (small and pure) so the LDIF
 * importer does not depend on the network AD source; both follow the same rules.
 */

/** AD objectGUID bytes → string form: the first three fields are little-endian (uuid bytes_le). */
export function guidString(raw: Uint8Array): string {
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  const hex = order.map((i) => raw[i].toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Entra's onPremisesImmutableId: base64 of the raw objectGUID, so AD and Graph entries join. */
export const immutableId = (raw: Uint8Array): string => Buffer.from(raw).toString('base64');

/**
 * Exchange's proxyAddresses: `SMTP:` (upper case) is the primary, `smtp:` an alias, other prefixes
 * (X500:, SIP:, X400:…) are ignored. Without an `SMTP:` value, `mail` is the primary; a `mail`
 * that differs from the primary is kept as an alias.
 */
export function smtpAddresses(proxyAddresses: readonly string[], mail: string | undefined): { primary: string | null; aliases: string[] } {
  let primary: string | null = null;
  const others: string[] = [];
  for (const raw of proxyAddresses) {
    const colon = raw.indexOf(':');
    if (colon < 1) continue;
    const prefix = raw.slice(0, colon).trim();
    const address = raw
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (!address || prefix.toLowerCase() !== 'smtp') continue;
    if (prefix === 'SMTP' && primary === null) primary = address;
    else others.push(address);
  }
  const fallback = mail?.trim().toLowerCase() || null;
  if (primary === null) primary = fallback;
  else if (fallback) others.push(fallback);
  if (primary === null && others.length) primary = others.shift()!;
  return { primary, aliases: [...new Set(others)].filter((a) => a !== primary) };
}
