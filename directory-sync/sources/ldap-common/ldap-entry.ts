/**
 * One entry as the connection layer hands it out: attribute names lower-cased (options kept, e.g.
 * `member;range=0-1499`), every attribute a list. Binary attributes arrive as Buffers.
 */
export interface LdapEntry {
  readonly dn: string;
  readonly attributes: Readonly<Record<string, readonly (string | Buffer)[]>>;
}

/** All values of an attribute as strings (Buffers decoded as UTF-8). */
export function attrValues(entry: LdapEntry, name: string): string[] {
  const values = entry.attributes[name.toLowerCase()];
  if (!values) return [];
  return values.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

/** The first value of an attribute as a trimmed string, or undefined when absent or empty. */
export function attrString(entry: LdapEntry, name: string): string | undefined {
  const values = entry.attributes[name.toLowerCase()];
  const v = values?.[0];
  if (v === undefined) return undefined;
  const s = (typeof v === 'string' ? v : v.toString('utf8')).trim();
  return s === '' ? undefined : s;
}

/** The first value of an attribute as bytes (a string value is taken as its UTF-8 bytes). */
export function attrBuffer(entry: LdapEntry, name: string): Buffer | undefined {
  const v = entry.attributes[name.toLowerCase()]?.[0];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

/** True when the entry carries the attribute at all (even with no values). */
export function hasAttr(entry: LdapEntry, name: string): boolean {
  return name.toLowerCase() in entry.attributes;
}
