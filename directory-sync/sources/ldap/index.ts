export { LdapSource, DEFAULT_OVERLAP_SECONDS, THREADED_BATCH_SIZE, type LdapSourceOptions } from './ldap-source.js';
export { createLdapSource } from './create-ldap-source.js';
export { parseAttributeMap, type AttributeMap } from './attribute-map.js';
export { personAttributes } from './person-attributes.js';
export { GroupIndex } from './group-index.js';
export { EntryMapper, mapEntry, addresses, isDisabled } from './entry-mapper.js';
export { parseGeneralizedTime, formatGeneralizedTime } from './generalized-time.js';
export { readInWorker, READER_RESOURCE_LIMITS, type WorkerSpec } from './threaded-read.js';
