import type { LdapConnection } from './ldap-connection.js';
import type { LdapEntry } from './ldap-entry.js';
import { LdapError } from './errors.js';

const RANGE = /^(.+);range=(\d+)-(\d+|\*)$/;

/** The values and range of `attr;range=low-high` in an entry, when the server returned a range. */
export function rangedValues(entry: LdapEntry, attribute: string): { values: readonly (string | Buffer)[]; high: number | '*' } | undefined {
  const want = attribute.toLowerCase();
  for (const [name, values] of Object.entries(entry.attributes)) {
    const m = RANGE.exec(name);
    if (m && m[1] === want) return { values, high: m[3] === '*' ? '*' : Number(m[3]) };
  }
  return undefined;
}

/**
 * Reads every value of a multi-valued attribute with AD range retrieval (`member;range=0-*`,
 * then `member;range=1500-*`, …) until the server answers with a range ending in `*`. A server
 * that does not range (OpenLDAP) returns the plain attribute on the first request.
 * Bounded: at most `maxRounds` requests.
 */
export async function readRangedAttribute(
  connection: LdapConnection,
  dn: string,
  attribute: string,
  /** `step`: ask for `low-(low+step-1)` instead of `low-*` (Samba answers `low-*` with every value). `from`: first value to read. */
  options: { maxRounds?: number; binary?: boolean; step?: number; from?: number } = {},
): Promise<(string | Buffer)[]> {
  const out: (string | Buffer)[] = [];
  let low = options.from ?? 0;
  const maxRounds = options.maxRounds ?? 10_000;
  for (let round = 0; round < maxRounds; round++) {
    const [entry] = await connection.search(dn, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: [`${attribute};range=${low}-${options.step ? low + options.step - 1 : '*'}`],
      binaryAttributes: options.binary ? [attribute] : undefined,
    });
    if (!entry) return out;
    const ranged = rangedValues(entry, attribute);
    if (!ranged) {
      // No range in the answer: the whole attribute came back at once (or it is absent).
      if (round === 0 && low === 0) return [...(entry.attributes[attribute.toLowerCase()] ?? [])];
      return out;
    }
    out.push(...ranged.values);
    if (ranged.high === '*') return out;
    if (ranged.high < low) throw new LdapError('operation', `${dn}: server returned range ending at ${ranged.high} after asking from ${low}`);
    low = ranged.high + 1;
  }
  throw new LdapError('operation', `${dn}: ${attribute} still not complete after ${maxRounds} ranged reads`);
}
