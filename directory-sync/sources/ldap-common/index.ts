export { ldapConnectionOptionsFromConfig, DEFAULT_PAGE_SIZE, type LdapConnectionOptions } from './connection-options.js';
export type { LdapConnection, LdapSearchOptions } from './ldap-connection.js';
export { LdaptsConnection, createLdapConnection } from './ldapts-connection.js';
export { MemoryLdapConnection } from './memory-connection.js';
export { attrValues, attrString, attrBuffer, hasAttr, type LdapEntry } from './ldap-entry.js';
export { readRangedAttribute, rangedValues } from './ranged-attribute.js';
export { MatchedValuesControl } from './matched-values-control.js';
export { escapeFilterValue, escapeFilter, escapeDnValue, buildDn, normalizeFilter, andFilters } from './escape.js';
export {
  LdapError,
  LdapConnectionError,
  LdapTimeoutError,
  LdapTlsError,
  LdapCredentialsError,
  LdapOperationError,
  toLdapError,
  type LdapErrorKind,
} from './errors.js';
/** ldapts' Control, for request controls passed through searchPages/search (e.g. `new Control('1.2.840.113556.1.4.417')`). */
export { Control } from 'ldapts';
