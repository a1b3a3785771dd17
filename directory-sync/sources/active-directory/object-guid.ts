/**
 * AD objectGUID: 16 raw bytes. Its string form (as Windows, Samba and Entra print it) stores the
 * first three fields little-endian: Data1 (bytes 0-3), Data2 (4-5) and Data3 (6-7) reversed,
 * Data4 (8-15) as is — the same as Python's uuid.UUID(bytes_le=raw).
 */
const ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] as const;
const GUID_STRING = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Raw objectGUID bytes → `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (lower case). */
export function guidToString(raw: Uint8Array): string {
  if (raw.length !== 16) throw new RangeError(`objectGUID must be 16 bytes, got ${raw.length}`);
  const hex = ORDER.map((i) => raw[i]!.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** String form → the 16 raw bytes AD stores (the inverse of guidToString). */
export function guidToBytes(guid: string): Buffer {
  if (!GUID_STRING.test(guid)) throw new RangeError(`not a GUID: ${JSON.stringify(guid)}`);
  const hex = Buffer.from(guid.replace(/-/g, ''), 'hex');
  const raw = Buffer.alloc(16);
  ORDER.forEach((from, to) => (raw[from] = hex[to]!));
  return raw;
}

/**
 * Entra ID's onPremisesImmutableId for a synced user: base64 of the raw objectGUID bytes (the
 * default source anchor of Entra Connect), so AD and Graph entries of one person join.
 */
export function immutableIdOf(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
}
