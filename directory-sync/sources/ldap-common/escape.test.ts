import { describe, expect, it } from '@jest/globals';
import { FilterParser } from 'ldapts';
import { andFilters, buildDn, escapeDnValue, escapeFilter, escapeFilterValue, normalizeFilter } from './escape.js';
import { MemoryLdapConnection } from './memory-connection.js';
import type { LdapEntry } from './ldap-entry.js';

const person = (uid: string, mail: string): LdapEntry => ({
  dn: `uid=${uid},ou=people,dc=example,dc=com`,
  attributes: { objectclass: ['inetOrgPerson'], uid: [uid], mail: [mail] },
});

describe('RFC 4515 filter escaping', () => {
  it('escapes the five special characters', () => {
    expect(escapeFilterValue('a*b(c)d\\e\0f')).toBe('a\\2ab\\28c\\29d\\5ce\\00f');
  });

  it('escapes binary values byte by byte', () => {
    expect(escapeFilterValue(Buffer.from([0x00, 0x0f, 0xab, 0x28]))).toBe('\\00\\0f\\ab\\28');
  });

  it('leaves ordinary text (and non-ASCII) alone', () => {
    expect(escapeFilterValue('Zoë O’Brien-Łukasz')).toBe('Zoë O’Brien-Łukasz');
  });

  const injections = ['*', '*)(objectClass=*', 'alice*', 'x)(|(mail=*)', '*)(uid=*))(|(uid=*', 'admin)(&)', '\\2a', 'a\0b'];

  it.each(injections)('an injection string stays one assertion value: %j', (input) => {
    const filter = escapeFilter`(&(objectClass=inetOrgPerson)(mail=${input}))`;
    const parsed = FilterParser.parseString(filter);
    // One AND of exactly two parts, the second an equality on mail holding the raw input.
    expect(parsed.toString()).toBe(filter);
    const and = parsed as unknown as { filters: { attribute: string; value: unknown }[] };
    expect(and.filters).toHaveLength(2);
    expect(and.filters[1]!.attribute).toBe('mail');
    expect(String(and.filters[1]!.value)).toBe(input);
  });

  it('an escaped wildcard matches nothing extra', async () => {
    const conn = new MemoryLdapConnection([person('alice', 'alice@example.com'), person('bob', 'bob@example.com'), person('star', '*')]);
    const raw = await conn.search('dc=example,dc=com', { filter: '(mail=*)' });
    expect(raw).toHaveLength(3);
    const escaped = await conn.search('dc=example,dc=com', { filter: escapeFilter`(mail=${'*'})` });
    expect(escaped.map((e) => e.dn)).toEqual(['uid=star,ou=people,dc=example,dc=com']);
    const injected = await conn.search('dc=example,dc=com', { filter: escapeFilter`(&(uid=${'x)(|(uid=*'})(mail=*))` });
    expect(injected).toHaveLength(0);
  });
});

describe('RFC 4514 DN escaping', () => {
  it('escapes specials, a leading # or space, a trailing space and NUL', () => {
    expect(escapeDnValue('Smith, John')).toBe('Smith\\, John');
    expect(escapeDnValue('a+b=c;d<e>f"g\\h')).toBe('a\\+b\\=c\\;d\\<e\\>f\\"g\\\\h');
    expect(escapeDnValue('#hash')).toBe('\\#hash');
    expect(escapeDnValue(' padded ')).toBe('\\ padded\\ ');
    expect(escapeDnValue('mid # and space')).toBe('mid # and space');
    expect(escapeDnValue('nul\0')).toBe('nul\\00');
  });

  it('an injected RDN cannot move the entry to another branch', () => {
    const dn = buildDn([['cn', 'evil,ou=admins,dc=example,dc=com']], 'ou=people,dc=example,dc=com');
    expect(dn).toBe('cn=evil\\,ou\\=admins\\,dc\\=example\\,dc\\=com,ou=people,dc=example,dc=com');
    // Splitting on unescaped commas still gives the people branch as parent.
    expect(
      dn
        .split(/(?<!\\),/)
        .slice(1)
        .join(','),
    ).toBe('ou=people,dc=example,dc=com');
  });

  it('refuses attribute names that are not names', () => {
    expect(() => buildDn([['cn=x,ou', 'y']])).toThrow(/invalid attribute name/);
  });
});

describe('admin filters', () => {
  it('wraps a bare filter and keeps a valid one', () => {
    expect(normalizeFilter('department=Sales')).toBe('(department=Sales)');
    expect(normalizeFilter(' (&(a=b)(c=d)) ')).toBe('(&(a=b)(c=d))');
  });

  it.each(['(&(a=b)', '(a=b))', '(a=b)(c=d)', ')('])('refuses the broken filter %j', (f) => {
    expect(() => normalizeFilter(f)).toThrow(/LDAP_FILTER/);
  });

  it('ANDs parts and drops missing ones', () => {
    expect(andFilters('(a=b)', undefined, '(c=d)')).toBe('(&(a=b)(c=d))');
    expect(andFilters(undefined, '(a=b)')).toBe('(a=b)');
    expect(andFilters()).toBe('(objectClass=*)');
  });
});
