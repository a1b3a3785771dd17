import { Filter, FilterParser, escapeFilter } from 'ldapts';
import { LdapError } from './errors.js';

/**
 * RFC 4515 escaping of one assertion value: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`,
 * `\29`, `\5c`, `\00`; a Buffer is escaped byte by byte (`\xx`), as binary values (objectGUID)
 * must be. Anything a user or a directory supplied goes through here before it enters a filter.
 */
export function escapeFilterValue(value: string | Uint8Array): string {
  return Filter.escape(typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
}

/** Tagged template that escapes every interpolated value: escapeFilter`(mail=${input})`. */
export { escapeFilter };

/**
 * RFC 4514 escaping of one attribute value inside a DN: `"+,;<>\=` anywhere, `#` and a space at
 * the start, a space at the end, and NUL (as `\00`) are escaped with a backslash.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\0') out += '\\00';
    else if ('"+,;<>\\='.includes(ch)) out += `\\${ch}`;
    else if ((ch === ' ' || ch === '#') && i === 0) out += `\\${ch}`;
    else if (ch === ' ' && i === value.length - 1) out += '\\ ';
    else out += ch;
  }
  return out;
}

/** Builds `attr=value,…,base` with every value escaped (RFC 4514); attribute names are checked, not escaped. */
export function buildDn(rdns: readonly (readonly [attribute: string, value: string])[], base?: string): string {
  const parts = rdns.map(([attr, value]) => {
    if (!/^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/.test(attr)) throw new LdapError('config', `invalid attribute name in a DN: ${JSON.stringify(attr)}`);
    return `${attr}=${escapeDnValue(value)}`;
  });
  if (base) parts.push(base);
  return parts.join(',');
}

/**
 * Checks an admin-supplied filter (LDAP_FILTER) and returns it in parentheses. Throws a config
 * LdapError naming the problem: a broken filter must stop the run before it matches too little.
 */
export function normalizeFilter(filter: string): string {
  const trimmed = filter.trim();
  const wrapped = trimmed.startsWith('(') ? trimmed : `(${trimmed})`;
  // The parser is lenient about a missing ")": count them, values carry parentheses only as \28/\29.
  let depth = 0;
  for (let i = 0; i < wrapped.length; i++) {
    depth += wrapped[i] === '(' ? 1 : wrapped[i] === ')' ? -1 : 0;
    if (depth < 0 || (depth === 0 && i < wrapped.length - 1)) {
      depth = -1;
      break;
    }
  }
  if (depth !== 0) throw new LdapError('config', 'LDAP_FILTER is not a valid RFC 4515 filter: unbalanced parentheses');
  try {
    return FilterParser.parseString(wrapped).toString();
  } catch (err) {
    throw new LdapError('config', `LDAP_FILTER is not a valid RFC 4515 filter: ${(err as Error).message}`, undefined, { cause: err });
  }
}

/** `(&a b …)` of filters that are already valid (undefined parts dropped; one part is returned as is). */
export function andFilters(...filters: readonly (string | undefined)[]): string {
  const parts = filters.filter((f): f is string => !!f);
  if (parts.length === 0) return '(objectClass=*)';
  if (parts.length === 1) return parts[0]!;
  return `(&${parts.join('')})`;
}
